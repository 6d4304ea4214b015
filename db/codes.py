"""Short typable codes with a check character (member codes now, coupon codes later).

Alphabet: 32 symbols without 0/O or 1/I, so nothing is misread at the counter.
The check character is Damm's algorithm over the field GF(32): the quasigroup
``x * y = a·x + y`` (a = the field element "2", i.e. the polynomial x) is totally
anti-symmetric, so the check catches every single wrong character and every
swap of two different adjacent characters, the check character included.
"""

from __future__ import annotations

import random
import secrets
import unicodedata

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}
_POLY = 0b100101  # x^5 + x^2 + 1, irreducible over GF(2)

MEMBER_CODE_BODY = 6  # 32**6 ≈ 1.07e9 codes; plus one check character


def _times_a(x: int) -> int:
    """Multiply by the field element a = x in GF(32)."""
    x <<= 1
    if x & 0b100000:
        x ^= _POLY
    return x


def _interim(symbols: str) -> int:
    acc = 0
    for ch in symbols:
        acc = _times_a(acc) ^ _INDEX[ch]
    return acc


def check_char(body: str) -> str:
    """The character that makes ``body + check`` reduce to zero."""
    return ALPHABET[_times_a(_interim(body))]


def is_valid(code: str) -> bool:
    return len(code) >= 2 and all(ch in _INDEX for ch in code) and _interim(code) == 0


def normalize(text: str) -> str:
    """What a person typed -> canonical code: NFKC (full-width), upper case, no separators."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).upper() if ch not in " -_")


def looks_like_code(text: str, length: int = MEMBER_CODE_BODY + 1) -> bool:
    """Shaped like a code (right length, only alphabet characters), check not yet verified."""
    code = normalize(text)
    return len(code) == length and all(ch in _INDEX for ch in code)


def from_number(number: int, width: int = MEMBER_CODE_BODY, check: bool = True) -> str:
    """Spell the low ``5 * width`` bits of an integer in the alphabet, plus the check."""
    body = ""
    for _ in range(width):
        number, digit = divmod(number, 32)
        body += ALPHABET[digit]
    return body + check_char(body) if check else body


def new_code(body_length: int = MEMBER_CODE_BODY, rng: random.Random | None = None) -> str:
    """A fresh code from ``secrets``; a seeded ``rng`` only for reproducible demo data."""
    pick = rng.choice if rng is not None else secrets.choice
    body = "".join(pick(ALPHABET) for _ in range(body_length))
    return body + check_char(body)
