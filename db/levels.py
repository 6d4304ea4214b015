"""Member levels (普通 / 银卡 / 金卡 / 钻石): from lifetime spend, thresholds in settings.

A level is not stored: it follows the customer's net lifetime spend, so a refund
that drops them below a threshold drops the level too, and an owner who moves a
threshold moves everyone at once.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from .errors import ValidationError
from .money import parse_yuan
from .vocab import LEVELS

SETTING_KEYS = {f"levels.{name}": name for name in LEVELS[1:]}
DEFAULT_YUAN = {"silver": 1000, "gold": 5000, "diamond": 20000}
LEVEL_MAX_FEN = 1_000_000_000  # ¥10,000,000 of lifetime spend: the highest threshold


@dataclass(frozen=True)
class Thresholds:
    fen: tuple[int, ...]  # the lifetime spend where silver, gold and diamond start

    def level_of(self, spend_fen: int) -> str:
        reached = sum(1 for start in self.fen if spend_fen >= start)
        return LEVELS[reached]


def thresholds(conn: sqlite3.Connection) -> Thresholds:
    """One read (every search calls this for its hits' levels)."""
    keys = list(SETTING_KEYS)
    stored = dict(conn.execute(f"SELECT key, value FROM settings WHERE key IN"
                               f" ({', '.join('?' * len(keys))})", keys).fetchall())
    values = []
    for key, name in SETTING_KEYS.items():
        text = str(stored.get(key, DEFAULT_YUAN[name]))
        try:
            values.append(parse_yuan(text, max_fen=LEVEL_MAX_FEN))
        except ValidationError:  # a hand-edited bad value falls back to the default
            values.append(DEFAULT_YUAN[name] * 100)
    return Thresholds(tuple(values))
