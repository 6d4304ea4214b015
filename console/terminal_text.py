"""What the CLI may write to a terminal, and what it may read from argv.

Data typed by anyone (a name, a tag, a template, a note) can hold characters that a
terminal obeys instead of showing: ESC starts a sequence that can retitle the window,
move the cursor or rewrite the screen; C1 controls do the same on some terminals; bidi
overrides reorder what is shown; zero-width characters hide a difference between two
names. The CLI shows each of them as a visible escape (``\\x1b``, ``\\u202e``), in text
and in JSON (where the escape is also valid JSON, so a script reads the data back
unchanged). A lone surrogate, which Python makes of bytes that are not UTF-8, is shown
as U+FFFD in text and escaped in JSON.

Pure functions, no I/O: the CLI (console/cli/) routes every line it prints through them.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

# Invisible characters that change how the text around them is shown.
_BIDI = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}
_ZERO_WIDTH = {0x200B, 0x200C, 0x2060, 0xFEFF}  # ZWJ (0x200D) joins emoji: harmless
_SEPARATORS = {0x2028, 0x2029}  # line and paragraph separators: a line break by stealth
_SURROGATES = range(0xD800, 0xE000)


def _escape(code: int) -> str:
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _unsafe_codes() -> list[int]:
    controls = [c for c in range(0x100) if unicodedata.category(chr(c)) == "Cc"]
    return sorted({*controls, *_BIDI, *_ZERO_WIDTH, *_SEPARATORS})


_TEXT_TABLE: dict[int, str] = {code: _escape(code) for code in _unsafe_codes()}
_TEXT_TABLE.update({code: "\ufffd" for code in _SURROGATES})
_LAYOUT = {ord("\n"), ord("\t")}  # our own lines and columns
_LINE_TABLE = {k: v for k, v in _TEXT_TABLE.items() if k not in _LAYOUT}
# JSON already escapes C0 controls; the rest get a JSON escape of the same character.
_JSON_TABLE: dict[int, str] = {code: f"\\u{code:04x}" for code in _unsafe_codes()
                               if code >= 0x20}
_JSON_TABLE.update({code: f"\\u{code:04x}" for code in _SURROGATES})


def visible(text: str) -> str:
    """``text`` with every control or invisible layout character shown as an escape.

    Newline and tab stay (the CLI's own lines and columns use them); a carriage return,
    ESC, BEL, DEL, C1, bidi and zero-width characters become ``\\x1b``-style escapes.
    """
    if text.isprintable():  # the common case: nothing to do
        return text
    return text.translate(_LINE_TABLE)


def visible_field(text: str) -> str:
    """Like ``visible``, for one value inside a line: a newline or tab shows as an escape."""
    if text.isprintable():
        return text
    return text.translate(_TEXT_TABLE)


def safe_json(value: Any, **options: Any) -> str:
    """JSON (UTF-8 text, not \\u-escaped) in which no character can steer a terminal.

    ``json.dumps`` escapes C0 controls but lets DEL, C1, bidi and zero-width characters
    and lone surrogates through; each becomes a ``\\uXXXX`` escape, which decodes to the
    same string, so the data a script reads back is exactly what is stored.
    """
    text = json.dumps(value, ensure_ascii=False, **options)
    if text.isprintable():
        return text
    return text.translate(_JSON_TABLE)


def undecodable(text: str) -> bool:
    """Did this come from bytes that are not UTF-8 (lone surrogates, via surrogateescape)?"""
    if text.isascii():
        return False
    return any(0xD800 <= ord(ch) < 0xE000 for ch in text)
