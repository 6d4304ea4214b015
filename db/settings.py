"""Shop-wide settings (timezone, phone region, language): a small key/value table."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import gate
from .errors import ValidationError
from .levels import LEVEL_MAX_FEN, thresholds
from .levels import SETTING_KEYS as LEVEL_KEYS
from .lifecycle import SETTING_KEYS as LIFECYCLE_KEYS
from .money import format_fen, parse_yuan
from .store import Tx
from .unusual import SETTING_KEY as UNUSUAL_KEY
from .vocab import LANGUAGES

LOCK_KEY = "lock.idle_minutes"
TEMPLATE_KEYS = {"referral.reward_template", "referral.welcome_template"}
REWARD_KEYS = ("points.per_yuan", "points.fen_per_point", *LEVEL_KEYS,
               "referral.reward_points", "referral.reward_template",
               "referral.welcome_template", "referral.second_level_points",
               "referral.clawback_days")


@dataclass(frozen=True)
class Spec:
    """What a setting holds: its kind and, for numbers, the allowed range (both ends in).

    ``whole``: a whole number; ``decimal``: a plain decimal (days, a factor); ``money``:
    yuan (stored as typed yuan, read as fen); ``optional_money``: the same, or empty;
    ``template``: a coupon template's name or
    empty; ``timezone``, ``region``, ``language``: checked against their own lists."""

    kind: str
    low: int | Decimal = 0
    high: int | Decimal = 0


# The one table: settings.put, the settings screen (through Shop) and `settings set`.
# Ranges keep every sale's arithmetic inside int64 at the money ceiling
# (gate.MONEY_MAX_FEN = 10**8 fen × points.per_yuan ≤ 100 → 10**8 points per sale).
SPECS: dict[str, Spec] = {
    "timezone": Spec("timezone"),
    "region": Spec("region"),
    "language": Spec("language"),
    "lifecycle.trust_orders": Spec("whole", 1, 100),
    "lifecycle.trust_orders_with_referral": Spec("whole", 1, 100),
    "lifecycle.window_min_days": Spec("decimal", Decimal(1), Decimal(365)),
    "lifecycle.window_factor": Spec("decimal", Decimal(1), Decimal(10)),
    "lifecycle.dormant_days": Spec("decimal", Decimal(7), Decimal(3650)),
    "points.per_yuan": Spec("whole", 0, 100),
    "points.fen_per_point": Spec("whole", 1, 10_000),
    **{key: Spec("money", 100, LEVEL_MAX_FEN) for key in LEVEL_KEYS},
    "referral.reward_points": Spec("whole", 0, 100_000),
    "referral.second_level_points": Spec("whole", 0, 100_000),
    "referral.clawback_days": Spec("whole", 0, 365),
    "referral.reward_template": Spec("template"),
    "referral.welcome_template": Spec("template"),
    # a sale above it asks once more; empty: derived from the shop's own sales (db/unusual)
    UNUSUAL_KEY: Spec("optional_money", 100, gate.MONEY_MAX_FEN),
    "backup.keep": Spec("whole", 1, 365),  # the console's daily backups kept (db/backup.py)
    LOCK_KEY: Spec("whole", 0, 240),  # the console locks after this many idle minutes; 0: never
}
# What a setting reads as before anyone has set it (others: empty, or the rule's own default).
DEFAULTS = {LOCK_KEY: "10"}
KNOWN = set(SPECS)
assert set(LIFECYCLE_KEYS) | set(REWARD_KEYS) < KNOWN


def hint(key: str) -> tuple[str, dict[str, str]]:
    """What the setting holds, as a message code and its parameters: the line the
    settings screen shows under the box, from the same table that checks it."""
    spec = SPECS[key]
    if spec.kind == "whole":
        return "settings.hint.whole", {"low": f"{int(spec.low):,}", "high": f"{int(spec.high):,}"}
    if spec.kind == "decimal":
        return "settings.hint.decimal", {"low": f"{spec.low:f}", "high": f"{spec.high:f}"}
    if spec.kind in ("money", "optional_money"):
        return f"settings.hint.{spec.kind}", {"low": format_fen(int(spec.low)),
                                              "high": format_fen(int(spec.high))}
    return f"settings.hint.{spec.kind}", {}


def get(conn: sqlite3.Connection, key: str, default: str | None = None) -> str:
    """The stored value; unset: ``default``, else the setting's own (``DEFAULTS``) or ""."""
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    if row:
        return str(row[0])
    return DEFAULTS.get(key, "") if default is None else default


def check(key: str, value: str) -> str:
    """The value as it will be stored, or a ValidationError that names the allowed range.
    Checks that need the file (level order, a template's existence) are in ``put``."""
    spec = SPECS.get(key)
    if spec is None:
        raise ValidationError({key: ("setting.unknown", {"known": ", ".join(sorted(KNOWN))})})
    if spec.kind == "whole":
        return str(gate.whole(value, key, int(spec.low), int(spec.high)))
    if spec.kind == "decimal":
        number = gate.decimal(value, key, Decimal(spec.low), Decimal(spec.high))
        return f"{number.normalize():f}"
    if spec.kind == "optional_money" and not value.strip():
        return ""
    if spec.kind in ("money", "optional_money"):
        bounds = {"value": gate.shown(value), "low": format_fen(int(spec.low)),
                  "high": format_fen(int(spec.high))}
        try:
            fen = gate.money(value, key, max_fen=int(spec.high))
        except ValidationError as exc:
            code = exc.fields[key][0]
            raise ValidationError({key: ("gate.setting.money_range" if code.endswith(
                "too_large") else "gate.setting.money_invalid", bounds)}) from None
        if fen < int(spec.low):
            raise ValidationError({key: ("gate.setting.money_range", bounds)})
        return f"{fen // 100}" + (f".{fen % 100:02d}" if fen % 100 else "")
    text = gate.line(value, key, 64)
    if spec.kind == "timezone":
        try:
            ZoneInfo(text)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError({key: ("setting.timezone", {"value": value})}) from None
    elif spec.kind == "language" and text not in LANGUAGES:
        raise ValidationError({key: ("setting.language", {"value": value})})
    elif spec.kind == "region":
        import phonenumbers

        if text not in phonenumbers.SUPPORTED_REGIONS:
            raise ValidationError({key: ("setting.region", {"value": value})})
    return text


def whole_setting(conn: sqlite3.Connection, key: str, default: int, blank: int | None = None
                  ) -> int:
    """A whole-number setting as the rules use it. A value stored before settings had
    ranges (say points.per_yuan = 10**30, which overflowed every sale) is read as
    ``default``; an empty one as ``blank`` (default: ``default``)."""
    text = get(conn, key, str(default))
    if not text.strip():
        return default if blank is None else blank
    try:
        return int(check(key, text))
    except ValidationError:
        return default


def put(tx: Tx, key: str, value: str) -> None:
    value = check(key, value)
    if key in LEVEL_KEYS:
        _check_level(tx.conn, key, value)
    if key in TEMPLATE_KEYS and value and not tx.execute(
            "SELECT 1 FROM coupon_templates WHERE name = ? AND active", (value,)).fetchone():
        raise ValidationError({key: ("coupon.template_not_found", {"name": value})})
    tx.execute("INSERT INTO settings(key, value) VALUES (?, ?)"
               " ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))
    tx.audit("setting.set", "setting", None, key=key, value=value)


def _check_level(conn: sqlite3.Connection, key: str, value: str) -> None:
    """Thresholds in yuan, each level above the one below it."""
    fen = parse_yuan(value, key, max_fen=LEVEL_MAX_FEN)
    current = list(thresholds(conn).fen)
    current[list(LEVEL_KEYS).index(key)] = fen
    if current != sorted(set(current)):
        raise ValidationError({key: ("setting.levels_order", {})})
