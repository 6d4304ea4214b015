"""Coupons: right exactly once, even with two counters.

A template says what a coupon is worth and how long it lasts; issuing one gives
a customer a code (8 characters from ``secrets`` plus a Damm check character:
32^8 = 2^40 codes, and any single typo or swap of neighbours is caught).
Validity counts in the shop's calendar: a coupon valid for 7 days from a sale
on Monday afternoon lasts until the end of the following Monday, local time.

Redeeming records the discounted sale (db/sales.py) and marks the coupon in one
transaction, and the mark is a guarded UPDATE
(``WHERE status = 'issued' AND expires_at > now``), so even a second process racing
for the same code cannot use it twice.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from . import codes, gate
from .clock import from_iso, to_iso
from .errors import NotFound, RegularsError, ValidationError
from .money import format_fen
from .store import Tx
from .vocab import COUPON_KINDS, COUPON_REASONS

NAME_MAX = 40  # a template's name, and a gift's
VALID_DAYS_MAX = 3650
PER_CUSTOMER_MAX = 1000
VOID_REASON_MAX = 200
CODE_BODY = 8  # 32**8 = 2**40 codes
ISSUE_RETRIES = 8  # a clash in 2**40 is rare; retrying a few times makes it vanish
# marketing: only to customers who agreed to it, one by one or in a batch (coupon_batch)
MARKETING_REASONS = frozenset({"winback", "birthday", "other"})


@dataclass(frozen=True)
class Template:
    id: int
    name: str
    kind: str
    value_fen: int
    percent: int
    cap_fen: int | None
    gift: str
    min_spend_fen: int
    valid_days: int | None
    valid_until: str | None
    per_customer: int
    transferable: bool
    active: bool


@dataclass(frozen=True)
class Coupon:
    id: int
    code: str
    template: str
    customer_id: int
    reason: str
    issued_at: str
    expires_at: str
    status: str  # issued, redeemed or voided; "expired" is issued and past expires_at
    redeemed_at: str | None
    purchase_id: int | None
    discount_fen: int | None


_SELECT = ("SELECT c.*, t.name AS template FROM coupons c"
           " JOIN coupon_templates t ON t.id = c.template_id")


def checked_code(typed: str) -> str:
    """What was typed or scanned, as a code; a mistyped one is caught by the check
    character here, before anything is looked up (so it never reads "not found")."""
    code = codes.normalize(typed)
    if len(code) != CODE_BODY + 1 or not codes.is_valid(code):
        raise ValidationError({"code": ("coupon.typo", {"typed": code})})
    return code


# -- templates ------------------------------------------------------------------------------
def add_template(tx: Tx, name: str, kind: str, value: str = "", cap: str = "",
                 min_spend: str = "", valid_days: int | str | None = None,
                 valid_until: str | None = None, per_customer: int | str = 1,
                 transferable: bool = False, gift: str = "", today: date | None = None
                 ) -> Template:
    """The owner's template. ``value`` is yuan off, or the percent for a percent coupon.
    ``today`` is the shop's local day (an end date must not be before it)."""
    today = today or from_iso(tx.now).date()
    errors: dict[str, tuple[str, dict[str, Any]]] = {}
    clean = gate.gather(errors, lambda: gate.line(name, "name", NAME_MAX,
                                                  required="coupon.name_empty"), "")
    gift = gate.gather(errors, lambda: gate.line(gift, "gift", NAME_MAX), "")
    if kind not in COUPON_KINDS:
        errors["kind"] = ("coupon.kind", {"known": ", ".join(COUPON_KINDS)})

    def money(field: str, text: str, empty: int | None = 0) -> int | None:
        """Yuan to fen; a bad amount is noted beside its own field."""
        if not text.strip():
            return empty
        return gate.gather(errors, lambda: gate.positive_money(text, field), empty)

    value_fen = percent = 0
    cap_fen: int | None = None
    if kind == "amount":
        value_fen = money("value", value) or 0
        if value_fen <= 0 and "value" not in errors:
            errors["value"] = ("coupon.value", {})
    elif kind == "percent":
        try:
            percent = gate.whole(value, "value", 1, 99)
        except ValidationError:
            errors["value"] = ("gate.coupon.percent", {"value": gate.shown(value)})
        cap_fen = money("cap", cap, None)
    elif kind == "gift" and not gift and "gift" not in errors:
        errors["gift"] = ("coupon.gift", {})
    min_fen = money("min_spend", min_spend) or 0
    if (valid_days is None) == (valid_until is None):
        errors["valid"] = ("coupon.validity", {})
    elif valid_days is not None:
        valid_days = gate.gather(
            errors, lambda: gate.whole(valid_days, "valid", 1, VALID_DAYS_MAX), None)
    elif valid_until is not None:
        until = valid_until
        valid_until = gate.gather(errors, lambda: _until(until, today), None)
    per_customer = gate.gather(
        errors, lambda: gate.whole(per_customer, "per_customer", 1, PER_CUSTOMER_MAX), 1)
    if errors:
        raise ValidationError(errors)
    if tx.execute("SELECT 1 FROM coupon_templates WHERE name = ?", (clean,)).fetchone():
        raise ValidationError({"name": ("coupon.name_taken", {"name": clean})})
    cursor = tx.execute(
        "INSERT INTO coupon_templates(name, kind, value_fen, percent, cap_fen, gift,"
        " min_spend_fen, valid_days, valid_until, per_customer, transferable, created_at,"
        " created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (clean, kind, value_fen, percent, cap_fen, gift, min_fen, valid_days,
         valid_until, per_customer, int(transferable), tx.now, tx.actor.id))
    template_id = int(cursor.lastrowid or 0)
    tx.audit("coupon.template", "coupon_template", template_id, name=clean, kind=kind)
    return template(tx.conn, clean)


def _until(text: str, today: date) -> str:
    """A template's last day: a date from today to ten years ahead."""
    try:
        return gate.day(text, "valid", today, gate.latest_day(today)).isoformat()
    except ValidationError as exc:
        code, params = exc.fields["valid"]
        if code == "gate.day.range" and gate.day(text, "valid", date.min, date.max) < today:
            raise ValidationError({"valid": ("gate.coupon.until_past", {
                "value": params["value"], "today": today.isoformat()})}) from None
        raise


def refuse_if_ended(t: Template, today: date) -> None:
    """A template whose last day is past would hand out coupons that are already expired."""
    if t.valid_until is not None and date.fromisoformat(t.valid_until) < today:
        raise RegularsError("gate.coupon.template_ended", name=t.name, date=t.valid_until)


def set_active(tx: Tx, name: str, active: bool) -> None:
    """Switch a template off (no new coupons; those issued stay valid) or on again.
    Templates are otherwise never edited: issued coupons keep the terms they had."""
    t = template(tx.conn, name)
    tx.execute("UPDATE coupon_templates SET active = ? WHERE id = ?", (int(active), t.id))
    tx.audit("coupon.template_active", "coupon_template", t.id, active=active)


def template(conn: sqlite3.Connection, name: str) -> Template:
    row = conn.execute("SELECT * FROM coupon_templates WHERE name = ?", (name.strip(),)
                       ).fetchone()
    if row is None:
        raise NotFound("coupon.template_not_found", name=name)
    return _template(row)


def templates(conn: sqlite3.Connection) -> list[Template]:
    return [_template(r) for r in conn.execute(
        "SELECT * FROM coupon_templates ORDER BY active DESC, name")]


def _template(row: sqlite3.Row) -> Template:
    return Template(row["id"], row["name"], row["kind"], row["value_fen"], row["percent"],
                    row["cap_fen"], row["gift"], row["min_spend_fen"], row["valid_days"],
                    row["valid_until"], row["per_customer"], bool(row["transferable"]),
                    bool(row["active"]))


def expires_at(t: Template, issued_at: str, tz: str) -> str:
    """The instant validity ends: midnight after the last valid local day."""
    zone = ZoneInfo(tz)
    if t.valid_until is not None:
        last = date.fromisoformat(t.valid_until)
    else:
        last = from_iso(issued_at).astimezone(zone).date() + timedelta(days=(t.valid_days or 1))
        last -= timedelta(days=1)  # "7 days" from Monday: Monday is day 1, next Sunday day 7
    return to_iso(datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone))


def last_day(expires: str, tz: str) -> str:
    """The last local day a coupon can be used (it expires at the midnight after it)."""
    ends = from_iso(expires).astimezone(ZoneInfo(tz)).date()
    return (ends - timedelta(days=1)).isoformat()


# -- issue ------------------------------------------------------------------------------------
def issue(tx: Tx, template_name: str, customer_id: int, reason: str, tz: str,
          batch_id: str | None = None) -> Coupon | None:
    """One coupon for one customer. None when a batch already gave them one, or their
    per-customer limit is reached within a batch (a single issue says why instead)."""
    if reason not in COUPON_REASONS:
        raise ValidationError({"reason": ("coupon.reason", {"known": ", ".join(COUPON_REASONS)})})
    t = template(tx.conn, template_name)
    if not t.active:
        raise RegularsError("coupon.template_inactive", name=t.name)
    refuse_if_ended(t, from_iso(tx.now).astimezone(ZoneInfo(tz)).date())
    holder = tx.execute("SELECT marketing_consent FROM customers WHERE id = ?",
                        (customer_id,)).fetchone()
    if holder is None:
        raise NotFound("customer.not_found", ref=str(customer_id))
    if reason in MARKETING_REASONS and not holder[0]:  # (an erased customer has none)
        if batch_id is None:  # a batch skips them instead, as its plan counted
            raise RegularsError("coupon.no_consent", reason=reason)
        return None
    if batch_id is not None and tx.execute(
            "SELECT 1 FROM coupons WHERE batch_id = ? AND customer_id = ?",
            (batch_id, customer_id)).fetchone():
        return None  # this batch reached them already: running it again issues nothing
    held = tx.execute("SELECT count(*) FROM coupons WHERE customer_id = ? AND template_id = ?"
                      " AND status != 'voided'", (customer_id, t.id)).fetchone()[0]
    if held >= t.per_customer:
        if batch_id is not None:
            return None
        raise RegularsError("coupon.limit", name=t.name, limit=t.per_customer)
    coupon_id, code = insert(tx, t.id, customer_id, reason, batch_id,
                             expires_at(t, tx.now, tz))
    tx.audit("coupon.issue", "coupon", coupon_id, customer_id=customer_id, template=t.name,
             reason=reason, batch=batch_id)
    return get(tx.conn, code)


def insert(tx: Tx, template_id: int, customer_id: int, reason: str, batch_id: str | None,
           ends: str) -> tuple[int, str]:
    """The coupon row, under a fresh code; a clash with an existing code draws again
    (the UNIQUE index is the guard: codes are unique forever)."""
    for _ in range(ISSUE_RETRIES):
        code = codes.new_code(CODE_BODY)
        try:
            cursor = tx.execute(
                "INSERT INTO coupons(code, template_id, customer_id, reason, batch_id,"
                " issued_at, issued_by, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (code, template_id, customer_id, reason, batch_id, tx.now, tx.actor.id, ends))
            return int(cursor.lastrowid or 0), code
        except sqlite3.IntegrityError as exc:  # the code exists: draw another
            if "coupons.code" not in str(exc):
                raise
    raise RegularsError("coupon.no_code")


# -- redeem ----------------------------------------------------------------------------------
def discount_fen(t: Template, amount_fen: int) -> int:
    if t.kind == "amount":
        return min(t.value_fen, amount_fen)
    if t.kind == "percent":
        off = amount_fen * t.percent // 100
        return min(off, t.cap_fen) if t.cap_fen else off
    return 0  # a gift item: the sale is not discounted


@dataclass(frozen=True)
class Claim:
    """A coupon found usable for this customer, now: where a redemption starts."""

    id: int
    code: str
    owner_id: int
    template: Template


def claim(tx: Tx, typed_code: str, customer_id: int | None, tz: str) -> Claim:
    """The coupon behind a typed code, or why it cannot be used (in words for the counter).
    Checked before the amount, so an expired coupon says so whatever was typed beside it."""
    code = checked_code(typed_code)
    row = tx.execute(f"{_SELECT} WHERE c.code = ?", (code,)).fetchone()
    if row is None:
        raise NotFound("coupon.not_found", ref=code)
    t = template(tx.conn, row["template"])
    _refuse_if_unusable(tx, row, t, customer_id, tz)
    return Claim(int(row["id"]), code, int(row["customer_id"]), t)


def discount_for(t: Template, amount_fen: int) -> int:
    """What the coupon takes off a sale of ``amount_fen``, or why it cannot be used on it."""
    if amount_fen <= 0:
        raise ValidationError({"amount": ("amount.not_positive", {})})
    if t.kind == "amount" and t.value_fen >= amount_fen:
        raise ValidationError({"amount": ("gate.coupon.worth_more", {
            "value": format_fen(t.value_fen), "amount": format_fen(amount_fen)})})
    if amount_fen < t.min_spend_fen:
        raise RegularsError("coupon.min_spend", need=format_fen(t.min_spend_fen),
                            amount=format_fen(amount_fen))
    # above: an amount-off coupon is worth less than the sale; a percent is at most 99%
    return discount_fen(t, amount_fen)


def sale_note(c: Claim) -> str:
    """What the redeemed sale's items say: the coupon, and the gift it brought."""
    t = c.template
    return f"{t.name} {c.code}" + (f" · {t.gift}" if t.kind == "gift" else "")


def mark_redeemed(tx: Tx, c: Claim, purchase_id: int, buyer: int, off_fen: int, tz: str
                  ) -> Coupon:
    """Mark the coupon used for the sale ``purchase_id`` (db/sales.py records it first,
    in the same transaction). The guarded UPDATE is what makes a coupon right once."""
    marked = tx.execute(
        "UPDATE coupons SET status = 'redeemed', redeemed_at = ?, redeemed_by = ?,"
        " redeemed_for = ?, purchase_id = ?, discount_fen = ? WHERE id = ?"
        " AND status = 'issued' AND expires_at > ?",
        (tx.now, tx.actor.id, buyer, purchase_id, off_fen, c.id, tx.now))
    if marked.rowcount != 1:  # someone else got there first: say what they did
        fresh = tx.execute("SELECT * FROM coupons WHERE id = ?", (c.id,)).fetchone()
        _refuse_if_unusable(tx, fresh, c.template, buyer, tz)
        raise RegularsError("coupon.already_used", at="", by="")
    tx.audit("coupon.redeem", "coupon", c.id, code=c.code, discount_fen=off_fen,
             purchase=purchase_id)
    return get(tx.conn, c.code)


def _refuse_if_unusable(tx: Tx, row: sqlite3.Row, t: Template, customer_id: int | None,
                        tz: str) -> None:
    zone = ZoneInfo(tz)

    def local(iso: str) -> str:
        return from_iso(iso).astimezone(zone).strftime("%Y-%m-%d %H:%M")

    if row["status"] == "redeemed":
        who = tx.execute("SELECT name FROM staff WHERE id = ?", (row["redeemed_by"],)).fetchone()
        raise RegularsError("coupon.already_used", at=local(row["redeemed_at"]),
                            by=who[0] if who else "")
    if row["status"] == "voided":
        raise RegularsError("coupon.voided", at=local(row["voided_at"]),
                            reason=row["void_reason"])
    if row["expires_at"] <= tx.now:
        raise RegularsError("coupon.expired", date=last_day(row["expires_at"], tz))
    if customer_id is not None and customer_id != row["customer_id"] and not t.transferable:
        owner = tx.execute("SELECT name FROM customers WHERE id = ?",
                           (row["customer_id"],)).fetchone()
        raise RegularsError("coupon.other_customer", name=owner[0] if owner else "")


def void(tx: Tx, typed_code: str, reason: str) -> Coupon:
    code = checked_code(typed_code)
    reason = gate.line(reason, "reason", VOID_REASON_MAX, required="reason.empty")
    marked = tx.execute("UPDATE coupons SET status = 'voided', voided_at = ?, voided_by = ?,"
                        " void_reason = ? WHERE code = ? AND status = 'issued'",
                        (tx.now, tx.actor.id, reason, code))
    if marked.rowcount != 1:
        row = tx.execute("SELECT status FROM coupons WHERE code = ?", (code,)).fetchone()
        if row is None:
            raise NotFound("coupon.not_found", ref=code)
        raise RegularsError("coupon.not_voidable", status=row["status"])
    tx.audit("coupon.void", "coupon", None, code=code, fields=["void_reason"])  # not words
    return get(tx.conn, code)


def withdraw(tx: Tx, coupon_id: int, reason: str) -> bool:
    """The shop takes back an unused reward coupon (a referral clawed back). A coupon
    already used stays used: the sale happened; the points ledger carries the rest."""
    marked = tx.execute("UPDATE coupons SET status = 'voided', voided_at = ?, voided_by = ?,"
                        " void_reason = ? WHERE id = ? AND status = 'issued'",
                        (tx.now, tx.actor.id, reason[:200], coupon_id))
    if marked.rowcount:
        tx.audit("coupon.withdraw", "coupon", coupon_id, reason=reason)
    return bool(marked.rowcount)


def _coupon(row: sqlite3.Row) -> Coupon:
    return Coupon(row["id"], row["code"], row["template"], row["customer_id"], row["reason"],
                  row["issued_at"], row["expires_at"], row["status"], row["redeemed_at"],
                  row["purchase_id"], row["discount_fen"])


def get(conn: sqlite3.Connection, typed_code: str) -> Coupon:
    code = checked_code(typed_code)
    row = conn.execute(f"{_SELECT} WHERE c.code = ?", (code,)).fetchone()
    if row is None:
        raise NotFound("coupon.not_found", ref=code)
    return _coupon(row)


def held(conn: sqlite3.Connection, customer_id: int, now: str, limit: int = 10) -> list[Coupon]:
    """The customer's coupons that can still be used, soonest to expire first."""
    return [_coupon(r) for r in conn.execute(
        f"{_SELECT} WHERE c.customer_id = ? AND c.status = 'issued' AND c.expires_at > ?"
        " ORDER BY c.expires_at LIMIT ?", (customer_id, now, limit))]
