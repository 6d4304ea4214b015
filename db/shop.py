"""The shop as the console sees it: one store, one acting staff member.

The CLI and every screen hold a ``Shop`` and call these methods (from thread
workers in the TUI). Each method opens its own read or write, so the caller
never touches SQL or transactions, and every write names who acted.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from . import (
    coupon_batch,
    coupons,
    customers,
    feedback,
    levels,
    lifecycle,
    points,
    purchases,
    referrals,
    rewards,
    search_keys,
    settings,
    tags,
    unusual,
)
from .audience import Audience
from .clock import to_iso
from .customers import Customer, CustomerInput
from .errors import StoreError
from .lifecycle import Recompute, StageChange, Suggestion
from .purchases import Purchase
from .search import DEFAULT_LIMIT, Hit, SearchResult, hits_by_ids, resolve_one, search
from .store import Actor, Store


@dataclass(frozen=True)
class StageView:
    """Everything the customer screen shows about the stage."""

    suggestion: Suggestion
    history: list[StageChange]
    trust_days_now: float
    trust_days_total: float


@dataclass(frozen=True)
class RewardsView:
    """Points, level, coupons and referrals, as the customer screen shows them."""

    level: str
    next_level: str | None  # the level above, and what is left to spend to reach it
    to_next_fen: int
    points: list[points.Entry]  # the latest ledger rows
    coupons: list[coupons.Coupon]  # still usable
    referrer: referrals.Link | None
    referees: list[referrals.Link]  # the latest few
    referred: tuple[int, int]  # how many they referred, and how many qualified


RECOMPUTE_SLICE = 20_000  # customers per recompute transaction: ≈0.2 s each at 1M


class Shop:
    def __init__(self, store: Store, actor: Actor) -> None:
        self.store = store
        self.actor = actor
        with store.read() as conn:
            self.timezone = settings.get(conn, "timezone", "Asia/Shanghai")
            self.region = settings.get(conn, "region", "CN")

    @classmethod
    def open(cls, path: str, staff: str | None = None, **store_args: object) -> Shop:
        store = Store(path, **store_args)  # type: ignore[arg-type]
        return cls(store, store.actor(staff))

    def close(self) -> None:
        with contextlib.suppress(StoreError):  # busy or read-only: the next opener catches up
            self.rerank_pending()
        self.store.close()

    def rerank_pending(self, batch: int = 2) -> int:
        """Bring lookup ranks up to date after sales (db/search_keys.py: visit_changed).

        A read first, so an idle console never opens a write transaction for nothing;
        then small transactions, so a sale at another counter waits a few ms at most.
        """
        with self.store.read() as conn:
            if not search_keys.pending(conn):
                return 0
        total = 0
        while True:
            with self.store.write(self.actor) as tx:
                done = search_keys.rerank_pending(tx.conn, batch)
                tx.audit("search.rerank", "customer", None, customers=done)
            total += done
            if done < batch:
                return total

    def today(self) -> date:
        """The shop's local calendar day: birthdays and expiry count in it."""
        return self.store.clock().astimezone(ZoneInfo(self.timezone)).date()

    # -- reading -----------------------------------------------------------------
    def search(self, query: str, limit: int = DEFAULT_LIMIT) -> SearchResult:
        with self.store.read() as conn:
            return search(conn, query, limit, self.region)

    def customer(self, customer_id: int) -> Customer:
        with self.store.read() as conn:
            return customers.get(conn, customer_id)

    def find_customer(self, ref: str) -> Customer:
        with self.store.read() as conn:
            return customers.find_one(conn, ref, self.region)

    def phone_owner(self, phone: str, exclude_id: int | None = None) -> Customer | None:
        with self.store.read() as conn:
            return customers.phone_owner(conn, phone, self.region, exclude_id)

    @staticmethod
    def setting_hint(key: str) -> tuple[str, dict[str, str]]:
        """What a setting holds (its kind and range), as a message code and params."""
        return settings.hint(key)

    def setting(self, key: str) -> str:
        with self.store.read() as conn:
            return settings.get(conn, key)

    def staff_name(self, staff_id: int) -> str:
        """Who that was (for "added by"); a staff row is never deleted."""
        with self.store.read() as conn:
            row = conn.execute("SELECT name FROM staff WHERE id = ?", (staff_id,)).fetchone()
        return str(row[0]) if row is not None else f"#{staff_id}"

    # -- writing -----------------------------------------------------------------
    def add_customer(self, data: CustomerInput, referred_by: str = "") -> Customer:
        """A new customer, and who referred them (a member code or phone) if anyone:
        both in one transaction, so a refused referral adds no one."""
        clean = customers.validate(data, self.today(), self.region)
        with self.store.write(self.actor) as tx:
            referrer = None
            if referred_by.strip():
                referrer = customers.get(tx.conn, resolve_one(tx.conn, referred_by,
                                                              self.region))
                referrals.check_self(
                    tx.execute("SELECT id, phone, wechat_id FROM customers WHERE id = ?",
                               (referrer.id,)).fetchone(),
                    clean.phone.e164 if clean.phone else None, clean.wechat_id, None)
            made = customers.add(tx, clean)
            if referrer is not None:
                referrals.register(tx, made.id, referrer.id, self.timezone)
            return made

    def update_customer(self, customer_id: int, data: CustomerInput) -> Customer:
        clean = customers.validate(data, self.today(), self.region)
        with self.store.write(self.actor) as tx:
            return customers.update(tx, customer_id, clean)

    def record_view(self, customer_id: int) -> None:
        with self.store.write(self.actor) as tx:
            customers.record_view(tx, customer_id)

    # -- purchases ---------------------------------------------------------------
    def record_purchase(self, customer_id: int, amount: str, items: str = "",
                        when: str = "", *, confirmed: bool = False) -> Purchase:
        """A sale. One far above this shop's usual sales is refused (``sale.unusual``)
        until it is recorded again with ``confirmed``."""
        at = purchases.parse_when(when, self.timezone, self.store.clock())
        with self.store.write(self.actor) as tx:
            unusual.refuse_unless_confirmed(tx.conn, amount, confirmed)
            return purchases.record(tx, customer_id, amount, items, at)

    def unusual_sale_bar(self) -> unusual.Bar:
        """Above which amount a sale asks once more, and what is usual here."""
        with self.store.read() as conn:
            return unusual.bar(conn)

    def refund_purchase(self, purchase_id: int, reason: str = "") -> Purchase:
        with self.store.write(self.actor) as tx:
            return purchases.refund(tx, purchase_id, reason)

    def purchase_rows(self, customer_id: int) -> int:
        with self.store.read() as conn:
            return int(conn.execute("SELECT count(*) FROM purchases WHERE customer_id = ?",
                                    (customer_id,)).fetchone()[0])

    def purchases(self, customer_id: int, limit: int = 50, offset: int = 0) -> list[Purchase]:
        with self.store.read() as conn:
            return purchases.for_customer(conn, customer_id, limit, offset)

    def record_purchase_with_points(self, customer_id: int, amount: str, use_points: str,
                                    items: str = "", when: str = "", *,
                                    confirmed: bool = False) -> Purchase:
        at = purchases.parse_when(when, self.timezone, self.store.clock())
        with self.store.write(self.actor) as tx:
            unusual.refuse_unless_confirmed(tx.conn, amount, confirmed)
            return rewards.sale_with_points(tx, customer_id, amount, use_points, items, at)

    # -- points and levels -----------------------------------------------------------
    def points_history(self, customer_id: int, limit: int = 50) -> list[points.Entry]:
        with self.store.read() as conn:
            return points.history(conn, customer_id, limit)

    def spend_points(self, customer_id: int, amount: str, reason: str) -> points.Entry:
        with self.store.write(self.actor) as tx:
            return points.spend(tx, customer_id, amount, reason)

    def adjust_points(self, customer_id: int, delta: str, reason: str) -> points.Entry:
        with self.store.write(self.actor) as tx:
            return points.adjust(tx, customer_id, delta, reason)

    def opening_points(self, customer_id: int, amount: str, reason: str = "") -> points.Entry:
        with self.store.write(self.actor) as tx:
            return points.opening(tx, customer_id, amount, reason)

    def level_thresholds(self) -> levels.Thresholds:
        with self.store.read() as conn:
            return levels.thresholds(conn)

    def level_of(self, spend_fen: int) -> str:
        return self.level_thresholds().level_of(spend_fen)

    def rewards_view(self, customer_id: int) -> RewardsView:
        now = self.store.now()
        with self.store.read() as conn:
            spend = int(conn.execute("SELECT total_spend_fen FROM customers WHERE id = ?",
                                     (customer_id,)).fetchone()[0])
            bounds = levels.thresholds(conn)
            level = bounds.level_of(spend)
            rank = levels.LEVELS.index(level)
            above = levels.LEVELS[rank + 1] if rank + 1 < len(levels.LEVELS) else None
            return RewardsView(
                level, above, bounds.fen[rank] - spend if above else 0,
                points.history(conn, customer_id, 3), coupons.held(conn, customer_id, now),
                referrals.referrer_of(conn, customer_id),
                referrals.referees_of(conn, customer_id, 20),
                referrals.counts(conn, customer_id))

    # -- referrals -----------------------------------------------------------------
    def register_referral(self, referee_id: int, referred_by: str) -> int:
        """An existing customer (with no purchases yet) names who referred them."""
        with self.store.write(self.actor) as tx:
            referrer_id = resolve_one(tx.conn, referred_by, self.region)
            return referrals.register(tx, referee_id, referrer_id, self.timezone)

    def referral_links(self, customer_id: int) -> tuple[referrals.Link | None,
                                                          list[referrals.Link]]:
        """Who referred them, and whom they referred (newest first)."""
        with self.store.read() as conn:
            return (referrals.referrer_of(conn, customer_id),
                    referrals.referees_of(conn, customer_id))

    def referral_leaderboard(self, period: str = "all", by: str = "qualified",
                             limit: int = 20) -> list[referrals.Leader]:
        """``period``: this_month, last_month or all, in the shop's calendar."""
        since, until = self.period_bounds(period)
        with self.store.read() as conn:
            return referrals.leaderboard(conn, since, until, by, limit)

    def period_bounds(self, period: str) -> tuple[str | None, str | None]:
        if period == "all":
            return None, None
        zone = ZoneInfo(self.timezone)
        first = self.today().replace(day=1)
        if period == "last_month":
            first, end = (first - timedelta(days=1)).replace(day=1), first
        elif period == "this_month":
            end = (first + timedelta(days=32)).replace(day=1)
        else:
            raise ValueError(period)

        def instant(day: date) -> str:
            return to_iso(datetime.combine(day, time(0), tzinfo=zone))

        return instant(first), instant(end)

    # -- lifecycle ---------------------------------------------------------------
    def stage_view(self, customer_id: int) -> StageView:
        now = self.store.now()
        with self.store.read() as conn:
            current, total = lifecycle.trust_days(conn, customer_id, now)
            return StageView(lifecycle.suggest(conn, customer_id, now),
                             lifecycle.history(conn, customer_id), current, total)

    def set_stage(self, customer_id: int, stage: str, reason: str) -> None:
        with self.store.write(self.actor) as tx:
            lifecycle.set_manual(tx, customer_id, stage, reason)

    def follow_stage_rule(self, customer_id: int) -> str:
        with self.store.write(self.actor) as tx:
            return lifecycle.follow_rule(tx, customer_id)

    def recompute_lifecycle(self, dry_run: bool = False) -> Recompute:
        if dry_run:
            with self.store.read() as conn:
                return lifecycle.plan(conn, self.store.now())
        return self._recompute_in_slices()

    def preview_stage_rule(self, key: str, value: str) -> Recompute:
        """How many customers would move, from which stage to which, if the stage rule
        ``key`` were ``value``: the set-based recompute as a dry run, read-only."""
        checked = settings.check(key, value)  # the same range and sentence as saving it
        with self.store.read() as conn:
            proposed = lifecycle.with_setting(lifecycle.rules(conn), key, checked)
            return lifecycle.plan(conn, self.store.now(), proposed)

    def set_stage_rule(self, key: str, value: str) -> Recompute:
        """Apply a previewed change of a stage rule: save it, then move the stages."""
        self.set_setting(key, value)
        return self._recompute_in_slices()

    def _recompute_in_slices(self, on_day: str | None = None) -> Recompute:
        """The whole shop, RECOMPUTE_SLICE customers per transaction: at a million
        customers one transaction would hold the file for ~10 s, and a sale at the
        counter (or another terminal) would wait for it, or give up."""
        with self.store.read() as conn:
            top = int(conn.execute("SELECT coalesce(max(id), 0) FROM customers").fetchone()[0])
        moved: Counter[tuple[str, str]] = Counter()
        for start in range(0, top + 1, RECOMPUTE_SLICE):
            with self.store.write(self.actor) as tx:
                moved.update(lifecycle.recompute(
                    tx, range(start, start + RECOMPUTE_SLICE)).transitions)
                if on_day is not None and start + RECOMPUTE_SLICE > top:  # the last slice
                    tx.execute("UPDATE settings SET value = ?"
                               " WHERE key = 'lifecycle.recomputed_on'", (on_day,))
        return Recompute(dict(moved))

    def recompute_if_due(self) -> Recompute | None:
        """Once per shop-local day, the clock moves stages (run by the console on start)."""
        today = self.today().isoformat()
        with self.store.read() as conn:
            if settings.get(conn, "lifecycle.recomputed_on") == today:
                return None
        return self._recompute_in_slices(on_day=today)

    def at_risk(self, limit: int = 100) -> list[Hit]:
        with self.store.read() as conn:
            return hits_by_ids(conn, lifecycle.at_risk_ids(conn, self.store.now(), limit))

    def median_trust_period(self) -> float | None:
        with self.store.read() as conn:
            return lifecycle.median_trust_period(conn, self.store.now())

    # -- coupons -------------------------------------------------------------------
    def add_coupon_template(self, name: str, kind: str, **options: Any) -> coupons.Template:
        with self.store.write(self.actor) as tx:
            return coupons.add_template(tx, name, kind, today=self.today(), **options)

    def coupon_templates(self) -> list[coupons.Template]:
        with self.store.read() as conn:
            return coupons.templates(conn)

    def issue_coupon(self, template: str, customer_id: int, reason: str = "manual",
                     batch_id: str | None = None) -> coupons.Coupon | None:
        with self.store.write(self.actor) as tx:
            return coupons.issue(tx, template, customer_id, reason, self.timezone, batch_id)

    def batch_plan(self, template: str, who: Audience, reason: str,
                   batch_id: str = "") -> coupon_batch.Plan:
        """The preview before a batch: matched, skipped (and why) and to issue."""
        with self.store.read() as conn:
            return coupon_batch.plan(conn, template, who, reason,
                                     batch_id or self.default_batch_id(template, who, reason),
                                     self.store.now(), self.today())

    def default_batch_id(self, template: str, who: Audience, reason: str) -> str:
        return coupon_batch.default_batch_id(template, who, reason, self.today())

    def issue_batch(self, template: str, who: Audience, reason: str, batch_id: str = "",
                    progress: Callable[[int, int], None] | None = None,
                    shown: coupon_batch.Plan | None = None
                    ) -> tuple[coupon_batch.Plan, list[coupon_batch.Issued]]:
        """Issue to everyone the filter selects, a chunk per transaction. ``progress``
        hears (customers gone through, customers matched) after each chunk. ``shown``
        is the preview the person confirmed, so it is not counted a second time."""
        batch_id = batch_id or self.default_batch_id(template, who, reason)
        before = shown or self.batch_plan(template, who, reason, batch_id)
        issued: list[coupon_batch.Issued] = []
        seen, after = 0, 0
        today = self.today()
        while True:
            try:
                with self.store.write(self.actor) as tx:
                    after, count, made = coupon_batch.issue_chunk(
                        tx, template, who, reason, batch_id, self.timezone, today, after)
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

    def redeem_coupon(self, code: str, amount: str, customer_id: int | None = None, *,
                      confirmed: bool = False) -> tuple[coupons.Coupon, Purchase]:
        with self.store.write(self.actor) as tx:
            return coupons.redeem(tx, code, amount, customer_id, self.timezone,
                                  confirmed=confirmed)

    def void_coupon(self, code: str, reason: str) -> coupons.Coupon:
        with self.store.write(self.actor) as tx:
            return coupons.void(tx, code, reason)

    def coupon(self, code: str) -> coupons.Coupon:
        with self.store.read() as conn:
            return coupons.get(conn, code)

    # -- feedback ------------------------------------------------------------------
    def add_feedback(self, customer_id: int | None, category: str, words: str,
                     sentiment: str = "neutral", product: str = "", supplier: str = ""
                     ) -> feedback.Item:
        with self.store.write(self.actor) as tx:
            item_id = feedback.add(tx, customer_id, category, words, sentiment, product,
                                   supplier)
            return feedback.get(tx.conn, item_id)

    def set_feedback_status(self, item_id: int, status: str, note: str | None = None
                            ) -> list[int]:
        with self.store.write(self.actor) as tx:
            return feedback.set_status(tx, item_id, status, note)

    def feedback_can_move(self, old: str, new: str) -> bool:
        """Whether a status step is allowed (the inbox hides the keys of the others)."""
        return feedback.can_move(old, new)

    def set_feedback_note(self, item_id: int, note: str) -> None:
        with self.store.write(self.actor) as tx:
            feedback.set_note(tx, item_id, note)

    def feedback_item(self, item_id: int) -> feedback.Item:
        with self.store.read() as conn:
            return feedback.get(conn, item_id)

    def link_feedback(self, item_ids: list[int]) -> int:
        with self.store.write(self.actor) as tx:
            return feedback.link(tx, item_ids)

    def unlink_feedback(self, item_id: int) -> None:
        with self.store.write(self.actor) as tx:
            feedback.unlink(tx, item_id)

    def feedback_inbox(self, f: feedback.Filter) -> list[feedback.Row]:
        with self.store.read() as conn:
            return feedback.inbox(conn, f)

    def feedback_raisers(self, item_id: int) -> list[feedback.Raiser]:
        with self.store.read() as conn:
            return feedback.raisers(conn, item_id)

    def mark_told(self, item_id: int, customer_id: int) -> None:
        with self.store.write(self.actor) as tx:
            feedback.mark_told(tx, item_id, customer_id)

    def products(self) -> list[feedback.Product]:
        with self.store.read() as conn:
            return feedback.products(conn)

    def edit_product(self, name: str, new_name: str, supplier: str, active: bool,
                     category: str | None = None) -> None:
        with self.store.write(self.actor) as tx:
            feedback.edit_product(tx, name, new_name, supplier, active, category)

    def feedback_catalogue(self) -> tuple[list[str], list[str]]:
        """Product and supplier names, for autocomplete."""
        with self.store.read() as conn:
            return feedback.names(conn, "products"), feedback.names(conn, "suppliers")

    def feedback_of(self, customer_id: int) -> list[feedback.Item]:
        with self.store.read() as conn:
            return feedback.of_customer(conn, customer_id)

    def feedback_summary(self) -> feedback.Summary:
        with self.store.read() as conn:
            return feedback.summary(conn, self.store.now())

    # -- tags ----------------------------------------------------------------------
    def tags_of(self, customer_id: int) -> list[str]:
        with self.store.read() as conn:
            return tags.of_customer(conn, customer_id)

    def all_tags(self) -> list[tags.Tag]:
        with self.store.read() as conn:
            return tags.all_tags(conn)

    def add_tag(self, customer_id: int, name: str) -> str:
        with self.store.write(self.actor) as tx:
            return tags.add(tx, customer_id, name)

    def remove_tag(self, customer_id: int, name: str) -> None:
        with self.store.write(self.actor) as tx:
            tags.remove(tx, customer_id, name)

    def rename_tag(self, old: str, new: str) -> str:
        with self.store.write(self.actor) as tx:
            return tags.rename(tx, old, new)

    def lifecycle_settings(self) -> dict[str, str]:
        """Each stage rule's setting key and the value in force (stored, or the default)."""
        with self.store.read() as conn:
            rules = lifecycle.rules(conn)
        return {key: f"{getattr(rules, name):g}"
                for key, (name, _) in lifecycle.SETTING_KEYS.items()}

    def rewards_settings(self) -> dict[str, str]:
        """Points, level and referral settings with the value in force, in display order."""
        with self.store.read() as conn:
            return {key: settings.get(conn, key)
                    for key in (*settings.REWARD_KEYS, unusual.SETTING_KEY)}

    def set_template_active(self, name: str, active: bool) -> None:
        with self.store.write(self.actor) as tx:
            coupons.set_active(tx, name, active)

    def set_setting(self, key: str, value: str) -> None:
        with self.store.write(self.actor) as tx:
            settings.put(tx, key, value)
        if key == "timezone":
            self.timezone = value
        elif key == "region":
            self.region = value
