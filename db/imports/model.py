"""The values passed between reading a file (sheet, fields, cells, rows) and writing it
(plan, apply): plain frozen dataclasses, no database, no pandas."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar

Kind = Literal["customers", "purchases"]
KINDS: tuple[Kind, ...] = ("customers", "purchases")


@dataclass(frozen=True, slots=True)
class Refusal:
    """One value (or one whole row) that cannot come in, and why.

    ``code`` is a message key the console turns into a sentence in the shop's language
    (console/locales), with ``params``; the error file carries that sentence."""

    line: int  # the row's line in the file as a spreadsheet shows it: the header is 1
    column: str  # the file's own header for the value, "" when the whole row is refused
    value: str  # the cell as read (text), "" for a whole row
    code: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Column:
    """How one of the file's columns is read: into a Regulars field, or not at all."""

    header: str  # as the file spells it
    field: str | None  # a key of fields.CUSTOMER_FIELDS / fields.PURCHASE_FIELDS, or None
    by: Literal["auto", "map", "none"]  # matched from a known name, set by --map, unmapped
    why_not: str = ""  # message code when field is None: unknown, not kept (a balance) ...


@dataclass(frozen=True, slots=True)
class CustomerRow:
    """One person from the file, every value already checked and normalised.

    Text fields hold what a form would accept (db.customers.CustomerInput rules);
    times are stored ISO-8601 UTC (db.clock.to_iso); money is fen; None = not in file."""

    line: int  # the first line this person came from
    lines: tuple[int, ...]  # every line folded into this person (same phone / WeCom id)
    name: str
    phone: str | None  # E.164
    wechat_id: str | None
    external_id: str | None  # a WeCom external_userid / unionid: folds rows, not stored
    member_code: str | None
    birthday: str  # "", "MM-DD" or "YYYY-MM-DD"
    gender: str | None  # "female" | "male" | None
    channel: str | None  # a db.vocab CHANNELS key
    stage: str | None  # a db.vocab stage key, when the file names one
    tags: tuple[str, ...]
    notes: str
    marketing_consent: bool | None
    seed_user: bool | None
    referrer: str | None  # the referrer's member code or E.164 phone
    points: int | None  # opening balance from the old system
    spend_fen: int | None  # opening lifetime spend
    orders: int | None  # opening order count
    first_visit: str | None
    last_visit: str | None
    created: str | None


@dataclass(frozen=True, slots=True)
class PurchaseRow:
    """One sale (or refund) from a purchase history file."""

    line: int
    phone: str | None  # E.164: names the customer, or creates one when unknown
    member_code: str | None
    name: str | None  # the name for a customer this row creates
    at: str  # ISO-8601 UTC
    amount_fen: int  # > 0 a sale, < 0 a refund (then refund_of names the sale's order id)
    items: str
    order_id: str | None  # the old system's order number: re-imports match on it
    refund_of: str | None


R = TypeVar("R", CustomerRow, PurchaseRow)


@dataclass(frozen=True, slots=True)
class Parsed(Generic[R]):
    """A whole file, read: how its columns map, the good rows, the refused ones."""

    kind: Kind
    columns: tuple[Column, ...]
    rows: tuple[R, ...]
    refusals: tuple[Refusal, ...]
    lines: int  # data lines read (the header and blank lines not counted)
    blank: int  # blank lines skipped
    folded: int  # lines that folded into an earlier person (customers only)
    encoding: str  # "utf-8", "utf-8-sig", "gb18030", or "xlsx"/"xls"


@dataclass(frozen=True, slots=True)
class Counts:
    """What an import did, or would do (--dry-run)."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    folded: int = 0
    refused: int = 0


@dataclass(frozen=True, slots=True)
class Batch:
    """The record of one import: the file it read and what it did."""

    id: int
    kind: Kind
    file_name: str
    sha256: str
    staff: str
    at: str  # ISO-8601 UTC
    counts: Counts


@dataclass(frozen=True, slots=True)
class Preview:
    """What importing a file would do, read and compared with the shop, nothing written:
    the console shows it (and lets the owner fix the mapping) before the real run."""

    parsed: Parsed[CustomerRow] | Parsed[PurchaseRow]
    counts: Counts
    sha256: str
    seen_before: Batch | None  # the same file's earlier import, if there was one


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a real import did."""

    batch_id: int | None  # None when nothing changed (the same file again)
    counts: Counts
    refusals: tuple[Refusal, ...]
    sha256: str
