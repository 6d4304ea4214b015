"""The lookup index: every short string a person might type, pointing at a customer.

A counter search must answer in a couple of milliseconds even when the query
is as broad as 王 (7 % of a million customers). So each key's rows are stored
already in result order — tier, then most recent visit, then name — and a
search reads the first 50 rows of one key instead of sorting thousands.

Keys per customer:
* every CJK substring of the name up to 4 characters (王, 王小, 小明, …);
* every prefix, up to 6 letters, of each pinyin reading, full and initials;
* each whole reading once more, marked "=zhangsanfeng", for a range lookup when
  someone types more than 6 letters (few customers share a long prefix);
* the last 3 and last 4 digits of the phone.
Longer CJK queries look up their first 4 characters and filter the rest.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from functools import lru_cache

from .clock import rank_of
from .names import has_cjk

NAME_KEY_MAX = 4
PINYIN_KEY_MAX = 6
TAIL_KEY_LENGTHS = (3, 4)
SORT_NAME_MAX = 16
WHOLE_MARK = "="  # never typed into the search box, so these keys never collide

KeyRow = tuple[str, int, int, str, int]


def sort_name_for(name: str, variants: Sequence[str]) -> str:
    return (variants[0] if variants else name.lower())[:SORT_NAME_MAX]


@lru_cache(maxsize=262_144)  # namesakes share keys: 王伟 is computed once
def name_key_tiers(name: str, pinyin: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    """The keys that come from the name alone, each at its best tier."""
    tiers: dict[str, int] = {}

    def add(key: str, tier: int) -> None:
        if tier < tiers.get(key, 3):
            tiers[key] = tier

    compact = name.replace(" ", "")
    for i in range(len(compact)):
        for j in range(i + 1, min(len(compact), i + NAME_KEY_MAX) + 1):
            sub = compact[i:j]
            if has_cjk(sub):
                add(sub, 0 if sub == compact else 1 if i == 0 else 2)
    for spelling in pinyin:
        for j in range(1, min(len(spelling), PINYIN_KEY_MAX) + 1):
            add(spelling[:j], 0 if j == len(spelling) else 1)
        if len(spelling) > PINYIN_KEY_MAX:
            add(WHOLE_MARK + spelling, 1)
    return tuple(tiers.items())


def key_tiers(name: str, pinyin: Sequence[str], phone_rev: str | None
              ) -> list[tuple[str, int]]:
    """Every key of one customer with its tier: the name's, then the phone tails."""
    out = list(name_key_tiers(name, tuple(pinyin)))
    if phone_rev:
        out += [(phone_rev[:n][::-1], 1) for n in TAIL_KEY_LENGTHS if len(phone_rev) >= n]
    return out


def key_rows(customer_id: int, name: str, pinyin: Sequence[str], phone_rev: str | None,
             last_visit_at: str | None, sort_name: str) -> list[KeyRow]:
    rank = rank_of(last_visit_at)
    return [(key, tier, rank, sort_name, customer_id)
            for key, tier in key_tiers(name, pinyin, phone_rev)]


def rows_for_record(row: sqlite3.Row, rank: int | None = None) -> list[KeyRow]:
    """The keys of a stored customer row (no pypinyin needed: readings are stored).

    ``rank`` overrides the recency rank (the one the stored rows carry while the
    customer waits in rerank_queue); by default it follows the last visit.
    """
    rows = key_rows(row["id"], row["name"], row["pinyin"].split(), row["phone_rev"],
                    row["last_visit_at"], row["sort_name"])
    if rank is not None:
        rows = [(key, tier, rank, sort, cid) for key, tier, _, sort, cid in rows]
    return rows


def stored_rows(conn: sqlite3.Connection, row: sqlite3.Row) -> list[KeyRow]:
    """The rows search_keys holds for this customer now, stale rank included."""
    queued = conn.execute("SELECT indexed_rank FROM rerank_queue WHERE customer_id = ?",
                          (row["id"],)).fetchone()
    return rows_for_record(row, queued[0] if queued else None)


INSERT_SQL = ("INSERT OR IGNORE INTO search_keys(key, tier, rank, sort_name, customer_id)"
              " VALUES (?, ?, ?, ?, ?)")
DELETE_SQL = ("DELETE FROM search_keys WHERE key = ? AND tier = ? AND rank = ?"
              " AND sort_name = ? AND customer_id = ?")


def index(conn: sqlite3.Connection, row: sqlite3.Row) -> None:
    conn.executemany(INSERT_SQL, rows_for_record(row))


def unindex(conn: sqlite3.Connection, row: sqlite3.Row) -> None:
    """Remove what is stored for ``row`` (whatever its rank); index() writes it fresh."""
    conn.executemany(DELETE_SQL, stored_rows(conn, row))
    conn.execute("DELETE FROM rerank_queue WHERE customer_id = ?", (row["id"],))


def visit_changed(conn: sqlite3.Connection, customer_id: int, old_last_visit: str | None
                  ) -> None:
    """A sale or refund moved the last visit: re-rank later (see rerank_pending).

    Re-ranking now would rewrite ~15 rows on ~15 pages of a large index inside the
    sale's transaction, the bulk of its disk writes. If the customer is queued
    already, the rank their rows carry is the one queued first, so that one stays.
    """
    conn.execute("INSERT OR IGNORE INTO rerank_queue(customer_id, indexed_rank) VALUES (?, ?)",
                 (customer_id, rank_of(old_last_visit)))


def pending(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM rerank_queue").fetchone()[0])


def _stale_and_fresh(row: sqlite3.Row) -> tuple[list[KeyRow], list[KeyRow]]:
    """A queued customer's keys with the rank they carry (``indexed_rank``) and with the
    one they should: the keys worked out once, the rank swapped."""
    fresh = rows_for_record(row)
    stale = [(key, tier, row["indexed_rank"], sort, cid) for key, tier, _, sort, cid in fresh]
    return stale, fresh


def rerank_pending(conn: sqlite3.Connection, limit: int = 500) -> int:
    """Give up to ``limit`` queued customers' keys their current rank. Returns how many."""
    queued = conn.execute(
        "SELECT q.indexed_rank, c.* FROM rerank_queue q JOIN customers c ON c.id = q.customer_id"
        " ORDER BY q.customer_id LIMIT ?", (limit,)).fetchall()
    for row in queued:
        stale, fresh = _stale_and_fresh(row)
        conn.executemany(DELETE_SQL, stale)
        conn.executemany(INSERT_SQL, fresh)
    conn.executemany("DELETE FROM rerank_queue WHERE customer_id = ?",
                     [(row["id"],) for row in queued])
    return len(queued)


def insert_many(conn: sqlite3.Connection, keys: list[KeyRow]) -> None:
    """Keys in bulk (an import): into a bare temporary table first, then into the index
    in its own order (SQLite's sorter), so its pages fill one after another."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS bulk_keys(key, tier, rank, sort_name,"
                 " customer_id)")
    conn.executemany("INSERT INTO temp.bulk_keys VALUES (?, ?, ?, ?, ?)", keys)
    conn.execute("INSERT OR IGNORE INTO search_keys SELECT * FROM temp.bulk_keys"
                 " ORDER BY 1, 2, 3, 4, 5")
    conn.execute("DELETE FROM temp.bulk_keys")


def _by_key(row: KeyRow) -> str:
    return row[0]


def rerank_all(conn: sqlite3.Connection) -> int:
    """``rerank_pending`` for the whole queue at once, inside the caller's transaction
    (an import that moved many last visits): the stale rows deleted in key order, the
    fresh ones inserted through ``insert_many``. Returns how many customers."""
    stale: list[KeyRow] = []
    fresh: list[KeyRow] = []
    queued = 0
    for row in conn.execute("SELECT q.indexed_rank, c.* FROM rerank_queue q"
                            " JOIN customers c ON c.id = q.customer_id"):
        old, new = _stale_and_fresh(row)
        stale += old
        fresh += new
        queued += 1
    stale.sort(key=_by_key)  # nearby keys share index pages: delete them page by page
    conn.executemany(DELETE_SQL, stale)
    insert_many(conn, fresh)
    conn.execute("DELETE FROM rerank_queue")
    return queued
