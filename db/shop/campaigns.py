"""Campaigns: a coupon to everyone a filter selects (win-back, birthdays, referrals),
previewed first, issued a chunk per transaction, and the codes exported to send."""

from __future__ import annotations

from collections.abc import Callable

from .. import coupon_batch
from ..audience import Audience
from ..errors import StoreError
from .base import Area, reads, reads_sensitive, require, writes

Rows = list[list[str | int | None]]


class Campaigns(Area):
    @reads
    def plan(self, template: str, who: Audience, reason: str,
             batch_id: str = "") -> coupon_batch.Plan:
        """The preview before a batch: matched, skipped (and why) and to issue."""
        with self._read() as conn:
            return coupon_batch.plan(conn, template, who, reason,
                                     batch_id or self.default_batch_id(template, who, reason),
                                     self._door.store.now(), self._door.today())

    @reads
    def default_batch_id(self, template: str, who: Audience, reason: str) -> str:
        return coupon_batch.default_batch_id(template, who, reason, self._door.today())

    @writes("coupon.issue_batch")
    def issue_batch(self, template: str, who: Audience, reason: str, batch_id: str = "",
                    progress: Callable[[int, int], None] | None = None,
                    shown: coupon_batch.Plan | None = None
                    ) -> tuple[coupon_batch.Plan, list[coupon_batch.Issued]]:
        """Issue to everyone the filter selects, a chunk per transaction. ``progress``
        hears (customers gone through, customers matched) after each chunk. ``shown``
        is the preview the person confirmed, so it is not counted a second time."""
        batch_id = batch_id or self.default_batch_id(template, who, reason)
        before = shown or self.plan(template, who, reason, batch_id)
        issued: list[coupon_batch.Issued] = []
        seen, after = 0, 0
        today = self._door.today()
        while True:
            try:
                with self._write() as tx:
                    after, count, made = coupon_batch.issue_chunk(
                        tx, template, who, reason, batch_id, self._door.timezone, today, after)
            except StoreError as exc:
                if not issued:  # nothing of this run was saved: the plain reason is true
                    raise
                # earlier chunks are committed and stay: say so, and how to finish
                raise StoreError(coupon_batch.stopped_code(exc.code), issued=len(issued),
                                 batch=batch_id.strip()) from exc
            issued += made
            seen += count
            if progress is not None:
                progress(min(seen, before.matched), before.matched)
            if not after:
                return before, issued

    @reads_sensitive("coupon.export")
    def export_rows(self, batch_id: str, full_phone: bool = False) -> Rows:
        """A batch's coupons with names and codes, in coupon_batch.EXPORT_COLUMNS order
        (phones masked unless ``full_phone``, which is the owner's to ask)."""
        if full_phone:
            require(self, "customer.full_phone")
        with self._read() as conn:
            rows = coupon_batch.export_rows(conn, batch_id, self._door.timezone, full_phone)
        if full_phone:  # no audit row, no rows
            self._record_read("customer.full_phone", "export", None, export="coupon_batch",
                              rows=len(rows), fields=["phone"])
        return rows
