"""Feedback: what customers tell the counter, worked through by the owner, loop closed.

An item has a category, the customer's own words (kept exactly as typed, up to
4,000 characters), a sentiment, optionally a product and supplier from a small
catalogue that grows as staff type, and a status that moves
new → reviewing → planned → done, or to declined. Duplicates are linked into
one group (headed by its oldest item) and move through the statuses together.
"""

from __future__ import annotations

import sqlite3
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from . import gate
from .clock import from_iso, to_iso
from .errors import NotFound, RegularsError, ValidationError
from .store import Tx
from .vocab import FEEDBACK_CATEGORIES, FEEDBACK_STATUSES, SENTIMENTS

WORDS_MAX = 4000
NAME_MAX = 40
NOTE_MAX = 1000  # the owner's note ("what we will do"): several lines allowed
OPEN = ("new", "reviewing", "planned")
OPEN_SQL = "(" + ", ".join(f"'{s}'" for s in OPEN) + ")"  # for "status IN …"
# Where an item may go next. Done and declined can be reopened for another look.
NEXT: dict[str, tuple[str, ...]] = {
    "new": ("reviewing", "declined"),
    "reviewing": ("planned", "done", "declined", "new"),
    "planned": ("done", "declined", "reviewing"),
    "done": ("reviewing",),
    "declined": ("reviewing",),
}
assert set(NEXT) == set(FEEDBACK_STATUSES)


def can_move(old: str, new: str) -> bool:
    """Whether an item in ``old`` may be set to ``new`` (staying put is allowed)."""
    return new in FEEDBACK_STATUSES and (new == old or new in NEXT.get(old, ()))


@dataclass(frozen=True)
class Item:
    id: int
    customer_id: int | None
    category: str
    product: str | None
    supplier: str | None
    words: str
    sentiment: str
    seed_user: bool
    at: str
    staff: str
    status: str
    status_at: str
    done_at: str | None
    owner_note: str
    group_id: int | None


# -- the catalogue ----------------------------------------------------------------------------
def _clean_name(text: str, field: str) -> str:
    return gate.line(text, field, NAME_MAX)


def supplier_id(tx: Tx, name: str) -> int | None:
    """The supplier of that name, created on the fly; None for a blank name."""
    clean = _clean_name(name, "supplier")
    if not clean:
        return None
    row = tx.execute("SELECT id FROM suppliers WHERE name = ?", (clean,)).fetchone()
    if row is not None:
        return int(row[0])
    cursor = tx.execute("INSERT INTO suppliers(name, created_at, created_by) VALUES (?, ?, ?)",
                        (clean, tx.now, tx.actor.id))
    return int(cursor.lastrowid or 0)


def product_id(tx: Tx, name: str, supplier: int | None = None) -> int | None:
    """The product of that name, created on the fly (with its supplier when new)."""
    clean = _clean_name(name, "product")
    if not clean:
        return None
    row = tx.execute("SELECT id FROM products WHERE name = ?", (clean,)).fetchone()
    if row is not None:
        return int(row[0])
    cursor = tx.execute(
        "INSERT INTO products(name, supplier_id, created_at, created_by) VALUES (?, ?, ?, ?)",
        (clean, supplier, tx.now, tx.actor.id))
    return int(cursor.lastrowid or 0)


@dataclass(frozen=True)
class Product:
    name: str
    supplier: str
    active: bool
    mentions: int
    category: str = ""  # the shop's own grouping: 面包, 咖啡, 蛋糕 …


def products(conn: sqlite3.Connection) -> list[Product]:
    """The catalogue for the owner's settings, most mentioned first."""
    return [Product(r[0], r[1] or "", bool(r[2]), r[3], r[4]) for r in conn.execute(
        "SELECT p.name, s.name, p.active, (SELECT count(*) FROM feedback f"
        " WHERE f.product_id = p.id) AS n, p.category FROM products p"
        " LEFT JOIN suppliers s ON s.id = p.supplier_id ORDER BY p.active DESC, n DESC, p.name")]


def edit_product(tx: Tx, name: str, new_name: str, supplier: str, active: bool,
                 category: str | None = None) -> None:
    """Rename a product, change its supplier (blank: none) or retire it (inactive
    products are not offered in autocomplete; their feedback stays)."""
    row = tx.execute("SELECT id FROM products WHERE name = ?", (name,)).fetchone()
    if row is None:
        raise NotFound("product.not_found", name=name)
    clean = _clean_name(new_name, "product")
    if not clean:
        raise ValidationError({"product": ("product.empty", {})})
    other = tx.execute("SELECT 1 FROM products WHERE name = ? AND id != ?",
                       (clean, row[0])).fetchone()
    if other is not None:
        raise ValidationError({"product": ("product.exists", {"name": clean})})
    tx.execute("UPDATE products SET name = ?, supplier_id = ?, active = ?,"
               " category = coalesce(?, category) WHERE id = ?",
               (clean, supplier_id(tx, supplier), int(active),
                None if category is None else _clean_name(category, "category"), row[0]))
    tx.audit("product.edit", "product", int(row[0]), old=name, new=clean, supplier=supplier,
             active=active)


def names(conn: sqlite3.Connection, table: str) -> list[str]:
    """Active products or suppliers, for autocomplete."""
    if table not in ("products", "suppliers"):
        raise ValueError(table)
    return [r[0] for r in conn.execute(f"SELECT name FROM {table} WHERE active ORDER BY name")]


# -- capture ------------------------------------------------------------------------------------
def add(tx: Tx, customer_id: int | None, category: str, words: str, sentiment: str = "neutral",
        product: str = "", supplier: str = "") -> int:
    """Write down what a customer said. Returns the item's id."""
    errors: dict[str, tuple[str, dict[str, object]]] = {}
    if category not in FEEDBACK_CATEGORIES:
        errors["category"] = ("feedback.category", {"known": ", ".join(FEEDBACK_CATEGORIES)})
    if sentiment not in SENTIMENTS:
        errors["sentiment"] = ("feedback.sentiment", {"known": ", ".join(SENTIMENTS)})
    # checked by the gate, but kept exactly as said (the gate would trim the ends)
    gate.gather(errors, lambda: gate.lines(
        words, "words", WORDS_MAX, required="feedback.empty", too_long="feedback.too_long"), "")
    if errors:
        raise ValidationError(errors)
    seed_user = 0
    if customer_id is not None:
        row = tx.execute("SELECT is_seed_user FROM customers WHERE id = ?",
                         (customer_id,)).fetchone()
        if row is None:
            raise NotFound("customer.not_found", ref=str(customer_id))
        seed_user = int(row[0])
    supplier_ref = supplier_id(tx, supplier)
    product_ref = product_id(tx, product, supplier_ref)
    if supplier_ref is None and product_ref is not None:  # the product's usual supplier
        row = tx.execute("SELECT supplier_id FROM products WHERE id = ?",
                         (product_ref,)).fetchone()
        supplier_ref = row[0]
    cursor = tx.execute(
        "INSERT INTO feedback(customer_id, category, product_id, supplier_id, words, sentiment,"
        " seed_user, at, staff_id, status_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (customer_id, category, product_ref, supplier_ref, words, sentiment, seed_user, tx.now,
         tx.actor.id, tx.now))
    item_id = int(cursor.lastrowid or 0)
    tx.audit("feedback.add", "feedback", item_id, customer_id=customer_id, category=category)
    return item_id


# -- triage ---------------------------------------------------------------------------------------
def _members(tx: Tx, item_id: int) -> list[int]:
    """The item and everything linked with it."""
    row = tx.execute("SELECT coalesce(group_id, id) FROM feedback WHERE id = ?",
                     (item_id,)).fetchone()
    if row is None:
        raise NotFound("feedback.not_found", ref=str(item_id))
    head = int(row[0])
    return [int(r[0]) for r in tx.execute(
        "SELECT id FROM feedback WHERE id = ? OR group_id = ? ORDER BY id", (head, head))]


def set_status(tx: Tx, item_id: int, status: str, note: str | None = None) -> list[int]:
    """Move an item (and its linked group) on. Returns the ids that moved."""
    if note is not None:
        note = gate.lines(note, "note", NOTE_MAX)
    current = tx.execute("SELECT status FROM feedback WHERE id = ?", (item_id,)).fetchone()
    if current is None:
        raise NotFound("feedback.not_found", ref=str(item_id))
    old = str(current[0])
    if status not in FEEDBACK_STATUSES:
        raise ValidationError({"status": ("feedback.status", {
            "known": ", ".join(FEEDBACK_STATUSES)})})
    if not can_move(old, status):
        raise RegularsError("feedback.bad_transition", old=old, new=status,
                            allowed=", ".join(NEXT[old]))
    members = _members(tx, item_id)
    tx.conn.executemany(
        "UPDATE feedback SET status = ?, status_at = ?, done_at = ?,"
        " owner_note = coalesce(?, owner_note) WHERE id = ?",
        [(status, tx.now, tx.now if status == "done" else None, note, m) for m in members])
    tx.audit("feedback.status", "feedback", item_id, old=old, new=status, items=members)
    return members


def set_note(tx: Tx, item_id: int, note: str) -> None:
    """The owner's "what we will do", on the item and everything linked with it."""
    clean = gate.lines(note, "note", NOTE_MAX)  # refused whole, never cut
    members = _members(tx, item_id)
    tx.conn.executemany("UPDATE feedback SET owner_note = ? WHERE id = ?",
                        [(clean, m) for m in members])
    tx.audit("feedback.note", "feedback", item_id, note=clean)


def link(tx: Tx, item_ids: list[int]) -> int:
    """Fold items (and the groups they are in) into one group, headed by the oldest.

    The group takes the head's status. Returns the head's id.
    """
    everyone = sorted({m for item in item_ids for m in _members(tx, item)})
    if len(everyone) < 2:
        raise RegularsError("feedback.link_needs_two")
    head = everyone[0]
    status = tx.execute("SELECT status, status_at, done_at FROM feedback WHERE id = ?",
                        (head,)).fetchone()
    tx.conn.executemany(
        "UPDATE feedback SET group_id = ?, status = ?, status_at = ?, done_at = ? WHERE id = ?",
        [(head, status[0], status[1], status[2], m) for m in everyone])
    tx.audit("feedback.link", "feedback", head, items=everyone)
    return head


def unlink(tx: Tx, item_id: int) -> None:
    """Take one item out of its group; a group of one is no group."""
    members = _members(tx, item_id)
    if len(members) < 2:
        raise RegularsError("feedback.not_linked", ref=str(item_id))
    rest = [m for m in members if m != item_id]
    tx.execute("UPDATE feedback SET group_id = NULL WHERE id = ?", (item_id,))
    new_head = rest[0] if len(rest) > 1 else None
    tx.conn.executemany("UPDATE feedback SET group_id = ? WHERE id = ?",
                        [(new_head, m) for m in rest])
    tx.audit("feedback.unlink", "feedback", item_id, group=rest)


# -- reading ----------------------------------------------------------------------------------
_COLUMNS = (
    "f.id, f.customer_id, f.category, p.name AS product, s.name AS supplier, f.words,"
    " f.sentiment, f.seed_user, f.at, st.name AS staff, f.status, f.status_at, f.done_at,"
    " f.owner_note, f.group_id")
_FROM = (
    "FROM feedback f JOIN staff st ON st.id = f.staff_id"
    " LEFT JOIN products p ON p.id = f.product_id LEFT JOIN suppliers s ON s.id = f.supplier_id")
_SELECT = f"SELECT {_COLUMNS} {_FROM}"
_ITEM_FIELDS = ("id", "customer_id", "category", "product", "supplier", "words", "sentiment",
                "seed_user", "at", "staff", "status", "status_at", "done_at", "owner_note",
                "group_id")


def _item(row: sqlite3.Row) -> Item:
    values = {k: row[k] for k in _ITEM_FIELDS}
    values["seed_user"] = bool(values["seed_user"])
    return Item(**values)


def get(conn: sqlite3.Connection, item_id: int) -> Item:
    row = conn.execute(f"{_SELECT} WHERE f.id = ?", (item_id,)).fetchone()
    if row is None:
        raise NotFound("feedback.not_found", ref=str(item_id))
    return _item(row)


def of_customer(conn: sqlite3.Connection, customer_id: int) -> list[Item]:
    return [_item(r) for r in conn.execute(
        f"{_SELECT} WHERE f.customer_id = ? ORDER BY f.at DESC, f.id DESC", (customer_id,))]


# -- the owner's inbox ------------------------------------------------------------------------
SORTS = ("newest", "oldest_open", "most_mentioned")


@dataclass(frozen=True)
class Filter:
    status: str | None = None  # None: any; "open": new, reviewing or planned
    category: str | None = None
    product: str | None = None
    supplier: str | None = None
    since: str | None = None  # ISO, inclusive
    until: str | None = None  # ISO, exclusive
    seed_users_only: bool = False
    text: str = ""  # in the words, the owner's note, product or supplier
    sort: str = "newest"


def with_typed(base: Filter, typed: str, tz: str, now: datetime) -> Filter:
    """The filter box: ``since:2026-10-01 until:2026-11-01 product:蛋挞 supplier:… words``."""
    from dataclasses import replace

    from .purchases import parse_when

    words: list[str] = []
    found: dict[str, str | None] = {}
    for token in typed.split():
        key, _, value = token.partition(":")
        if value and key in ("since", "until"):
            found[key] = parse_when(value, tz, now)
        elif value and key in ("product", "supplier"):
            found[key] = value
        else:
            words.append(token)
    return replace(base, text=" ".join(words), **found)  # type: ignore[arg-type]


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
        f"SELECT {_COLUMNS}, c.name AS customer_name,"
        " (SELECT count(*) FROM feedback q WHERE q.product_id = f.product_id) AS product_mentions,"
        " max(1, (SELECT count(*) FROM feedback m WHERE m.group_id = f.id)) AS mentions"
        f" {_FROM} LEFT JOIN customers c ON c.id = f.customer_id"
        f" WHERE {' AND '.join(where)} ORDER BY {order} LIMIT :limit", params)
    return [Row(_item(r), r["customer_name"], r["mentions"]) for r in rows]


@dataclass(frozen=True)
class Raiser:
    feedback_id: int
    customer_id: int
    name: str
    phone: str  # masked
    told_at: str | None
    language: str  # the one to write to them in: see language_of


def language_of(name: str) -> str:
    """The language to write to a customer in, judged by how their name is written:
    王芳 gets Chinese, Anna Lee English. (No customer field holds it yet.)"""
    from .names import has_cjk

    return "zh" if has_cjk(name) else "en"


def raisers(conn: sqlite3.Connection, item_id: int) -> list[Raiser]:
    """The customers who raised an item or anything linked with it, and who was told."""
    from .phones import mask

    head = conn.execute("SELECT coalesce(group_id, id) FROM feedback WHERE id = ?",
                        (item_id,)).fetchone()
    if head is None:
        raise NotFound("feedback.not_found", ref=str(item_id))
    return [Raiser(r["fid"], r["id"], r["name"], mask(r["phone"], r["phone_rev"]), r["told_at"],
                   language_of(r["name"])) for r in conn.execute(
                "SELECT f.id AS fid, c.id, c.name, c.phone, c.phone_rev, t.told_at"
                " FROM feedback f JOIN customers c ON c.id = f.customer_id"
                " LEFT JOIN feedback_told t ON t.feedback_id = f.id AND t.customer_id = c.id"
                " WHERE f.id = :h OR f.group_id = :h ORDER BY f.at", {"h": head[0]})]


def mark_told(tx: Tx, item_id: int, customer_id: int) -> None:
    row = tx.execute("SELECT status FROM feedback WHERE id = ? AND customer_id = ?",
                     (item_id, customer_id)).fetchone()
    if row is None:
        raise NotFound("feedback.not_found", ref=str(item_id))
    tx.execute("INSERT OR IGNORE INTO feedback_told VALUES (?, ?, ?, ?)",
               (item_id, customer_id, tx.now, tx.actor.id))
    tx.audit("feedback.told", "customer", customer_id, feedback=item_id)


# -- export ---------------------------------------------------------------------------------
EXPORT_COLUMNS = ("id", "at", "status", "category", "sentiment", "product", "supplier",
                  "customer", "member_code", "phone", "seed_user", "words", "owner_note",
                  "linked_to", "done_at")


def export_rows(conn: sqlite3.Connection, tz: str, *, status: str | None = None,
                since: str | None = None, supplier: str | None = None,
                full_phone: bool = False) -> list[list[str | int | None]]:
    """Rows for a supplier or the owner, oldest first, in EXPORT_COLUMNS order.

    Phones are masked (138****8000) unless ``full_phone``: a file sent out of the
    shop should not carry more about people than the reader needs.
    """
    from zoneinfo import ZoneInfo

    from .phones import mask

    where, params = ["1"], {}
    if status is not None:
        if status not in FEEDBACK_STATUSES:
            raise ValidationError({"status": ("feedback.status", {
                "known": ", ".join(FEEDBACK_STATUSES)})})
        where.append("f.status = :status")
        params["status"] = status
    if since is not None:
        where.append("f.at >= :since")
        params["since"] = since
    if supplier:
        where.append("s.name = :supplier")
        params["supplier"] = _clean_name(supplier, "supplier")
    zone = ZoneInfo(tz)

    def local(iso: str | None) -> str:
        return from_iso(iso).astimezone(zone).strftime("%Y-%m-%d %H:%M") if iso else ""

    rows = conn.execute(
        "SELECT f.*, p.name AS product, s.name AS supplier, c.name AS customer,"
        " c.member_code, c.phone, c.phone_rev FROM feedback f"
        " LEFT JOIN products p ON p.id = f.product_id"
        " LEFT JOIN suppliers s ON s.id = f.supplier_id"
        " LEFT JOIN customers c ON c.id = f.customer_id"
        f" WHERE {' AND '.join(where)} ORDER BY f.at, f.id", params)
    return [[r["id"], local(r["at"]), r["status"], r["category"], r["sentiment"],
             r["product"] or "", r["supplier"] or "", r["customer"] or "",
             r["member_code"] or "",
             (r["phone"] or "") if full_phone else mask(r["phone"], r["phone_rev"]),
             int(r["seed_user"]), r["words"], r["owner_note"],
             r["group_id"] if r["group_id"] != r["id"] else None, local(r["done_at"])]
            for r in rows]


# -- the owner's summary strip --------------------------------------------------------------
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
