"""Write a file's customers into the shop: one transaction, all rows or none.

Everything happens inside the caller's ``Store.write`` (BEGIN IMMEDIATE) and nothing
commits part way, so a kill or a full disk at any moment leaves the file as it was.
Rows go in with ``executemany`` (customers, lookup keys, tags, opening points); the
figures and stages are settled once at the end, for the customers that changed.

Choices, documented here once:
* A new customer keeps the file's member code when it is free and typable as one
  (``codes.normalize`` leaves it as it is); else they get a new code and the outcome
  carries an ``import.member_code_new`` note for the row (the row still comes in).
* A stage from the file is stored as the rule's when the rule suggests the same stage
  (it keeps following the rule); otherwise as a manual stage with reason
  ``reason.import``, so an export -> import round trip gives the same stage back and
  the rules do not move it the next morning. Without a stage, the rule decides.
* A referral from the file is linked pending (db.referrals.link: no self-referral, no
  loop); no welcome coupon, no reward now. A referee who already bought in the old
  system (opening orders) is linked as qualified then, with no reward: the old system
  paid for that first sale, and a first sale here must not pay for it again.
* Importing the same file again compares again and, when nothing changes, writes
  nothing at all: no batch (``Outcome.batch_id`` None), no audit row.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from .. import codes, lifecycle, points, purchases, referrals, search_keys, tags
from ..customers import CUSTOMER_COLUMNS
from ..errors import RegularsError, ValidationError
from ..phones import from_e164
from ..pinyin import variants
from ..store import Tx
from .model import Counts, CustomerRow, Kind, Parsed, Refusal
from .plan import Decision, birth_parts, chunks, plan_customers

Progress = Callable[[int, int], None]
STEPS = 100  # progress calls per import, at most
BODY_BITS = 5 * codes.MEMBER_CODE_BODY  # a member code's random part


class Ticker:
    """Calls ``progress(done, total)`` at most about STEPS times."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress, self.total = progress, total
        self.every = max(1, total // STEPS)
        self.done = 0

    def tick(self, n: int = 1) -> None:
        before, self.done = self.done, self.done + n
        if self.progress is not None and (self.done // self.every != before // self.every
                                          or self.done == self.total):
            self.progress(min(self.done, self.total), self.total)


def start_batch(tx: Tx, kind: Kind, file_name: str, sha256: str) -> int:
    cursor = tx.execute("INSERT INTO import_batches(kind, file_name, sha256, staff_id, at)"
                        " VALUES (?, ?, ?, ?, ?)", (kind, file_name, sha256, tx.actor.id, tx.now))
    return int(cursor.lastrowid or 0)


def finish_batch(tx: Tx, batch_id: int, kind: Kind, counts: Counts) -> None:
    tx.execute("UPDATE import_batches SET new = ?, updated = ?, unchanged = ?, folded = ?,"
               " refused = ? WHERE id = ?", (counts.new, counts.updated, counts.unchanged,
                                              counts.folded, counts.refused, batch_id))
    tx.audit(f"import.{kind}", "import_batch", batch_id, new=counts.new,
             updated=counts.updated, unchanged=counts.unchanged, folded=counts.folded,
             refused=counts.refused)


def _free_codes(conn: sqlite3.Connection, wanted: Sequence[str]) -> set[str]:
    taken: set[str] = set()
    for part in chunks(sorted(set(wanted))):
        marks = ", ".join("?" * len(part))
        taken |= {r[0] for r in conn.execute(
            f"SELECT member_code FROM customers WHERE member_code IN ({marks})", list(part))}
    return set(wanted) - taken


def member_codes(tx: Tx, wanted: Sequence[tuple[int, str | None]],
                 notes: list[Refusal]) -> list[str]:
    """For each (line, the file's code): that code when free (once), else a fresh one
    (db.codes), noted for the line."""
    free = _free_codes(tx.conn, [code for _, code in wanted
                                 if code and codes.normalize(code) == code])
    out: list[str | None] = []
    for line, code in wanted:
        if code and code in free:
            free.discard(code)
            out.append(code)
        else:
            if code:
                notes.append(Refusal(line, "member_code", code, "import.member_code_new"))
            out.append(None)
    fresh: set[str] = set()
    need = out.count(None)
    while len(fresh) < need:  # a few collide (with the shop, or each other): draw again
        # codes.from_number spells random bits as codes.new_code does, 10x faster
        fresh |= _free_codes(tx.conn, [codes.from_number(secrets.randbits(BODY_BITS))
                                       for _ in range(need - len(fresh))])
    spare = iter(sorted(fresh))
    return [code if code is not None else next(spare) for code in out]


def _insert_new(tx: Tx, new: Sequence[Decision], notes: list[Refusal], ticker: Ticker
                ) -> list[int]:
    """New customers with explicit ids (contiguous after the highest), their figures
    from the opening values, and their lookup keys, sorted so the index fills in order."""
    first = int(tx.execute("SELECT coalesce(max(id), 0) + 1 FROM customers").fetchone()[0])
    ids = list(range(first, first + len(new)))
    chosen = member_codes(tx, [(d.row.line, d.row.member_code) for d in new], notes)
    rows: list[tuple[Any, ...]] = []
    keys: list[search_keys.KeyRow] = []
    for cid, code, d in zip(ids, chosen, new, strict=True):
        r = d.row
        spellings = variants(r.name)
        sort_name = search_keys.sort_name_for(r.name, spellings)
        phone = from_e164(r.phone) if r.phone else None
        year, month, day = birth_parts(r.birthday) if r.birthday else (None, None, None)
        consent = bool(r.marketing_consent)
        created = r.created or tx.now
        rows.append((
            cid, code, r.name, sort_name, " ".join(spellings), r.phone,
            phone.rev if phone else None, r.wechat_id, year, month, day, r.gender,
            r.channel or "counter", r.notes, int(bool(r.seed_user)), int(consent),
            created if consent else None, "import" if consent else None, r.last_visit,
            r.spend_fen or 0, r.orders or 0,
            created, tx.now, tx.actor.id, tx.actor.id, r.first_visit, created,
            r.spend_fen or 0, r.orders or 0, r.first_visit, r.last_visit))
        keys += search_keys.key_rows(cid, r.name, spellings, phone.rev if phone else None,
                                     r.last_visit, sort_name)
        ticker.tick()
    tx.conn.executemany(
        "INSERT INTO customers(id, member_code, name, sort_name, pinyin, phone, phone_rev,"
        " wechat_id, birth_year, birth_month, birth_day, gender, channel, notes,"
        " is_seed_user, marketing_consent, consent_at, consent_source, last_visit_at,"
        " total_spend_fen,"
        " orders, created_at, updated_at, created_by, updated_by, first_purchase_at,"
        " stage_since, opening_spend_fen, opening_orders, opening_first_at, opening_last_at)"
        f" VALUES ({', '.join('?' * 31)})", rows)
    search_keys.insert_many(tx.conn, keys)
    return ids


_NAME_COLUMNS = {"name", "phone"}  # what the lookup keys are made of
_FIGURES = {"opening_spend_fen", "opening_orders", "opening_first_at", "opening_last_at"}


def _update_one(tx: Tx, d: Decision) -> None:
    assert d.stored is not None
    cid = d.stored["id"]
    values = dict(d.changes)
    if "name" in values:
        spellings = variants(values["name"])
        values["sort_name"] = search_keys.sort_name_for(values["name"], spellings)
        values["pinyin"] = " ".join(spellings)
    if "phone" in values:
        values["phone_rev"] = from_e164(values["phone"]).rev
    if "marketing_consent" in values:  # given or withdrawn in the file
        values.update(consent_at=tx.now, consent_source="import")
    values.update(updated_at=tx.now, updated_by=tx.actor.id)
    sets = ", ".join(f"{k} = :{k}" for k in values)
    tx.execute(f"UPDATE customers SET {sets} WHERE id = :id", {**values, "id": cid})
    if _NAME_COLUMNS & set(d.changes):  # the lookup keys come from the name and phone
        search_keys.unindex(tx.conn, d.stored)
        row = tx.execute(f"SELECT {CUSTOMER_COLUMNS} FROM customers WHERE id = ?",
                         (cid,)).fetchone()
        search_keys.index(tx.conn, row)


def _link_tags(tx: Tx, pairs: list[tuple[int, str]]) -> None:
    """(customer id, tag name) pairs, names already through tags.clean_name."""
    ids: dict[str, int] = {}
    for name in sorted({n.casefold(): n for _, n in pairs}.values()):
        row = tx.execute("SELECT id FROM tags WHERE name = ?", (name,)).fetchone()
        ids[name.casefold()] = int(row[0]) if row else int(tx.execute(
            "INSERT INTO tags(name, created_at, created_by) VALUES (?, ?, ?)",
            (name, tx.now, tx.actor.id)).lastrowid or 0)
    tx.conn.executemany(
        "INSERT OR IGNORE INTO customer_tags(customer_id, tag_id, added_at, added_by)"
        " VALUES (?, ?, ?, ?)",
        [(cid, ids[n.casefold()], tx.now, tx.actor.id) for cid, n in pairs])


def _clean_tags(ids: Sequence[int], decisions: Sequence[Decision],
                notes: list[Refusal]) -> list[tuple[int, str]]:
    pairs = []
    for cid, d in zip(ids, decisions, strict=True):
        for tag in d.tags:
            try:
                pairs.append((cid, tags.clean_name(tag)))
            except ValidationError as exc:
                code, params = next(iter(exc.fields.values()))
                notes.append(Refusal(d.row.line, "tags", tag, code,
                                     {k: str(v) for k, v in params.items()}))
    return pairs


def _referrer_id(conn: sqlite3.Connection, ref: str) -> int | None:
    row = conn.execute("SELECT id FROM customers WHERE (member_code = ? OR phone = ?)"
                       " AND erased_at IS NULL", (ref, ref)).fetchone()
    return int(row[0]) if row else None


def _link_referrers(tx: Tx, ids: Sequence[int], decisions: Sequence[Decision],
                    notes: list[Refusal]) -> None:
    """Second pass: a referrer may come later in the file than the people they brought."""
    for cid, d in zip(ids, decisions, strict=True):
        if not d.referrer:
            continue
        referrer = _referrer_id(tx.conn, d.referrer)
        if referrer is None:
            notes.append(Refusal(d.row.line, "referrer", d.referrer, "import.referrer_unknown"))
            continue
        try:
            referral_id = referrals.link(tx, cid, referrer)
        except RegularsError as exc:
            notes.append(Refusal(d.row.line, "referrer", d.referrer, exc.code,
                                 {k: str(v) for k, v in exc.params.items()}))
            continue
        referrals.qualify_from_old_system(tx, referral_id)


def _set_stages(tx: Tx, ids: Sequence[int], decisions: Sequence[Decision]) -> None:
    """The file's stage: the rule's when the rule agrees, else held as set by hand."""
    for cid, d in zip(ids, decisions, strict=True):
        if d.stage is None:
            continue
        suggested = lifecycle.suggest(tx.conn, cid, tx.now)
        row = tx.execute("SELECT stage FROM customers WHERE id = ?", (cid,)).fetchone()
        if suggested.stage == d.stage:
            tx.execute("UPDATE customers SET stage_source = 'rule' WHERE id = ?", (cid,))
            if row["stage"] != d.stage:
                lifecycle.apply_rule(tx, cid)
        elif row["stage"] != d.stage:
            lifecycle.change(tx, cid, row["stage"], d.stage, "manual", "reason.import", {})
        else:
            tx.execute("UPDATE customers SET stage_source = 'manual' WHERE id = ?", (cid,))


def apply_customers(tx: Tx, parsed: Parsed[CustomerRow], file_name: str, sha256: str,
                    progress: Progress | None = None) -> tuple[int | None, Counts,
                                                                tuple[Refusal, ...]]:
    """Plan against the shop as the write lock sees it, then write it all.
    Returns (batch id or None when nothing changed, counts, refusals and notes)."""
    plan = plan_customers(tx.conn, parsed)
    notes: list[Refusal] = list(plan.refusals)
    changing = [d for d in plan.decisions if d.changed]
    if not changing:
        return None, plan.counts, tuple(notes)
    batch_id = start_batch(tx, "customers", file_name, sha256)
    ticker = Ticker(progress, len(changing))
    new = [d for d in changing if d.stored is None]
    old = [d for d in changing if d.stored is not None]
    new_ids = _insert_new(tx, new, notes, ticker)
    for d in old:
        _update_one(tx, d)
        ticker.tick()
    ids = [*new_ids, *(d.stored["id"] for d in old if d.stored is not None)]
    decisions = [*new, *old]
    _link_tags(tx, _clean_tags(ids, decisions, notes))
    opening = [(cid, d.points) for cid, d in zip(ids, decisions, strict=True) if d.points]
    too_big = {cid for cid, amount in opening if amount > points.POINTS_MAX}
    for cid, d in zip(ids, decisions, strict=True):
        if cid in too_big:
            notes.append(Refusal(d.row.line, "points", str(d.points), "import.points_too_big",
                                 {"max": str(points.POINTS_MAX)}))
    points.open_many(tx, [(c, a) for c, a in opening if c not in too_big], "import")
    _link_referrers(tx, ids, decisions, notes)
    purchases.refresh_many(tx, [d.stored["id"] for d in old if d.stored is not None
                                and d.changes.keys() & _FIGURES])
    lifecycle.settle(tx, [cid for cid, d in zip(ids, decisions, strict=True) if not d.stage])
    _set_stages(tx, ids, decisions)
    finish_batch(tx, batch_id, "customers", plan.counts)
    return batch_id, plan.counts, tuple(notes)
