"""Closing the loop: who raised an item (or anything linked with it), and who was told."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from ..errors import NotFound
from ..phones import mask
from ..store import Tx
from .language import language_of


@dataclass(frozen=True)
class Raiser:
    feedback_id: int
    customer_id: int
    name: str
    phone: str  # masked
    told_at: str | None
    language: str  # the one to write to them in: see language_of


def raisers(conn: sqlite3.Connection, item_id: int) -> list[Raiser]:
    """The customers who raised an item or anything linked with it, and who was told."""
    head = conn.execute("SELECT coalesce(group_id, id) FROM feedback WHERE id = ?",
                        (item_id,)).fetchone()
    if head is None:
        raise NotFound("feedback.not_found", ref=str(item_id))
    return [Raiser(r["fid"], r["id"], r["name"], mask(r["phone"], r["phone_rev"]), r["told_at"],
                   language_of(r["name"])) for r in conn.execute(
                "SELECT f.id AS fid, c.id, c.name, c.phone, c.phone_rev, t.told_at"
                " FROM feedback f JOIN customers c ON c.id = f.customer_id"
                " LEFT JOIN feedback_told t ON t.feedback_id = f.id AND t.customer_id = c.id"
                " WHERE f.id = :h OR f.group_id = :h ORDER BY f.at", {"h": head[0]})]


def mark_told(tx: Tx, item_id: int, customer_id: int) -> None:
    row = tx.execute("SELECT status FROM feedback WHERE id = ? AND customer_id = ?",
                     (item_id, customer_id)).fetchone()
    if row is None:
        raise NotFound("feedback.not_found", ref=str(item_id))
    tx.execute("INSERT OR IGNORE INTO feedback_told VALUES (?, ?, ?, ?)",
               (item_id, customer_id, tx.now, tx.actor.id))
    tx.audit("feedback.told", "customer", customer_id, feedback=item_id)
