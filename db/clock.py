"""Time in one place: stored as ISO-8601 UTC with offset, shown in the shop's zone.

Tests inject a fixed clock through ``Store(clock=...)`` so that nothing depends
on when they run.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def to_iso(moment: datetime) -> str:
    """UTC ISO-8601 with offset, second precision: sorts as text, reads as time."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: every stored time needs its offset")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


def local_date_text(iso: str | None, tz: str) -> str:
    """The shop-local calendar date of a stored time, or '' for none."""
    if not iso:
        return ""
    return from_iso(iso).astimezone(ZoneInfo(tz)).date().isoformat()


def rank_of(iso: str | None) -> int:
    """Sort key for 'most recent visit first': negative epoch seconds, 0 for never."""
    return -int(from_iso(iso).timestamp()) if iso else 0
