"""Who a campaign reaches: a filter over stage, tag, at-risk, birthday, seed users, spend.

Batch coupons use it now; saved, named segments will store an ``Audience`` and
plug into the same SQL. Every part is optional; the parts combine with AND.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from . import lifecycle, tags
from .errors import NotFound, ValidationError
from .money import parse_yuan
from .vocab import STAGES

BIRTHDAY_WINDOW_MAX = 366


@dataclass(frozen=True)
class Audience:
    stage: str | None = None
    tag: str | None = None
    at_risk: bool = False
    birthday_within: int | None = None  # days from today, today included (0: today only)
    seed_users: bool = False
    spend_min_fen: int | None = None  # lifetime spend, both ends included
    spend_max_fen: int | None = None

    @property
    def everyone(self) -> bool:
        return self == Audience()


def parse_spend_between(text: str) -> tuple[int | None, int | None]:
    """'100,500' / '100-500' / '100,' / ',500' (yuan) -> fen bounds."""
    parts = [p.strip() for p in re.split(r"[,，~～]|(?<=\d)-(?=\d|$)", text.strip(), maxsplit=1)]
    if len(parts) != 2 or not any(parts):
        raise ValidationError({"spend_between": ("audience.spend", {"value": text})})
    low = parse_yuan(parts[0], "spend_between") if parts[0] else None
    high = parse_yuan(parts[1], "spend_between") if parts[1] else None
    if low is not None and high is not None and low > high:
        raise ValidationError({"spend_between": ("audience.spend", {"value": text})})
    return low, high


def birthday_days(today: date, within: int) -> list[int]:
    """month*100 + day for each day from today to today + within. A 29 February
    birthday is celebrated on the 28th in years without one."""
    if not 0 <= within <= BIRTHDAY_WINDOW_MAX:
        raise ValidationError({"birthday_within": ("audience.birthday_within",
                                                   {"max": BIRTHDAY_WINDOW_MAX})})
    days = set()
    for offset in range(within + 1):
        day = today + timedelta(days=offset)
        days.add(day.month * 100 + day.day)
        if day.month == 2 and day.day == 28 and not _leap(day.year):
            days.add(229)
    return sorted(days)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def where(conn: sqlite3.Connection, a: Audience, now: str, today: date
          ) -> tuple[str, dict[str, Any]]:
    """The SQL condition on ``customers c`` and its parameters (never an erased one)."""
    parts = ["c.erased_at IS NULL"]
    params: dict[str, Any] = {}
    if a.stage is not None:
        if a.stage not in STAGES:
            raise ValidationError({"stage": ("audience.stage", {"known": ", ".join(STAGES)})})
        parts.append("c.stage = :a_stage")
        params["a_stage"] = a.stage
    if a.tag is not None:
        name = tags.clean_name(a.tag)
        row = conn.execute("SELECT id FROM tags WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise NotFound("tag.not_found", name=name)
        parts.append("EXISTS (SELECT 1 FROM customer_tags t WHERE t.customer_id = c.id"
                     " AND t.tag_id = :a_tag)")
        params["a_tag"] = row[0]
    if a.at_risk:
        parts.append(lifecycle.AT_RISK)
        params["r_now"] = now
    if a.birthday_within is not None:
        days = ", ".join(str(d) for d in birthday_days(today, a.birthday_within))
        parts.append(f"(c.birth_month * 100 + c.birth_day) IN ({days})")
    if a.seed_users:
        parts.append("c.is_seed_user = 1")
    if a.spend_min_fen is not None:
        parts.append("c.total_spend_fen >= :a_min")
        params["a_min"] = a.spend_min_fen
    if a.spend_max_fen is not None:
        parts.append("c.total_spend_fen <= :a_max")
        params["a_max"] = a.spend_max_fen
    return " AND ".join(parts), params


def count(conn: sqlite3.Connection, a: Audience, now: str, today: date) -> int:
    sql, params = where(conn, a, now, today)
    return int(conn.execute(f"SELECT count(*) FROM customers c WHERE {sql}", params
                            ).fetchone()[0])
