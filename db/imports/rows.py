"""A sheet turned into checked rows and refusals: customers folded by person, purchases
one per line. No database: the writing layer (plan, apply) compares them with the shop.

What a bad value costs:
- a value that names who the row is (a phone, when no other key is good; a purchase's
  time or amount) refuses the ROW, with its column and value;
- any other bad value (a birthday, a gender, one tag) refuses that VALUE only: the row
  comes in without it, and the refusal is listed (line, column, value, code), so the
  error file shows it; nothing is dropped silently.

A customer needs a name, 1..40 characters (never cut): the name column, else the
nickname column (Youzan's 客户昵称); a row with neither is refused rather than given a
made-up name. Rows of one person fold into one (fold.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, tzinfo
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from .. import codes, customers, gate, purchases
from ..errors import ValidationError
from . import cells
from .fields import map_columns
from .fold import Folder
from .model import Column, CustomerRow, Kind, Parsed, PurchaseRow, Refusal
from .sheet import Sheet, read_sheet

T = TypeVar("T")


@dataclass(frozen=True)
class _Refused:
    fields: dict[str, tuple[str, dict[str, Any]]]


class _RowRefused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        self.refusal = refusal


def parse(kind: Kind, path: Path, mapping: Mapping[str, str] | None, today: date,
          region: str, tz: str) -> Parsed[CustomerRow] | Parsed[PurchaseRow]:
    if kind == "customers":
        return parse_customers(path, mapping, today, region, tz)
    return parse_purchases(path, mapping, today, region, tz)


def parse_customers(path: Path, mapping: Mapping[str, str] | None, today: date,
                    region: str, tz: str) -> Parsed[CustomerRow]:
    sheet = read_sheet(path)
    reader = _Reader(sheet, map_columns("customers", sheet.headers, mapping), today, region,
                     ZoneInfo(tz))
    people = Folder(lambda line, field, code, params, value: reader.refusals.append(
        reader.refusal(line, field, code, params, value)))
    customer = _CustomerReader(reader)
    for line, row in sheet.rows:
        try:
            people.add(line, customer(line, reader.padded(line, row)))
        except _RowRefused as refused:
            reader.refusals.append(refused.refusal)
    return Parsed("customers", reader.columns, tuple(people.rows()),
                  tuple(reader.refusals), len(sheet.rows),
                  sheet.blank, people.folded, sheet.encoding)


def parse_purchases(path: Path, mapping: Mapping[str, str] | None, today: date,
                    region: str, tz: str) -> Parsed[PurchaseRow]:
    sheet = read_sheet(path)
    reader = _Reader(sheet, map_columns("purchases", sheet.headers, mapping), today, region,
                     ZoneInfo(tz))
    rows: list[PurchaseRow] = []
    orders: dict[str, int] = {}
    sale_of = _PurchaseReader(reader)
    for line, row in sheet.rows:
        try:
            sale = sale_of(line, reader.padded(line, row))
            if sale.order_id is not None:
                if sale.order_id in orders:
                    raise _RowRefused(reader.refusal(
                        line, "order_id", "import.order.twice",
                        {"first": orders[sale.order_id]}, reader.text(row, "order_id")))
                orders[sale.order_id] = line
            rows.append(sale)
        except _RowRefused as refused:
            reader.refusals.append(refused.refusal)
    return Parsed("purchases", reader.columns, tuple(rows), tuple(reader.refusals),
                  len(sheet.rows), sheet.blank, 0, sheet.encoding)


class _Reader:
    """One file's columns and the refusals so far; caches what repeats within this file
    (phones and codes recur in a purchase history), nothing beyond it."""

    def __init__(self, sheet: Sheet, columns: tuple[Column, ...], today: date, region: str,
                 zone: tzinfo) -> None:
        self.columns = columns
        self.width = len(sheet.headers)
        self.index = {c.field: i for i, c in enumerate(columns) if c.field}
        self.header = {c.field: c.header for c in columns if c.field}
        self.today, self.region, self.zone = today, region, zone
        self.refusals: list[Refusal] = []
        self.phone = _remembered(lambda t: cells.phone(t, region))
        self._code = _remembered(lambda t: cells.code(t, "member_code"))

    def padded(self, line: int, row: list[str]) -> list[str]:
        if len(row) < self.width:
            return row + [""] * (self.width - len(row))
        if len(row) > self.width and any(row[self.width:]):
            raise _RowRefused(Refusal(line, "", "", "import.row.extra_cells",
                                      {"count": str(len(row)), "headers": str(self.width)}))
        return row

    def text(self, row: list[str], field: str) -> str:
        at = self.index.get(field)
        return "" if at is None else row[at]

    def refusal(self, line: int, field: str, code: str, params: Mapping[str, Any],
                value: str | None = None) -> Refusal:
        return Refusal(line, self.header.get(field, ""), value or "", code,
                       {k: str(v) for k, v in params.items()})

    def refused(self, line: int, field: str, text: str, exc: ValidationError) -> Refusal:
        code, params = next(iter(exc.fields.values()))
        return self.refusal(line, field, code, params, text)

    def read(self, line: int, row: list[str], field: str, read: Callable[[str], T]) -> T | None:
        """The field's value, None when blank; a bad value is refused and read as None."""
        text = self.text(row, field)
        if not text:
            return None
        try:
            return read(text)
        except ValidationError as exc:
            self.refusals.append(self.refused(line, field, text, exc))
            return None

    def code(self, text: str, field: str = "member_code") -> str:
        return self._code(text) if field == "member_code" else cells.code(text, field)

    def moment(self, text: str, field: str) -> str:
        return cells.moment(text, field, self.zone, self.today)

    def keys(self, line: int, row: list[str], readers: Mapping[str, Callable[[str], Any]]
             ) -> dict[str, Any]:
        """The row's good keys; a bad key costs the row only when no other key is good."""
        good: dict[str, Any] = {}
        bad: list[Refusal] = []
        for field, read in readers.items():
            text = self.text(row, field)
            if not text:
                continue
            try:
                good[field] = read(text)
            except ValidationError as exc:
                bad.append(self.refused(line, field, text, exc))
        if not good:
            raise _RowRefused(bad[0] if bad else Refusal(
                line, "", "", "import.row.no_key", {"fields": ", ".join(readers)}))
        self.refusals.extend(bad)
        return good


_OPTIONAL = ("birthday", "gender", "channel", "stage", "marketing_consent", "seed_user",
             "referrer", "points", "spend", "orders", "first_visit", "last_visit", "created")


class _CustomerReader:
    """The readers of the columns this file has, bound once (a row is read ~100,000 times)."""

    def __init__(self, r: _Reader) -> None:
        today, zone = r.today, r.zone
        readers: dict[str, Callable[[str], Any]] = {
            "birthday": lambda t: cells.birthday(t, today), "gender": cells.gender,
            "channel": cells.channel, "stage": cells.stage,
            "marketing_consent": cells.flag, "seed_user": cells.flag,
            "referrer": lambda t: _referrer(r, t), "points": cells.points,
            "spend": cells.spend, "orders": cells.orders,
            "first_visit": _moment_of("first_visit", zone, today),
            "last_visit": _moment_of("last_visit", zone, today),
            "created": _moment_of("created", zone, today),
            "notes": lambda t: gate.lines(t, "notes", customers.NOTES_MAX)}
        self.r = r
        self.keys: dict[str, Callable[[str], Any]] = {
            "phone": r.phone, "external_id": cells.external_id, "wechat_id": cells.wechat,
            "member_code": r.code}
        # In the file's column order; answers remembered (points, dates, genders repeat).
        self.plan = sorted(((f, r.index[f], _remembered(read)) for f, read in readers.items()
                            if f in r.index), key=lambda step: step[1])
        self.blank: dict[str, Any] = dict.fromkeys(_OPTIONAL)
        self.blank["notes"] = ""

    def __call__(self, line: int, row: list[str]) -> dict[str, Any]:
        r = self.r
        values = r.keys(line, row, self.keys)
        values["name"], values["name_from"] = _name(r, line, row)
        values.update(self.blank)
        for field, at, read in self.plan:
            text = row[at]
            if text:
                try:
                    values[field] = read(text)
                except ValidationError as exc:
                    r.refusals.append(r.refused(line, field, text, exc))
        values["tags"] = _tags(r, line, row)
        return values


def _moment_of(field: str, zone: tzinfo, today: date) -> Callable[[str], str]:
    return lambda text: cells.moment(text, field, zone, today)


def _name(r: _Reader, line: int, row: list[str]) -> tuple[str, str]:
    """The name, and the field it came from (the name column, else the nickname)."""
    for field in ("name", "nickname"):
        text = r.text(row, field)
        if text:
            try:
                return gate.line(text, "name", customers.NAME_MAX,
                                 required="name.empty"), field
            except ValidationError as exc:
                raise _RowRefused(r.refused(line, field, text, exc)) from None
    raise _RowRefused(Refusal(line, r.header.get("name", ""), "", "import.row.no_name", {}))


def _referrer(r: _Reader, text: str) -> str:
    if codes.looks_like_code(text):
        return r.code(text, "referrer")
    try:
        return r.phone(text)
    except ValidationError:
        return r.code(text, "referrer")


def _tags(r: _Reader, line: int, row: list[str]) -> list[str]:
    found: list[str] = []
    text = r.text(row, "tags")
    if not text:
        return found
    for word in cells.tag_names(text):
        try:
            name = cells.tag(word)
        except ValidationError as exc:
            r.refusals.append(r.refused(line, "tags", word, exc))
            continue
        if name not in found:
            found.append(name)
    return found


class _PurchaseReader:
    """One sale per line; the readers bound once, and those whose cells repeat in a
    history (phones, member codes, items, names) remember their answers for this file."""

    def __init__(self, r: _Reader) -> None:
        self.r = r
        self.keys: dict[str, Callable[[str], Any]] = {"phone": r.phone, "member_code": r.code}
        self.name = _remembered(lambda t: gate.line(t, "name", customers.NAME_MAX))
        self.items = _remembered(purchases.clean_items)
        self.amount = _remembered(cells.money)  # prices repeat far more than they differ
        self.refund_of = lambda t: r.code(t, "refund_of")
        self.order_id = lambda t: cells.code(t, "order_id")  # unique: nothing to remember

    def __call__(self, line: int, row: list[str]) -> PurchaseRow:
        r = self.r
        at = _required(r, line, row, "at", lambda t: r.moment(t, "at"))
        amount = _required(r, line, row, "amount", self.amount)
        refund_of = r.read(line, row, "refund_of", self.refund_of)
        if amount == 0:
            raise _RowRefused(r.refusal(line, "amount", "import.amount.zero", {},
                                        r.text(row, "amount")))
        if amount < 0 and refund_of is None:
            raise _RowRefused(r.refusal(line, "amount", "import.amount.refund_of", {},
                                        r.text(row, "amount")))
        if amount > 0 and refund_of is not None:
            raise _RowRefused(r.refusal(line, "refund_of", "import.amount.refund_positive",
                                        {}, r.text(row, "refund_of")))
        key = r.keys(line, row, self.keys)
        return PurchaseRow(
            line, key.get("phone"), key.get("member_code"),
            r.read(line, row, "name", self.name), at, amount,
            r.read(line, row, "items", self.items) or "",
            r.read(line, row, "order_id", self.order_id), refund_of)


def _remembered(read: Callable[[str], T]) -> Callable[[str], T]:
    """``read`` that answers a text it has seen (a value or the same refusal) at once."""
    seen: dict[str, T | _Refused] = {}

    def remembered(text: str) -> T:
        found = seen.get(text)
        if found is None:
            try:
                found = read(text)
            except ValidationError as exc:
                found = _Refused(exc.fields)
            seen[text] = found
        if isinstance(found, _Refused):  # a fresh error: a re-raised one grows its traceback
            raise ValidationError(found.fields)
        return found

    return remembered


def _required(r: _Reader, line: int, row: list[str], field: str,
              read: Callable[[str], T]) -> T:
    text = r.text(row, field)
    if not text:
        raise _RowRefused(r.refusal(line, field, "import.row.missing", {"field": field}, ""))
    try:
        return read(text)
    except ValidationError as exc:
        raise _RowRefused(r.refused(line, field, text, exc)) from None
