"""Erase a customer (PIPL's right to deletion): everything that says who they are goes,
the shop's figures stay.

The customer's row keeps its id, member code and anonymous figures (spend, orders,
points, stage), so every purchase, points entry, coupon and referral still adds up; its
name becomes a fixed placeholder (the schema wants 1-40 characters; screens show a
translated "erased customer"), and phone, WeChat id, birthday, gender and notes are
cleared. Tags are unlinked, lookup keys deleted, marketing consent withdrawn, and the
free text of the rows that point at them (feedback words, the owner's note on it, items
on a sale, reasons on points, coupons and stages) is blanked.

Every table with a column that points at a customer is named once below, and each of
its text columns is either blanked or named as holding codes and times only; a test
(tests/test_erase.py) fails when the schema grows one that is not, so a new free-text
column cannot keep an erased person's words.

The transaction is the caller's; afterwards ``scrub`` rewrites the file so the old
values leave free pages and the write-ahead log too.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import search_keys
from .errors import NotFound, RegularsError
from .merge import MOVES
from .sqlite_file import BUSY_TIMEOUT_MS, disk_full
from .store import Tx

SCRUB_WAIT_MS = 1000
PENDING = "privacy.scrub_pending"  # a settings row: an erase not yet scrubbed out of the file
REWRITTEN = "privacy.rewritten_at"  # a settings row: rewritten whole with secure_delete on
ERASED_NAME = "—"  # the stored name of an erased customer; never shown as such
ERASED_TEXT = "—"  # feedback's words (the schema wants 1-4000 characters)

# customers' columns that say who someone is, and what each becomes
PERSONAL: dict[str, Any] = {
    "name": ERASED_NAME, "sort_name": "", "pinyin": "", "phone": None, "phone_rev": None,
    "wechat_id": None, "birth_year": None, "birth_month": None, "birth_day": None,
    "gender": None, "notes": "", "marketing_consent": 0, "consent_source": None,
}
# customers' columns that stay: ids, codes, times and figures (consent_at, updated_at,
# updated_by and erased_at are set to the erase's own time and person)
KEPT_COLUMNS = (
    "id", "member_code", "channel", "is_seed_user", "consent_at", "stage", "last_visit_at",
    "total_spend_fen", "orders", "created_at", "updated_at", "created_by", "updated_by",
    "first_purchase_at", "median_interval_s", "referrals_qualified", "stage_source",
    "stage_since", "points", "opening_spend_fen", "opening_orders", "opening_first_at",
    "opening_last_at", "erased_at")

# table -> its columns that hold a customer id: merge's one list (a new table is added there,
# and the tests of both fail until it is handled)
POINTING = MOVES
DELETED = ("customer_tags", "search_keys", "rerank_queue")  # their rows go
# free text in the rows that stay: column -> the SQL of its new value
BLANKED: dict[str, dict[str, str]] = {
    "purchases": {"items": "''"},
    "feedback": {"words": f"'{ERASED_TEXT}'", "owner_note": "''"},
    "coupons": {"void_reason": "''"},
    "points_ledger": {"reason": "''"},
    # a stage set by hand keeps the typed reason in its parameters ({"text": ...})
    "stage_history": {"reason_params": "json_remove(reason_params, '$.text')"},
}
# text columns of the rows that stay that hold codes, times or ids, never words
CODES_ONLY: dict[str, tuple[str, ...]] = {
    "purchases": ("at", "recorded_at", "source_order_id"),
    "feedback": ("category", "sentiment", "at", "status", "status_at", "done_at"),
    "feedback_told": ("told_at",),
    "coupons": ("code", "reason", "batch_id", "issued_at", "expires_at", "status",
                "redeemed_at", "voided_at"),
    "points_ledger": ("kind", "at"),
    "referrals": ("at", "status", "qualified_at", "clawed_back_at"),
    "referral_rewards": ("at", "clawed_back_at"),
    "stage_history": ("from_stage", "to_stage", "at", "source", "reason_code"),
    "customer_views": ("at",),
}
# what stays, anonymous, for the confirmation: kind -> (table, its customer column)
_KEPT_KINDS = {"purchases": ("purchases", "customer_id"),
               "points": ("points_ledger", "customer_id"),
               "coupons": ("coupons", "customer_id"),
               "referrals": ("referrals", "referrer_id"),
               "stages": ("stage_history", "customer_id")}


@dataclass(frozen=True)
class ErasePlan:
    """What erasing one customer removes and what stays, for the confirmation."""

    customer_id: int
    member_code: str
    fields: tuple[str, ...]  # the personal fields that hold something now
    tags: int  # tags unlinked
    feedback: int  # feedback items whose words are blanked
    texts: int  # other free text blanked: items on sales, reasons on points and coupons
    kept: dict[str, int]  # anonymous rows that stay, by kind (purchases, points, ...)


@dataclass(frozen=True)
class Erased:
    """A finished erase. ``problem`` is None when the file was rewritten and its
    write-ahead log emptied, so the old values are nowhere in it; else why not yet
    ("busy", "full": see ``scrub``), and `regulars doctor` finishes it later."""

    plan: ErasePlan
    problem: str | None

    @property
    def scrubbed(self) -> bool:
        return self.problem is None


def _row(conn: sqlite3.Connection, customer_id: int) -> sqlite3.Row:
    row: sqlite3.Row | None = conn.execute("SELECT * FROM customers WHERE id = ?",
                                           (customer_id,)).fetchone()
    if row is None:
        raise NotFound("customer.not_found", ref=str(customer_id))
    if row["erased_at"] is not None:
        raise RegularsError("customer.erased", member_code=row["member_code"])
    return row


def _filled(row: sqlite3.Row) -> tuple[str, ...]:
    named = {"phone_rev": "phone", "sort_name": "name", "pinyin": "name",
             "birth_year": "birthday", "birth_month": "birthday", "birth_day": "birthday",
             "consent_source": "marketing_consent"}
    out: list[str] = []
    for column in PERSONAL:
        field = named.get(column, column)
        if row[column] not in (None, "", 0) and field not in out:
            out.append(field)
    return tuple(out)


def _count(conn: sqlite3.Connection, sql: str, customer_id: int) -> int:
    return int(conn.execute(sql, {"id": customer_id}).fetchone()[0])


def plan(conn: sqlite3.Connection, customer_id: int) -> ErasePlan:
    row = _row(conn, customer_id)
    texts = sum(_count(conn, sql, customer_id) for sql in (
        "SELECT count(*) FROM purchases WHERE customer_id = :id AND items != ''",
        "SELECT count(*) FROM points_ledger WHERE customer_id = :id AND reason != ''",
        "SELECT count(*) FROM coupons WHERE customer_id = :id AND void_reason != ''",
        "SELECT count(*) FROM feedback WHERE customer_id = :id AND owner_note != ''",
        "SELECT count(*) FROM stage_history WHERE customer_id = :id"
        " AND reason_params ->> '$.text' IS NOT NULL"))
    kept = {kind: _count(conn, f"SELECT count(*) FROM {table} WHERE {column} = :id",
                         customer_id)
            for kind, (table, column) in _KEPT_KINDS.items()}
    return ErasePlan(
        customer_id=customer_id, member_code=row["member_code"], fields=_filled(row),
        tags=_count(conn, "SELECT count(*) FROM customer_tags WHERE customer_id = :id",
                    customer_id),
        feedback=_count(conn, "SELECT count(*) FROM feedback WHERE customer_id = :id",
                        customer_id),
        texts=texts, kept={k: v for k, v in kept.items() if v})


def erase(tx: Tx, customer_id: int) -> ErasePlan:
    """Erase in the caller's transaction; the audit row names fields and counts only."""
    done = plan(tx.conn, customer_id)
    row = _row(tx.conn, customer_id)
    search_keys.unindex(tx.conn, row)  # while the row still says which keys it holds
    tx.execute("DELETE FROM customer_tags WHERE customer_id = ?", (customer_id,))
    for table, columns in BLANKED.items():
        sets = ", ".join(f"{column} = {value}" for column, value in columns.items())
        tx.execute(f"UPDATE {table} SET {sets} WHERE customer_id = ?", (customer_id,))
    values = dict(PERSONAL, consent_at=tx.now, updated_at=tx.now, updated_by=tx.actor.id,
                  erased_at=tx.now, id=customer_id)
    sets = ", ".join(f"{k} = :{k}" for k in values if k != "id")
    tx.execute(f"UPDATE customers SET {sets} WHERE id = :id", values)
    # pending until the file is rewritten (``scrub``), in the same transaction, so a
    # crash between the two still leaves `regulars doctor` something to finish
    tx.execute("INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)", (PENDING, tx.now))
    tx.audit("customer.erase", "customer", customer_id, fields=list(done.fields),
             tags=done.tags, feedback=done.feedback, texts=done.texts)
    return done


def scrub(conn: sqlite3.Connection, path: Path, rewrite: bool) -> str | None:
    """Leave no old value in the file or its write-ahead log, outside any transaction:
    None when done, else why not ("busy": another program kept the file or its log in
    use; "full": no room for the rewrite, which needs as much free space as the file).

    Every connection has ``secure_delete`` on, so what this program deletes or overwrites
    is zeroed; but a file written before that (an older version of the program, or
    another tool) can hold old values in free pages and in the unused parts of pages
    still in use. So the first erase in a file ``rewrite``s it (VACUUM builds every page
    afresh; ``REWRITTEN`` then records it), and later ones need only the TRUNCATE
    checkpoint, which copies the log into the file and cuts it to nothing: seconds saved
    at a million customers (the rewrite takes ≈47 s there, and the counter waits).
    Until this has run, the erase stays pending (``PENDING``) and ``regulars doctor``
    finishes it."""
    # a reader elsewhere is done in milliseconds; one that stays will not be waited out
    conn.execute(f"PRAGMA busy_timeout = {SCRUB_WAIT_MS}")
    try:
        if rewrite:
            conn.execute("VACUUM")
        busy, log, done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.OperationalError:
        return "full" if disk_full(path) else "busy"
    finally:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return None if busy == 0 and log == done else "busy"


def needs_rewrite(conn: sqlite3.Connection) -> bool:
    """Has this file never been rewritten whole with ``secure_delete`` on?"""
    return conn.execute("SELECT 1 FROM settings WHERE key = ?", (REWRITTEN,)).fetchone() is None


def pending(conn: sqlite3.Connection) -> str | None:
    """When an erase whose file has not been rewritten yet happened, or None."""
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (PENDING,)).fetchone()
    return None if row is None else str(row[0])


def scrubbed(tx: Tx, rewrote: bool) -> None:
    """Nothing of the pending erases is left in the file or its log (and, when it was
    ``rewrote``, no value deleted before secure_delete was on either)."""
    tx.execute("DELETE FROM settings WHERE key = ?", (PENDING,))
    if rewrote:
        tx.execute("INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)",
                   (REWRITTEN, tx.now))
    tx.audit("customer.erase", "shop", None, scrubbed=True, rewritten=rewrote)
