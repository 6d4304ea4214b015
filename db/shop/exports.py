"""Exports: whole tables to a CSV or XLSX file for the owner (db/dumps.py has the rows,
db/export.py the file). Each writes while one read sees the file as of one moment, so
a sale at the counter during a long export never shows half in it."""

from __future__ import annotations

from pathlib import Path

from .. import dumps
from ..export import write_table
from .base import Area, reads_sensitive, require


class Exports(Area):
    def _full_phones_out(self, path: Path, what: str, rows: int) -> None:
        """An export with whole phone numbers is audited; the file goes if that fails."""
        try:
            self._record_read("customer.full_phone", "export", None, export=what, rows=rows,
                              fields=["phone"])
        except BaseException:
            path.unlink(missing_ok=True)
            raise

    @reads_sensitive("export.customers")
    def customers(self, path: Path, full_phone: bool = False) -> int:
        """Every customer, every field (dumps.CUSTOMER_COLUMNS). Returns rows written."""
        if full_phone:
            require(self, "customer.full_phone")
        with self._snapshot() as conn:
            rows = dumps.customer_rows(conn, self._door.timezone, full_phone)
            count = write_table(path, dumps.CUSTOMER_COLUMNS, rows)
        if full_phone:
            self._full_phones_out(path, "customers", count)
        return count

    @reads_sensitive("export.purchases")
    def purchases(self, path: Path, full_phone: bool = False) -> int:
        """Every purchase and refund (dumps.PURCHASE_COLUMNS). Returns rows written."""
        if full_phone:
            require(self, "customer.full_phone")
        with self._snapshot() as conn:
            rows = dumps.purchase_rows(conn, self._door.timezone, full_phone)
            count = write_table(path, dumps.PURCHASE_COLUMNS, rows)
        if full_phone:
            self._full_phones_out(path, "purchases", count)
        return count

    @reads_sensitive("export.coupons")
    def coupons(self, path: Path, batch_id: str | None = None) -> int:
        """Every coupon, or one batch's (dumps.COUPON_COLUMNS): codes, not phones.
        Returns rows written."""
        with self._snapshot() as conn:
            return write_table(path, dumps.COUPON_COLUMNS,
                               dumps.coupon_rows(conn, self._door.timezone, batch_id))
