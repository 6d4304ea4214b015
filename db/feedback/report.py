"""Feedback as rows for a file: for a supplier, or for the owner's own records."""

from __future__ import annotations

import sqlite3
from zoneinfo import ZoneInfo

from ..clock import from_iso
from ..errors import ValidationError
from ..phones import mask
from ..vocab import FEEDBACK_STATUSES
from .catalogue import clean_name

EXPORT_COLUMNS = ("id", "at", "status", "category", "sentiment", "product", "supplier",
                  "customer", "member_code", "phone", "seed_user", "words", "owner_note",
                  "linked_to", "done_at")


def export_rows(conn: sqlite3.Connection, tz: str, *, status: str | None = None,
                since: str | None = None, supplier: str | None = None,
                full_phone: bool = False) -> list[list[str | int | None]]:
    """Rows for a supplier or the owner, oldest first, in EXPORT_COLUMNS order.

    Phones are masked (138****8000) unless ``full_phone``: a file sent out of the
    shop should not carry more about people than the reader needs.
    """
    where, params = ["1"], {}
    if status is not None:
        if status not in FEEDBACK_STATUSES:
            raise ValidationError({"status": ("feedback.status", {
                "known": ", ".join(FEEDBACK_STATUSES)})})
        where.append("f.status = :status")
        params["status"] = status
    if since is not None:
        where.append("f.at >= :since")
        params["since"] = since
    if supplier:
        where.append("s.name = :supplier")
        params["supplier"] = clean_name(supplier, "supplier")
    zone = ZoneInfo(tz)

    def local(iso: str | None) -> str:
        return from_iso(iso).astimezone(zone).strftime("%Y-%m-%d %H:%M") if iso else ""

    rows = conn.execute(
        "SELECT f.*, p.name AS product, s.name AS supplier, c.name AS customer,"
        " c.member_code, c.phone, c.phone_rev FROM feedback f"
        " LEFT JOIN products p ON p.id = f.product_id"
        " LEFT JOIN suppliers s ON s.id = f.supplier_id"
        " LEFT JOIN customers c ON c.id = f.customer_id"
        f" WHERE {' AND '.join(where)} ORDER BY f.at, f.id", params)
    return [[r["id"], local(r["at"]), r["status"], r["category"], r["sentiment"],
             r["product"] or "", r["supplier"] or "", r["customer"] or "",
             r["member_code"] or "",
             (r["phone"] or "") if full_phone else mask(r["phone"], r["phone_rev"]),
             int(r["seed_user"]), r["words"], r["owner_note"],
             r["group_id"] if r["group_id"] != r["id"] else None, local(r["done_at"])]
            for r in rows]
