"""What follows a sale or a refund, inside its transaction: points and referral rewards.

purchases.record and purchases.refund call these, so every way a sale is made
(the counter, a coupon redemption, the CLI) earns and reverses the same way.
"""

from __future__ import annotations

from . import points, purchases, referrals
from .errors import RegularsError, ValidationError
from .money import format_fen, parse_yuan
from .store import Tx


def after_sale(tx: Tx, customer_id: int, purchase_id: int, paid_fen: int) -> None:
    points.earn_for_sale(tx, customer_id, purchase_id, paid_fen)
    referrals.on_paid_sale(tx, customer_id, purchase_id)


def after_refund(tx: Tx, customer_id: int, sale_id: int, refund_id: int) -> None:
    points.reverse_for_refund(tx, sale_id, customer_id, refund_id)
    referrals.on_refund(tx, customer_id, sale_id)


def sale_with_points(tx: Tx, customer_id: int, amount: str, use_points: str | int,
                     items: str = "", at: str | None = None) -> purchases.Purchase:
    """A sale part-paid with points: the discounted sale and the spend in one transaction
    (the ledger row points at the sale). Points are earned on what was paid in money."""
    amount_fen = parse_yuan(amount)
    wanted = points.whole(use_points, "points", 1, points.POINTS_MAX)
    off = wanted * points.rates(tx.conn).fen_per_point
    paid = amount_fen - off
    if paid <= 0:
        raise ValidationError({"points": ("points.covers_all", {
            "value": format_fen(off), "amount": format_fen(amount_fen)})})
    have = points.balance(tx.conn, customer_id)
    if have < wanted:  # before the sale: the points it earns must not pay for it
        raise RegularsError("points.not_enough", have=have, need=wanted)
    sale = purchases.record(tx, customer_id, f"{paid // 100}.{paid % 100:02d}", items, at)
    points.spend(tx, customer_id, wanted, f"sale {sale.id}", purchase_id=sale.id)
    return sale
