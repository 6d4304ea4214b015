"""Reading the audit log: is its chain whole (``regulars doctor``), and which rows match
a filter (``regulars audit``, the owner's audit screen), newest first.

The walk streams rows in id order, recomputing each hash (db/audit_chain.py), and stops at
the first break: later rows are chained to the broken one, so only the first says where
the log was touched. What is wrong is told apart from what the hashes show:

* a row whose hash is not that of its own content was edited (its time, action, detail);
* if that content hashes right under another row's id, rows were moved (reordered);
* an intact row that does not chain to the row before it follows a gap (rows deleted),
  or else the row before it was edited and given a freshly computed ("forged") hash;
* after the last row, ``audit_head`` must name that row and its hash: deleting the newest
  rows leaves a chain that is whole but shorter than the head says.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .audit_chain import COLUMNS, GENESIS, row_hash
from .clock import to_iso

LIMIT_MAX = 10_000  # one page of the CLI or the screen; more is paged with before_id
REORDER_REACH = 64  # how far from its place a moved row is looked for (only on a break)


@dataclass(frozen=True)
class Break:
    """The first place the chain is broken. ``problem`` is a message code's last part
    (doctor.audit.<problem>); ``at`` and ``action`` are those of the row ``row_id`` when
    it still exists (for a deleted one: of the first row after the gap)."""

    problem: str
    row_id: int
    at: str = ""
    action: str = ""
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Verdict:
    rows: int  # rows walked before the end or the break
    broken: Break | None


def verify(conn: sqlite3.Connection) -> Verdict:
    """Walk the whole chain (streamed: memory stays flat on a file of millions of rows)."""
    prev_id, prev_hash, prev_row, count = 0, GENESIS, None, 0
    cursor = conn.execute(f"SELECT {COLUMNS}, prev_hash, hash FROM audit_log ORDER BY id")
    for row in cursor:
        content, stored_prev, stored = tuple(row[:8]), str(row[8]), str(row[9])
        row_id, at, action = int(row[0]), str(row[1]), str(row[3])
        if row_hash(stored_prev, content) != stored:
            moved = _moved_from(content, stored_prev, stored)
            if moved is not None:
                return Verdict(count, Break("reordered", row_id, at, action, {"other": moved}))
            return Verdict(count, Break("edited", row_id, at, action))
        if stored_prev != prev_hash:
            if row_id != prev_id + 1:
                return Verdict(count, Break("deleted", prev_id + 1, at, action,
                                            _span(prev_id + 1, row_id - 1)))
            if prev_row is None:  # the first row names a row before it: edited with care
                return Verdict(count, Break("edited", row_id, at, action))
            return Verdict(count, Break("forged", prev_id, str(prev_row[1]), str(prev_row[3]),
                                        {"next": row_id}))
        prev_id, prev_hash, prev_row, count = row_id, stored, row, count + 1
    head = conn.execute("SELECT last_id, hash FROM audit_head WHERE id = 1").fetchone()
    return Verdict(count, _check_head(head, prev_id, prev_hash, prev_row))


def _moved_from(content: tuple[Any, ...], stored_prev: str, stored: str) -> int | None:
    """The id under which this content was hashed, if another near one: rows swapped."""
    row_id = int(content[0])
    for other in range(max(1, row_id - REORDER_REACH), row_id + REORDER_REACH + 1):
        if other != row_id and row_hash(stored_prev, (other, *content[1:])) == stored:
            return other
    return None


def _span(first: int, last: int) -> dict[str, Any]:
    """Deleted ids: ``span`` is "7" or "7–9", the same in every language."""
    return {"first": first, "last": last,
            "span": str(first) if first == last else f"{first}–{last}"}


def _check_head(head: sqlite3.Row | tuple[Any, ...] | None, last_id: int, last_hash: str,
                last_row: Any) -> Break | None:
    at, action = (str(last_row[1]), str(last_row[3])) if last_row is not None else ("", "")
    if head is None:
        return None if last_id == 0 else Break("head_missing", last_id, at, action)
    head_id, head_hash = int(head[0]), str(head[1])
    if head_id > last_id:  # the newest rows are gone (or the head was moved forward)
        return Break("newest_deleted", last_id + 1, at, action,
                     {**_span(last_id + 1, head_id), "kept": last_id})
    if head_id < last_id:  # rows after the head, chained by hand outside the program
        return Break("after_head", head_id + 1, at, action, {"head": head_id})
    if head_hash != last_hash:  # the newest row edited and its hash recomputed
        return Break("forged", last_id, at, action, {"next": last_id})
    return None


# -- browsing ---------------------------------------------------------------------------
@dataclass(frozen=True)
class AuditQuery:
    """Which rows: every filter is optional; dates are the shop's local days, inclusive.
    Newest first; ``before_id`` pages on from the last row of the previous page."""

    staff: str | None = None
    action: str | None = None  # a prefix: "coupon" or "coupon." or "coupon.void"
    customer_id: int | None = None
    since: date | None = None
    until: date | None = None
    limit: int = 100
    before_id: int | None = None


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str  # ISO-8601 UTC, as stored
    staff: str
    action: str
    entity: str
    entity_id: int | None
    customer_id: int | None
    member_code: str | None  # the customer's code, while the customer exists
    detail: dict[str, Any]


def _day_start(day: date, tz: str) -> str:
    return to_iso(datetime.combine(day, time(0), ZoneInfo(tz)))


def entries(conn: sqlite3.Connection, query: AuditQuery, tz: str) -> list[AuditEntry]:
    where: list[str] = ["1"]
    params: list[str | int] = []
    if query.staff:
        where.append("s.name = ? COLLATE NOCASE")
        params.append(query.staff.strip())
    if query.action:
        where.append("substr(a.action, 1, ?) = ?")
        params += [len(query.action.strip()), query.action.strip()]
    if query.customer_id is not None:
        where.append("a.customer_id = ?")
        params.append(query.customer_id)
    if query.since is not None:
        where.append("a.at >= ?")
        params.append(_day_start(query.since, tz))
    if query.until is not None:
        where.append("a.at < ?")
        params.append(_day_start(query.until + timedelta(days=1), tz))
    if query.before_id is not None:
        where.append("a.id < ?")
        params.append(query.before_id)
    limit = max(1, min(query.limit, LIMIT_MAX))
    rows = conn.execute(
        "SELECT a.id, a.at, s.name, a.action, a.entity, a.entity_id, a.customer_id,"
        " c.member_code, a.detail FROM audit_log a JOIN staff s ON s.id = a.staff_id"
        " LEFT JOIN customers c ON c.id = a.customer_id"
        f" WHERE {' AND '.join(where)} ORDER BY a.id DESC LIMIT ?", [*params, limit])
    return [AuditEntry(int(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), r[5], r[6],
                       r[7], _detail(r[8])) for r in rows]


def _detail(text: str) -> dict[str, Any]:
    try:
        found = json.loads(text)
    except ValueError:  # hand-edited: shown as it is rather than failing the page
        return {"raw": text}
    return found if isinstance(found, dict) else {"value": found}


def actions(conn: sqlite3.Connection) -> list[str]:
    """The distinct actions in the log, for a filter list."""
    return [str(r[0]) for r in conn.execute("SELECT DISTINCT action FROM audit_log"
                                            " ORDER BY action")]
