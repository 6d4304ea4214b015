"""A file as text cells: CSV (UTF-8 with or without a BOM, then GB18030) or XLSX.

Every cell comes back as trimmed text, never a number: a phone must not become a float.
Rows keep the line a spreadsheet shows them on (the header is line 1), blank rows are
skipped and counted. Whatever cannot be read cleanly is refused as a whole with a
sentence saying how to fix it (``ImportRefused``), never guessed at: no silent mojibake.

The apostrophe db/export.py puts before a cell starting with = + - @, a tab or a CR (so a
spreadsheet never runs it) is taken off again, so our own export reads back as written.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

from ..errors import ImportRefused
from ..export import RISKY_STARTS

MAX_BYTES = 200 * 1024 * 1024  # a million purchase rows is ~80 MB; Youzan caps at 10 MB
CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
XLS_SUFFIXES = (".xls",)  # Excel 97-2003, as old POS systems still export
ENCODINGS = ("utf-8-sig", "utf-8", "gb18030")  # the fixed order; GB18030 covers GBK


@dataclass(frozen=True)
class Sheet:
    headers: tuple[str, ...]  # trimmed, unique, none blank
    rows: Sequence[tuple[int, list[str]]]  # (line, cells); blank rows left out
    blank: int  # blank rows between the header and the last data row
    encoding: str  # "utf-8-sig", "utf-8", "gb18030" or "xlsx"


def read_sheet(path: Path) -> Sheet:
    """Read ``path`` as a table of text; refuse what cannot be read cleanly."""
    name = path.name
    if not path.exists():
        raise ImportRefused("import.file.missing", path=str(path))
    if path.is_dir():
        raise ImportRefused("import.file.folder", path=str(path))
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES + XLSX_SUFFIXES + XLS_SUFFIXES:
        raise ImportRefused("import.file.type", name=name,
                            types=" / ".join(CSV_SUFFIXES + XLSX_SUFFIXES + XLS_SUFFIXES))
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ImportRefused("import.file.too_big", name=name,
                                mb=str(size // 2**20), max=str(MAX_BYTES // 2**20))
        if suffix in XLSX_SUFFIXES:
            raw_rows, encoding, quoted = _xlsx_rows(path), "xlsx", True
        elif suffix in XLS_SUFFIXES:
            raw_rows, encoding, quoted = _xls_rows(path), "xls", True
        else:
            text, encoding = decode(path.read_bytes(), name)
            raw_rows, quoted = _csv_rows(text), "'" in text
        return _table(raw_rows, encoding, name, quoted)
    except csv.Error as exc:  # a cell past csv's field limit (128 KiB), a stray quote
        raise ImportRefused("import.file.bad_csv", name=name, detail=str(exc)) from None
    except OSError as exc:
        raise ImportRefused("import.file.unreadable", name=name,
                            detail=exc.strerror or str(exc)) from None


def decode(data: bytes, name: str) -> tuple[str, str]:
    """The text and the encoding it was read in, tried in ENCODINGS order; UTF-16/32 (a
    BOM or NUL bytes) and bytes no encoding reads cleanly are refused."""
    if not data.strip():
        raise ImportRefused("import.file.empty", name=name)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        raise ImportRefused("import.encoding.utf16", name=name)
    for encoding in ENCODINGS:
        if encoding == "utf-8-sig" and not data.startswith(b"\xef\xbb\xbf"):
            continue
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            if encoding == "utf-8-sig":  # a BOM says UTF-8: anything else is damage
                break
            continue
        if encoding == "gb18030" and misread(text):
            raise ImportRefused("import.encoding.other", name=name)
        return text, encoding
    raise ImportRefused("import.encoding", name=name, tried="UTF-8, UTF-8 BOM, GB18030")


def misread(text: str, sample: int = 65_536) -> bool:
    """Big5 or Shift-JIS bytes also decode as GB18030, into nonsense made mostly of
    characters outside GB2312's 7,000 common ones. Real Chinese text, rare characters in
    names (玥, 堃) included, stays far below half; Big5 is ~2/3, Shift-JIS ~all."""
    wide = [ch for ch in text[:sample] if ord(ch) > 0x7F]
    if len(wide) < 20:
        return False
    rare = 0
    for ch in wide:
        try:
            ch.encode("gb2312")
        except UnicodeEncodeError:
            rare += 1
    return rare * 2 > len(wide)


def _csv_rows(text: str) -> Iterable[list[str]]:
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","  # a tab-separated .txt
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _xlsx_rows(path: Path) -> Iterable[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except OSError:
        raise
    except Exception:  # a damaged workbook fails in the zip, the XML or openpyxl alike
        raise ImportRefused("import.file.bad_xlsx", name=path.name) from None
    try:
        sheet = book.worksheets[0]
        return [[cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    except Exception:  # as above, for a sheet whose XML breaks part way
        raise ImportRefused("import.file.bad_xlsx", name=path.name) from None
    finally:
        book.close()  # read-only workbooks hold the file open until closed


def _xls_rows(path: Path) -> Iterable[list[str]]:
    """An Excel 97-2003 workbook's first sheet through xlrd (the maintained .xls reader),
    each cell as the text a person sees, as for XLSX: dates by the workbook's own
    1900/1904 date system, whole numbers without ".0"."""
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except OSError:
        raise
    except Exception:  # not a BIFF workbook, or a damaged one
        raise ImportRefused("import.file.bad_xlsx", name=path.name) from None
    try:
        sheet = book.sheet_by_index(0)
        rows: list[list[str]] = []
        for r in range(sheet.nrows):
            row = []
            for cell in sheet.row(r):
                if cell.ctype == xlrd.XL_CELL_DATE:
                    row.append(cell_text(xlrd.xldate_as_datetime(cell.value, book.datemode)))
                elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                    row.append(cell_text(bool(cell.value)))
                elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
                    row.append("")
                else:
                    row.append(cell_text(cell.value))
            rows.append(row)
        return rows
    except Exception:  # a sheet whose records break part way
        raise ImportRefused("import.file.bad_xlsx", name=path.name) from None
    finally:
        book.release_resources()


def cell_text(value: object) -> str:
    """An XLSX value as the text a person sees: 13800138000.0 -> "13800138000", a date
    cell -> "YYYY-MM-DD HH:MM:SS", never an exponent."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f")  # repr: the shortest text for the float
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d 00:00:00")
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    return str(value)


def clean_cell(cell: str) -> str:
    """Trimmed, with db/export.py's formula apostrophe taken off (that and nothing else)."""
    text = cell.strip()
    if text[:1] == "'" and text[1:2] and text[1] in RISKY_STARTS:
        return text[1:].strip()
    return text


def _table(raw_rows: Iterable[list[str]], encoding: str, name: str, quoted: bool) -> Sheet:
    """``quoted``: the text has an apostrophe somewhere (else the cheaper trim will do)."""
    rows: list[tuple[int, list[str]]] = []
    headers: tuple[str, ...] | None = None
    blank = pending_blank = 0
    for line, raw in enumerate(raw_rows, start=1):
        cells = [clean_cell(c) for c in raw] if quoted else [c.strip() for c in raw]
        if not any(cells):
            if headers is None and line == 1:
                headers = ()  # a blank first line: no header (refused below if data follows)
            pending_blank += 1
            continue
        if headers is None:
            headers = _headers(cells, name)
            continue
        if headers == ():
            raise ImportRefused("import.file.no_header", name=name)
        blank += pending_blank
        pending_blank = 0
        rows.append((line, cells))
    if not headers:
        raise ImportRefused("import.file.empty", name=name)
    return Sheet(headers=headers, rows=rows, blank=blank, encoding=encoding)


def _headers(cells: list[str], name: str) -> tuple[str, ...]:
    while cells and not cells[-1]:  # Excel often carries empty columns on the right
        cells.pop()
    for index, header in enumerate(cells, start=1):
        if not header:
            raise ImportRefused("import.header.blank", name=name, column=str(index))
    seen: set[str] = set()
    twice: list[str] = []
    for header in cells:
        if header in seen and header not in twice:
            twice.append(header)
        seen.add(header)
    if twice:
        raise ImportRefused("import.header.duplicate", name=name,
                            headers=", ".join(twice))
    return tuple(cells)
