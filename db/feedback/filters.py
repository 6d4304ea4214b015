"""The inbox's filter, and the parser of what the owner types in its filter box."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from ..vocab import FEEDBACK_SORTS as SORTS

__all__ = ["SORTS", "Filter", "with_typed"]


@dataclass(frozen=True)
class Filter:
    status: str | None = None  # None: any; "open": new, reviewing or planned
    category: str | None = None
    product: str | None = None
    supplier: str | None = None
    since: str | None = None  # ISO, inclusive
    until: str | None = None  # ISO, exclusive
    seed_users_only: bool = False
    text: str = ""  # in the words, the owner's note, product or supplier
    sort: str = "newest"  # one of SORTS


def with_typed(base: Filter, typed: str, tz: str, now: datetime) -> Filter:
    """The filter box: ``since:2026-10-01 until:2026-11-01 product:蛋挞 supplier:… words``.

    A ``key:value`` token sets that field (the last one wins); any other token is a
    word to look for. Fields not typed keep their value in ``base``."""
    from ..purchases import parse_when

    since, until, product, supplier = base.since, base.until, base.product, base.supplier
    words: list[str] = []
    for token in typed.split():
        key, _, value = token.partition(":")
        if value and key == "since":
            since = parse_when(value, tz, now)
        elif value and key == "until":
            until = parse_when(value, tz, now)
        elif value and key == "product":
            product = value
        elif value and key == "supplier":
            supplier = value
        else:
            words.append(token)
    return replace(base, text=" ".join(words), since=since, until=until, product=product,
                   supplier=supplier)
