"""Confirm what is unusual, not what is routine: a sale far above what this shop takes.

The bar is the setting ``sales.confirm_above_yuan`` when the owner sets one. Unset, it
comes from the shop's own sales: three times the amount that 95% of its last 2,000
sales stay at or under, and never below ¥1,000. With fewer than 20 sales there is
nothing to learn from yet, and the bar is ¥1,000. A sale above the bar is refused
until it is confirmed (Enter again in the dialog, ``--yes`` in the CLI); a sale at or
under it is never asked about.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from .errors import ValidationError
from .money import format_fen, parse_yuan

SETTING_KEY = "sales.confirm_above_yuan"
FLOOR_FEN = 100_000  # ¥1,000: below this a sale is never "far above" anything
FACTOR = 3  # far above = more than 3 × what 95% of sales stay under
SAMPLE = 2_000  # the most recent sales looked at (an index walk, fast at any size)
MIN_SAMPLE = 20  # fewer sales than this: too few to say what is usual
CODES = ("sale.unusual", "sale.unusual_limit")  # the codes a confirmation answers


@dataclass(frozen=True)
class Bar:
    above_fen: int  # a sale above this asks once more
    usual_fen: int | None  # 95% of recent sales are at or under this; None: too few sales
    from_setting: bool


def bar(conn: sqlite3.Connection) -> Bar:
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (SETTING_KEY,)).fetchone()
    if row is not None and str(row[0]).strip():
        return Bar(parse_yuan(str(row[0])), None, True)
    amounts = sorted(int(r[0]) for r in conn.execute(
        "SELECT amount_fen FROM purchases WHERE amount_fen > 0 AND refund_of IS NULL"
        " ORDER BY id DESC LIMIT ?", (SAMPLE,)))
    if len(amounts) < MIN_SAMPLE:
        return Bar(FLOOR_FEN, None, False)
    usual = amounts[int(0.95 * (len(amounts) - 1))]
    return Bar(max(FLOOR_FEN, usual * FACTOR), usual, False)


def _set_by_owner(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (SETTING_KEY,)).fetchone()
    return row is not None and bool(str(row[0]).strip())


def refuse_unless_confirmed(conn: sqlite3.Connection, fen: int, confirmed: bool,
                            field: str = "amount") -> None:
    """Refuse a sale of ``fen`` above the bar unless it was confirmed."""
    if confirmed:
        return
    if fen <= FLOOR_FEN and not _set_by_owner(conn):
        return  # the learned bar is never below the floor: no need to read 2,000 sales
    b = bar(conn)
    if fen <= b.above_fen:
        return
    if b.usual_fen is not None:
        raise ValidationError({field: ("sale.unusual", {
            "amount": format_fen(fen), "usual": format_fen(b.usual_fen)})})
    raise ValidationError({field: ("sale.unusual_limit", {
        "amount": format_fen(fen), "limit": format_fen(b.above_fen)})})


def is_confirmable(fields: dict[str, tuple[str, dict[str, object]]]) -> bool:
    """Whether a refusal is only this question (so confirming answers it)."""
    return bool(fields) and all(code in CODES for code, _ in fields.values())
