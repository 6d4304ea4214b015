"""Sales at the counter: recording one (with points as part payment), refunds, and the
customer's history. The typed yuan is read into fen here, at the door; db/sales.py
records the sale with what follows it."""

from __future__ import annotations

from .. import gate, purchases, sales, unusual
from ..errors import ValidationError
from ..money import parse_yuan
from ..purchases import Purchase
from .base import Area, reads, writes


def typed_fen(amount: str, items: str = "") -> int:
    """The typed amount in fen. One that does not read is refused together with any fault
    in the items, so the counter hears about every bad field at once."""
    try:
        return parse_yuan(amount)
    except ValidationError as exc:
        errors = dict(exc.fields)
        gate.gather(errors, lambda: purchases.clean_items(items), "")
        raise ValidationError(errors) from None


class Sales(Area):
    @writes("purchase.add")
    def record(self, customer_id: int, amount: str, items: str = "", when: str = "", *,
               confirmed: bool = False) -> Purchase:
        """A sale. One far above this shop's usual sales is refused (``sale.unusual``)
        until it is recorded again with ``confirmed``."""
        at = purchases.parse_when(when, self._door.timezone, self._door.now())
        fen = typed_fen(amount, items)
        with self._write() as tx:
            unusual.refuse_unless_confirmed(tx.conn, fen, confirmed)
            return sales.record(tx, customer_id, fen, items, at)

    @writes("purchase.add")
    def record_with_points(self, customer_id: int, amount: str, use_points: str,
                           items: str = "", when: str = "", *,
                           confirmed: bool = False) -> Purchase:
        """A sale paid partly with points (the points are spent in the same transaction)."""
        at = purchases.parse_when(when, self._door.timezone, self._door.now())
        fen = parse_yuan(amount)
        with self._write() as tx:
            unusual.refuse_unless_confirmed(tx.conn, fen, confirmed)
            return sales.record_with_points(tx, customer_id, fen, use_points, items, at)

    @reads
    def unusual_bar(self) -> unusual.Bar:
        """Above which amount a sale asks once more, and what is usual here."""
        with self._read() as conn:
            return unusual.bar(conn)

    @writes("purchase.refund")
    def refund(self, purchase_id: int, reason: str = "") -> Purchase:
        with self._write() as tx:
            return sales.refund(tx, purchase_id, reason)

    @reads
    def count(self, customer_id: int) -> int:
        with self._read() as conn:
            return purchases.count_for(conn, customer_id)

    @reads
    def history(self, customer_id: int, limit: int = 50, offset: int = 0) -> list[Purchase]:
        with self._read() as conn:
            return purchases.for_customer(conn, customer_id, limit, offset)
