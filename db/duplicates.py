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

Each pair is listed once, with every reason that found it, smaller id first. The pairs
are computed in SQL over one pass of the table (a Python function folds the names),
then paged with LIMIT/OFFSET.
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


_PAIRS = f"""
WITH named AS MATERIALIZED (
    SELECT id, regulars_fold(name) AS n, birth_year AS y, birth_month AS m, birth_day AS d,
           substr(phone_rev, 1, 4) AS tail
    FROM customers),
pairs(reason, a, b) AS (
    SELECT '{REASONS[0]}', min(p.id, w.id), max(p.id, w.id)
      FROM customers w JOIN customers p ON p.phone_rev = regulars_rev(w.wechat_id)
     WHERE w.wechat_id >= '0' AND w.wechat_id < ':' AND p.id != w.id
    UNION ALL
    SELECT '{REASONS[1]}', x.id, z.id
      FROM named x JOIN named z ON z.n = x.n AND z.m = x.m AND z.d = x.d AND z.id > x.id
     WHERE x.m IS NOT NULL AND (x.y IS NULL OR z.y IS NULL OR x.y = z.y)
    UNION ALL
    SELECT '{REASONS[2]}', x.id, z.id
      FROM named x JOIN named z ON z.n = x.n AND z.tail = x.tail AND z.id > x.id
     WHERE x.tail IS NOT NULL)
SELECT a, b, group_concat(reason, ' ') AS reasons FROM pairs
 GROUP BY a, b ORDER BY a, b LIMIT ? OFFSET ?
"""


def pairs(conn: sqlite3.Connection, limit: int = 50, offset: int = 0) -> list[Pair]:
    """One page of possible duplicates, in the order of the first customer's id."""
    conn.create_function("regulars_fold", 1, fold, deterministic=True)
    conn.create_function("regulars_rev", 1, _reversed_digits, deterministic=True)
    found = conn.execute(_PAIRS, (limit, offset)).fetchall()
    ids = sorted({i for row in found for i in (row["a"], row["b"])})
    people: dict[int, Customer] = {}
    for start in range(0, len(ids), 500):  # SQLite's bound-parameter limit, with room
        chunk = ids[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        for row in conn.execute(f"SELECT {CUSTOMER_COLUMNS} FROM customers"
                                f" WHERE id IN ({marks})", chunk):
            people[row["id"]] = Customer.from_row(row)
    return [Pair(people[row["a"]], people[row["b"]],
                 tuple(r for r in REASONS if r in row["reasons"].split()))
            for row in found]
