"""The small catalogue of products and suppliers, grown as staff type their names."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from .. import gate
from ..errors import NotFound, ValidationError
from ..store import Tx

NAME_MAX = 40


def clean_name(text: str, field: str) -> str:
    return gate.line(text, field, NAME_MAX)


def supplier_id(tx: Tx, name: str) -> int | None:
    """The supplier of that name, created on the fly; None for a blank name."""
    clean = clean_name(name, "supplier")
    if not clean:
        return None
    row = tx.execute("SELECT id FROM suppliers WHERE name = ?", (clean,)).fetchone()
    if row is not None:
        return int(row[0])
    cursor = tx.execute("INSERT INTO suppliers(name, created_at, created_by) VALUES (?, ?, ?)",
                        (clean, tx.now, tx.actor.id))
    return int(cursor.lastrowid or 0)


def product_id(tx: Tx, name: str, supplier: int | None = None) -> int | None:
    """The product of that name, created on the fly (with its supplier when new)."""
    clean = clean_name(name, "product")
    if not clean:
        return None
    row = tx.execute("SELECT id FROM products WHERE name = ?", (clean,)).fetchone()
    if row is not None:
        return int(row[0])
    cursor = tx.execute(
        "INSERT INTO products(name, supplier_id, created_at, created_by) VALUES (?, ?, ?, ?)",
        (clean, supplier, tx.now, tx.actor.id))
    return int(cursor.lastrowid or 0)


@dataclass(frozen=True)
class Product:
    name: str
    supplier: str
    active: bool
    mentions: int
    category: str = ""  # the shop's own grouping: 面包, 咖啡, 蛋糕 …


def products(conn: sqlite3.Connection) -> list[Product]:
    """The catalogue for the owner's settings, most mentioned first."""
    return [Product(r[0], r[1] or "", bool(r[2]), r[3], r[4]) for r in conn.execute(
        "SELECT p.name, s.name, p.active, (SELECT count(*) FROM feedback f"
        " WHERE f.product_id = p.id) AS n, p.category FROM products p"
        " LEFT JOIN suppliers s ON s.id = p.supplier_id ORDER BY p.active DESC, n DESC, p.name")]


def edit_product(tx: Tx, name: str, new_name: str, supplier: str, active: bool,
                 category: str | None = None) -> None:
    """Rename a product, change its supplier (blank: none) or retire it (inactive
    products are not offered in autocomplete; their feedback stays)."""
    row = tx.execute("SELECT id FROM products WHERE name = ?", (name,)).fetchone()
    if row is None:
        raise NotFound("product.not_found", name=name)
    clean = clean_name(new_name, "product")
    if not clean:
        raise ValidationError({"product": ("product.empty", {})})
    other = tx.execute("SELECT 1 FROM products WHERE name = ? AND id != ?",
                       (clean, row[0])).fetchone()
    if other is not None:
        raise ValidationError({"product": ("product.exists", {"name": clean})})
    tx.execute("UPDATE products SET name = ?, supplier_id = ?, active = ?,"
               " category = coalesce(?, category) WHERE id = ?",
               (clean, supplier_id(tx, supplier), int(active),
                None if category is None else clean_name(category, "category"), row[0]))
    tx.audit("product.edit", "product", int(row[0]), old=name, new=clean, supplier=supplier,
             active=active)


def names(conn: sqlite3.Connection, table: str) -> list[str]:
    """Active products or suppliers, for autocomplete."""
    if table not in ("products", "suppliers"):
        raise ValueError(table)
    return [r[0] for r in conn.execute(f"SELECT name FROM {table} WHERE active ORDER BY name")]
