"""Money is an integer number of fen. Floats never touch it: parse with Decimal, format here."""

from __future__ import annotations

from . import gate

MAX_FEN = gate.MONEY_MAX_FEN  # ¥1,000,000: far past any counter sale, well inside int64


def parse_yuan(text: str, field: str = "amount", *, max_fen: int = MAX_FEN) -> int:
    """'58.5', '￥58.50', '1,280' -> fen, through the input gate (db/gate.py): more than
    two decimals, an exponent, other scripts' digits or misplaced commas are refused,
    never rounded; so is anything above ``max_fen``."""
    return gate.money(text, field, max_fen=max_fen)


def format_fen(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}¥{yuan:,}.{cents:02d}"
