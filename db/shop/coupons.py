"""Coupons one at a time: the owner's templates, issuing, redeeming and voiding."""

from __future__ import annotations

from typing import Any

from .. import coupons, sales
from ..money import parse_yuan
from ..purchases import Purchase
from .base import Area, reads, writes


class Coupons(Area):
    @writes("coupon.template")
    def add_template(self, /, name: str, kind: str, **options: Any) -> coupons.Template:
        with self._write() as tx:
            return coupons.add_template(tx, name, kind, today=self._door.today(), **options)

    @reads
    def templates(self) -> list[coupons.Template]:
        with self._read() as conn:
            return coupons.templates(conn)

    @writes("coupon.template_active")
    def set_template_active(self, name: str, active: bool) -> None:
        with self._write() as tx:
            coupons.set_active(tx, name, active)

    @writes("coupon.issue")
    def issue(self, template: str, customer_id: int, reason: str = "manual",
              batch_id: str | None = None) -> coupons.Coupon | None:
        with self._write() as tx:
            return coupons.issue(tx, template, customer_id, reason, self._door.timezone,
                                 batch_id)

    @writes("coupon.redeem")
    def redeem(self, code: str, amount: str, customer_id: int | None = None, *,
               confirmed: bool = False) -> tuple[coupons.Coupon, Purchase]:
        """Use a coupon against a sale of ``amount`` yuan (before the discount)."""
        tz = self._door.timezone
        with self._write() as tx:
            claim = coupons.claim(tx, code, customer_id, tz)  # the coupon speaks first
            return sales.redeem_coupon(tx, claim, parse_yuan(amount), customer_id, tz,
                                       confirmed=confirmed)

    @writes("coupon.void")
    def void(self, code: str, reason: str) -> coupons.Coupon:
        with self._write() as tx:
            return coupons.void(tx, code, reason)

    @reads
    def get(self, code: str) -> coupons.Coupon:
        with self._read() as conn:
            return coupons.get(conn, code)
