"""Purchases: record a sale, refund it with a linked negative row, keep the figures right.

Per-customer figures (lifetime spend, orders, first and last purchase, median
interval) are recomputed from that customer's own rows inside the same
transaction as every sale or refund, so lists never aggregate millions of rows
and the stored figures always equal the ledger. A sale moves the stage at once.

This is one of four ledgers (purchases, points, referrals, coupons) that never import
one another in a circle (referrals reaches points and coupons for its rewards; nothing
reaches back), and none imports db/sales.py, which sits above them and records a sale
with what follows it. Amounts cross every call as fen (int).
"""

from __future__ import annotations

import re
import sqlite3
import statistics
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from . import gate, lifecycle, search_keys
from .clock import from_iso, to_iso
from .errors import NotFound, RegularsError, ValidationError
from .store import Tx

ITEMS_MAX = 500
FUTURE_SLACK = timedelta(minutes=5)  # clocks of two laptops may differ a little
EARLIEST = datetime(2000, 1, 1).astimezone()
_CHUNK = 500  # customers per IN (...) read
_WHEN = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[ T]([0-9]{1,2}):([0-9]{2}))?$")


@dataclass(frozen=True)
class Purchase:
    id: int
    customer_id: int
    amount_fen: int
    refund_of: int | None
    refunded_by: int | None
    items: str
    at: str
    recorded_at: str
    staff: str

    @property
    def backdated(self) -> bool:
        return from_iso(self.recorded_at) - from_iso(self.at) > FUTURE_SLACK


@dataclass(frozen=True)
class Figures:
    spend_fen: int
    orders: int
    first_at: str | None
    last_at: str | None
    median_interval_s: int | None


def parse_when(text: str, tz: str, now: datetime) -> str | None:
    """'' -> now (None); '2026-11-20' or '2026-11-20 18:30' in the shop's zone -> ISO UTC."""
    raw = unicodedata.normalize("NFKC", text).strip()
    if not raw:
        return None
    match = _WHEN.match(raw.replace("/", "-"))
    if not match:
        raise ValidationError({"at": ("when.format", {})})
    y, mo, d, h, mi = (int(g) if g else 0 for g in match.groups())
    try:
        local = datetime(y, mo, d, h, mi, tzinfo=ZoneInfo(tz))
    except ValueError:
        raise ValidationError({"at": ("when.invalid", {})}) from None
    if local > now + FUTURE_SLACK:
        raise ValidationError({"at": ("when.future", {})})
    if local < EARLIEST:
        raise ValidationError({"at": ("when.too_old", {})})
    return to_iso(local)


def figures_from_rows(rows: list[tuple[int, str, bool]]) -> Figures:
    """(amount_fen, at, refunded) rows -> figures. Refunded sales do not count as orders."""
    spend = sum(amount for amount, _, _ in rows)
    sales = sorted(at for amount, at, refunded in rows if amount > 0 and not refunded)
    gaps = [(from_iso(b) - from_iso(a)).total_seconds() for a, b in pairwise(sales)]
    return Figures(spend_fen=spend, orders=len(sales), first_at=sales[0] if sales else None,
                   last_at=sales[-1] if sales else None,
                   median_interval_s=round(statistics.median(gaps)) if gaps else None)


def with_opening(f: Figures, spend_fen: int, orders: int, first_at: str | None,
                 last_at: str | None) -> Figures:
    """The ledger's figures plus what the customer brought from an old system (an
    import's opening_* columns): spend and orders add up, first is the earlier and last
    the later. The usual interval stays the ledger's: the old system gave no dates
    between its first and last visit."""
    firsts = [t for t in (first_at, f.first_at) if t]
    lasts = [t for t in (last_at, f.last_at) if t]
    return Figures(spend_fen=f.spend_fen + spend_fen, orders=f.orders + orders,
                   first_at=min(firsts) if firsts else None,
                   last_at=max(lasts) if lasts else None,
                   median_interval_s=f.median_interval_s)


def ledger_figures(conn: sqlite3.Connection, customer_id: int) -> Figures:
    """The customer's figures: their opening ones plus their purchases here."""
    rows = conn.execute(
        "SELECT p.amount_fen, p.at, r.id IS NOT NULL FROM purchases p"
        " LEFT JOIN purchases r ON r.refund_of = p.id WHERE p.customer_id = ?",
        (customer_id,)).fetchall()
    f = figures_from_rows([(a, at, bool(refunded)) for a, at, refunded in rows])
    opening = conn.execute(
        "SELECT opening_spend_fen, opening_orders, opening_first_at, opening_last_at"
        " FROM customers WHERE id = ?", (customer_id,)).fetchone()
    return f if opening is None else with_opening(f, *opening)


_STORE_FIGURES = ("UPDATE customers SET total_spend_fen = ?, orders = ?, first_purchase_at = ?,"
                  " last_visit_at = ?, median_interval_s = ? WHERE id = ?")


def _stored(f: Figures, customer_id: int) -> tuple[object, ...]:
    return (f.spend_fen, f.orders, f.first_at, f.last_at, f.median_interval_s, customer_id)


def store_figures(tx: Tx, customer_id: int) -> tuple[str | None, str | None]:
    """The customer's figures (opening + ledger) stored on their row; returns the last
    visit before and after, for the caller's lookup keys."""
    old = tx.execute("SELECT last_visit_at FROM customers WHERE id = ?",
                     (customer_id,)).fetchone()
    f = ledger_figures(tx.conn, customer_id)
    tx.execute(_STORE_FIGURES, _stored(f, customer_id))
    return old["last_visit_at"], f.last_at


def _refresh(tx: Tx, customer_id: int) -> None:
    """Store the ledger's figures on the customer, queue a re-rank of their lookup keys,
    move the stage."""
    old_last, new_last = store_figures(tx, customer_id)
    if old_last != new_last:  # recency is part of every lookup key
        search_keys.visit_changed(tx.conn, customer_id, old_last)
    lifecycle.apply_rule(tx, customer_id)


def refresh_many(tx: Tx, customer_ids: Iterable[int]) -> None:
    """``_refresh`` for many customers at once (after an import): one read of their
    purchases, one UPDATE per customer, the stages moved in one set-based pass."""
    ids = sorted(set(customer_ids))
    for start in range(0, len(ids), _CHUNK):
        part = ids[start:start + _CHUNK]
        marks = ", ".join("?" * len(part))
        rows: dict[int, list[tuple[int, str, bool]]] = {cid: [] for cid in part}
        for cid, amount, at, refunded in tx.execute(
                "SELECT p.customer_id, p.amount_fen, p.at, r.id IS NOT NULL FROM purchases p"
                " LEFT JOIN purchases r ON r.refund_of = p.id"
                f" WHERE p.customer_id IN ({marks})", part):
            rows[cid].append((amount, at, bool(refunded)))
        stored = tx.execute(
            "SELECT id, opening_spend_fen, opening_orders, opening_first_at, opening_last_at,"
            f" last_visit_at FROM customers WHERE id IN ({marks})", part).fetchall()
        updates = []
        for row in stored:
            f = with_opening(figures_from_rows(rows[row[0]]), *row[1:5])
            updates.append(_stored(f, row[0]))
            if row["last_visit_at"] != f.last_at:  # recency is part of every lookup key
                search_keys.visit_changed(tx.conn, row[0], row["last_visit_at"])
        tx.conn.executemany(_STORE_FIGURES, updates)
    lifecycle.settle(tx, ids)


def clean_items(items: str) -> str:
    """What was sold, as one line (refused whole, never cut)."""
    return gate.line(items, "items", ITEMS_MAX)


def record(tx: Tx, customer_id: int, amount_fen: int, items: str = "", at: str | None = None
           ) -> Purchase:
    """The purchases row of a sale of ``amount_fen``, and the customer's figures with it.

    The amount is fen, read from what was typed at the door (db/shop/); what follows
    a sale (points, a referral) is db/sales.py's, which calls this."""
    if type(amount_fen) is not int:  # yuan text, a float or a bool is a caller's mistake
        raise TypeError(f"amount_fen is a whole number of fen, not {amount_fen!r}")
    errors: dict[str, tuple[str, dict[str, Any]]] = {}
    if amount_fen <= 0:
        errors["amount"] = ("amount.not_positive", {})
    items = gate.gather(errors, lambda: clean_items(items), "")
    if errors:
        raise ValidationError(errors)
    if tx.execute("SELECT 1 FROM customers WHERE id = ?", (customer_id,)).fetchone() is None:
        raise NotFound("customer.not_found", ref=str(customer_id))
    cursor = tx.execute(
        "INSERT INTO purchases(customer_id, amount_fen, items, at, recorded_at, staff_id)"
        " VALUES (?, ?, ?, ?, ?, ?)", (customer_id, amount_fen, items, at or tx.now, tx.now,
                                       tx.actor.id))
    purchase_id = int(cursor.lastrowid or 0)
    _refresh(tx, customer_id)
    tx.audit("purchase.add", "purchase", purchase_id, customer_id=customer_id,
             amount_fen=amount_fen, backdated=at is not None)
    return get(tx.conn, purchase_id)


def refund(tx: Tx, purchase_id: int, reason: str = "") -> Purchase:
    """Append the negative twin of a sale. A sale is refunded at most once.
    (db/sales.py reverses what the sale earned.)"""
    try:  # no sale has a number past int64 (SQLite would raise OverflowError)
        purchase_id = gate.whole(purchase_id, "purchase", 1, gate.INT64_MAX)
    except ValidationError:
        raise NotFound("purchase.not_found", ref=gate.shown(purchase_id)) from None
    note = gate.line(reason, "reason", ITEMS_MAX)  # refused whole, never cut
    sale = tx.execute("SELECT * FROM purchases WHERE id = ?", (purchase_id,)).fetchone()
    if sale is None:
        raise NotFound("purchase.not_found", ref=str(purchase_id))
    if sale["refund_of"] is not None:
        raise RegularsError("purchase.is_refund", ref=str(purchase_id))
    done = tx.execute("SELECT at FROM purchases WHERE refund_of = ?", (purchase_id,)).fetchone()
    if done is not None:
        raise RegularsError("purchase.already_refunded", ref=str(purchase_id), at=done["at"])
    cursor = tx.execute(
        "INSERT INTO purchases(customer_id, amount_fen, refund_of, items, at, recorded_at,"
        " staff_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (sale["customer_id"], -sale["amount_fen"], purchase_id, note, tx.now, tx.now,
         tx.actor.id))
    refund_id = int(cursor.lastrowid or 0)
    _refresh(tx, sale["customer_id"])
    tx.audit("purchase.refund", "purchase", refund_id, refund_of=purchase_id,
             amount_fen=-sale["amount_fen"])
    return get(tx.conn, refund_id)


_SELECT = (
    "SELECT p.id, p.customer_id, p.amount_fen, p.refund_of, r.id AS refunded_by, p.items,"
    " p.at, p.recorded_at, s.name AS staff FROM purchases p"
    " JOIN staff s ON s.id = p.staff_id LEFT JOIN purchases r ON r.refund_of = p.id")


def _purchase(row: sqlite3.Row) -> Purchase:
    return Purchase(**{k: row[k] for k in row.keys()})  # noqa: SIM118 (sqlite3.Row)


def get(conn: sqlite3.Connection, purchase_id: int) -> Purchase:
    row = conn.execute(f"{_SELECT} WHERE p.id = ?", (purchase_id,)).fetchone()
    if row is None:
        raise NotFound("purchase.not_found", ref=str(purchase_id))
    return _purchase(row)


def for_customer(conn: sqlite3.Connection, customer_id: int, limit: int = 50,
                 offset: int = 0) -> list[Purchase]:
    """Newest first, a page at a time."""
    rows = conn.execute(f"{_SELECT} WHERE p.customer_id = ? ORDER BY p.at DESC, p.id DESC"
                        " LIMIT ? OFFSET ?", (customer_id, limit, offset))
    return [_purchase(r) for r in rows]


def count_for(conn: sqlite3.Connection, customer_id: int) -> int:
    """All of a customer's purchase rows, refunds included."""
    return int(conn.execute("SELECT count(*) FROM purchases WHERE customer_id = ?",
                            (customer_id,)).fetchone()[0])
