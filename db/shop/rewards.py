"""Rewards: points, membership levels and referrals."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .. import coupons, levels, points, referrals, settings, unusual
from ..clock import to_iso
from ..search import resolve_one
from ..vocab import LEVELS
from .base import Area, reads, writes


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


def rewards_view_in(conn: sqlite3.Connection, customer_id: int, now: str) -> RewardsView:
    spend = int(conn.execute("SELECT total_spend_fen FROM customers WHERE id = ?",
                             (customer_id,)).fetchone()[0])
    bounds = levels.thresholds(conn)
    level = bounds.level_of(spend)
    rank = LEVELS.index(level)
    above = LEVELS[rank + 1] if rank + 1 < len(LEVELS) else None
    return RewardsView(
        level, above, bounds.fen[rank] - spend if above else 0,
        points.history(conn, customer_id, 3), coupons.held(conn, customer_id, now),
        referrals.referrer_of(conn, customer_id), referrals.referees_of(conn, customer_id, 20),
        referrals.counts(conn, customer_id))


class Rewards(Area):
    # -- points and levels ---------------------------------------------------------------
    @reads
    def points_history(self, customer_id: int, limit: int = 50) -> list[points.Entry]:
        with self._read() as conn:
            return points.history(conn, customer_id, limit)

    @writes("points.spend")
    def spend_points(self, customer_id: int, amount: str, reason: str) -> points.Entry:
        with self._write() as tx:
            return points.spend(tx, customer_id, amount, reason)

    @writes("points.adjust")
    def adjust_points(self, customer_id: int, delta: str, reason: str) -> points.Entry:
        with self._write() as tx:
            return points.adjust(tx, customer_id, delta, reason)

    @writes("points.opening")
    def opening_points(self, customer_id: int, amount: str, reason: str = "") -> points.Entry:
        with self._write() as tx:
            return points.opening(tx, customer_id, amount, reason)

    @reads
    def level_thresholds(self) -> levels.Thresholds:
        with self._read() as conn:
            return levels.thresholds(conn)

    @reads
    def level_of(self, spend_fen: int) -> str:
        return self.level_thresholds().level_of(spend_fen)

    @reads
    def view(self, customer_id: int) -> RewardsView:
        now = self._door.store.now()
        with self._snapshot() as conn:
            return rewards_view_in(conn, customer_id, now)

    @reads
    def settings(self) -> dict[str, str]:
        """Points, level and referral settings with the value in force, in display order."""
        with self._read() as conn:
            return {key: settings.get(conn, key)
                    for key in (*settings.REWARD_KEYS, unusual.SETTING_KEY)}

    # -- referrals -------------------------------------------------------------------------
    @writes("referral.add")
    def register_referral(self, referee_id: int, referred_by: str) -> int:
        """An existing customer (with no purchases yet) names who referred them."""
        with self._write() as tx:
            referrer_id = resolve_one(tx.conn, referred_by, self._door.region)
            return referrals.register(tx, referee_id, referrer_id, self._door.timezone)

    @reads
    def referral_links(self, customer_id: int
                       ) -> tuple[referrals.Link | None, list[referrals.Link]]:
        """Who referred them, and whom they referred (newest first)."""
        with self._snapshot() as conn:
            return (referrals.referrer_of(conn, customer_id),
                    referrals.referees_of(conn, customer_id))

    @reads
    def leaderboard(self, period: str = "all", by: str = "qualified",
                    limit: int = 20) -> list[referrals.Leader]:
        """``period``: this_month, last_month or all, in the shop's calendar."""
        since, until = self.period_bounds(period)
        with self._read() as conn:
            return referrals.leaderboard(conn, since, until, by, limit)

    @reads
    def period_bounds(self, period: str) -> tuple[str | None, str | None]:
        if period == "all":
            return None, None
        zone = ZoneInfo(self._door.timezone)
        first = self._door.today().replace(day=1)
        if period == "last_month":
            first, end = (first - timedelta(days=1)).replace(day=1), first
        elif period == "this_month":
            end = (first + timedelta(days=32)).replace(day=1)
        else:
            raise ValueError(period)

        def instant(day: date) -> str:
            return to_iso(datetime.combine(day, time(0), tzinfo=zone))

        return instant(first), instant(end)
