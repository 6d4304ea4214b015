"""Names: NFC (never NFKC, which would change some CJK forms), trimmed of every space kind."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")  # \s covers U+3000 IDEOGRAPHIC SPACE in Python's re


def normalize_name(text: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def is_cjk(ch: str) -> bool:
    code = ord(ch)
    return (
        0x4E00 <= code <= 0x9FFF  # CJK Unified Ideographs
        or 0x3400 <= code <= 0x4DBF  # Extension A
        or 0x20000 <= code <= 0x2EBEF  # Extensions B-F
        or 0xF900 <= code <= 0xFAFF  # Compatibility Ideographs
        or ch == "·"  # middle dot in transliterated names (阿依古丽·买买提)
    )


def has_cjk(text: str) -> bool:
    return any(is_cjk(ch) and ch != "·" for ch in text)
