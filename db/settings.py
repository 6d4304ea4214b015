"""Shop-wide settings (timezone, phone region, language): a small key/value table."""

from __future__ import annotations

import sqlite3
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ValidationError
from .levels import SETTING_KEYS as LEVEL_KEYS
from .levels import thresholds
from .lifecycle import SETTING_KEYS as LIFECYCLE_KEYS
from .money import parse_yuan
from .store import Tx
from .unusual import SETTING_KEY as UNUSUAL_KEY
from .unusual import check_setting as check_unusual

# Whole numbers the owner may set to 0 (0 switches the reward off) or must keep above it.
WHOLE_KEYS = {"points.per_yuan": 0, "points.fen_per_point": 1, "referral.reward_points": 0,
              "referral.second_level_points": 0, "referral.clawback_days": 0}
TEMPLATE_KEYS = {"referral.reward_template", "referral.welcome_template"}
REWARD_KEYS = ("points.per_yuan", "points.fen_per_point", *LEVEL_KEYS,
               "referral.reward_points", "referral.reward_template",
               "referral.welcome_template", "referral.second_level_points",
               "referral.clawback_days")
KNOWN = {"timezone", "region", "language", *LIFECYCLE_KEYS, *REWARD_KEYS}
KNOWN.add(UNUSUAL_KEY)  # screens (issue 11): a sale above it asks once more
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
    if key in WHOLE_KEYS and not (value.isdigit() and int(value) >= WHOLE_KEYS[key]):
        raise ValidationError({key: ("setting.whole", {"value": value,
                                                       "least": WHOLE_KEYS[key]})})
    if key in LEVEL_KEYS:
        _check_level(tx.conn, key, value)
    if key == UNUSUAL_KEY:
        check_unusual(value)
    if key in TEMPLATE_KEYS and value and not tx.execute(
            "SELECT 1 FROM coupon_templates WHERE name = ? AND active", (value,)).fetchone():
        raise ValidationError({key: ("coupon.template_not_found", {"name": value})})
    if key == "region":
        import phonenumbers

        if value not in phonenumbers.SUPPORTED_REGIONS:
            raise ValidationError({key: ("setting.region", {"value": value})})
    tx.execute("INSERT INTO settings(key, value) VALUES (?, ?)"
               " ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))
    tx.audit("setting.set", "setting", None, key=key, value=value)


def _check_level(conn: sqlite3.Connection, key: str, value: str) -> None:
    """Thresholds in yuan, each level above the one below it."""
    try:
        fen = parse_yuan(value)
    except ValidationError:
        raise ValidationError({key: ("setting.number", {"value": value})}) from None
    if fen <= 0:
        raise ValidationError({key: ("setting.number", {"value": value})})
    current = list(thresholds(conn).fen)
    current[list(LEVEL_KEYS).index(key)] = fen
    if current != sorted(set(current)):
        raise ValidationError({key: ("setting.levels_order", {})})
