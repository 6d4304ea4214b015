"""Write a file's purchase history into the shop: one transaction, all rows or none.

* A row names its customer by E.164 phone, else member code. An unknown customer with
  a phone is added (named as the row says, else by the masked phone), and the outcome
  carries an ``import.customer_added`` note for that row; an unknown member code with
  no phone refuses the row.
* A row already in the shop is left alone: the same old-system order id
  (``source_order_id``), or, without one, the same customer, time and amount. Repeats
  inside the file count as folded. So importing the same file twice adds nothing.
* A refund (amount < 0) names the order it refunds, in the file or already stored.
* Imported history earns no points and qualifies no referral: the old system's
  balance comes as an opening row with the customers. Figures, stages and lookup
  ranks are recomputed once at the end, for the customers the file touched.

Counts for purchases: ``new`` rows added, ``unchanged`` rows already there, ``folded``
repeats inside the file, ``refused`` rows refused; ``updated`` stays 0.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import purchases, search_keys
from ..phones import from_e164, mask
from ..pinyin import variants
from ..store import Tx
from .apply import Progress, Ticker, finish_batch, member_codes, start_batch
from .model import Counts, Parsed, PurchaseRow, Refusal
from .plan import chunks

Key = tuple[Any, ...]  # ("order", id) or ("same", customer ref, at, amount)


@dataclass
class PurchasePlan:
    sales: list[tuple[PurchaseRow, int | str]] = field(default_factory=list)
    refunds: list[tuple[PurchaseRow, int | str]] = field(default_factory=list)
    added: dict[str, PurchaseRow] = field(default_factory=dict)  # phone -> first row
    refusals: list[Refusal] = field(default_factory=list)
    unchanged: int = 0
    folded: int = 0
    taken: set[int] = field(default_factory=set)  # lines that came in, matched or folded

    @property
    def counts(self) -> Counts:
        """A refused row is a line that did not come in, whatever column its reason names."""
        return Counts(new=len(self.sales) + len(self.refunds), unchanged=self.unchanged,
                      folded=self.folded,
                      refused=len({r.line for r in self.refusals} - self.taken))


def _ids(conn: sqlite3.Connection, sql: str, values: Sequence[Any]) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    wanted = sorted(set(values))
    for part in chunks(wanted):
        out.update(conn.execute(sql.format(marks=", ".join("?" * len(part))), list(part)))
    return out


def _stored_keys(conn: sqlite3.Connection, customer_ids: Sequence[int]) -> set[Key]:
    keys: set[Key] = set()
    for part in chunks(sorted(set(customer_ids))):
        marks = ", ".join("?" * len(part))
        keys |= {("same", cid, at, amount) for cid, at, amount in conn.execute(
            f"SELECT customer_id, at, amount_fen FROM purchases WHERE customer_id IN ({marks})",
            list(part))}
    return keys


def plan_purchases(conn: sqlite3.Connection, parsed: Parsed[PurchaseRow]) -> PurchasePlan:
    """Decide every row against the shop as it is now; nothing written."""
    rows = parsed.rows
    plan = PurchasePlan(refusals=list(parsed.refusals))
    by_phone = _ids(conn, "SELECT phone, id FROM customers WHERE phone IN ({marks})",
                    [r.phone for r in rows if r.phone])
    by_code = _ids(conn, "SELECT member_code, id FROM customers"  # (the erased: never)
                   " WHERE member_code IN ({marks}) AND erased_at IS NULL",
                   [r.member_code for r in rows if r.member_code])
    orders = {r.order_id for r in rows if r.order_id} | {r.refund_of for r in rows
                                                         if r.refund_of}
    stored_orders = _ids(conn, "SELECT source_order_id, id FROM purchases"
                         " WHERE source_order_id IN ({marks})", list(orders))
    refunded = set(_ids(conn, "SELECT refund_of, id FROM purchases"
                        " WHERE refund_of IN ({marks})", list(stored_orders.values())))
    # rows without an order id match stored ones by customer, time and amount
    loose = [r for r in rows if not r.order_id]
    stored = _stored_keys(conn, [*(by_phone[r.phone] for r in loose if r.phone in by_phone),
                                 *(by_code[r.member_code] for r in loose
                                   if r.member_code in by_code)])
    seen: set[Key] = set()
    in_file: set[str] = set()  # order ids of sales this file adds
    refunds_of: set[str] = set()
    for r in rows:
        who: int | str | None = by_phone.get(r.phone) if r.phone else None
        if who is None and r.member_code:
            who = by_code.get(r.member_code)
        if who is None and r.phone:
            who = r.phone  # a customer this import adds
            plan.added.setdefault(r.phone, r)
        if who is None:
            plan.refusals.append(Refusal(r.line, "", "", "import.customer_unknown",
                                         {"ref": r.member_code or ""}))
            continue
        key: Key = ("order", r.order_id) if r.order_id else ("same", who, r.at, r.amount_fen)
        if key in seen:
            plan.folded += 1
            plan.taken.add(r.line)
            continue
        seen.add(key)
        if key in stored or (r.order_id and r.order_id in stored_orders):
            plan.unchanged += 1
            plan.taken.add(r.line)
            continue
        if r.amount_fen > 0:
            if r.order_id:
                in_file.add(r.order_id)
            plan.sales.append((r, who))
            plan.taken.add(r.line)
            continue
        target = r.refund_of or ""
        if target not in in_file and target not in stored_orders:
            plan.refusals.append(Refusal(r.line, "", "", "import.refund_of_unknown",
                                         {"order": target}))
        elif target in refunds_of or stored_orders.get(target) in refunded:
            plan.refusals.append(Refusal(r.line, "", "", "import.refund_already",
                                         {"order": target}))
        else:
            refunds_of.add(target)
            plan.refunds.append((r, who))
            plan.taken.add(r.line)
    return plan


def _add_customers(tx: Tx, plan: PurchasePlan, notes: list[Refusal]) -> dict[str, int]:
    """The customers the file names by a phone the shop does not know yet."""
    made: dict[str, int] = {}
    if not plan.added:
        return made
    first = int(tx.execute("SELECT coalesce(max(id), 0) + 1 FROM customers").fetchone()[0])
    rows, keys = [], []
    chosen = member_codes(tx, [(r.line, r.member_code) for r in plan.added.values()], notes)
    for cid, code, (phone, r) in zip(range(first, first + len(plan.added)), chosen,
                                     plan.added.items(), strict=True):
        number = from_e164(phone)
        name = (r.name or mask(phone, number.rev))[:40]
        spellings = variants(name)
        sort_name = search_keys.sort_name_for(name, spellings)
        rows.append((cid, code, name, sort_name, " ".join(spellings), phone, number.rev,
                     tx.now, tx.now, tx.actor.id, tx.actor.id, tx.now))
        keys += search_keys.key_rows(cid, name, spellings, number.rev, None, sort_name)
        notes.append(Refusal(r.line, "phone", mask(phone, number.rev),
                             "import.customer_added", {"code": code}))
        made[phone] = cid
    tx.conn.executemany(
        "INSERT INTO customers(id, member_code, name, sort_name, pinyin, phone, phone_rev,"
        " created_at, updated_at, created_by, updated_by, stage_since)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    search_keys.insert_many(tx.conn, keys)
    return made


def apply_purchases(tx: Tx, parsed: Parsed[PurchaseRow], file_name: str, sha256: str,
                    region: str, progress: Progress | None = None
                    ) -> tuple[int | None, Counts, tuple[Refusal, ...]]:
    """Plan against the shop as the write lock sees it, then write it all.
    Returns (batch id or None when nothing changed, counts, refusals and notes)."""
    del region  # phones arrive as E.164 from the reader
    plan = plan_purchases(tx.conn, parsed)
    notes = list(plan.refusals)
    if not plan.sales and not plan.refunds:
        return None, plan.counts, tuple(notes)
    batch_id = start_batch(tx, "purchases", file_name, sha256)
    ticker = Ticker(progress, len(plan.sales) + len(plan.refunds))
    made = _add_customers(tx, plan, notes)

    def customer(who: int | str) -> int:
        return made[who] if isinstance(who, str) else who

    first = int(tx.execute("SELECT coalesce(max(id), 0) + 1 FROM purchases").fetchone()[0])
    order_ids: dict[str, int] = {}
    sales = []
    for pid, (r, who) in enumerate(plan.sales, first):
        sales.append((pid, customer(who), r.amount_fen, None, r.items, r.at, tx.now,
                      tx.actor.id, r.order_id, batch_id))
        if r.order_id:
            order_ids[r.order_id] = pid
    _insert(tx, sales, ticker)
    stored = dict(_ids(tx.conn, "SELECT source_order_id, id FROM purchases"
                       " WHERE source_order_id IN ({marks})",
                       [r.refund_of for r, _ in plan.refunds if r.refund_of]))
    stored.update(order_ids)
    owner = dict(_ids(tx.conn, "SELECT id, customer_id FROM purchases WHERE id IN ({marks})",
                      list(stored.values())))
    first += len(sales)
    refunds = [(pid, owner[stored[r.refund_of or ""]], r.amount_fen, stored[r.refund_of or ""],
                r.items, r.at, tx.now, tx.actor.id, r.order_id, batch_id)
               for pid, (r, _) in enumerate(plan.refunds, first)]
    _insert(tx, refunds, ticker)
    touched = {row[1] for row in (*sales, *refunds)}
    purchases.refresh_many(tx, sorted(touched))
    search_keys.rerank_all(tx.conn)
    finish_batch(tx, batch_id, "purchases", plan.counts)
    return batch_id, plan.counts, tuple(notes)


def _insert(tx: Tx, rows: list[tuple[Any, ...]], ticker: Ticker) -> None:
    step = max(1, ticker.every)
    for start in range(0, len(rows), step):
        part = rows[start:start + step]
        tx.conn.executemany(
            "INSERT INTO purchases(id, customer_id, amount_fen, refund_of, items, at,"
            " recorded_at, staff_id, source_order_id, import_batch_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", part)
        ticker.tick(len(part))
