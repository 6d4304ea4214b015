"""Purchases and lifecycle: money in fen, figures equal to the ledger, stages at their edges."""

from __future__ import annotations

import contextlib
import itertools
import statistics
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from db.customers import CustomerInput
from db.errors import RegularsError, ValidationError
from db.shop import Shop
from db.store import Store
from tests.conftest import HandClock

START = datetime(2026, 1, 10, 4, 0, tzinfo=UTC)


MovingClock = HandClock


@pytest.fixture
def clock() -> MovingClock:
    return MovingClock(START)


def customer(shop: Shop, phone: str = "13912345678") -> int:
    return shop.customers.add(CustomerInput(name="王五", phone=phone)).id


def test_money_never_passes_through_float(shop: Shop) -> None:
    cid = customer(shop)
    for amount in ("0.1", "0.2", "0.1", "0.2"):
        shop.sales.record(cid, amount)
    assert shop.customers.get(cid).total_spend_fen == 60  # 0.1 + 0.2 twice, to the fen
    shop.sales.record(cid, "￥1,280.50", confirmed=True)  # above ¥1,000: asked
    assert shop.customers.get(cid).total_spend_fen == 60 + 128050
    for bad, code in (("58.555", "money.decimals"), ("abc", "money.invalid"),
                      ("0", "amount.not_positive"), ("-5", "amount.not_positive"),
                      ("nan", "money.invalid"), ("1e12", "money.invalid"),
                      ("1000000000000", "gate.money.too_large")):
        with pytest.raises(ValidationError) as err:
            shop.sales.record(cid, bad)
        assert err.value.fields["amount"][0] == code, bad
    assert shop.customers.get(cid).orders == 5


def test_figures_and_average_order(shop: Shop, clock: MovingClock) -> None:
    cid = customer(shop)
    shop.sales.record(cid, "50")
    clock.advance(days=10)
    shop.sales.record(cid, "70")
    clock.advance(days=20)
    shop.sales.record(cid, "30", items="面包 ×2")
    c = shop.customers.get(cid)
    assert (c.total_spend_fen, c.orders, c.average_order_fen) == (15000, 3, 5000)
    assert c.median_interval_s == 15 * 86400
    assert c.first_purchase_at == "2026-01-10T04:00:00+00:00"
    assert c.last_visit_at == "2026-02-09T04:00:00+00:00"
    listed = shop.sales.history(cid)
    assert [p.amount_fen for p in listed] == [3000, 7000, 5000]  # newest first
    assert listed[0].items == "面包 ×2" and listed[0].staff == "owner"


def test_backdating_is_allowed_and_recorded(shop: Shop, clock: MovingClock) -> None:
    cid = customer(shop)
    p = shop.sales.record(cid, "20", when="2026-01-05 18:30")
    assert p.at == "2026-01-05T10:30:00+00:00"  # 18:30 in Shanghai
    assert p.backdated and p.recorded_at == "2026-01-10T04:00:00+00:00"
    for bad, code in (("2026-13-01", "when.invalid"), ("yesterday", "when.format"),
                      ("2027-01-01", "when.future"), ("1999-12-31", "when.too_old")):
        with pytest.raises(ValidationError) as err:
            shop.sales.record(cid, "20", when=bad)
        assert err.value.fields["at"][0] == code


def test_refund_is_a_linked_negative_row_once(shop: Shop, clock: MovingClock) -> None:
    cid = customer(shop)
    ids = []
    for _ in range(3):
        ids.append(shop.sales.record(cid, "40").id)
        clock.advance(days=7)
    assert shop.customers.get(cid).stage == "trust"
    r = shop.sales.refund(ids[2], "质量问题")
    assert r.amount_fen == -4000 and r.refund_of == ids[2]
    c = shop.customers.get(cid)
    assert (c.total_spend_fen, c.orders) == (8000, 2)
    assert c.stage == "initial"  # two orders no longer qualify for trust
    with pytest.raises(RegularsError) as err:
        shop.sales.refund(ids[2])
    assert err.value.code == "purchase.already_refunded"
    with pytest.raises(RegularsError) as err:
        shop.sales.refund(r.id)
    assert err.value.code == "purchase.is_refund"
    assert [p.refunded_by for p in shop.sales.history(cid)][1] == r.id


def three_weekly_sales(shop: Shop, clock: MovingClock, phone: str = "13912345678") -> int:
    cid = customer(shop, phone)
    for _ in range(3):
        shop.sales.record(cid, "30")
        clock.advance(days=10)
    clock.advance(days=-10)  # the clock stands at the last sale
    return cid


def test_stage_boundaries(shop: Shop, clock: MovingClock) -> None:
    cid = three_weekly_sales(shop, clock)  # rhythm 10 days -> window max(30, 15) = 30
    assert shop.customers.get(cid).stage == "trust"  # day 0
    clock.advance(days=30)
    shop.lifecycle.recompute()
    assert shop.customers.get(cid).stage == "trust"  # exactly on the window's edge
    clock.advance(minutes=1)
    shop.lifecycle.recompute()
    assert shop.customers.get(cid).stage == "decline"
    clock.advance(days=90, minutes=-1)  # exactly 120 days
    shop.lifecycle.recompute()
    assert shop.customers.get(cid).stage == "decline"
    clock.advance(minutes=1)
    shop.lifecycle.recompute()
    assert shop.customers.get(cid).stage == "dormant"
    shop.sales.record(cid, "30")  # a purchase moves it at once
    assert shop.customers.get(cid).stage == "trust"


def test_two_orders_and_a_qualified_referral_is_trust(shop: Shop, clock: MovingClock) -> None:
    """The referral half of the rule; referrals themselves (and this count) come with
    the rewards issue, so the count is set directly here."""
    cid = customer(shop)
    shop.sales.record(cid, "30")
    clock.advance(days=10)
    shop.sales.record(cid, "30")
    assert shop.customers.get(cid).stage == "initial"  # two orders alone are not enough
    with shop.store.write(shop.actor, "purchase.add") as tx:
        tx.execute("UPDATE customers SET referrals_qualified = 1 WHERE id = ?", (cid,))
        tx.audit("test.referral", "customer", cid)
    assert shop.lifecycle.recompute().transitions == {("initial", "trust"): 1}
    assert shop.lifecycle.view(cid).suggestion.stage == "trust"


def test_window_follows_the_customers_own_rhythm(shop: Shop, clock: MovingClock) -> None:
    cid = customer(shop)
    for _ in range(3):
        shop.sales.record(cid, "30")
        clock.advance(days=40)
    clock.advance(days=-40)  # rhythm 40 days -> window 60 days
    clock.advance(days=59)
    shop.lifecycle.recompute()
    assert shop.customers.get(cid).stage == "trust"
    clock.advance(days=2)
    shop.lifecycle.recompute()
    assert shop.customers.get(cid).stage == "decline"
    reason = shop.lifecycle.view(cid).history[0]
    assert reason.reason_code == "reason.decline"
    assert reason.reason_params["days"] == 61 and reason.reason_params["rhythm"] == 40


def test_manual_stage_sticks_and_shows_the_suggestion(shop: Shop, clock: MovingClock) -> None:
    cid = three_weekly_sales(shop, clock)
    shop.lifecycle.set_stage(cid, "decline", "说要搬家了")
    clock.advance(days=1)
    shop.sales.record(cid, "30")
    shop.lifecycle.recompute()
    c = shop.customers.get(cid)
    assert (c.stage, c.stage_source) == ("decline", "manual")
    view = shop.lifecycle.view(cid)
    assert view.suggestion.stage == "trust"
    manual = view.history[0]
    assert manual.source == "manual" and manual.reason_params["text"] == "说要搬家了"
    assert shop.lifecycle.follow_rule(cid) == "trust"
    assert shop.customers.get(cid).stage_source == "rule"
    with pytest.raises(ValidationError):
        shop.lifecycle.set_stage(cid, "trust", "  ")
    with pytest.raises(ValidationError):
        shop.lifecycle.set_stage(cid, "vip", "x")


def test_every_change_writes_history(shop: Shop, clock: MovingClock) -> None:
    cid = three_weekly_sales(shop, clock)
    clock.advance(days=31)
    shop.lifecycle.recompute()
    clock.advance(days=100)
    shop.lifecycle.recompute()
    history = shop.lifecycle.view(cid).history
    moves = [(h.from_stage, h.to_stage, h.source) for h in reversed(history)]
    assert moves == [("initial", "trust", "rule"), ("trust", "decline", "rule"),
                     ("decline", "dormant", "rule")]


def test_dry_run_changes_nothing_and_counts_transitions(shop: Shop, clock: MovingClock) -> None:
    cid = three_weekly_sales(shop, clock)
    clock.advance(days=45)
    plan = shop.lifecycle.recompute(dry_run=True)
    assert plan.transitions == {("trust", "decline"): 1}
    assert shop.customers.get(cid).stage == "trust"
    assert shop.lifecycle.recompute().total == 1
    assert shop.lifecycle.recompute().total == 0


def test_recompute_in_slices_moves_everyone_once(shop: Shop, clock: MovingClock,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A big shop recomputes in short transactions; the slices must cover everyone."""
    import db.shop.lifecycle
    from db.lifecycle import Recompute

    monkeypatch.setattr(db.shop.lifecycle, "RECOMPUTE_SLICE", 2)
    people = []
    for n in range(7):  # ids 1..7 over four slices, the last one partial
        clock.now = START  # everyone buys on the same three days
        people.append(three_weekly_sales(shop, clock, f"1380000{n:04d}"))
    clock.advance(days=45)
    assert shop.lifecycle.recompute(dry_run=True).transitions == {("trust", "decline"): 7}
    assert shop.lifecycle.recompute_if_due() == Recompute({("trust", "decline"): 7})
    assert {shop.customers.get(c).stage for c in people} == {"decline"}
    assert shop.lifecycle.recompute_if_due() is None  # the day is marked done by the last slice
    with shop.store.read() as conn:
        slices = conn.execute("SELECT count(*) FROM audit_log WHERE action ="
                              " 'lifecycle.recompute' AND detail LIKE '%ids%'").fetchone()[0]
    assert slices == 4


def test_trust_period_and_at_risk(shop: Shop, clock: MovingClock) -> None:
    cid = three_weekly_sales(shop, clock)
    other = customer(shop, "13800001111")
    clock.advance(days=5)
    now, total = shop.lifecycle.view(cid).trust_days_now, shop.lifecycle.view(cid).trust_days_total
    assert round(now) == 5 and round(total) == 5
    assert shop.lifecycle.at_risk() == []
    clock.advance(days=6)  # 11 days since the last sale: past the 10-day rhythm, still trust
    assert [h.id for h in shop.lifecycle.at_risk()] == [cid]
    assert other not in [h.id for h in shop.lifecycle.at_risk()]
    assert round(shop.lifecycle.median_trust_period() or 0) == 11


def test_recompute_runs_once_a_day(shop: Shop, clock: MovingClock) -> None:
    three_weekly_sales(shop, clock)
    assert shop.lifecycle.recompute_if_due() is not None
    assert shop.lifecycle.recompute_if_due() is None
    clock.advance(days=1)
    assert shop.lifecycle.recompute_if_due() is not None


# -- hypothesis: stored figures always equal the ledger ---------------------------------

ops = st.lists(st.one_of(
    st.tuples(st.just("sale"), st.decimals(min_value="0.01", max_value="9999.99", places=2),
              st.integers(min_value=0, max_value=400)),
    st.tuples(st.just("refund"), st.integers(min_value=0, max_value=30), st.just(0)),
), min_size=1, max_size=25)


@settings(max_examples=40, deadline=None)
@given(ops)
def test_stored_figures_equal_the_purchase_rows(steps: list[tuple[str, object, int]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        clock = MovingClock(datetime(2026, 6, 1, tzinfo=UTC))
        store = Store(Path(folder) / "h.db", clock=clock)
        shop = Shop(store, store.actor())
        cid = customer(shop)
        sales: list[int] = []
        for kind, value, hours_ago in steps:
            if kind == "sale":
                when = (clock.now + timedelta(hours=8) - timedelta(hours=hours_ago)).strftime(
                    "%Y-%m-%d %H:%M")
                sales.append(shop.sales.record(cid, str(value), when=when,
                                                  confirmed=True).id)
            elif sales:
                with contextlib.suppress(RegularsError):  # already refunded: refused
                    shop.sales.refund(sales[int(str(value)) % len(sales)])
            clock.advance(minutes=7)
        with store.read() as conn:
            rows = conn.execute("SELECT id, amount_fen, at, refund_of FROM purchases").fetchall()
        refunded = {r["refund_of"] for r in rows if r["refund_of"]}
        live = sorted((r["at"], r["amount_fen"]) for r in rows
                      if r["amount_fen"] > 0 and r["id"] not in refunded)
        times = [datetime.fromisoformat(at) for at, _ in live]
        gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
        c = shop.customers.get(cid)
        assert c.total_spend_fen == sum(r["amount_fen"] for r in rows)
        assert c.total_spend_fen == sum(amount for _, amount in live)
        assert c.orders == len(live)
        assert c.last_visit_at == (live[-1][0] if live else None)
        assert c.first_purchase_at == (live[0][0] if live else None)
        assert c.median_interval_s == (round(statistics.median(gaps)) if gaps else None)
        assert_lookup_keys_whole(shop)
        store.close()


def lookup_rows(shop: Shop) -> set[tuple[object, ...]]:
    with shop.store.read() as conn:
        return set(map(tuple, conn.execute("SELECT * FROM search_keys")))


def assert_lookup_keys_whole(shop: Shop) -> None:
    """Before the re-rank: exactly the rows stored (stale ranks known); after: fresh ones."""
    from db.search_keys import rows_for_record, stored_rows

    with shop.store.read() as conn:
        people = conn.execute("SELECT * FROM customers").fetchall()
        assert lookup_rows(shop) == {k for row in people for k in stored_rows(conn, row)}
    shop.rerank_pending()
    with shop.store.read() as conn:
        people = conn.execute("SELECT * FROM customers").fetchall()
        assert conn.execute("SELECT count(*) FROM rerank_queue").fetchone()[0] == 0
    assert lookup_rows(shop) == {k for row in people for k in rows_for_record(row)}


def test_a_sale_reranks_the_lookup_just_after_not_inside(shop: Shop, clock: MovingClock
                                                         ) -> None:
    from db.customers import CustomerInput as Input

    old = customer(shop, "13900000001")
    new = shop.customers.add(Input(name="王六", phone="13900000002")).id
    shop.sales.record(old, "10")
    clock.advance(days=1)
    shop.rerank_pending()
    before = lookup_rows(shop)
    shop.sales.record(new, "10")
    assert lookup_rows(shop) == before  # the sale itself wrote no lookup rows
    assert [h.id for h in shop.customers.search("王").hits] == [new, old]  # found, and fresh
    edited = shop.customers.get(new).as_input()
    edited.name = "王七"  # an edit while queued removes the stale rows, not leaves them
    shop.customers.update(new, edited)
    assert_lookup_keys_whole(shop)
    assert [h.name for h in shop.customers.search("王").hits] == ["王七", "王五"]
    shop.close()  # closing catches up too



def test_the_bar_below_the_floor_is_asked_only_when_the_owner_set_it(shop: Shop) -> None:
    """A sale under ¥1,000 skips reading the recent sales (the learned bar is never lower),
    but an owner's own lower bar still asks."""
    cid = shop.customers.add(CustomerInput(name="王芳", phone="13911112222")).id
    for _ in range(25):
        shop.sales.record(cid, "1.00")
    shop.sales.record(cid, "999.00")  # far above 25 × ¥1, yet under the floor: not asked
    shop.settings.set("sales.confirm_above_yuan", "200")
    with pytest.raises(ValidationError, match=r"sale\.unusual_limit"):
        shop.sales.record(cid, "500.00")
    shop.sales.record(cid, "500.00", confirmed=True)
