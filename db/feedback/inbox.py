"""The owner's inbox: one row per issue with its mentions, and the summary strip above it."""

from __future__ import annotations

import sqlite3
import statistics
from dataclasses import dataclass
from datetime import timedelta

from ..clock import from_iso, to_iso
from ..vocab import FEEDBACK_OPEN
from .filters import Filter
from .items import COLUMNS, FROM, Item, item_of

OPEN_SQL = "(" + ", ".join(f"'{s}'" for s in FEEDBACK_OPEN) + ")"  # for "status IN …"


@dataclass(frozen=True)
class Row:
    item: Item
    customer: str | None  # name
    mentions: int  # items in its linked group (1 when not linked)


def inbox(conn: sqlite3.Connection, f: Filter, limit: int = 200) -> list[Row]:
    """One row per issue: a linked group shows once, under its head, with its count."""
    where = ["(f.group_id IS NULL OR f.group_id = f.id)"]
    params: dict[str, object] = {"limit": limit}
    if f.status == "open":
        where.append(f"f.status IN {OPEN_SQL}")
    elif f.status:
        where.append("f.status = :status")
        params["status"] = f.status
    for column, name, value in (("f.category", "category", f.category),
                                ("p.name", "product", f.product),
                                ("s.name", "supplier", f.supplier)):
        if value:
            where.append(f"{column} = :{name}")
            params[name] = value
    if f.since:
        where.append("f.at >= :since")
        params["since"] = f.since
    if f.until:
        where.append("f.at < :until")
        params["until"] = f.until
    if f.seed_users_only:
        where.append("(f.seed_user OR EXISTS (SELECT 1 FROM feedback m WHERE m.group_id = f.id"
                     " AND m.seed_user))")
    if f.text.strip():
        where.append("(instr(f.words, :text) OR instr(f.owner_note, :text)"
                     " OR instr(coalesce(p.name, ''), :text)"
                     " OR instr(coalesce(s.name, ''), :text))")
        params["text"] = f.text.strip()
    order = {"newest": "f.at DESC, f.id DESC",
             "oldest_open": f"f.status NOT IN {OPEN_SQL}, f.at, f.id",
             "most_mentioned": "product_mentions DESC, mentions DESC, f.at DESC"}[f.sort]
    rows = conn.execute(
        f"SELECT {COLUMNS}, c.name AS customer_name,"
        " (SELECT count(*) FROM feedback q WHERE q.product_id = f.product_id) AS product_mentions,"
        " max(1, (SELECT count(*) FROM feedback m WHERE m.group_id = f.id)) AS mentions"
        f" {FROM} LEFT JOIN customers c ON c.id = f.customer_id"
        f" WHERE {' AND '.join(where)} ORDER BY {order} LIMIT :limit", params)
    return [Row(item_of(r), r["customer_name"], r["mentions"]) for r in rows]


@dataclass(frozen=True)
class Mentions:
    name: str
    recent: int  # in the last N days
    before: int  # in the N days before that


@dataclass(frozen=True)
class Summary:
    open_by_category: dict[str, int]
    products: dict[int, list[Mentions]]  # period in days -> most mentioned first
    suppliers: dict[int, list[Mentions]]
    median_days_to_done: float | None


def summary(conn: sqlite3.Connection, now: str, periods: tuple[int, ...] = (30, 90),
            top: int = 5) -> Summary:
    """Open items by category, the most mentioned products and suppliers in each period
    with the period before it, and how long items take from new to done."""
    open_by_category = {r[0]: r[1] for r in conn.execute(
        f"SELECT category, count(*) FROM feedback WHERE status IN {OPEN_SQL} GROUP BY 1"
        " ORDER BY 2 DESC, 1")}
    end = from_iso(now)

    def mentions(column: str, table: str, days: int) -> list[Mentions]:
        start, before = to_iso(end - timedelta(days=days)), to_iso(end - timedelta(days=2 * days))
        return [Mentions(r[0], r[1], r[2]) for r in conn.execute(
            f"SELECT t.name, sum(f.at > :start), sum(f.at <= :start) FROM feedback f"
            f" JOIN {table} t ON t.id = f.{column} WHERE f.at > :before AND f.at <= :now"
            f" GROUP BY t.id HAVING sum(f.at > :start) > 0 ORDER BY 2 DESC, 1 LIMIT :top",
            {"start": start, "before": before, "now": now, "top": top})]

    waits = [r[0] for r in conn.execute(
        "SELECT julianday(done_at) - julianday(at) FROM feedback WHERE done_at IS NOT NULL")]
    return Summary(open_by_category,
                   {d: mentions("product_id", "products", d) for d in periods},
                   {d: mentions("supplier_id", "suppliers", d) for d in periods},
                   statistics.median(waits) if waits else None)
