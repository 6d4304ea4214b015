"""A sale and what follows it, in one transaction: above the four ledgers.

Purchases, points, referrals and coupons each keep their own ledger and never import
one another in a circle; this module composes them, so every way a sale is made (the
counter, points as part payment, a coupon, the CLI) earns, qualifies and reverses the
same way. Nothing below imports it; the Shop's areas (db/shop/) call it, having read
the typed yuan into fen. Money is fen (int) across every call.
"""

from __future__ import annotations

from . import coupons, points, purchases, referrals, unusual
from .errors import RegularsError, ValidationError
from .money import format_fen
from .purchases import Purchase
from .store import Tx


def record(tx: Tx, customer_id: int, amount_fen: int, items: str = "",
           at: str | None = None) -> Purchase:
    """A sale: its purchases row, the points it earns, and the referral it may qualify."""
    sale = purchases.record(tx, customer_id, amount_fen, items, at)
    points.earn_for_sale(tx, customer_id, sale.id, amount_fen)
    referrals.on_paid_sale(tx, customer_id, sale.id)
    return sale


def record_with_points(tx: Tx, customer_id: int, amount_fen: int, use_points: str | int,
                       items: str = "", at: str | None = None) -> Purchase:
    """A sale part-paid with points: the discounted sale and the spend in one transaction
    (the ledger row points at the sale). Points are earned on what was paid in money."""
    wanted = points.whole(use_points, "points", 1, points.POINTS_MAX)
    off = wanted * points.rates(tx.conn).fen_per_point
    paid = amount_fen - off
    if paid <= 0:
        raise ValidationError({"points": ("points.covers_all", {
            "value": format_fen(off), "amount": format_fen(amount_fen)})})
    have = points.balance(tx.conn, customer_id)
    if have < wanted:  # before the sale: the points it earns must not pay for it
        raise RegularsError("points.not_enough", have=have, need=wanted)
    sale = record(tx, customer_id, paid, items, at)
    points.spend(tx, customer_id, wanted, f"sale {sale.id}", purchase_id=sale.id)
    return sale


def redeem_coupon(tx: Tx, claim: coupons.Claim, amount_fen: int, customer_id: int | None,
                  tz: str, *, confirmed: bool = False) -> tuple[coupons.Coupon, Purchase]:
    """Use a claimed coupon (coupons.claim) against a sale of ``amount_fen`` before the
    discount: the discounted sale and the redemption in one transaction. ``customer_id``
    pays (None: the coupon's owner)."""
    off = coupons.discount_for(claim.template, amount_fen)
    # last: a far-above-usual sale is asked about only when nothing else stands in the way
    unusual.refuse_unless_confirmed(tx.conn, amount_fen, confirmed)
    buyer = customer_id if customer_id is not None else claim.owner_id
    sale = record(tx, buyer, amount_fen - off, coupons.sale_note(claim))
    return coupons.mark_redeemed(tx, claim, sale.id, buyer, off, tz), sale


def refund(tx: Tx, purchase_id: int, reason: str = "") -> Purchase:
    """The negative twin of a sale, with what the sale earned taken back: its points, and
    the referral rewards when it was the referee's qualifying purchase."""
    back = purchases.refund(tx, purchase_id, reason)
    sale_id = back.refund_of
    assert sale_id is not None  # purchases.refund always links the refund to its sale
    points.reverse_for_refund(tx, sale_id, back.customer_id, back.id)
    referrals.on_refund(tx, back.customer_id, sale_id)
    return back
