"""Whole tables out, for the owner's records or another system: customers, purchases
and coupons, one row at a time from a cursor (a 100,000-customer file is never a list
in memory), in stable English column names that ``import`` reads back.

Values are plain text an importer maps back without guessing: money as yuan with two
decimals from the fen exactly ("1234.50"), times in the shop's time zone as
"YYYY-MM-DD HH:MM:SS", birthdays as "YYYY-MM-DD" or "MM-DD" (no year known), tags
joined by TAG_SEPARATOR, codes (gender, channel, stage, status) as stored, flags 0/1.
Phones are masked unless ``full_phone`` (the caller checks the owner asked for it).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from .clock import from_iso
from .coupons import last_day
from .phones import mask

Row = list[str | int | None]
TAG_SEPARATOR = "|"  # tag names may hold commas and spaces, never worth a "|" in a shop

CUSTOMER_COLUMNS = (
    "name", "phone", "member_code", "gender", "birthday", "wechat_id", "channel", "stage",
    "tags", "notes", "points", "lifetime_spend_yuan", "orders", "first_visit", "last_visit",
    "referrer_member_code", "marketing_consent", "seed_user", "created")
PURCHASE_COLUMNS = ("id", "member_code", "phone", "time", "amount_yuan", "items",
                    "refund_of", "staff")
COUPON_COLUMNS = ("code", "template", "member_code", "status", "issued", "expires",
                  "redeemed", "batch")


def yuan_text(fen: int) -> str:
    """1234.50 from 123450: exact, no currency sign or thousands commas to strip."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan}.{cents:02d}"


def _local(iso: str | None, zone: ZoneInfo) -> str:
    return from_iso(iso).astimezone(zone).strftime("%Y-%m-%d %H:%M:%S") if iso else ""


def _phone(row: sqlite3.Row, full_phone: bool) -> str:
    return (row["phone"] or "") if full_phone else mask(row["phone"], row["phone_rev"])


def customer_rows(conn: sqlite3.Connection, tz: str, full_phone: bool) -> Iterator[Row]:
    """Every customer, oldest first, in CUSTOMER_COLUMNS order."""
    zone = ZoneInfo(tz)
    cursor = conn.execute(
        "SELECT c.*, rc.member_code AS referrer,"
        " (SELECT group_concat(name, ?) FROM (SELECT t.name FROM customer_tags ct"
        "   JOIN tags t ON t.id = ct.tag_id WHERE ct.customer_id = c.id ORDER BY t.name)"
        " ) AS tag_names"
        " FROM customers c LEFT JOIN referrals r ON r.referee_id = c.id"
        " LEFT JOIN customers rc ON rc.id = r.referrer_id ORDER BY c.id", (TAG_SEPARATOR,))
    for r in cursor:
        birthday = ""
        if r["birth_month"] and r["birth_day"]:
            birthday = f"{r['birth_month']:02d}-{r['birth_day']:02d}"
            if r["birth_year"]:
                birthday = f"{r['birth_year']:04d}-{birthday}"
        yield [r["name"], _phone(r, full_phone), r["member_code"], r["gender"] or "",
               birthday, r["wechat_id"] or "", r["channel"], r["stage"], r["tag_names"] or "",
               r["notes"], int(r["points"]), yuan_text(int(r["total_spend_fen"])),
               int(r["orders"]), _local(r["first_purchase_at"], zone),
               _local(r["last_visit_at"], zone),
               r["referrer"] or "", int(r["marketing_consent"]), int(r["is_seed_user"]),
               _local(r["created_at"], zone)]


def purchase_rows(conn: sqlite3.Connection, tz: str, full_phone: bool) -> Iterator[Row]:
    """Every purchase and refund, in the order recorded, in PURCHASE_COLUMNS order."""
    zone = ZoneInfo(tz)
    cursor = conn.execute(
        "SELECT p.id, p.amount_fen, p.items, p.at, p.refund_of, c.member_code, c.phone,"
        " c.phone_rev, s.name AS staff FROM purchases p"
        " JOIN customers c ON c.id = p.customer_id JOIN staff s ON s.id = p.staff_id"
        " ORDER BY p.id")
    for r in cursor:
        yield [int(r["id"]), r["member_code"], _phone(r, full_phone), _local(r["at"], zone),
               yuan_text(int(r["amount_fen"])), r["items"], r["refund_of"], r["staff"]]


def coupon_rows(conn: sqlite3.Connection, tz: str, batch_id: str | None = None
                ) -> Iterator[Row]:
    """Every coupon (or one batch's), in the order issued, in COUPON_COLUMNS order;
    ``expires`` is the last local day it can be used."""
    zone = ZoneInfo(tz)
    cursor = conn.execute(
        "SELECT k.code, t.name AS template, c.member_code, k.status, k.issued_at,"
        " k.expires_at, k.redeemed_at, k.batch_id FROM coupons k"
        " JOIN coupon_templates t ON t.id = k.template_id"
        " JOIN customers c ON c.id = k.customer_id"
        " WHERE ? IS NULL OR k.batch_id = ? ORDER BY k.id", (batch_id, batch_id))
    for r in cursor:
        yield [r["code"], r["template"], r["member_code"], r["status"],
               _local(r["issued_at"], zone),
               last_day(r["expires_at"], tz), _local(r["redeemed_at"], zone),
               r["batch_id"] or ""]
