"""Merge two customers who are one person: KEEP stays, OTHER's rows move to KEEP, and
OTHER's own row is deleted (the audit row keeps its member code and what moved).

Every table with a column that points at a customer is named once, in ``MOVES``; a test
(tests/test_merge.py) fails when the schema grows such a column that is not there, so a
new table cannot silently keep rows of a deleted customer. All of it is one transaction,
the caller's.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from . import codes, lifecycle, purchases, search_keys
from .customers import NOTES_MAX
from .errors import NotFound, RegularsError
from .store import Tx

# table -> its columns that hold a customer id. How each moves is in _move below.
MOVES: dict[str, tuple[str, ...]] = {
    "purchases": ("customer_id",),
    "feedback": ("customer_id",),
    "feedback_told": ("customer_id",),
    "coupons": ("customer_id", "redeemed_for"),
    "points_ledger": ("customer_id",),
    "referrals": ("referrer_id", "referee_id"),
    "referral_rewards": ("customer_id",),
    "customer_tags": ("customer_id",),
    "stage_history": ("customer_id",),
    "customer_views": ("customer_id",),
    "search_keys": ("customer_id",),  # OTHER unindexed, KEEP indexed afresh
    "rerank_queue": ("customer_id",),  # likewise
}
# Plain repoints: no key or rule stands in the way.
_PLAIN = ("purchases", "feedback", "stage_history", "customer_views", "referral_rewards")
_FILLED = ("phone", "wechat_id", "birthday", "gender", "notes")


@dataclass(frozen=True)
class Merged:
    """What a merge did: the two customers and how many rows of each kind moved."""

    keep_id: int
    keep_code: str
    other_id: int
    other_code: str
    moved: dict[str, int]  # table -> rows moved to KEEP
    dropped_referrals: tuple[int, ...]  # a self-referral or a loop: removed, see _drop
    filled: tuple[str, ...]  # KEEP's empty fields taken from OTHER


def _row(conn: sqlite3.Connection, customer_id: int) -> sqlite3.Row:
    row: sqlite3.Row | None = conn.execute("SELECT * FROM customers WHERE id = ?",
                                           (customer_id,)).fetchone()
    if row is None:
        raise NotFound("customer.not_found", ref=str(customer_id))
    return row


def check(conn: sqlite3.Connection, keep_id: int, other_id: int
          ) -> tuple[sqlite3.Row, sqlite3.Row]:
    """Both customers, or the reason they cannot be merged."""
    if keep_id == other_id:
        raise RegularsError("merge.self")
    keep, other = _row(conn, keep_id), _row(conn, other_id)
    notes = _joined_notes(keep["notes"], other["notes"])
    if len(notes) > NOTES_MAX:
        raise RegularsError("merge.notes_too_long", max=NOTES_MAX)
    return keep, other


def counts(conn: sqlite3.Connection, other_id: int) -> dict[str, int]:
    """OTHER's rows that a merge would move, by table (for the confirmation)."""
    out: dict[str, int] = {}
    for table, columns in MOVES.items():
        if table in ("search_keys", "rerank_queue"):
            continue
        where = " OR ".join(f"{c} = :id" for c in columns)
        n = int(conn.execute(f"SELECT count(*) FROM {table} WHERE {where}",
                             {"id": other_id}).fetchone()[0])
        if n:
            out[table] = n
    return out


def merge(tx: Tx, keep_id: int, other_id: int) -> Merged:
    keep, other = check(tx.conn, keep_id, other_id)
    # Both customers' lookup keys out first, while their rows still say which keys they hold.
    search_keys.unindex(tx.conn, keep)
    search_keys.unindex(tx.conn, other)
    moved = {table: _move(tx, table, keep_id, other_id) for table in _PLAIN}
    moved["customer_tags"] = _move_keyed(tx, "customer_tags", keep_id, other_id)
    moved["feedback_told"] = _move_keyed(tx, "feedback_told", keep_id, other_id)
    moved["coupons"] = _move_coupons(tx, keep_id, other_id)
    moved["points_ledger"] = _move_points(tx, keep_id, other_id)
    moved_refs, dropped = _move_referrals(tx, keep_id, other_id)
    moved["referrals"] = moved_refs
    left = counts(tx.conn, other_id)
    if left:  # a table named in MOVES that the steps above do not move: a slip, not data
        raise RuntimeError(f"rows still point at customer {other_id} after the merge: {left}")
    tx.execute("DELETE FROM customers WHERE id = ?", (other_id,))
    filled = _fill(tx, keep, other)
    _add_opening(tx, keep, other)
    _refresh(tx, keep_id)
    done = Merged(keep_id, keep["member_code"], other_id, other["member_code"],
                  {k: v for k, v in moved.items() if v}, tuple(dropped), filled)
    tx.audit("customer.merge", "customer", keep_id, keep=keep_id, keep_code=done.keep_code,
             other=other_id, other_code=done.other_code,
             moved=done.moved, dropped_referrals=list(dropped), filled=list(filled))
    return done


def _move(tx: Tx, table: str, keep_id: int, other_id: int) -> int:
    return tx.execute(f"UPDATE {table} SET customer_id = ? WHERE customer_id = ?",
                      (keep_id, other_id)).rowcount


def _move_keyed(tx: Tx, table: str, keep_id: int, other_id: int) -> int:
    """A table keyed by (customer, a tag or an item): a key KEEP has already stays KEEP's
    row, and OTHER's twin of it goes."""
    moved = tx.execute(f"UPDATE OR IGNORE {table} SET customer_id = ? WHERE customer_id = ?",
                       (keep_id, other_id)).rowcount
    tx.execute(f"DELETE FROM {table} WHERE customer_id = ?", (other_id,))
    return moved


def _move_coupons(tx: Tx, keep_id: int, other_id: int) -> int:
    """Coupons issued to OTHER, and those redeemed for OTHER. A campaign batch gives one
    coupon per customer: when both got one from the same batch, OTHER's leaves the batch
    (batch_id cleared; the audit row of its issue still names the batch)."""
    tx.execute("UPDATE coupons SET batch_id = NULL WHERE customer_id = ? AND batch_id IN"
               " (SELECT batch_id FROM coupons WHERE customer_id = ? AND batch_id IS NOT NULL)",
               (other_id, keep_id))
    moved = tx.execute("UPDATE coupons SET customer_id = ? WHERE customer_id = ?",
                       (keep_id, other_id)).rowcount
    tx.execute("UPDATE coupons SET redeemed_for = ? WHERE redeemed_for = ?",
               (keep_id, other_id))
    return moved


def _move_points(tx: Tx, keep_id: int, other_id: int) -> int:
    """OTHER's ledger rows become KEEP's, so KEEP's balance is the sum of both histories.
    Each row's balance_after is then KEEP's running balance in ledger order (two running
    balances that never went below zero sum to one that never does). An opening balance
    is once per customer: OTHER's, when KEEP has one, becomes an adjustment."""
    if tx.execute("SELECT 1 FROM points_ledger WHERE customer_id = ? AND kind = 'opening'",
                  (keep_id,)).fetchone():
        tx.execute("UPDATE points_ledger SET kind = 'adjust', reason = reason || ' (merged)'"
                   " WHERE customer_id = ? AND kind = 'opening'", (other_id,))
    moved = tx.execute("UPDATE points_ledger SET customer_id = ? WHERE customer_id = ?",
                       (keep_id, other_id)).rowcount
    if moved:
        tx.execute(
            "UPDATE points_ledger SET balance_after = r.running FROM"
            " (SELECT id, sum(delta) OVER (ORDER BY id) AS running FROM points_ledger"
            "  WHERE customer_id = :keep) r WHERE points_ledger.id = r.id",
            {"keep": keep_id})
        tx.execute("UPDATE customers SET points = (SELECT coalesce(sum(delta), 0)"
                   " FROM points_ledger WHERE customer_id = :keep) WHERE id = :keep",
                   {"keep": keep_id})
    return moved


def _ancestors(conn: sqlite3.Connection, customer_id: int) -> set[int]:
    return {r[0] for r in conn.execute(
        "WITH RECURSIVE up(id) AS (SELECT referrer_id FROM referrals WHERE referee_id = ?"
        " UNION SELECT r.referrer_id FROM referrals r JOIN up ON r.referee_id = up.id)"
        " SELECT id FROM up", (customer_id,))}


def _descendants(conn: sqlite3.Connection, customer_id: int) -> set[int]:
    return {r[0] for r in conn.execute(
        "WITH RECURSIVE down(id) AS (SELECT referee_id FROM referrals WHERE referrer_id = ?"
        " UNION SELECT r.referee_id FROM referrals r JOIN down ON r.referrer_id = down.id)"
        " SELECT id FROM down", (customer_id,))}


def _move_referrals(tx: Tx, keep_id: int, other_id: int) -> tuple[int, list[int]]:
    """OTHER's referees become KEEP's, and OTHER's referrer becomes KEEP's when KEEP has
    none. A link between the two would be a self-referral, and a link that would close a
    loop, or give KEEP a second referrer, cannot stand: those are dropped."""
    moved, dropped = 0, []
    referrers = set()
    for ref in tx.execute("SELECT id, referrer_id, referee_id FROM referrals"
                          " WHERE (referrer_id = :k AND referee_id = :o)"
                          " OR (referrer_id = :o AND referee_id = :k)",
                          {"k": keep_id, "o": other_id}).fetchall():
        referrers.add(_drop(tx, ref["id"]))
        dropped.append(ref["id"])
    up = _ancestors(tx.conn, keep_id)
    for ref in tx.execute("SELECT id, referee_id FROM referrals WHERE referrer_id = ?",
                          (other_id,)).fetchall():
        if ref["referee_id"] in up:  # KEEP -> them -> ... -> KEEP
            referrers.add(_drop(tx, ref["id"]))
            dropped.append(ref["id"])
        else:
            tx.execute("UPDATE referrals SET referrer_id = ? WHERE id = ?", (keep_id, ref["id"]))
            moved += 1
    theirs = tx.execute("SELECT id, referrer_id FROM referrals WHERE referee_id = ?",
                        (other_id,)).fetchone()
    if theirs is not None:
        has_own = tx.execute("SELECT 1 FROM referrals WHERE referee_id = ?",
                             (keep_id,)).fetchone() is not None
        if has_own or theirs["referrer_id"] in _descendants(tx.conn, keep_id):
            referrers.add(_drop(tx, theirs["id"]))
            dropped.append(theirs["id"])
        else:
            tx.execute("UPDATE referrals SET referee_id = ? WHERE id = ?",
                       (keep_id, theirs["id"]))
            moved += 1
    # How many qualified referrals each referrer has, counted again where it changed.
    for cid in (referrers | {keep_id}) - {other_id}:
        tx.execute("UPDATE customers SET referrals_qualified = (SELECT count(*) FROM referrals"
                   " WHERE referrer_id = :id AND status = 'qualified') WHERE id = :id",
                   {"id": cid})
    return moved, dropped


def _drop(tx: Tx, referral_id: int) -> int:
    """Remove one referral that cannot stand after the merge. Points it paid stay in the
    ledger (the entry's reason still names the referral), coupons stay with their holder;
    its reward records go with it. Returns its referrer, whose count changes."""
    referrer = int(tx.execute("SELECT referrer_id FROM referrals WHERE id = ?",
                              (referral_id,)).fetchone()[0])
    tx.execute("UPDATE points_ledger SET referral_id = NULL WHERE referral_id = ?",
               (referral_id,))
    tx.execute("DELETE FROM referral_rewards WHERE referral_id = ?", (referral_id,))
    tx.execute("DELETE FROM referrals WHERE id = ?", (referral_id,))
    return referrer


def _joined_notes(keep: str, other: str) -> str:
    if not other or other == keep:
        return keep
    return f"{keep}\n{other}" if keep else other


def _fill(tx: Tx, keep: sqlite3.Row, other: sqlite3.Row) -> tuple[str, ...]:
    """KEEP's empty fields from OTHER (run after OTHER's row is gone: phone and WeChat
    are unique). Notes are joined."""
    values: dict[str, Any] = {}
    if keep["phone"] is None and other["phone"] is not None:
        values.update(phone=other["phone"], phone_rev=other["phone_rev"])
    if keep["wechat_id"] is None and other["wechat_id"] is not None:
        values["wechat_id"] = other["wechat_id"]
    if keep["birth_month"] is None and other["birth_month"] is not None:
        values.update(birth_year=other["birth_year"], birth_month=other["birth_month"],
                      birth_day=other["birth_day"])
    elif (keep["birth_year"] is None and other["birth_year"] is not None
          and (keep["birth_month"], keep["birth_day"])
          == (other["birth_month"], other["birth_day"])):
        values["birth_year"] = other["birth_year"]
    if keep["gender"] is None and other["gender"] is not None:
        values["gender"] = other["gender"]
    notes = _joined_notes(keep["notes"], other["notes"])
    if notes != keep["notes"]:
        values["notes"] = notes
    if not values:
        return ()
    sets = ", ".join(f"{k} = :{k}" for k in values)
    tx.execute(f"UPDATE customers SET {sets}, updated_at = :now, updated_by = :by"
               " WHERE id = :id", {**values, "now": tx.now, "by": tx.actor.id, "id": keep["id"]})
    named = {"phone_rev": "phone", "birth_year": "birthday", "birth_month": "birthday",
             "birth_day": "birthday"}
    return tuple(f for f in _FILLED if f in {named.get(k, k) for k in values})


def _add_opening(tx: Tx, keep: sqlite3.Row, other: sqlite3.Row) -> None:
    """OTHER's figures from an old system (an import's opening_* columns) join KEEP's, as
    its purchases do: deleting OTHER must not lose spend the shop's reports count."""
    firsts = [t for t in (keep["opening_first_at"], other["opening_first_at"]) if t]
    lasts = [t for t in (keep["opening_last_at"], other["opening_last_at"]) if t]
    tx.execute("UPDATE customers SET opening_spend_fen = ?, opening_orders = ?,"
               " opening_first_at = ?, opening_last_at = ? WHERE id = ?",
               (keep["opening_spend_fen"] + other["opening_spend_fen"],
                keep["opening_orders"] + other["opening_orders"],
                min(firsts) if firsts else None, max(lasts) if lasts else None, keep["id"]))


def _refresh(tx: Tx, keep_id: int) -> None:
    """KEEP's figures from its (now larger) purchase ledger, its stage by the rules, and
    its lookup keys written afresh with the current last visit."""
    purchases.store_figures(tx, keep_id)
    lifecycle.apply_rule(tx, keep_id)
    search_keys.index(tx.conn, _row(tx.conn, keep_id))


def merged_into(conn: sqlite3.Connection, ref: str) -> str | None:
    """The member code a merged-away member code now lives on (following a merge of the
    kept one too), or None. The audit log is its only record; it is read only when a
    typed code matched no one, and holds a row per change, not per customer."""
    code = codes.normalize(ref)
    if not codes.looks_like_code(code):
        return None
    found = None
    for _ in range(10):  # a chain of merges, never a loop: each code disappears once
        row = conn.execute("SELECT detail ->> '$.keep_code' FROM audit_log"
                           " WHERE action = 'customer.merge'"
                           " AND detail ->> '$.other_code' = ?", (code,)).fetchone()
        if row is None:
            break
        found = code = str(row[0])
    return found
