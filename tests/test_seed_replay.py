"""The seed writes what the rules would (issue 12): seed a small shop, replay the same
operations through ``Shop`` in time order on a hand-moved clock into a fresh file, and
get the same balances, ledgers, spend, stages, referrals and coupon states.

Twice: under the default settings, and under changed ones (another rate, referral terms,
clawback window, time zone and stage rules), so a seed that restated a default instead of
reading the setting (a 30-day clawback, 200 referral points, one point a yuan, Shanghai's
midnight) fails here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

import seed
from db.clock import from_iso
from db.customers import CustomerInput
from db.shop import Shop
from db.store import Store
from tests.conftest import FIXED_NOW, HandClock, Stores

CUSTOMERS = 120
SEED = 133  # among its 120 customers: a chain of referrals, a clawback, coupons used
CHANGED = {"points.per_yuan": "3", "referral.reward_points": "150",
           "referral.second_level_points": "40", "referral.clawback_days": "0",
           "timezone": "America/New_York", "lifecycle.trust_orders": "4",
           "lifecycle.dormant_days": "60"}

# what happens first when two operations share a second
REGISTER, OPENING, ISSUE, VOID, SALE, SPEND, REFUND = range(7)


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def state(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Everything the rules decide, keyed so that ids and codes drawn anew don't matter."""
    queries = {
        "customers": "SELECT id, points, total_spend_fen, orders, first_purchase_at,"
                     " last_visit_at, median_interval_s, stage, stage_source,"
                     " referrals_qualified FROM customers ORDER BY id",
        "purchases": "SELECT customer_id, amount_fen, at, refund_of IS NOT NULL FROM purchases"
                     " ORDER BY customer_id, at, amount_fen",
        "ledger": "SELECT customer_id, at, kind, delta, balance_after FROM points_ledger"
                  " ORDER BY customer_id, at, balance_after",
        "referrals": "SELECT referrer_id, referee_id, status, qualified_at, clawed_back_at"
                     " FROM referrals ORDER BY referee_id",
        "rewards": "SELECT r.referee_id, w.tier, w.customer_id, w.points, w.at,"
                   " w.clawed_back_at FROM referral_rewards w"
                   " JOIN referrals r ON r.id = w.referral_id ORDER BY 1, 2",
        "coupons": "SELECT t.name, c.customer_id, c.issued_at, c.expires_at, c.status,"
                   " c.redeemed_at, c.discount_fen, c.voided_at FROM coupons c"
                   " JOIN coupon_templates t ON t.id = c.template_id ORDER BY 3, 2, 1",
    }
    with store.read() as conn:
        return {name: [tuple(r) for r in conn.execute(sql)] for name, sql in queries.items()}


def seeded(stores: Stores, path: Path, changed: dict[str, str]) -> Store:
    store = stores.open(path)
    owner = Shop(store, store.actor())
    for key, value in changed.items():
        owner.settings.set(key, value)
    seed.seed(store, store.actor(), CUSTOMERS, seed=SEED)
    return store


def replay(stores: Stores, source: Store, path: Path, changed: dict[str, str]) -> Store:
    """The seeded shop's operations, one by one through Shop, each at its own time."""
    with source.read() as conn:
        people = conn.execute("SELECT id, name, phone, marketing_consent FROM customers"
                              " ORDER BY id").fetchall()
        sales = conn.execute("SELECT id, customer_id, amount_fen, refund_of, at"
                             " FROM purchases ORDER BY id").fetchall()
        links = conn.execute("SELECT referrer_id, referee_id, at FROM referrals").fetchall()
        given = conn.execute(
            "SELECT c.id, t.name AS template, c.customer_id, c.reason, c.issued_at, c.status,"
            " c.purchase_id, c.discount_fen, c.voided_at, c.void_reason FROM coupons c"
            " JOIN coupon_templates t ON t.id = c.template_id").fetchall()
        own = conn.execute("SELECT customer_id, delta, kind, reason, at FROM points_ledger"
                           " WHERE kind IN ('opening', 'spend')").fetchall()
    first = min(from_iso(r["at"]) for r in [*sales, *links, *own])
    clock = HandClock(first - timedelta(days=1))
    store = stores.open(path, clock)
    shop = Shop(store, store.actor())
    for key, value in changed.items():
        shop.settings.set(key, value)
    for p in people:  # ids follow, so the two shops' customer ids are the same
        assert shop.customers.add(CustomerInput(  # consent: marketing coupons need it
            name=p["name"], phone=p["phone"], marketing_consent=bool(p["marketing_consent"]))
        ).id == p["id"]
    for name, kind, value, cap, gift, least, days, limit in seed.COUPON_TEMPLATES:
        shop.coupons.add_template(name, kind, value=value, cap=cap, gift=gift,
                                  min_spend=least, valid_days=days, per_customer=limit)

    sale_ids: dict[int, int] = {}  # seeded purchase id -> replayed purchase id
    codes: dict[int, str] = {}  # seeded coupon id -> replayed code
    redeemed_by = {c["purchase_id"]: c for c in given if c["purchase_id"] is not None}
    events: list[tuple[str, int, int, Callable[[], object]]] = []

    def at(when: str, rank: int, order: int, do: Callable[[], object]) -> None:
        events.append((when, rank, order, do))

    def sell(p: sqlite3.Row) -> None:
        coupon = redeemed_by.get(p["id"])
        if coupon is None:
            sale = shop.sales.record(p["customer_id"], yuan(p["amount_fen"]), confirmed=True)
        else:  # the till charged the sale before the discount
            _, sale = shop.coupons.redeem(codes[coupon["id"]],
                                          yuan(p["amount_fen"] + coupon["discount_fen"]),
                                          p["customer_id"], confirmed=True)
        sale_ids[p["id"]] = sale.id

    def refund(p: sqlite3.Row) -> None:
        shop.sales.refund(sale_ids[p["refund_of"]])

    def void(c: sqlite3.Row) -> None:
        shop.coupons.void(codes[c["id"]], c["void_reason"])

    def issue(c: sqlite3.Row) -> None:
        made = shop.coupons.issue(c["template"], c["customer_id"], c["reason"])
        assert made is not None
        codes[c["id"]] = made.code

    for link in links:
        code = shop.customers.get(link["referrer_id"]).member_code
        at(link["at"], REGISTER, link["referee_id"],
           partial(shop.rewards.register_referral, link["referee_id"], code))
    for p in sales:
        if p["refund_of"] is None:
            at(p["at"], SALE, p["id"], partial(sell, p))
        else:
            at(p["at"], REFUND, p["id"], partial(refund, p))
    for c in given:
        at(c["issued_at"], ISSUE, c["id"], partial(issue, c))
        if c["status"] == "voided":
            at(c["voided_at"], VOID, c["id"], partial(void, c))
    for row in own:
        if row["kind"] == "opening":
            at(row["at"], OPENING, row["customer_id"], partial(
                shop.rewards.opening_points, row["customer_id"], str(row["delta"]),
                row["reason"]))
        else:
            at(row["at"], SPEND, row["customer_id"], partial(
                shop.rewards.spend_points, row["customer_id"], str(-row["delta"]),
                row["reason"]))
    for when, _, _, do in sorted(events, key=lambda e: e[:3]):
        clock.now = from_iso(when)
        do()
    clock.now = FIXED_NOW  # the seed's own moment: let the clock move every stage
    shop.lifecycle.recompute()
    shop.settings.set("referral.welcome_template", "新人券")  # as the seed leaves it
    return store


@pytest.mark.parametrize("changed", [{}, CHANGED], ids=["default", "changed"])
def test_replaying_the_seed_through_the_shop_gives_the_same_shop(
        tmp_path: Path, stores: Stores, changed: dict[str, str]) -> None:
    made = seeded(stores, tmp_path / "seeded.db", changed)
    again = replay(stores, made, tmp_path / "replayed.db", changed)
    seeded_state, replayed_state = state(made), state(again)
    for table, rows in seeded_state.items():
        assert rows == replayed_state[table], table
    # the shop has what the comparison is about
    kinds = {r[2] for r in seeded_state["ledger"]}
    assert {"opening", "earn", "reversal", "referral", "spend"} <= kinds
    statuses = {r[2] for r in seeded_state["referrals"]}
    assert {"pending", "qualified"} <= statuses
    assert "redeemed" in {r[4] for r in seeded_state["coupons"]}
    assert {r[7] for r in seeded_state["customers"]} >= {"initial", "trust", "dormant"}
    if changed:  # a refund the day it qualified still stands with a window of 0 days
        assert "clawed_back" not in statuses
        assert 2 in {r[1] for r in seeded_state["rewards"]}  # the referrer's referrer's
    else:
        assert "clawed_back" in statuses and "clawback" in kinds
    with made.read() as conn:  # history reads a customer's rows newest id first
        ledger = conn.execute("SELECT customer_id, at, balance_after FROM points_ledger"
                              " ORDER BY customer_id, id").fetchall()
        held = dict(conn.execute("SELECT id, points FROM customers").fetchall())
    for (who, at, _), (then, later, _) in pairwise(ledger):
        assert who != then or at <= later, (who, at, later)
    last = {who: after for who, _, after in ledger}  # each customer's newest row
    assert {who: last.get(who, 0) for who in held} == held
