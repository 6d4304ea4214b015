"""Lifecycle: the stage each customer is in (了解, 信任, 衰退, dormant), the rules that
move them, and who is sliding out of trust."""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass

from .. import lifecycle, settings
from ..lifecycle import Recompute, StageChange, Suggestion
from ..search import Hit, hits_by_ids
from .base import Area, reads, writes

RECOMPUTE_SLICE = 20_000  # customers per recompute transaction: ≈0.2 s each at 1M


@dataclass(frozen=True)
class StageView:
    """Everything the customer screen shows about the stage."""

    suggestion: Suggestion
    history: list[StageChange]
    trust_days_now: float
    trust_days_total: float


def stage_view_in(conn: sqlite3.Connection, customer_id: int, now: str) -> StageView:
    current, total = lifecycle.trust_days(conn, customer_id, now)
    return StageView(lifecycle.suggest(conn, customer_id, now),
                     lifecycle.history(conn, customer_id), current, total)


class Lifecycle(Area):
    @reads
    def view(self, customer_id: int) -> StageView:
        now = self._door.store.now()
        with self._snapshot() as conn:
            return stage_view_in(conn, customer_id, now)

    @writes("stage.manual")
    def set_stage(self, customer_id: int, stage: str, reason: str) -> None:
        with self._write() as tx:
            lifecycle.set_manual(tx, customer_id, stage, reason)

    @writes("stage.follow_rule")
    def follow_rule(self, customer_id: int) -> str:
        with self._write() as tx:
            return lifecycle.follow_rule(tx, customer_id)

    @writes("lifecycle.recompute")
    def recompute(self, dry_run: bool = False) -> Recompute:
        if dry_run:
            with self._read() as conn:
                return lifecycle.plan(conn, self._door.store.now())
        return self._in_slices()

    @reads
    def preview_rule(self, key: str, value: str) -> Recompute:
        """How many customers would move, from which stage to which, if the stage rule
        ``key`` were ``value``: the set-based recompute as a dry run, read-only."""
        checked = settings.check(key, value)  # the same range and sentence as saving it
        with self._read() as conn:
            proposed = lifecycle.with_setting(lifecycle.rules(conn), key, checked)
            return lifecycle.plan(conn, self._door.store.now(), proposed)

    @writes("setting.set")
    def set_rule(self, key: str, value: str) -> Recompute:
        """Apply a previewed change of a stage rule: save it, then move the stages."""
        if key not in lifecycle.SETTING_KEYS:
            raise ValueError(f"{key!r} is not a stage rule")
        with self._write() as tx:
            settings.put(tx, key, value)
        return self._in_slices()

    @writes("lifecycle.recompute")
    def recompute_if_due(self) -> Recompute | None:
        """Once per shop-local day, the clock moves stages (run by the console on start)."""
        today = self._door.today().isoformat()
        with self._read() as conn:
            if settings.get(conn, "lifecycle.recomputed_on") == today:
                return None
        return self._in_slices(on_day=today)

    def _in_slices(self, on_day: str | None = None) -> Recompute:
        """The whole shop, RECOMPUTE_SLICE customers per transaction: at a million
        customers one transaction would hold the file for ~10 s, and a sale at the
        counter (or another terminal) would wait for it, or give up."""
        with self._read() as conn:
            top = int(conn.execute("SELECT coalesce(max(id), 0) FROM customers").fetchone()[0])
        moved: Counter[tuple[str, str]] = Counter()
        for start in range(0, top + 1, RECOMPUTE_SLICE):
            with self._door.store.write(self.actor, "lifecycle.recompute") as tx:
                moved.update(lifecycle.recompute(
                    tx, range(start, start + RECOMPUTE_SLICE)).transitions)
                if on_day is not None and start + RECOMPUTE_SLICE > top:  # the last slice
                    lifecycle.mark_recomputed(tx, on_day)
        return Recompute(dict(moved))

    @reads
    def at_risk(self, limit: int = 100) -> list[Hit]:
        with self._read() as conn:
            return hits_by_ids(conn, lifecycle.at_risk_ids(conn, self._door.store.now(), limit))

    @reads
    def median_trust_period(self) -> float | None:
        with self._read() as conn:
            return lifecycle.median_trust_period(conn, self._door.store.now())

    @reads
    def settings(self) -> dict[str, str]:
        """Each stage rule's setting key and the value in force (stored, or the default)."""
        with self._read() as conn:
            rules = lifecycle.rules(conn)
        return {key: f"{getattr(rules, name):g}"
                for key, (name, _) in lifecycle.SETTING_KEYS.items()}
