"""Money is an integer number of fen. Floats never touch it: parse with Decimal, format here."""

from __future__ import annotations

import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .errors import ValidationError

MAX_FEN = 10**11  # one billion yuan: far past any counter sale, well inside int64


def parse_yuan(text: str, field: str = "amount") -> int:
    """'58.5', '￥58.50', '1,280' -> fen. More than two decimals is refused, not rounded."""
    raw = unicodedata.normalize("NFKC", text).strip().replace(",", "")
    raw = raw.removeprefix("¥").removeprefix("￥").removesuffix("元").strip()
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValidationError({field: ("money.invalid", {"value": text})}) from None
    if not value.is_finite():
        raise ValidationError({field: ("money.invalid", {"value": text})})
    fen = value * 100
    if fen != fen.to_integral_value():
        raise ValidationError({field: ("money.decimals", {"value": text})})
    if abs(fen) > MAX_FEN:
        raise ValidationError({field: ("money.too_large", {"value": text})})
    return int(fen.to_integral_value(ROUND_HALF_UP))


def format_fen(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}¥{yuan:,}.{cents:02d}"
