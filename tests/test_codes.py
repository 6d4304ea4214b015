"""Member codes: typable alphabet, and a check character that catches typos and swaps."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from db import codes

body = st.text(alphabet=codes.ALPHABET, min_size=6, max_size=10)


def test_alphabet_has_no_lookalikes() -> None:
    assert len(codes.ALPHABET) == 32 == len(set(codes.ALPHABET))
    for ch in "0O1I":
        assert ch not in codes.ALPHABET


def test_new_codes_are_valid_and_typable() -> None:
    for _ in range(200):
        code = codes.new_code()
        assert len(code) == codes.MEMBER_CODE_BODY + 1
        assert codes.is_valid(code)


@given(body)
def test_every_single_substitution_is_caught(b: str) -> None:
    code = b + codes.check_char(b)
    for i, original in enumerate(code):
        for ch in codes.ALPHABET:
            if ch != original:
                assert not codes.is_valid(code[:i] + ch + code[i + 1:])


@given(body)
def test_every_adjacent_swap_is_caught(b: str) -> None:
    code = b + codes.check_char(b)
    for i in range(len(code) - 1):
        if code[i] != code[i + 1]:
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2:]
            assert not codes.is_valid(swapped)


def test_normalize_accepts_lowercase_fullwidth_and_separators() -> None:
    code = codes.new_code(rng=random.Random(3))
    typed = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in code.lower())
    assert codes.normalize(typed) == code
    assert codes.normalize(code[:3] + "-" + code[3:]) == code
    assert codes.looks_like_code(code.lower())


def test_from_number_has_fixed_width() -> None:
    assert len(codes.from_number(0)) == codes.MEMBER_CODE_BODY + 1
    assert codes.is_valid(codes.from_number(12345))
