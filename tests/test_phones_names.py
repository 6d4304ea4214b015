"""Phones to E.164, masks, names to NFC: the forms people actually type."""

from __future__ import annotations

import pytest

from db.errors import ValidationError
from db.names import normalize_name
from db.phones import mask, parse_phone


@pytest.mark.parametrize("typed", [
    "138 0013 8000", "+86 138-0013-8000", "13800138000", "０１３８００１３８０００",
    "＋８６　１３８００１３８０００", "0086 13800138000", "(138) 0013-8000",
])
def test_mobile_forms_normalise_to_e164(typed: str) -> None:
    phone = parse_phone(typed)
    assert phone.e164 == "+8613800138000"
    assert phone.national == "13800138000"
    assert phone.rev == "00083100831"


def test_foreign_number_keeps_its_country() -> None:
    assert parse_phone("+44 7911 123456").e164 == "+447911123456"


@pytest.mark.parametrize(("typed", "code"), [
    ("", "phone.empty"), ("12345", "phone.invalid"), ("abc", "phone.invalid"),
    ("1.38001E+10", "phone.excel_float"), ("138001380001234", "phone.invalid"),
])
def test_bad_phones_say_why(typed: str, code: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse_phone(typed)
    assert err.value.fields["phone"][0] == code


def test_pretty_is_national_at_home_international_abroad() -> None:
    from db.phones import pretty

    assert pretty("+8613800138000") == "138 0013 8000"
    assert pretty("+447911123456") == "+44 7911 123456"


def test_mask_keeps_head_and_tail() -> None:
    assert mask("+8613800138000", "00083100831") == "138****8000"
    assert mask(None) == ""


def test_names_are_nfc_and_trimmed_including_ideographic_space() -> None:
    assert normalize_name("\u3000 王小明 \u3000") == "王小明"
    assert normalize_name("Anna   Lee") == "Anna Lee"
    decomposed = "Jose\u0301"
    assert normalize_name(decomposed) == "José"
    # NFKC would turn the full-width letter into ASCII; names keep what was typed
    assert normalize_name("Ａ") == "Ａ"
