"""Referrals (转介绍): who brought whom, and the reward once it is real.

Every member code doubles as a referral code. The rules, all checked here:

* nobody refers themselves (same customer, phone or WeChat);
* the referee is new: no purchases before the referral, and one referrer only;
* the graph stays acyclic: the referee may not be an ancestor of the referrer;
* the referrer's reward (points, a coupon, or both) waits for the referee's first
  paid purchase; an optional second-level reward goes to the referrer's referrer;
* refunding that purchase within ``referral.clawback_days`` claws every reward back
  through the points ledger (and withdraws an unused reward coupon).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import timedelta

from . import coupons, lifecycle, points, settings
from .clock import from_iso
from .errors import NotFound, RegularsError
from .store import Tx


@dataclass(frozen=True)
class Link:
    """One edge of the referral forest, seen from one side."""

    referral_id: int
    customer_id: int  # the other person: the referrer, or a referee
    name: str
    member_code: str
    status: str  # pending, qualified, clawed_back
    at: str
    qualified_at: str | None
    reward_points: int
    reward_coupon: str | None
    spend_fen: int  # the referee's lifetime spend


@dataclass(frozen=True)
class Leader:
    customer_id: int
    name: str
    member_code: str
    qualified: int
    referees_spend_fen: int


def _customer(conn: sqlite3.Connection, customer_id: int) -> sqlite3.Row:
    row: sqlite3.Row | None = conn.execute(
        "SELECT id, name, phone, wechat_id FROM customers WHERE id = ?", (customer_id,)
    ).fetchone()
    if row is None:
        raise NotFound("customer.not_found", ref=str(customer_id))
    return row


def check_self(referrer: sqlite3.Row, phone: str | None, wechat: str | None,
               referee_id: int | None) -> None:
    """The same customer, phone or WeChat on both sides is a self-referral."""
    if (referrer["id"] == referee_id
            or (phone and referrer["phone"] == phone)
            or (wechat and (referrer["wechat_id"] or "").lower() == wechat.lower())):
        raise RegularsError("referral.self")


def register(tx: Tx, referee_id: int, referrer_id: int, tz: str) -> int:
    """Record that ``referrer`` brought ``referee``; returns the referral's id."""
    referral_id = link(tx, referee_id, referrer_id)
    welcome = _coupon_if_active(tx, settings.get(tx.conn, "referral.welcome_template"),
                                referee_id, tz)
    if welcome is not None:
        tx.execute("UPDATE referrals SET welcome_coupon_id = ? WHERE id = ?",
                   (welcome, referral_id))
    tx.audit("referral.add", "referral", referral_id, referrer=referrer_id, referee=referee_id,
             welcome_coupon=welcome)
    return referral_id


def link(tx: Tx, referee_id: int, referrer_id: int) -> int:
    """The edge alone, under every rule (no self-referral, one referrer, a new referee, no
    loop), pending: ``register`` adds the welcome coupon and the audit row; an import
    links the old system's referrals with one audit row for the whole file."""
    referee = _customer(tx.conn, referee_id)
    referrer = _customer(tx.conn, referrer_id)
    check_self(referrer, referee["phone"], referee["wechat_id"], referee_id)
    known = tx.execute("SELECT c.name FROM referrals r JOIN customers c ON c.id = r.referrer_id"
                       " WHERE r.referee_id = ?", (referee_id,)).fetchone()
    if known is not None:
        raise RegularsError("referral.already", name=known[0])
    bought = tx.execute("SELECT count(*), min(at) FROM purchases WHERE customer_id = ?",
                        (referee_id,)).fetchone()
    if bought[0]:
        raise RegularsError("referral.not_new", orders=bought[0], since=bought[1][:10])
    loop = tx.execute(
        "WITH RECURSIVE up(id) AS (SELECT ? UNION"
        " SELECT r.referrer_id FROM referrals r JOIN up ON r.referee_id = up.id)"
        " SELECT 1 FROM up WHERE id = ?", (referrer_id, referee_id)).fetchone()
    if loop is not None:
        raise RegularsError("referral.cycle", name=referee["name"])
    cursor = tx.execute("INSERT INTO referrals(referrer_id, referee_id, at, staff_id)"
                        " VALUES (?, ?, ?, ?)", (referrer_id, referee_id, tx.now, tx.actor.id))
    return int(cursor.lastrowid or 0)


def qualify_from_old_system(tx: Tx, referral_id: int) -> bool:
    """An imported referral whose referee already bought in the old system (opening
    orders) counts as qualified from their first visit there, with no reward here: the
    old system rewarded it, and their first sale here must not pay for it twice."""
    done = tx.execute(
        "UPDATE referrals SET status = 'qualified',"
        " qualified_at = coalesce(c.opening_first_at, c.opening_last_at, :now)"
        " FROM customers c WHERE referrals.id = :id AND c.id = referrals.referee_id"
        " AND referrals.status = 'pending' AND c.opening_orders > 0",
        {"id": referral_id, "now": tx.now}).rowcount
    if done:
        tx.execute("UPDATE customers SET referrals_qualified = referrals_qualified + 1"
                   " WHERE id = (SELECT referrer_id FROM referrals WHERE id = ?)",
                   (referral_id,))
    return bool(done)


def _coupon_if_active(tx: Tx, template: str, customer_id: int, tz: str) -> int | None:
    """A reward coupon, if the shop names a template that can still be issued.
    A reward is never worth refusing the sale over: a retired template gives none."""
    if not template:
        return None
    try:
        made = coupons.issue(tx, template, customer_id, "referral", tz)
    except RegularsError as exc:  # kept on record, so the owner can see why none came
        tx.audit("referral.coupon_skipped", "customer", customer_id, template=template,
                 why=exc.code)
        return None
    return made.id if made else None


def on_paid_sale(tx: Tx, customer_id: int, purchase_id: int) -> None:
    """The referee's first paid purchase qualifies their referral: reward now."""
    ref = tx.execute("SELECT id, referrer_id FROM referrals WHERE referee_id = ?"
                     " AND status = 'pending'", (customer_id,)).fetchone()
    if ref is None:  # nearly every sale: one indexed lookup and done
        return
    tz = settings.get(tx.conn, "timezone", "Asia/Shanghai")
    tx.execute("UPDATE referrals SET status = 'qualified', purchase_id = ?, qualified_at = ?"
               " WHERE id = ? AND status = 'pending'", (purchase_id, tx.now, ref["id"]))
    referrer = int(ref["referrer_id"])
    now = terms(tx.conn)
    _reward(tx, ref["id"], referrer, 1, now.reward_points,
            settings.get(tx.conn, "referral.reward_template"), tz)
    second = now.second_level_points
    grand = tx.execute("SELECT referrer_id FROM referrals WHERE referee_id = ?",
                       (referrer,)).fetchone()
    if second > 0 and grand is not None:
        _reward(tx, ref["id"], int(grand[0]), 2, second, "", tz)
    tx.execute("UPDATE customers SET referrals_qualified = referrals_qualified + 1"
               " WHERE id = ?", (referrer,))
    lifecycle.apply_rule(tx, referrer)  # a referral counts toward trust
    tx.audit("referral.qualified", "referral", int(ref["id"]), purchase=purchase_id)


def _reward(tx: Tx, referral_id: int, customer_id: int, tier: int, amount: int,
            template: str, tz: str) -> None:
    coupon_id = _coupon_if_active(tx, template, customer_id, tz)
    if amount > 0:
        points.post(tx, customer_id, amount, "referral", f"referral {referral_id}",
                    referral_id=referral_id)
    tx.execute("INSERT INTO referral_rewards(referral_id, customer_id, tier, points, coupon_id,"
               " at) VALUES (?, ?, ?, ?, ?, ?)",
               (referral_id, customer_id, tier, max(amount, 0), coupon_id, tx.now))


def on_refund(tx: Tx, customer_id: int, sale_id: int) -> None:
    """Refunding the qualifying purchase soon enough undoes the rewards it earned."""
    ref = tx.execute("SELECT id, referrer_id, qualified_at FROM referrals"
                     " WHERE referee_id = ? AND purchase_id = ? AND status = 'qualified'",
                     (customer_id, sale_id)).fetchone()
    if ref is None:
        return
    if not in_clawback_window(ref["qualified_at"], tx.now, terms(tx.conn).clawback_days):
        return  # refunded long after: the referral stands
    tx.execute("UPDATE referrals SET status = 'clawed_back', clawed_back_at = ? WHERE id = ?",
               (tx.now, ref["id"]))
    for reward in tx.execute("SELECT * FROM referral_rewards WHERE referral_id = ?"
                             " AND clawed_back_at IS NULL", (ref["id"],)).fetchall():
        take = min(reward["points"], points.balance(tx.conn, reward["customer_id"]))
        if take > 0:
            points.post(tx, reward["customer_id"], -take, "clawback",
                        f"referral {ref['id']} refunded"
                        + (f"; {reward['points'] - take} already spent"
                           if take < reward["points"] else ""),
                        referral_id=ref["id"])
        if reward["coupon_id"] is not None:
            coupons.withdraw(tx, reward["coupon_id"], f"referral {ref['id']} refunded")
        tx.execute("UPDATE referral_rewards SET clawed_back_at = ? WHERE id = ?",
                   (tx.now, reward["id"]))
    tx.execute("UPDATE customers SET referrals_qualified = max(referrals_qualified - 1, 0)"
               " WHERE id = ?", (ref["referrer_id"],))
    lifecycle.apply_rule(tx, int(ref["referrer_id"]))
    tx.audit("referral.clawback", "referral", int(ref["id"]), sale=sale_id)


_LINK = """
    SELECT r.id AS referral_id, c.id AS customer_id, c.name, c.member_code, r.status, r.at,
           r.qualified_at, c.total_spend_fen AS spend_fen,
           coalesce((SELECT sum(w.points) FROM referral_rewards w WHERE w.referral_id = r.id
                     AND w.tier = 1 AND w.clawed_back_at IS NULL), 0) AS reward_points,
           (SELECT k.code FROM referral_rewards w JOIN coupons k ON k.id = w.coupon_id
             WHERE w.referral_id = r.id AND w.tier = 1) AS reward_coupon
    FROM referrals r JOIN customers c ON c.id = {other}
"""


def referrer_of(conn: sqlite3.Connection, customer_id: int) -> Link | None:
    row = conn.execute(_LINK.format(other="r.referrer_id") + " WHERE r.referee_id = ?",
                       (customer_id,)).fetchone()
    return Link(**dict(row)) if row else None


def referees_of(conn: sqlite3.Connection, customer_id: int, limit: int = 50) -> list[Link]:
    rows = conn.execute(_LINK.format(other="r.referee_id")
                        + " WHERE r.referrer_id = ? ORDER BY r.at DESC LIMIT ?",
                        (customer_id, limit))
    return [Link(**dict(r)) for r in rows]


def counts(conn: sqlite3.Connection, customer_id: int) -> tuple[int, int]:
    """How many this customer referred, and how many of those qualified."""
    row = conn.execute("SELECT count(*), coalesce(sum(status = 'qualified'), 0) FROM referrals"
                       " WHERE referrer_id = ?", (customer_id,)).fetchone()
    return int(row[0]), int(row[1])


def leaderboard(conn: sqlite3.Connection, since: str | None = None, until: str | None = None,
                by: str = "qualified", limit: int = 20) -> list[Leader]:
    """Top referrers for [since, until) (None, None: all time): how many referrals
    qualified in the period, and what all their qualified referees spent in it."""
    start, end = since or "", until or "9999"
    spend = ("c2.total_spend_fen" if since is None and until is None else
             "(SELECT coalesce(sum(p.amount_fen), 0) FROM purchases p"
             " WHERE p.customer_id = r.referee_id AND p.at >= :start AND p.at < :end)")
    order, having = (("qualified DESC, spend DESC", "qualified > 0") if by == "qualified"
                     else ("spend DESC, qualified DESC", "spend > 0"))
    # By qualified referrals, only referrers with one in the period can rank: look at
    # them alone (a month at a million customers: ~1,000 of ~40,000 referrals).
    who = ("AND r.referrer_id IN (SELECT referrer_id FROM referrals WHERE status = 'qualified'"
           " AND qualified_at >= :start AND qualified_at < :end)"
           if by == "qualified" and since is not None else "")
    rows = conn.execute(
        f"SELECT r.referrer_id AS customer_id, c.name, c.member_code,"
        f" sum(r.qualified_at >= :start AND r.qualified_at < :end) AS qualified,"
        f" sum({spend}) AS spend"
        f" FROM referrals r JOIN customers c ON c.id = r.referrer_id"
        f" JOIN customers c2 ON c2.id = r.referee_id WHERE r.status = 'qualified' {who}"
        f" AND c.erased_at IS NULL"  # an erased referrer is no one to rank
        f" GROUP BY r.referrer_id HAVING {having}"
        f" ORDER BY {order}, r.referrer_id LIMIT :limit",
        {"start": start, "end": end, "limit": limit})
    return [Leader(r["customer_id"], r["name"], r["member_code"], r["qualified"], r["spend"])
            for r in rows]


# -- the terms, once: the rules above and the seed's set-based SQL read them here ----------
@dataclass(frozen=True)
class Terms:
    reward_points: int  # the referrer's, at the referee's first paid purchase
    second_level_points: int  # the referrer's referrer's (0: none)
    clawback_days: int  # a refund of that purchase this soon takes the rewards back


def terms(conn: sqlite3.Connection) -> Terms:
    return Terms(settings.whole_setting(conn, "referral.reward_points", 0),
                 settings.whole_setting(conn, "referral.second_level_points", 0),
                 settings.whole_setting(conn, "referral.clawback_days", 30, blank=0))


def in_clawback_window(qualified_at: str, refunded_at: str, days: int) -> bool:
    return from_iso(refunded_at) - from_iso(qualified_at) <= timedelta(days=days)


def in_clawback_window_sql(qualified_at: str, refunded_at: str, days: int) -> str:
    """``in_clawback_window`` as SQL over two stored times (whole seconds, both in UTC)."""
    return f"(unixepoch({refunded_at}) - unixepoch({qualified_at}) <= {int(days)} * 86400)"
