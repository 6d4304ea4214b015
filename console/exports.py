"""Files for people, in the reader's language: the CLI and the console write them alike."""

from __future__ import annotations

from pathlib import Path

from db.export import write_table
from db.shop import ShopDoor
from db.values import BATCH_EXPORT_COLUMNS as EXPORT_COLUMNS
from db.values import FEEDBACK_EXPORT_COLUMNS

from .i18n import t


def write_batch(shop: ShopDoor, batch_id: str, path: Path, full_phone: bool = False) -> int:
    """A batch's coupons with names and codes (phones masked unless asked), to send
    through WeChat or WeCom. Returns how many rows were written."""
    rows = shop.campaigns.export_rows(batch_id, full_phone)
    for row in rows:
        row[6] = t(f"coupon.status.{row[6]}")
    header = [t(f"export.column.{c}") for c in EXPORT_COLUMNS]
    return write_table(path, header, rows)


def write_feedback(shop: ShopDoor, path: Path, status: str | None = None, since: str = "",
                   supplier: str = "", full_phone: bool = False) -> int:
    """Feedback for a supplier or the owner's records, codes in the reader's language
    (``feedback export`` and ``export feedback``). Returns how many rows were written."""
    rows = shop.feedback.export_rows(status, since, supplier, full_phone)
    coded = {2: "feedback.status.", 3: "feedback.category.", 4: "feedback.sentiment."}
    for row in rows:
        for column, prefix in coded.items():
            row[column] = t(f"{prefix}{row[column]}")
    header = [t(f"export.column.{c}") for c in FEEDBACK_EXPORT_COLUMNS]
    return write_table(path, header, rows)
