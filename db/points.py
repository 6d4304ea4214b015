"""Points: a ledger, never a bare balance.

Every change is a row (earn, reversal, spend, adjust, opening, referral,
clawback) that records the balance after it. The balance itself is kept on the
customer only so that one guarded UPDATE (``points + delta >= 0``) decides, inside
the write transaction, whether a spend fits: two counters spending at once cannot
take a balance below zero, and the stored balance always equals the ledger's sum.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from . import gate, settings
from .errors import NotFound, RegularsError, ValidationError
from .store import Tx
from .vocab import POINTS_KINDS

REASON_MAX = 200
POINTS_MAX = 10_000_000  # one spend, adjustment or opening balance: ¥100,000 at 1 fen a point


@dataclass(frozen=True)
class Entry:
    id: int
    customer_id: int
    delta: int
    kind: str
    balance_after: int
    purchase_id: int | None
    referral_id: int | None
    reason: str
    at: str
    staff: str


@dataclass(frozen=True)
class Rates:
    per_yuan: int  # points earned per whole yuan paid
    fen_per_point: int  # what a point is worth when spent


def rates(conn: sqlite3.Connection) -> Rates:
    return Rates(settings.whole_setting(conn, "points.per_yuan", 1),
                 settings.whole_setting(conn, "points.fen_per_point", 1))


def balance(conn: sqlite3.Connection, customer_id: int) -> int:
    row = conn.execute("SELECT points FROM customers WHERE id = ?", (customer_id,)).fetchone()
    if row is None:
        raise NotFound("customer.not_found", ref=str(customer_id))
    return int(row[0])


def ledger_sum(conn: sqlite3.Connection, customer_id: int) -> int:
    return int(conn.execute("SELECT coalesce(sum(delta), 0) FROM points_ledger"
                            " WHERE customer_id = ?", (customer_id,)).fetchone()[0])


def post(tx: Tx, customer_id: int, delta: int, kind: str, reason: str = "",
         purchase_id: int | None = None, referral_id: int | None = None) -> Entry:
    """Append one ledger row and move the balance with it, or refuse when it won't fit."""
    note = gate.line(reason, "reason", REASON_MAX)  # refused whole, never cut
    if kind not in POINTS_KINDS:
        raise ValidationError({"kind": ("points.kind", {"known": ", ".join(POINTS_KINDS)})})
    if delta == 0:
        raise ValidationError({"points": ("points.zero", {})})
    moved = tx.execute("UPDATE customers SET points = points + ? WHERE id = ?"
                       " AND points + ? >= 0 RETURNING points",
                       (delta, customer_id, delta)).fetchall()
    if not moved:
        have = balance(tx.conn, customer_id)  # raises NotFound for a missing customer
        raise RegularsError("points.not_enough", have=have, need=-delta)
    after = int(moved[0][0])
    cursor = tx.execute(
        "INSERT INTO points_ledger(customer_id, delta, kind, balance_after, purchase_id,"
        " referral_id, reason, at, staff_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (customer_id, delta, kind, after, purchase_id, referral_id, note, tx.now,
         tx.actor.id))
    entry_id = int(cursor.lastrowid or 0)
    tx.audit(f"points.{kind}", "customer", customer_id, delta=delta, entry=entry_id,
             purchase=purchase_id, referral=referral_id)
    return Entry(entry_id, customer_id, delta, kind, after, purchase_id, referral_id, note,
                 tx.now, tx.actor.name)


def whole(text: str | int, field: str, low: int = -POINTS_MAX, high: int = POINTS_MAX) -> int:
    """A number of points, through the input gate: whole, from ``low`` to ``high``."""
    return gate.whole(text, field, low, high)


def earn_for_sale(tx: Tx, customer_id: int, purchase_id: int, paid_fen: int) -> Entry | None:
    """Points for what was paid, at the shop's rate; whole yuan only."""
    amount = earned(paid_fen, rates(tx.conn).per_yuan)
    if amount <= 0:
        return None
    return post(tx, customer_id, amount, "earn", purchase_id=purchase_id)


def reverse_for_refund(tx: Tx, sale_id: int, customer_id: int, refund_id: int
                       ) -> Entry | None:
    """Take back what the refunded sale earned. A refund is never refused at the counter,
    so when the points are already spent, what is left is taken and the reason says so."""
    earned = int(tx.execute("SELECT coalesce(sum(delta), 0) FROM points_ledger"
                            " WHERE purchase_id = ? AND kind = 'earn'",
                            (sale_id,)).fetchone()[0])
    if earned <= 0:
        return None
    take = min(earned, balance(tx.conn, customer_id))
    if take <= 0:
        return None
    short = earned - take
    note = f"refund of sale {sale_id}" + (f"; {short} already spent" if short else "")
    return post(tx, customer_id, -take, "reversal", note, purchase_id=refund_id)


def spend(tx: Tx, customer_id: int, amount: str | int, reason: str,
          purchase_id: int | None = None) -> Entry:
    """Points for a discount or a gift. Refused, not clipped, when the balance is short."""
    wanted = whole(amount, "points", 1, POINTS_MAX)
    gate.line(reason, "reason", REASON_MAX, required="points.reason")
    return post(tx, customer_id, -wanted, "spend", reason, purchase_id=purchase_id)


def adjust(tx: Tx, customer_id: int, delta: str | int, reason: str) -> Entry:
    """The owner's correction, up or down, always with a reason."""
    change = whole(delta, "points")
    if change == 0:
        raise ValidationError({"points": ("points.zero", {})})
    gate.line(reason, "reason", REASON_MAX, required="points.reason")
    return post(tx, customer_id, change, "adjust", reason)


def opening(tx: Tx, customer_id: int, amount: str | int, reason: str = "") -> Entry:
    """The balance a customer brings from an old system: once per customer."""
    value = whole(amount, "points", 1, POINTS_MAX)
    if tx.execute("SELECT 1 FROM points_ledger WHERE customer_id = ? AND kind = 'opening'",
                  (customer_id,)).fetchone():
        raise RegularsError("points.opening_exists")
    return post(tx, customer_id, value, "opening", reason or "opening balance")


def open_many(tx: Tx, amounts: list[tuple[int, int]], reason: str) -> None:
    """``opening`` for many customers at once (an import), with no audit row each (the
    import writes one for the whole file). Each (customer id, points) must be a
    customer without an opening row: the unique index refuses a second one."""
    for _, amount in amounts:
        whole(amount, "points", 1, POINTS_MAX)
    note = gate.line(reason, "reason", REASON_MAX)
    tx.conn.executemany("UPDATE customers SET points = points + ? WHERE id = ?",
                        [(amount, cid) for cid, amount in amounts])
    tx.conn.executemany(
        "INSERT INTO points_ledger(customer_id, delta, kind, balance_after, reason, at,"
        " staff_id) VALUES (?, ?, 'opening', (SELECT points FROM customers WHERE id = ?),"
        " ?, ?, ?)", [(cid, amount, cid, note, tx.now, tx.actor.id) for cid, amount in amounts])


_SELECT = ("SELECT p.*, s.name AS staff FROM points_ledger p"
           " JOIN staff s ON s.id = p.staff_id")


def _entry(row: sqlite3.Row) -> Entry:
    return Entry(row["id"], row["customer_id"], row["delta"], row["kind"],
                 row["balance_after"], row["purchase_id"], row["referral_id"], row["reason"],
                 row["at"], row["staff"])


def history(conn: sqlite3.Connection, customer_id: int, limit: int = 50) -> list[Entry]:
    """Newest first."""
    return [_entry(r) for r in conn.execute(
        f"{_SELECT} WHERE p.customer_id = ? ORDER BY p.id DESC LIMIT ?", (customer_id, limit))]


# -- the earning formula, once: the rule above and the seed's set-based SQL use it ----------
def earned(paid_fen: int, per_yuan: int) -> int:
    """Points a sale earns: whole yuan paid, times the shop's rate."""
    return max(paid_fen, 0) // 100 * per_yuan


def earned_sql(paid_fen: str, per_yuan: int) -> str:
    """``earned`` as a SQL expression over a column of fen (SQLite's integer division
    truncates toward zero, so a negative amount earns 0 here too)."""
    return f"(max({paid_fen}, 0) / 100 * {int(per_yuan)})"
