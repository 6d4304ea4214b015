"""Customers: validate, add, edit, look at. The rules live here; screens and CLI only call."""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from . import codes, gate, search_keys
from .errors import DuplicatePhone, NotFound, RegularsError, ValidationError
from .phones import Phone, parse_phone
from .store import Tx
from .vocab import CHANNELS, CONSENT_SOURCES, GENDERS

NAME_MAX = 40
NOTES_MAX = 2000
_WECHAT = re.compile(r"^[A-Za-z0-9][-_A-Za-z0-9]{4,39}$")
_BIRTHDAY = re.compile(
    r"^(?:(?P<y>[0-9]{4})\s*[-/.年]\s*)?(?P<m>[0-9]{1,2})\s*[-/.月]\s*(?P<d>[0-9]{1,2})\s*日?$")

CUSTOMER_COLUMNS = (
    "id, member_code, name, sort_name, pinyin, phone, phone_rev, wechat_id, birth_year,"
    " birth_month, birth_day, gender, channel, notes, is_seed_user, marketing_consent,"
    " consent_at, stage, last_visit_at, total_spend_fen, orders, created_at, updated_at,"
    " created_by, updated_by, first_purchase_at, median_interval_s, referrals_qualified,"
    " stage_source, stage_since, points, consent_source, erased_at")


@dataclass
class CustomerInput:
    """What a person typed into the form or the CLI: all text, nothing trusted yet."""

    name: str = ""
    phone: str = ""
    wechat_id: str = ""
    birthday: str = ""  # MM-DD or YYYY-MM-DD (also 3月5日, 1990/3/5)
    gender: str = ""  # "", "female", "male"
    channel: str = "counter"
    notes: str = ""
    is_seed_user: bool = False
    marketing_consent: bool = False


@dataclass(frozen=True)
class Customer:
    id: int
    member_code: str
    name: str
    sort_name: str
    pinyin: str
    phone: str | None
    phone_rev: str | None
    wechat_id: str | None
    birth_year: int | None
    birth_month: int | None
    birth_day: int | None
    gender: str | None
    channel: str
    notes: str
    is_seed_user: bool
    marketing_consent: bool
    consent_at: str | None
    stage: str
    last_visit_at: str | None
    total_spend_fen: int
    orders: int
    created_at: str
    updated_at: str
    created_by: int
    updated_by: int
    first_purchase_at: str | None
    median_interval_s: int | None
    referrals_qualified: int
    stage_source: str
    stage_since: str | None
    points: int  # the balance: the sum of the points ledger (db/points.py)
    consent_source: str | None  # where marketing consent was last given or withdrawn
    erased_at: str | None  # erased (db/erase.py): only anonymous figures remain

    @property
    def average_order_fen(self) -> int:
        """客单价: lifetime spend over orders, rounded to the fen."""
        return round(self.total_spend_fen / self.orders) if self.orders else 0

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Customer:
        data = dict(row)
        data["is_seed_user"] = bool(data["is_seed_user"])
        data["marketing_consent"] = bool(data["marketing_consent"])
        return cls(**{f.name: data[f.name] for f in fields(cls)})

    @property
    def birthday(self) -> str:
        if not self.birth_month or not self.birth_day:
            return ""
        md = f"{self.birth_month:02d}-{self.birth_day:02d}"
        return f"{self.birth_year:04d}-{md}" if self.birth_year else md

    def as_input(self) -> CustomerInput:
        """The form's starting values when editing."""
        return CustomerInput(
            name=self.name, phone=self.phone or "", wechat_id=self.wechat_id or "",
            birthday=self.birthday, gender=self.gender or "", channel=self.channel,
            notes=self.notes, is_seed_user=self.is_seed_user,
            marketing_consent=self.marketing_consent)


@dataclass(frozen=True)
class CleanCustomer:
    """Validated values, ready to store."""

    name: str
    variants: tuple[str, ...]
    phone: Phone | None
    wechat_id: str | None
    birth: tuple[int | None, int | None, int | None]
    gender: str | None
    channel: str
    notes: str
    is_seed_user: bool
    marketing_consent: bool


def parse_birthday(text: str, today: date) -> tuple[int | None, int | None, int | None]:
    raw = unicodedata.normalize("NFKC", text).strip()
    if not raw:
        return (None, None, None)
    match = _BIRTHDAY.match(raw)
    if not match:
        raise ValueError("birthday.format")
    year = int(match["y"]) if match["y"] else None
    month, day = int(match["m"]), int(match["d"])
    try:
        date(year or 2000, month, day)  # 2000 is a leap year: 02-29 without a year is fine
    except ValueError:
        raise ValueError("birthday.invalid") from None
    if year is not None and not (1900 <= year <= today.year):
        raise ValueError("birthday.year")
    if year is not None and date(year, month, day) > today:
        raise ValueError("birthday.future")
    return (year, month, day)


def clean_wechat(text: str) -> str | None:
    """A WeChat id as stored (NFKC, trimmed), None for blank; refused when malformed."""
    wechat = unicodedata.normalize("NFKC", text).strip() or None
    if wechat and not _WECHAT.match(wechat):
        raise ValidationError({"wechat_id": ("wechat.invalid", {})})
    return wechat


def validate(data: CustomerInput, today: date, region: str = "CN") -> CleanCustomer:
    """Check every field; raise one ValidationError listing all that are wrong."""
    errors: dict[str, tuple[str, dict[str, Any]]] = {}
    name = gate.gather(errors, lambda: gate.line(data.name, "name", NAME_MAX,
                                                 required="name.empty"), "")
    phone: Phone | None = None
    if data.phone.strip():
        try:
            phone = parse_phone(data.phone, region)
        except ValidationError as exc:
            errors.update(exc.fields)
    wechat = gate.gather(errors, lambda: clean_wechat(data.wechat_id), None)
    if phone is None and wechat is None and not {"phone", "wechat_id"} & errors.keys():
        errors["phone"] = ("contact.missing", {})
    birth: tuple[int | None, int | None, int | None] = (None, None, None)
    try:
        birth = parse_birthday(data.birthday, today)
    except ValueError as exc:
        errors["birthday"] = (str(exc), {})
    gender = data.gender or None
    if gender is not None and gender not in GENDERS:
        errors["gender"] = ("gender.invalid", {})
    if data.channel not in CHANNELS:
        errors["channel"] = ("channel.invalid", {"choices": ", ".join(CHANNELS)})
    notes = gate.gather(errors, lambda: gate.lines(data.notes, "notes", NOTES_MAX), "")
    if errors:
        raise ValidationError(errors)
    from .pinyin import variants  # pypinyin only when a name is written

    return CleanCustomer(
        name=name, variants=variants(name), phone=phone, wechat_id=wechat, birth=birth,
        gender=gender, channel=data.channel, notes=notes, is_seed_user=data.is_seed_user,
        marketing_consent=data.marketing_consent)


def _check_unique(conn: sqlite3.Connection, clean: CleanCustomer, own_id: int | None) -> None:
    if clean.phone is not None:
        row = conn.execute("SELECT id, name, member_code FROM customers WHERE phone = ?",
                           (clean.phone.e164,)).fetchone()
        if row is not None and row["id"] != own_id:
            raise DuplicatePhone(row["id"], row["name"], row["member_code"])
    if clean.wechat_id is not None:
        row = conn.execute("SELECT id, name, member_code FROM customers WHERE wechat_id = ?",
                           (clean.wechat_id,)).fetchone()
        if row is not None and row["id"] != own_id:
            raise ValidationError({"wechat_id": (
                "wechat.duplicate", {"name": row["name"], "member_code": row["member_code"]})})


def phone_owner(conn: sqlite3.Connection, text: str, region: str = "CN",
                exclude_id: int | None = None) -> Customer | None:
    """Who already has this phone (for the form's early warning), or None."""
    try:
        phone = parse_phone(text, region)
    except ValidationError:
        return None
    row = conn.execute(f"SELECT {CUSTOMER_COLUMNS} FROM customers WHERE phone = ?",
                       (phone.e164,)).fetchone()  # (an erased customer has no phone)
    if row is None or row["id"] == exclude_id:
        return None
    return Customer.from_row(row)


def get(conn: sqlite3.Connection, customer_id: int) -> Customer:
    return Customer.from_row(_stored_row(conn, customer_id))


def find_one(conn: sqlite3.Connection, ref: str, region: str = "CN") -> Customer:
    """A customer by member code or phone: how the CLI names one person. An erased
    customer is found by neither (db/erase.py)."""
    code = codes.normalize(ref)
    row = conn.execute(f"SELECT {CUSTOMER_COLUMNS} FROM customers WHERE member_code = ?"
                       " AND erased_at IS NULL", (code,)).fetchone()
    if row is None:
        try:
            e164 = parse_phone(ref, region).e164
        except ValidationError:
            e164 = None
        if e164:
            row = conn.execute(f"SELECT {CUSTOMER_COLUMNS} FROM customers WHERE phone = ?",
                               (e164,)).fetchone()
    if row is None:
        raise NotFound("customer.not_found", ref=ref)
    return Customer.from_row(row)


def _new_member_code(conn: sqlite3.Connection) -> str:
    for _ in range(20):
        code = codes.new_code()
        if conn.execute("SELECT 1 FROM customers WHERE member_code = ?", (code,)).fetchone() \
                is None:
            return code
    raise RuntimeError("could not find a free member code in 20 tries")


def _values(clean: CleanCustomer) -> dict[str, Any]:
    year, month, day = clean.birth
    return {
        "name": clean.name,
        "sort_name": search_keys.sort_name_for(clean.name, clean.variants),
        "pinyin": " ".join(clean.variants),
        "phone": clean.phone.e164 if clean.phone else None,
        "phone_rev": clean.phone.rev if clean.phone else None,
        "wechat_id": clean.wechat_id,
        "birth_year": year, "birth_month": month, "birth_day": day,
        "gender": clean.gender,
        "channel": clean.channel,
        "notes": clean.notes,
        "is_seed_user": int(clean.is_seed_user),
        "marketing_consent": int(clean.marketing_consent),
    }


def _stored_row(conn: sqlite3.Connection, customer_id: int) -> sqlite3.Row:
    row: sqlite3.Row = conn.execute(
        f"SELECT {CUSTOMER_COLUMNS} FROM customers WHERE id = ?", (customer_id,)).fetchone()
    if row is None:
        raise NotFound("customer.not_found", ref=str(customer_id))
    return row


def add(tx: Tx, clean: CleanCustomer) -> Customer:
    _check_unique(tx.conn, clean, None)
    values = _values(clean)
    values.update(
        member_code=_new_member_code(tx.conn), stage_since=tx.now,
        consent_at=tx.now if clean.marketing_consent else None,
        consent_source="counter" if clean.marketing_consent else None,
        created_at=tx.now, updated_at=tx.now, created_by=tx.actor.id, updated_by=tx.actor.id)
    names = ", ".join(values)
    marks = ", ".join(f":{k}" for k in values)
    cursor = tx.execute(f"INSERT INTO customers({names}) VALUES ({marks})", values)
    customer_id = int(cursor.lastrowid or 0)
    row = _stored_row(tx.conn, customer_id)
    search_keys.index(tx.conn, row)
    tx.audit("customer.add", "customer", customer_id, fields=sorted(values))
    return Customer.from_row(row)


def update(tx: Tx, customer_id: int, clean: CleanCustomer) -> Customer:
    old = _stored_row(tx.conn, customer_id)
    _not_erased(old)
    _check_unique(tx.conn, clean, customer_id)
    values = _values(clean)
    changed = sorted(k for k, v in values.items() if old[k] != v)
    if not changed:
        tx.audit("customer.edit", "customer", customer_id, fields=[])
        return Customer.from_row(old)
    if "marketing_consent" in changed:
        values["consent_at"] = tx.now  # when consent was last given or withdrawn
        values["consent_source"] = "counter"  # the form is filled in at the counter
    values.update(updated_at=tx.now, updated_by=tx.actor.id, id=customer_id)
    sets = ", ".join(f"{k} = :{k}" for k in values if k != "id")
    tx.execute(f"UPDATE customers SET {sets} WHERE id = :id", values)
    new = _stored_row(tx.conn, customer_id)
    search_keys.unindex(tx.conn, old)
    search_keys.index(tx.conn, new)
    tx.audit("customer.edit", "customer", customer_id, fields=changed)
    return Customer.from_row(new)


def _not_erased(row: sqlite3.Row) -> None:
    if row["erased_at"] is not None:
        raise RegularsError("customer.erased", member_code=row["member_code"])


def set_consent(tx: Tx, customer_id: int, given: bool, source: str) -> Customer:
    """Marketing consent given or withdrawn now, and where (``CONSENT_SOURCES``)."""
    if source not in CONSENT_SOURCES:
        raise ValidationError({"source": ("consent.source_invalid", {
            "value": source, "choices": ", ".join(CONSENT_SOURCES)})})
    _not_erased(_stored_row(tx.conn, customer_id))
    tx.execute("UPDATE customers SET marketing_consent = ?, consent_at = ?, consent_source = ?,"
               " updated_at = ?, updated_by = ? WHERE id = ?",
               (int(given), tx.now, source, tx.now, tx.actor.id, customer_id))
    tx.audit("customer.consent", "customer", customer_id, given=given, source=source)
    return get(tx.conn, customer_id)


def record_view(tx: Tx, customer_id: int) -> None:
    """Opening a customer is logged: it feeds 'recently seen' and the access log."""
    tx.execute("INSERT INTO customer_views(customer_id, staff_id, at) VALUES (?, ?, ?)",
               (customer_id, tx.actor.id, tx.now))
    tx.audited_by("customer_views")


def recent_ids(conn: sqlite3.Connection, limit: int) -> list[int]:
    """Recently opened customers, newest first; topped up with the newest added."""
    seen: list[int] = []
    for (cid,) in conn.execute(
            "SELECT customer_id FROM customer_views ORDER BY id DESC LIMIT ?", (limit * 10,)):
        if cid not in seen:
            seen.append(cid)
            if len(seen) == limit:
                return seen
    for (cid,) in conn.execute("SELECT id FROM customers WHERE erased_at IS NULL"
                               " ORDER BY id DESC LIMIT ?", (limit,)):
        if cid not in seen:
            seen.append(cid)
            if len(seen) == limit:
                break
    return seen
