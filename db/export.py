"""Tables out to a file a supplier or the owner opens in Excel: CSV or XLSX.

* CSV is UTF-8 with a BOM, which Excel needs to read Chinese correctly.
* A cell that begins with = + - @, a tab or a carriage return (unless it is a
  negative amount such as a refund's "-12.50") is written with a leading
  apostrophe, so a spreadsheet shows it as text and never runs it (customers'
  words are free text: "=HYPERLINK(…)" must stay words).
* The file appears whole or not at all: rows go to a temporary file beside it,
  which replaces the target only when complete (a full disk leaves no half file).
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from .errors import StoreError, ValidationError

FORMATS = (".csv", ".xlsx")
RISKY_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | None


# A negative decimal ("-12.50", a refund) cannot run as a formula: it stays as written,
# so an importer reads the amount back without an apostrophe to strip. ("+86…" phones
# keep theirs: Excel would turn them into numbers.)
NEGATIVE_AMOUNT = re.compile(r"-[0-9]+(\.[0-9]+)?")


def safe_cell(value: Cell) -> Cell:
    if isinstance(value, str) and value.startswith(RISKY_STARTS) \
            and not NEGATIVE_AMOUNT.fullmatch(value):
        return "'" + value
    return value


def write_table(path: Path, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> int:
    """Write header and rows to ``path`` (.csv or .xlsx). Returns the number of rows."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValidationError({"output": ("export.format", {
            "name": path.name, "formats": " / ".join(FORMATS)})})
    folder = path.expanduser().resolve().parent
    if not folder.is_dir():
        raise ValidationError({"output": ("export.no_folder", {"folder": str(folder)})})
    try:
        fd, temp_name = tempfile.mkstemp(prefix=".export-", suffix=suffix, dir=folder)
    except OSError as exc:  # a folder we may not write to, or a disk already full
        raise _failed(exc, path) from None
    temp = Path(temp_name)
    count = 0
    try:
        safe_rows = ([safe_cell(v) for v in row] for row in rows)
        if suffix == ".csv":
            with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as out:
                writer = csv.writer(out)
                writer.writerow(header)
                for row in safe_rows:
                    writer.writerow(row)
                    count += 1
        else:
            os.close(fd)
            from openpyxl import Workbook
            from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

            def xlsx_value(value: Cell) -> Cell:  # control characters pasted from chats
                return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value

            book = Workbook(write_only=True)
            sheet = book.create_sheet()
            sheet.append(list(header))
            for row in safe_rows:
                sheet.append([xlsx_value(v) for v in row])
                count += 1
            # Built in memory, then written by us: a zip file openpyxl opened on a full
            # disk fails again when it is garbage-collected, printing a traceback.
            packed = io.BytesIO()
            book.save(packed)
            with open(temp, "wb") as packed_out:
                packed_out.write(packed.getbuffer())
        os.replace(temp, path)
    except OSError as exc:
        raise _failed(exc, path) from None
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()
    return count


def _failed(exc: OSError, path: Path) -> StoreError:
    if exc.errno == errno.ENOSPC:
        return StoreError("export.full", path=str(path))
    return StoreError("export.failed", path=str(path), detail=exc.strerror or str(exc))
