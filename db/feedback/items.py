"""An item as it is read back: one query's columns, shared by every reader."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from ..errors import NotFound


@dataclass(frozen=True)
class Item:
    id: int
    customer_id: int | None
    category: str
    product: str | None
    supplier: str | None
    words: str
    sentiment: str
    seed_user: bool
    at: str
    staff: str
    status: str
    status_at: str
    done_at: str | None
    owner_note: str
    group_id: int | None


COLUMNS = (
    "f.id, f.customer_id, f.category, p.name AS product, s.name AS supplier, f.words,"
    " f.sentiment, f.seed_user, f.at, st.name AS staff, f.status, f.status_at, f.done_at,"
    " f.owner_note, f.group_id")
FROM = (
    "FROM feedback f JOIN staff st ON st.id = f.staff_id"
    " LEFT JOIN products p ON p.id = f.product_id LEFT JOIN suppliers s ON s.id = f.supplier_id")
_SELECT = f"SELECT {COLUMNS} {FROM}"
_ITEM_FIELDS = ("id", "customer_id", "category", "product", "supplier", "words", "sentiment",
                "seed_user", "at", "staff", "status", "status_at", "done_at", "owner_note",
                "group_id")


def item_of(row: sqlite3.Row) -> Item:
    """The Item in a row selected with COLUMNS."""
    values = {k: row[k] for k in _ITEM_FIELDS}
    values["seed_user"] = bool(values["seed_user"])
    return Item(**values)


def get(conn: sqlite3.Connection, item_id: int) -> Item:
    row = conn.execute(f"{_SELECT} WHERE f.id = ?", (item_id,)).fetchone()
    if row is None:
        raise NotFound("feedback.not_found", ref=str(item_id))
    return item_of(row)


def of_customer(conn: sqlite3.Connection, customer_id: int) -> list[Item]:
    return [item_of(r) for r in conn.execute(
        f"{_SELECT} WHERE f.customer_id = ? ORDER BY f.at DESC, f.id DESC", (customer_id,))]
