"""The one input gate: every amount, whole number, decimal, date and piece of text a
person types (in a screen or on the command line) is read here before any rule sees it.

Each reader either returns a clean value or raises ``ValidationError`` naming the
field, with a message code and the numbers a person needs to fix it (the allowed
range, the limit, the character that is wrong). Nothing is rounded, clipped or cut.

Digits are ASCII or full-width only. Python's ``int`` and ``Decimal`` also accept
Arabic-Indic, Devanagari and other scripts' digits, exponents, "nan" and "inf", so
the characters are checked here, by pattern, before any conversion.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from .errors import ValidationError

T = TypeVar("T")

MONEY_MAX_FEN = 100_000_000  # ¥1,000,000: one sale, refund, coupon value, cap or min spend
INT64_MAX = 2**63 - 1  # SQLite's INTEGER

_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，＋－", "0123456789.,+-")
# Thousands separators only in threes ("1,280.50"); no exponent; ASCII digits only.
_AMOUNT = re.compile(r"(?P<sign>[+-]?)(?P<whole>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)"
                     r"(?:\.(?P<frac>[0-9]*))?")
_WHOLE = re.compile(r"(?P<sign>[+-]?)(?P<digits>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)")
_DECIMAL = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")
_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")

# Characters that change how text looks or flows without being visible themselves.
BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
_UNSHOWN = frozenset(("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"))


def _fail(field: str, code: str, **params: Any) -> ValidationError:
    if "value" in params:
        params["value"] = shown(params["value"])
    return ValidationError({field: (code, params)})


def shown(text: object, limit: int = 24) -> str:
    """What was typed, safe to repeat in a message: short, and with every control or
    invisible character replaced by U+FFFD, so an error never carries an escape."""
    raw = str(text)
    cut = raw[:limit]
    safe = "".join("\ufffd" if unicodedata.category(ch) in _UNSHOWN else ch
                   for ch in cut)
    return safe + ("…" if len(raw) > limit else "")


def _ascii_digits(text: str) -> str:
    """Full-width digits and marks to ASCII (the only other digits a counter keyboard
    or a Chinese IME types); every other script's digits stay and are refused later."""
    return text.translate(_FULL_WIDTH).strip()


# -- money ------------------------------------------------------------------------------------
def money(text: str, field: str = "amount", *, max_fen: int = MONEY_MAX_FEN) -> int:
    """'58.5', '￥1,280.50', '１２元' -> fen. Signed; the caller decides whether a sign fits.

    Refused with a sentence: exponents ("1e5"), other scripts' digits ("١٢٣"), commas
    out of place ("1,2,3"), more than two decimals ("1.005"), more than ``max_fen``.
    """
    raw = _ascii_digits(str(text))
    raw = raw.removeprefix("¥").removeprefix("￥").strip()
    raw = raw.removesuffix("元").strip()
    if not raw:  # nothing typed: ask for it, rather than quote an empty “”
        raise _fail(field, "gate.money.blank")
    match = _AMOUNT.fullmatch(raw)
    if match is None or not (match["whole"] or match["frac"]):
        if re.fullmatch(r"[+-]?[0-9,]+(?:\.[0-9]*)?", raw):
            raise _fail(field, "gate.money.commas", value=text)
        raise _fail(field, "money.invalid", value=text)
    frac = match["frac"] or ""
    if len(frac) > 2:
        raise _fail(field, "money.decimals", value=text)
    whole = match["whole"].replace(",", "") or "0"
    if len(whole) > 15:  # far past any ceiling; int() of thousands of digits is refused anyway
        raise _fail(field, "gate.money.too_large", value=text, max=_yuan(max_fen))
    fen = int(whole) * 100 + int(frac.ljust(2, "0"))
    if fen > max_fen:
        raise _fail(field, "gate.money.too_large", value=text, max=_yuan(max_fen))
    return -fen if match["sign"] == "-" else fen


def positive_money(text: str, field: str, *, max_fen: int = MONEY_MAX_FEN) -> int:
    """An amount above zero (a sale, a coupon's value, a cap, a minimum spend)."""
    fen = money(text, field, max_fen=max_fen)
    if fen <= 0:
        raise _fail(field, "gate.money.positive", value=text)
    return fen


def _yuan(fen: int) -> str:
    yuan, cents = divmod(fen, 100)
    return f"¥{yuan:,}" + (f".{cents:02d}" if cents else "")


# -- whole numbers and decimals ---------------------------------------------------------------
def whole(text: str | int, field: str, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high``: "50", "+50", "-3", "１,０００".

    "2.5" says a whole number is needed (and the range); 40 digits say the range,
    never an OverflowError; "1e5" and other scripts' digits are not numbers.
    """
    raw = _ascii_digits(str(text))
    bounds = {"value": str(text), "low": f"{low:,}", "high": f"{high:,}"}  # "1 to 1,000"
    if not raw.strip():
        raise _fail(field, "gate.whole.blank", **bounds)
    match = _WHOLE.fullmatch(raw)
    if match is None:
        if re.fullmatch(r"[+-]?[0-9]+\.[0-9]+", raw):
            raise _fail(field, "gate.whole.fraction", **bounds)
        raise _fail(field, "gate.whole.invalid", **bounds)
    digits = match["digits"].replace(",", "").lstrip("0") or "0"
    if len(digits) > 19:  # beyond int64 whatever the range; keeps int() cheap
        raise _fail(field, "gate.whole.range", **bounds)
    number = -int(digits) if match["sign"] == "-" else int(digits)
    if not low <= number <= high:
        raise _fail(field, "gate.whole.range", **bounds)
    return number


def decimal(text: str, field: str, low: Decimal, high: Decimal) -> Decimal:
    """A plain decimal number ("30", "1.5") from ``low`` to ``high``: finite, no exponent,
    no "nan" or "inf", nothing a float would have to round."""
    raw = _ascii_digits(str(text))
    bounds = {"value": shown(text), "low": f"{low:f}", "high": f"{high:f}"}
    if not _DECIMAL.fullmatch(raw):
        raise ValidationError({field: ("gate.decimal.invalid", bounds)})
    if len(raw) > 30:
        raise ValidationError({field: ("gate.decimal.range", bounds)})
    number = Decimal(raw)
    if not low <= number <= high:
        raise ValidationError({field: ("gate.decimal.range", bounds)})
    return number


# -- dates --------------------------------------------------------------------------------------
EARLIEST_DAY = date(2000, 1, 1)
YEARS_AHEAD = 10  # the furthest a date the shop sets (a coupon's last day) may lie


def latest_day(today: date) -> date:
    """Today + YEARS_AHEAD years (29 February becomes the 28th)."""
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def day(text: str, field: str, low: date, high: date) -> date:
    """YYYY-MM-DD (full-width digits welcome) from ``low`` to ``high``."""
    raw = _ascii_digits(unicodedata.normalize("NFC", str(text))).replace("/", "-")
    match = _DATE.fullmatch(raw)
    if match is None:
        raise _fail(field, "gate.day.invalid", value=text)
    try:
        found = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise _fail(field, "gate.day.invalid", value=text) from None
    if not low <= found <= high:
        raise _fail(field, "gate.day.range", value=text, low=low.isoformat(),
                    high=high.isoformat())
    return found


# -- text ---------------------------------------------------------------------------------------
def _char_name(ch: str) -> str:
    return f"U+{ord(ch):04X}"


def _refuse_hidden(text: str, field: str, *, multiline: bool) -> None:
    if text.isprintable():  # no C* or Z* character but the space: nothing below applies
        return
    for ch in text:
        if multiline and ch in "\n\t":
            continue
        category = unicodedata.category(ch)
        if category in ("Cc", "Cs", "Zl", "Zp"):  # C0, DEL, C1; lone surrogates; U+2028/9
            raise _fail(field, "gate.text.control", char=_char_name(ch))
        if ch in BIDI or (not multiline and (ch in ZERO_WIDTH or category == "Cf")):
            raise _fail(field, "gate.text.hidden", char=_char_name(ch))


def _sized(clean: str, field: str, max_chars: int, required: str | None,
           too_long: str) -> str:
    """Blank (refused with ``required`` when given) or at most ``max_chars``, never cut."""
    if not clean:
        if required:
            raise _fail(field, required)
        return ""
    if len(clean) > max_chars:
        raise _fail(field, too_long, max=max_chars, count=len(clean))
    return clean


def line(text: str, field: str, max_chars: int, *, required: str | None = None,
         too_long: str = "gate.text.too_long") -> str:
    """One line of text (a name, tag, template name, gift, product, reason): NFC, runs of
    spaces (U+3000 too) made one, trimmed. Control characters, bidi overrides and
    isolates and zero-width characters are refused; so is anything over ``max_chars``.
    ``required``: the message code to give when it is blank (None: blank is fine)."""
    nfc = unicodedata.normalize("NFC", str(text))
    _refuse_hidden(nfc, field, multiline=False)
    clean = " ".join(nfc.split())
    return _sized(clean, field, max_chars, required, too_long)


def lines(text: str, field: str, max_chars: int, *, required: str | None = None,
          too_long: str = "gate.text.too_long") -> str:
    """Several lines (feedback words, notes): NFC, line ends made "\\n", trimmed at the
    ends; tabs and line breaks kept; other control characters and bidi controls refused.
    Zero-width joiners stay (emoji are built with them)."""
    nfc = unicodedata.normalize("NFC", str(text)).replace("\r\n", "\n").replace("\r", "\n")
    _refuse_hidden(nfc, field, multiline=True)
    clean = nfc.strip()
    return _sized(clean, field, max_chars, required, too_long)


def gather(errors: dict[str, tuple[str, dict[str, Any]]], read: Callable[[], T],
           default: T) -> T:
    """Run one reader; a refusal goes into ``errors`` (to report every bad field at
    once) and ``default`` stands in for the value."""
    try:
        return read()
    except ValidationError as exc:
        errors.update(exc.fields)
        return default
