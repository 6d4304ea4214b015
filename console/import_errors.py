"""The error file of an import: each refused row or value (line, column, value) with the
reason as a sentence in the shop's language. `regulars import` and the console's Import
screen write it alike, beside the file that was read, so the owner finds it there."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from db.export import write_table

from .i18n import t

if TYPE_CHECKING:
    from db.values import Refusal

# Fixed, like the export headers import reads back: a script can rely on them.
ERROR_HEADER = ("line", "column", "value", "reason")


def error_file_for(file: Path) -> Path:
    """members.xlsx -> members.errors.csv beside it."""
    return file.with_name(f"{file.stem}.errors.csv")


def reason(refusal: Refusal) -> str:
    """A refusal as a sentence in the shop's language (the code is a catalog key)."""
    return t(refusal.code, **refusal.params)


def write_errors(path: Path, refusals: Iterable[Refusal]) -> int:
    """The refused rows, through db.export (formula-safe, written whole, 0600). Returns
    how many rows were written."""
    rows = ((r.line, r.column, r.value, reason(r)) for r in refusals)
    return write_table(path, ERROR_HEADER, rows)
