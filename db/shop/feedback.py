"""Feedback: written down at the counter, worked through by the owner in the inbox,
tied to products and suppliers, and exported for them."""

from __future__ import annotations

from .. import feedback, purchases
from .base import Area, reads, reads_sensitive, require, writes


class Feedback(Area):
    @writes("feedback.add")
    def add(self, customer_id: int | None, category: str, words: str,
            sentiment: str = "neutral", product: str = "", supplier: str = ""
            ) -> feedback.Item:
        with self._write() as tx:
            item_id = feedback.add(tx, customer_id, category, words, sentiment, product,
                                   supplier)
            return feedback.get(tx.conn, item_id)

    @writes("feedback.status")
    def set_status(self, item_id: int, status: str, note: str | None = None) -> list[int]:
        with self._write() as tx:
            return feedback.set_status(tx, item_id, status, note)

    @staticmethod
    @reads
    def can_move(old: str, new: str) -> bool:
        """Whether a status step is allowed (the inbox hides the keys of the others)."""
        return feedback.can_move(old, new)

    @writes("feedback.note")
    def set_note(self, item_id: int, note: str) -> None:
        with self._write() as tx:
            feedback.set_note(tx, item_id, note)

    @reads
    def item(self, item_id: int) -> feedback.Item:
        with self._read() as conn:
            return feedback.get(conn, item_id)

    @writes("feedback.link")
    def link(self, item_ids: list[int]) -> int:
        with self._write() as tx:
            return feedback.link(tx, item_ids)

    @writes("feedback.unlink")
    def unlink(self, item_id: int) -> None:
        with self._write() as tx:
            feedback.unlink(tx, item_id)

    @reads
    def inbox(self, f: feedback.Filter) -> list[feedback.Row]:
        with self._read() as conn:
            return feedback.inbox(conn, f)

    @reads
    def raisers(self, item_id: int) -> list[feedback.Raiser]:
        with self._read() as conn:
            return feedback.raisers(conn, item_id)

    @writes("feedback.told")
    def mark_told(self, item_id: int, customer_id: int) -> None:
        with self._write() as tx:
            feedback.mark_told(tx, item_id, customer_id)

    @reads
    def products(self) -> list[feedback.Product]:
        with self._read() as conn:
            return feedback.products(conn)

    @writes("product.edit")
    def edit_product(self, name: str, new_name: str, supplier: str, active: bool,
                     category: str | None = None) -> None:
        with self._write() as tx:
            feedback.edit_product(tx, name, new_name, supplier, active, category)

    @reads
    def catalogue(self) -> tuple[list[str], list[str]]:
        """Product and supplier names, for autocomplete."""
        with self._snapshot() as conn:
            return feedback.names(conn, "products"), feedback.names(conn, "suppliers")

    @reads
    def of_customer(self, customer_id: int) -> list[feedback.Item]:
        with self._read() as conn:
            return feedback.of_customer(conn, customer_id)

    @reads
    def summary(self) -> feedback.Summary:
        with self._read() as conn:
            return feedback.summary(conn, self._door.store.now())

    @reads_sensitive("feedback.export")
    def export_rows(self, status: str | None = None, since: str = "", supplier: str = "",
                    full_phone: bool = False) -> list[list[str | int | None]]:
        """Rows for a supplier or the owner, oldest first, in feedback.EXPORT_COLUMNS
        order; ``since`` is a day as typed (YYYY-MM-DD), or empty for all."""
        if full_phone:
            require(self, "customer.full_phone")
        start = purchases.parse_when(since, self._door.timezone, self._door.now())
        with self._read() as conn:
            rows = feedback.export_rows(conn, self._door.timezone, status=status, since=start,
                                        supplier=supplier or None, full_phone=full_phone)
        if full_phone:  # no audit row, no rows
            self._record_read("customer.full_phone", "export", None, export="feedback",
                              rows=len(rows), fields=["phone"])
        return rows
