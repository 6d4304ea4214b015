"""Possible duplicates: two customers who look like one person written twice.

Phones are stored E.164 and unique, and WeChat ids are unique without regard to case
(and cannot hold spaces), so the same phone or WeChat id cannot be on two rows. What
still happens at a counter:

* ``phone_wechat``: one customer's WeChat id is the other's phone number (many people
  use their number as their WeChat id; one visit typed it as the phone, one as WeChat);
* ``name_birthday``: the same name (NFKC, case-folded, spaces ignored) and the same
  birthday (the year may be missing on one side);
* ``name_phone_tail``: the same name and the same last four phone digits (a mistyped
  or a changed number).

Each pair is listed once, with every reason that found it, smaller id first. SQLite
groups the table by folded name (a Python function folds; a few seconds for a
million customers, as the schema has no index on names), and the
Shop keeps the result until a customer is added, removed or edited, so the next
pages cost one indexed read.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from dataclasses import dataclass

from .customers import CUSTOMER_COLUMNS, Customer

REASONS = ("phone_wechat", "name_birthday", "name_phone_tail")


@dataclass(frozen=True)
class Pair:
    first: Customer
    second: Customer
    reasons: tuple[str, ...]  # of REASONS


def fold(name: str | None) -> str | None:
    """A name as two spellings of one person share it: NFKC, case-folded, no spaces."""
    if name is None:
        return None
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())


def _reversed_digits(text: str | None) -> str | None:
    """A WeChat id made only of digits, reversed: compared with a stored phone_rev."""
    if text is None or not text.isascii() or not text.isdigit():
        return None
    return text[::-1]


# Namesakes, not pairs: SQLite groups a million rows by folded name in one sort, and
# Python splits each group by birthday and by phone tail. Missing values are 0 or ''.
# A name of CJK ideographs only is its own fold: Python is called for the others alone.
_NAMESAKES = """
SELECT group_concat(id || ':' || coalesce(birth_year, 0)
                    || ':' || coalesce(birth_month, 0) || '-' || coalesce(birth_day, 0)
                    || ':' || coalesce(substr(phone_rev, 1, 4), ''))
  FROM customers
 WHERE erased_at IS NULL
 GROUP BY CASE WHEN name GLOB '*[^一-鿿]*' THEN regulars_fold(name) ELSE name END
HAVING count(*) > 1
"""
_PHONE_WECHAT = """
SELECT p.id, w.id FROM customers w JOIN customers p ON p.phone_rev = regulars_rev(w.wechat_id)
 WHERE w.wechat_id >= '0' AND w.wechat_id < ':' AND p.id != w.id
   AND p.erased_at IS NULL
"""

Found = list[tuple[int, int, tuple[str, ...]]]


def fingerprint(conn: sqlite3.Connection) -> tuple[object, ...]:
    """Changes whenever a customer is added, removed or edited: when to compute again."""
    return tuple(conn.execute("SELECT count(*), max(id), max(updated_at) FROM customers"
                              ).fetchone())


def find_all(conn: sqlite3.Connection) -> Found:
    """Every possible pair as (smaller id, larger id, reasons), in id order."""
    conn.create_function("regulars_fold", 1, fold, deterministic=True)
    conn.create_function("regulars_rev", 1, _reversed_digits, deterministic=True)
    found: dict[tuple[int, int], set[str]] = {}
    for p, w in conn.execute(_PHONE_WECHAT):
        found.setdefault((min(p, w), max(p, w)), set()).add(REASONS[0])
    for (members,) in conn.execute(_NAMESAKES):
        born: dict[str, list[str]] = {}
        tails: dict[str, list[str]] = {}
        for member in members.split(","):  # most namesakes share neither: kept as text
            cid, year, day, tail = member.split(":")
            if day != "0-0":
                born.setdefault(day, []).append(f"{cid}:{year}")
            if tail:
                tails.setdefault(tail, []).append(cid)
        for same_day in born.values():
            if len(same_day) > 1:
                people = sorted((int(c), int(y)) for c, y in (m.split(":") for m in same_day))
                for a, year_a, b, year_b in _pairs_of(people):
                    if not (year_a and year_b and year_a != year_b):  # two years: two people
                        found.setdefault((a, b), set()).add(REASONS[1])
        for same_tail in tails.values():
            if len(same_tail) > 1:
                for a, _, b, _ in _pairs_of(sorted((int(c), 0) for c in same_tail)):
                    found.setdefault((a, b), set()).add(REASONS[2])
    return [(a, b, tuple(r for r in REASONS if r in why))
            for (a, b), why in sorted(found.items())]


def _pairs_of(group: list[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """Each two members of a sorted group, smaller id first, with what each carries."""
    return [(a, x, b, y) for i, (a, x) in enumerate(group) for b, y in group[i + 1:]]


def page(conn: sqlite3.Connection, found: Found, limit: int = 50, offset: int = 0
         ) -> list[Pair]:
    """One page of ``found``, with both customers of each pair read as they are now."""
    rows = found[offset:offset + limit]
    ids = sorted({i for a, b, _ in rows for i in (a, b)})
    people: dict[int, Customer] = {}
    marks = ", ".join("?" * len(ids))  # a page is at most LIMIT_MAX pairs: 2,000 ids
    for row in conn.execute(f"SELECT {CUSTOMER_COLUMNS} FROM customers WHERE id IN ({marks})",
                            ids):
        people[row["id"]] = Customer.from_row(row)
    return [Pair(people[a], people[b], why) for a, b, why in rows
            if a in people and b in people]


def pairs(conn: sqlite3.Connection, limit: int = 50, offset: int = 0) -> list[Pair]:
    """One page of possible duplicates, in the order of the first customer's id."""
    return page(conn, find_all(conn), limit, offset)
