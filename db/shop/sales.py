"""Sales at the counter: recording one (with points as part payment), refunds, and the
customer's history."""

from __future__ import annotations

from .. import purchases, rewards, unusual
from ..purchases import Purchase
from .base import Area, reads, writes


class Sales(Area):
    @writes("purchase.add")
    def record(self, customer_id: int, amount: str, items: str = "", when: str = "", *,
               confirmed: bool = False) -> Purchase:
        """A sale. One far above this shop's usual sales is refused (``sale.unusual``)
        until it is recorded again with ``confirmed``."""
        at = purchases.parse_when(when, self._door.timezone, self._door.now())
        with self._write() as tx:
            unusual.refuse_unless_confirmed(tx.conn, amount, confirmed)
            return purchases.record(tx, customer_id, amount, items, at)

    @writes("purchase.add")
    def record_with_points(self, customer_id: int, amount: str, use_points: str,
                           items: str = "", when: str = "", *,
                           confirmed: bool = False) -> Purchase:
        """A sale paid partly with points (the points are spent in the same transaction)."""
        at = purchases.parse_when(when, self._door.timezone, self._door.now())
        with self._write() as tx:
            unusual.refuse_unless_confirmed(tx.conn, amount, confirmed)
            return rewards.sale_with_points(tx, customer_id, amount, use_points, items, at)

    @reads
    def unusual_bar(self) -> unusual.Bar:
        """Above which amount a sale asks once more, and what is usual here."""
        with self._read() as conn:
            return unusual.bar(conn)

    @writes("purchase.refund")
    def refund(self, purchase_id: int, reason: str = "") -> Purchase:
        with self._write() as tx:
            return purchases.refund(tx, purchase_id, reason)

    @reads
    def count(self, customer_id: int) -> int:
        with self._read() as conn:
            return purchases.count_for(conn, customer_id)

    @reads
    def history(self, customer_id: int, limit: int = 50, offset: int = 0) -> list[Purchase]:
        with self._read() as conn:
            return purchases.for_customer(conn, customer_id, limit, offset)
