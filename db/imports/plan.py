"""Compare a file's customers with the shop, read only: new, updated or unchanged.

A row is the same person as a stored customer by E.164 phone, else WeChat id, else
member code. The file never erases: an empty cell (None, "") leaves the stored value.
A figure from the old system (points, spend, orders, first and last visit) is
unchanged when it equals either the stored opening value or the customer's figure
here, so importing a file twice, or a file this shop exported, changes nothing.
``apply`` writes the decisions as they are planned here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import customers
from ..customers import NOTES_MAX
from .model import Counts, CustomerRow, Parsed, Refusal

CHUNK = 500  # values per IN (...) lookup: under SQLite's variable limit
# the customers columns a plan compares with, besides CUSTOMER_COLUMNS
_EXTRA = ("opening_spend_fen, opening_orders, opening_first_at, opening_last_at,"
          " (SELECT delta FROM points_ledger l WHERE l.customer_id = customers.id"
          "  AND l.kind = 'opening') AS opening_points,"
          " (SELECT r.referrer_id FROM referrals r WHERE r.referee_id = customers.id)"
          " AS referrer_id")


@dataclass(frozen=True)
class Decision:
    """What happens to one person from the file."""

    row: CustomerRow
    stored: sqlite3.Row | None  # None: a new customer
    changes: dict[str, Any] = field(default_factory=dict)  # customers columns to set
    tags: tuple[str, ...] = ()  # tags to link (not linked yet)
    points: int | None = None  # an opening balance to post
    referrer: str | None = None  # a referrer to link (the row's member code or phone)
    stage: str | None = None  # the file's stage, to set

    @property
    def changed(self) -> bool:
        return self.stored is None or bool(self.changes or self.tags or self.points
                                           or self.referrer or self.stage)


@dataclass(frozen=True)
class CustomerPlan:
    decisions: tuple[Decision, ...]
    counts: Counts
    refusals: tuple[Refusal, ...]  # the file's own, then the plan's


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _lookup(conn: sqlite3.Connection, column: str, values: Iterable[str]
            ) -> dict[str, sqlite3.Row]:
    wanted = sorted(set(values))
    found: dict[str, sqlite3.Row] = {}
    for part in chunks(wanted):
        marks = ", ".join("?" * len(part))
        for r in conn.execute(f"SELECT {customers.CUSTOMER_COLUMNS}, {_EXTRA} FROM customers"
                              f" WHERE {column} IN ({marks}) AND erased_at IS NULL",
                              list(part)):
            found[str(r[column]).lower() if column == "wechat_id" else r[column]] = r
    return found


def tags_of(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for part in chunks(ids):
        marks = ", ".join("?" * len(part))
        for cid, name in conn.execute(
                "SELECT ct.customer_id, t.name FROM customer_tags ct JOIN tags t"
                f" ON t.id = ct.tag_id WHERE ct.customer_id IN ({marks})", list(part)):
            out.setdefault(cid, set()).add(name.casefold())
    return out


def birthday_of(row: sqlite3.Row) -> str:
    if not row["birth_month"] or not row["birth_day"]:
        return ""
    md = f"{row['birth_month']:02d}-{row['birth_day']:02d}"
    return f"{row['birth_year']:04d}-{md}" if row["birth_year"] else md


def birth_parts(birthday: str) -> tuple[int | None, int | None, int | None]:
    """"MM-DD" or "YYYY-MM-DD" (as rows.parse gives it) -> (year, month, day)."""
    parts = [int(p) for p in birthday.split("-")]
    return (parts[0], parts[1], parts[2]) if len(parts) == 3 else (None, parts[0], parts[1])


def united_notes(stored: str, incoming: str) -> str:
    """The stored notes with the file's appended, unless they hold them already."""
    if not incoming or incoming in stored:
        return stored
    return f"{stored}\n{incoming}" if stored else incoming


def _figure(file_value: Any, opening: Any, here: Any) -> bool:
    """Does the file bring a figure the shop does not hold yet?"""
    return file_value is not None and file_value not in (opening, here)


class _Planner:
    def __init__(self, conn: sqlite3.Connection, rows: Sequence[CustomerRow]) -> None:
        self.by_phone = _lookup(conn, "phone", [r.phone for r in rows if r.phone])
        self.by_wechat = _lookup(conn, "wechat_id",
                                 [r.wechat_id for r in rows if r.wechat_id])
        self.by_code = _lookup(conn, "member_code", [r.member_code for r in rows
                                                     if r.member_code])
        ids = [s["id"] for s in (*self.by_phone.values(), *self.by_wechat.values(),
                                 *self.by_code.values())]
        self.tags = tags_of(conn, sorted(set(ids)))
        self.refusals: list[Refusal] = []
        self.taken: dict[int, int] = {}  # stored customer id -> the line that matched it
        self.claimed_phones: set[str] = set()  # by new rows of this file
        self.claimed_wechats: set[str] = set()

    def match(self, row: CustomerRow) -> sqlite3.Row | None:
        if row.phone and row.phone in self.by_phone:
            return self.by_phone[row.phone]
        if row.wechat_id and row.wechat_id.lower() in self.by_wechat:
            return self.by_wechat[row.wechat_id.lower()]
        if row.member_code and row.member_code in self.by_code:
            return self.by_code[row.member_code]
        return None

    def refuse(self, row: CustomerRow, column: str, value: str, code: str,
               **params: str) -> None:
        self.refusals.append(Refusal(row.line, column, value, code, params))

    def decide(self, row: CustomerRow) -> Decision | None:
        stored = self.match(row)
        if stored is None:
            return self._new(row)
        if stored["id"] in self.taken:  # two rows the reader did not fold, one person
            self.refuse(row, "", "", "import.same_customer",
                        line=str(self.taken[stored["id"]]))
            return None
        self.taken[stored["id"]] = row.line
        return self._update(row, stored)

    def _new(self, row: CustomerRow) -> Decision | None:
        if row.phone and row.phone in self.claimed_phones:
            self.refuse(row, "", "", "import.same_customer", line="")
            return None
        wechat = row.wechat_id.lower() if row.wechat_id else None
        if wechat and wechat in self.claimed_wechats:
            self.refuse(row, "", row.wechat_id or "", "import.wechat_taken")
            return None
        if row.phone:
            self.claimed_phones.add(row.phone)
        if wechat:
            self.claimed_wechats.add(wechat)
        return Decision(row, None, tags=_unique_tags(row.tags, set()),
                        points=row.points or None, referrer=row.referrer, stage=row.stage)

    def _update(self, row: CustomerRow, s: sqlite3.Row) -> Decision:
        ch: dict[str, Any] = {}
        if row.name and row.name != s["name"]:
            ch["name"] = row.name
        if row.phone and row.phone != s["phone"]:
            if row.phone in self.by_phone or row.phone in self.claimed_phones:
                self.refuse(row, "phone", row.phone, "import.phone_taken")
            else:
                ch["phone"] = row.phone
        if row.wechat_id and row.wechat_id.lower() != (s["wechat_id"] or "").lower():
            if row.wechat_id.lower() in self.by_wechat:
                self.refuse(row, "wechat_id", row.wechat_id, "import.wechat_taken")
            else:
                ch["wechat_id"] = row.wechat_id
        if row.birthday and row.birthday != birthday_of(s):
            ch["birth_year"], ch["birth_month"], ch["birth_day"] = birth_parts(row.birthday)
        for column, value in (("gender", row.gender), ("channel", row.channel),
                              ("marketing_consent", row.marketing_consent),
                              ("is_seed_user", row.seed_user)):
            if value is not None and value != s[column]:
                ch[column] = int(value) if isinstance(value, bool) else value
        notes = united_notes(s["notes"], row.notes)
        if notes != s["notes"]:
            if len(notes) > NOTES_MAX:
                self.refuse(row, "notes", row.notes, "import.notes_too_long",
                            max=str(NOTES_MAX))
            else:
                ch["notes"] = notes
        for file_value, opening, here, column in (
                (row.spend_fen, s["opening_spend_fen"], s["total_spend_fen"],
                 "opening_spend_fen"),
                (row.orders, s["opening_orders"], s["orders"], "opening_orders"),
                (row.first_visit, s["opening_first_at"], s["first_purchase_at"],
                 "opening_first_at"),
                (row.last_visit, s["opening_last_at"], s["last_visit_at"], "opening_last_at")):
            if _figure(file_value, opening, here):
                ch[column] = file_value
        points = None
        if row.points and row.points not in (s["opening_points"], s["points"]):
            if s["opening_points"] is not None:  # one opening per customer, never rewritten
                self.refuse(row, "points", str(row.points), "import.opening_points_differ",
                            stored=str(s["opening_points"]))
            else:
                points = row.points
        referrer = None
        if row.referrer and s["referrer_id"] is None:
            referrer = row.referrer
        stage = row.stage if row.stage and row.stage != s["stage"] else None
        return Decision(row, s, ch, _unique_tags(row.tags, self.tags.get(s["id"], set())),
                        points, referrer, stage)


def _unique_tags(tags: Iterable[str], have: set[str]) -> tuple[str, ...]:
    """Tag names are unique without regard to case (tags.name COLLATE NOCASE)."""
    out: list[str] = []
    seen = set(have)
    for tag in tags:
        if tag.casefold() not in seen:
            seen.add(tag.casefold())
            out.append(tag)
    return tuple(out)


def plan_customers(conn: sqlite3.Connection, parsed: Parsed[CustomerRow]) -> CustomerPlan:
    """Decide every row against the shop as it is now (inside the write, for apply)."""
    planner = _Planner(conn, parsed.rows)
    decisions = [d for d in map(planner.decide, parsed.rows) if d is not None]
    # A refused row is a line that did not come in: whatever column the reason names (a
    # phone Excel mangled refuses its whole row); a value refused in a row that came in
    # (a lunar birthday) is a note, not a refused row.
    came_in = {line for d in decisions for line in d.row.lines}
    refused_lines = {r.line for r in (*parsed.refusals, *planner.refusals)} - came_in
    new = sum(1 for d in decisions if d.stored is None)
    updated = sum(1 for d in decisions if d.stored is not None and d.changed)
    counts = Counts(new=new, updated=updated, unchanged=len(decisions) - new - updated,
                    folded=parsed.folded, refused=len(refused_lines))
    return CustomerPlan(tuple(decisions), counts, (*parsed.refusals, *planner.refusals))
