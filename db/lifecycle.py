"""Lifecycle stages: initial (了解), trust (信任), decline (衰退), dormant (沉睡).

The rule is written once, as a SQL expression over a customer row, and used both
for one customer right after a purchase and for the set-based recompute of the
whole shop, so the two can never disagree. Its thresholds are shop settings.

A stage set by hand sticks (``stage_source = 'manual'``); the rule's suggestion
is still computed and shown beside it. Every change appends a history row with
who, when, manual or rule, and why (a message code plus its numbers).
"""

from __future__ import annotations

import json
import math
import sqlite3
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import gate
from .clock import from_iso
from .errors import NotFound, ValidationError
from .store import Tx
from .vocab import STAGES

REASON_MAX = 200


@dataclass(frozen=True)
class Rules:
    trust_orders: int = 3
    trust_orders_with_referral: int = 2
    window_min_days: float = 30
    window_factor: float = 1.5
    dormant_days: float = 120

    def params(self, now: str) -> dict[str, Any]:
        return {"r_now": now, "r_trust": self.trust_orders,
                "r_trust_ref": self.trust_orders_with_referral,
                "r_win_min": self.window_min_days, "r_win_factor": self.window_factor,
                "r_dormant": self.dormant_days}


SETTING_KEYS = {
    "lifecycle.trust_orders": ("trust_orders", int),
    "lifecycle.trust_orders_with_referral": ("trust_orders_with_referral", int),
    "lifecycle.window_min_days": ("window_min_days", float),
    "lifecycle.window_factor": ("window_factor", float),
    "lifecycle.dormant_days": ("dormant_days", float),
}


def with_setting(current: Rules, key: str, checked: str) -> Rules:
    """The rules with one stage rule changed, for a preview. ``checked`` is the value
    as ``settings.check`` returns it (type and range already checked there, once)."""
    from dataclasses import replace

    if key not in SETTING_KEYS:
        raise ValidationError({key: ("setting.unknown", {"known": ", ".join(SETTING_KEYS)})})
    name, kind = SETTING_KEYS[key]
    return replace(current, **{name: kind(checked)})


def rules(conn: sqlite3.Connection) -> Rules:
    values: dict[str, Any] = {}
    for key, (name, kind) in SETTING_KEYS.items():
        row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        if row is None or row[0] == "":
            continue
        try:  # a value stored before settings had ranges (NaN, inf, 0) keeps the default
            number = kind(row[0])
        except ValueError:
            continue
        if math.isfinite(number) and number > 0:
            values[name] = number
    return Rules(**values)


# -- the rule, once ---------------------------------------------------------------------
_DAYS = "(julianday(:r_now) - julianday(c.last_visit_at))"
_RHYTHM = "(coalesce(c.median_interval_s, 0) / 86400.0)"
_WINDOW = f"max(:r_win_min, :r_win_factor * {_RHYTHM})"
_QUALIFIES = ("(c.orders >= :r_trust OR (c.orders >= :r_trust_ref"
              " AND c.referrals_qualified >= 1))")
SUGGESTED_STAGE = f"""(CASE
    WHEN c.orders = 0 OR c.last_visit_at IS NULL THEN 'initial'
    WHEN {_DAYS} > :r_dormant THEN 'dormant'
    WHEN {_QUALIFIES} AND {_DAYS} <= {_WINDOW} THEN 'trust'
    WHEN {_QUALIFIES} THEN 'decline'
    ELSE 'initial' END)"""
REASON_PARAMS = f"""json_object(
    'orders', c.orders, 'days', CAST({_DAYS} AS INTEGER),
    'rhythm', CAST(round({_RHYTHM}) AS INTEGER), 'window', CAST(round({_WINDOW}) AS INTEGER))"""


@dataclass(frozen=True)
class Suggestion:
    stage: str
    reason_code: str
    reason_params: dict[str, Any]


def suggest(conn: sqlite3.Connection, customer_id: int, now: str) -> Suggestion:
    row = conn.execute(
        f"SELECT {SUGGESTED_STAGE} AS stage, {REASON_PARAMS} AS params FROM customers c"
        " WHERE c.id = :id", {**rules(conn).params(now), "id": customer_id}).fetchone()
    if row is None:
        raise NotFound("customer.not_found", ref=str(customer_id))
    return Suggestion(row["stage"], f"reason.{row['stage']}", json.loads(row["params"]))


def change(tx: Tx, customer_id: int, old: str | None, new: str, source: str,
            reason_code: str, reason_params: dict[str, Any]) -> None:
    tx.execute("UPDATE customers SET stage = ?, stage_source = ?, stage_since = ? WHERE id = ?",
               (new, source, tx.now, customer_id))
    tx.execute(
        "INSERT INTO stage_history(customer_id, from_stage, to_stage, at, staff_id, source,"
        " reason_code, reason_params) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (customer_id, old, new, tx.now, tx.actor.id, source, reason_code,
         json.dumps(reason_params, ensure_ascii=False)))


def apply_rule(tx: Tx, customer_id: int) -> str:
    """After a purchase or refund: move the stage now, unless a person set it by hand."""
    row = tx.execute("SELECT stage, stage_source FROM customers WHERE id = ?",
                     (customer_id,)).fetchone()
    if row is None:
        raise NotFound("customer.not_found", ref=str(customer_id))
    if row["stage_source"] == "manual":
        return str(row["stage"])
    s = suggest(tx.conn, customer_id, tx.now)
    if s.stage != row["stage"]:
        change(tx, customer_id, row["stage"], s.stage, "rule", s.reason_code, s.reason_params)
    return s.stage


def _make_moves(tx: Tx, params: dict[str, Any]) -> None:
    """The moves staged in temp.stage_moves: a history row each, the stage set, the
    stage emptied for the next pass."""
    tx.execute(
        "INSERT INTO stage_history(customer_id, from_stage, to_stage, at, staff_id, source,"
        " reason_code, reason_params) SELECT id, old, new, :at, :staff, 'rule',"
        " 'reason.' || new, params FROM temp.stage_moves", params)
    tx.execute(
        "UPDATE customers SET stage = m.new, stage_since = :at FROM temp.stage_moves m"
        " WHERE customers.id = m.id", params)
    tx.execute("DELETE FROM temp.stage_moves")


def settle(tx: Tx, customer_ids: Sequence[int]) -> int:
    """``apply_rule`` for many customers at once (after an import): the same rule,
    set-based over a temporary list of ids. Returns how many moved."""
    tx.execute("CREATE TEMP TABLE IF NOT EXISTS settle_ids(id INTEGER PRIMARY KEY)")
    tx.execute("DELETE FROM temp.settle_ids")
    tx.conn.executemany("INSERT OR IGNORE INTO temp.settle_ids VALUES (?)",
                        [(i,) for i in customer_ids])
    params = {**rules(tx.conn).params(tx.now), "at": tx.now, "staff": tx.actor.id}
    tx.execute(
        "CREATE TEMP TABLE IF NOT EXISTS stage_moves(id INTEGER PRIMARY KEY, old, new, params)")
    tx.execute("DELETE FROM temp.stage_moves")
    tx.execute(
        f"INSERT INTO temp.stage_moves SELECT c.id, c.stage, {SUGGESTED_STAGE},"
        f" {REASON_PARAMS} FROM temp.settle_ids s JOIN customers c ON c.id = s.id"
        f" WHERE c.stage_source = 'rule' AND c.stage != {SUGGESTED_STAGE}", params)
    moved = int(tx.execute("SELECT count(*) FROM temp.stage_moves").fetchone()[0])
    _make_moves(tx, params)
    tx.execute("DELETE FROM temp.settle_ids")
    return moved


def set_manual(tx: Tx, customer_id: int, stage: str, reason: str) -> None:
    errors: dict[str, tuple[str, dict[str, Any]]] = {}
    if stage not in STAGES:
        errors["stage"] = ("stage.invalid", {"choices": ", ".join(STAGES)})
    reason = gate.gather(errors, lambda: gate.line(reason, "reason", REASON_MAX,
                                                   required="reason.empty"), "")
    if errors:
        raise ValidationError(errors)
    row = tx.execute("SELECT stage FROM customers WHERE id = ?", (customer_id,)).fetchone()
    if row is None:
        raise NotFound("customer.not_found", ref=str(customer_id))
    change(tx, customer_id, row["stage"], stage, "manual", "reason.manual", {"text": reason})
    tx.audit("stage.manual", "customer", customer_id, stage=stage)


def follow_rule(tx: Tx, customer_id: int) -> str:
    """Undo a manual stage: the rule decides again, from now on."""
    tx.execute("UPDATE customers SET stage_source = 'rule' WHERE id = ?", (customer_id,))
    row = tx.execute("SELECT stage FROM customers WHERE id = ?", (customer_id,)).fetchone()
    s = suggest(tx.conn, customer_id, tx.now)
    if s.stage != row["stage"]:
        change(tx, customer_id, row["stage"], s.stage, "rule", s.reason_code, s.reason_params)
    tx.audit("stage.follow_rule", "customer", customer_id)
    return s.stage


# -- the whole shop, set-based -------------------------------------------------------------
@dataclass(frozen=True)
class Recompute:
    transitions: dict[tuple[str, str], int]  # (from, to) -> customers

    @property
    def total(self) -> int:
        return sum(self.transitions.values())


def plan(conn: sqlite3.Connection, now: str, proposed: Rules | None = None) -> Recompute:
    """What a recompute would change, without changing it (``--dry-run``); under the
    ``proposed`` rules instead of the shop's, to preview a change of the rules."""
    rows = conn.execute(
        f"SELECT c.stage AS old, {SUGGESTED_STAGE} AS new, count(*) AS n FROM customers c"
        " WHERE c.stage_source = 'rule' GROUP BY 1, 2", (proposed or rules(conn)).params(now))
    return Recompute({(r["old"], r["new"]): r["n"] for r in rows if r["old"] != r["new"]})


def recompute(tx: Tx, ids: range | None = None) -> Recompute:
    """Let the clock move every rule-set stage: one INSERT … SELECT and one UPDATE.

    ``ids`` limits it to a slice of customer ids, so a big shop can recompute in
    short transactions that a sale at the counter can slip between.
    """
    params = {**rules(tx.conn).params(tx.now), "at": tx.now, "staff": tx.actor.id,
              "lo": ids.start if ids else 0, "hi": ids.stop if ids else 1 << 62}
    tx.execute(
        "CREATE TEMP TABLE IF NOT EXISTS stage_moves(id INTEGER PRIMARY KEY, old, new, params)")
    tx.execute("DELETE FROM temp.stage_moves")
    tx.execute(
        f"INSERT INTO temp.stage_moves SELECT c.id, c.stage, {SUGGESTED_STAGE},"
        f" {REASON_PARAMS} FROM customers c WHERE c.id >= :lo AND c.id < :hi"
        f" AND c.stage_source = 'rule' AND c.stage != {SUGGESTED_STAGE}", params)
    result = Recompute({(r[0], r[1]): r[2] for r in tx.execute(
        "SELECT old, new, count(*) FROM temp.stage_moves GROUP BY 1, 2")})
    _make_moves(tx, params)
    tx.execute("INSERT INTO settings(key, value) VALUES ('lifecycle.recomputed_at', :at)"
               " ON CONFLICT(key) DO UPDATE SET value = excluded.value", params)
    tx.audit("lifecycle.recompute", "customer", None, changed=result.total,
             **({"ids": [ids.start, ids.stop]} if ids else {}))
    return result


# -- history, trust period, at risk ----------------------------------------------------------
@dataclass(frozen=True)
class StageChange:
    at: str
    from_stage: str | None
    to_stage: str
    source: str
    staff: str
    reason_code: str
    reason_params: dict[str, Any]


def history(conn: sqlite3.Connection, customer_id: int, limit: int = 50) -> list[StageChange]:
    rows = conn.execute(
        "SELECT h.at, h.from_stage, h.to_stage, h.source, s.name AS staff, h.reason_code,"
        " h.reason_params FROM stage_history h JOIN staff s ON s.id = h.staff_id"
        " WHERE h.customer_id = ? ORDER BY h.at DESC, h.id DESC LIMIT ?", (customer_id, limit))
    return [StageChange(r["at"], r["from_stage"], r["to_stage"], r["source"], r["staff"],
                        r["reason_code"], json.loads(r["reason_params"])) for r in rows]


_TRUST_SPANS = """
    SELECT customer_id, to_stage, at,
           lead(at) OVER (PARTITION BY customer_id ORDER BY at, id) AS until
    FROM stage_history {where}"""


def _span_days(start: str, end: str | None, now: datetime) -> float:
    return ((from_iso(end) if end else now) - from_iso(start)).total_seconds() / 86400


def trust_days(conn: sqlite3.Connection, customer_id: int, now: str) -> tuple[float, float]:
    """(days in the current trust stint, total days ever in trust)."""
    moment = from_iso(now)
    spans = conn.execute(_TRUST_SPANS.format(where="WHERE customer_id = ?"),
                         (customer_id,)).fetchall()
    total = sum(_span_days(s["at"], s["until"], moment) for s in spans
                if s["to_stage"] == "trust")
    current = (_span_days(spans[-1]["at"], None, moment)
               if spans and spans[-1]["to_stage"] == "trust" else 0.0)
    return current, total


def median_trust_period(conn: sqlite3.Connection, now: str) -> float | None:
    """The shop's median of total days in trust, over customers who ever reached it."""
    moment = from_iso(now)
    totals: dict[int, float] = {}
    for s in conn.execute(_TRUST_SPANS.format(where="") +
                          " ORDER BY customer_id"):
        if s["to_stage"] == "trust":
            totals[s["customer_id"]] = totals.get(s["customer_id"], 0.0) + _span_days(
                s["at"], s["until"], moment)
    return statistics.median(totals.values()) if totals else None


# Trust customers past their own usual interval, not yet declined (binds :r_now).
# The interval counts at least a whole day: someone with several purchases a day
# (a usual interval of minutes) who came in today is a regular doing just fine, and a
# purchase today (in any time zone, at any hour) is always less than a day ago.
AT_RISK = (f"(c.stage = 'trust' AND c.median_interval_s IS NOT NULL"
           f" AND {_DAYS} > max(1.0, c.median_interval_s / 86400.0))")


def at_risk_ids(conn: sqlite3.Connection, now: str, limit: int = 100) -> list[int]:
    """The at-risk list, most valuable first."""
    rows = conn.execute(
        f"SELECT c.id FROM customers c WHERE {AT_RISK} AND c.erased_at IS NULL"
        f" ORDER BY c.total_spend_fen DESC LIMIT :limit",
        {"r_now": now, "limit": limit})
    return [r[0] for r in rows]


def mark_recomputed(tx: Tx, on_day: str) -> None:
    """The daily recompute is done for ``on_day`` (the shop's local date)."""
    tx.execute("UPDATE settings SET value = ? WHERE key = 'lifecycle.recomputed_on'", (on_day,))
