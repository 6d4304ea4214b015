"""Shop-wide settings (timezone, phone region, language): a small key/value table."""

from __future__ import annotations

import sqlite3
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ValidationError
from .lifecycle import SETTING_KEYS as LIFECYCLE_KEYS
from .store import Tx

KNOWN = {"timezone", "region", "language", *LIFECYCLE_KEYS}
LANGUAGES = ("", "zh", "en")


def get(conn: sqlite3.Connection, key: str, default: str = "") -> str:
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return str(row[0]) if row else default


def put(tx: Tx, key: str, value: str) -> None:
    if key not in KNOWN:
        raise ValidationError({key: ("setting.unknown", {"known": ", ".join(sorted(KNOWN))})})
    if key == "timezone":
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError({key: ("setting.timezone", {"value": value})}) from None
    if key == "language" and value not in LANGUAGES:
        raise ValidationError({key: ("setting.language", {"value": value})})
    if key in LIFECYCLE_KEYS:
        kind = LIFECYCLE_KEYS[key][1]
        try:
            number = kind(value)
        except ValueError:
            raise ValidationError({key: ("setting.number", {"value": value})}) from None
        if number <= 0:
            raise ValidationError({key: ("setting.number", {"value": value})})
    if key == "region":
        import phonenumbers

        if value not in phonenumbers.SUPPORTED_REGIONS:
            raise ValidationError({key: ("setting.region", {"value": value})})
    tx.execute("INSERT INTO settings(key, value) VALUES (?, ?)"
               " ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))
    tx.audit("setting.set", "setting", None, key=key, value=value)
