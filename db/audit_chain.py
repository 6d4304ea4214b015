"""The audit log's chain: each row carries a SHA-256 over its own content and the row
before it, so editing, deleting or reordering a row breaks every hash after it.

``audit_head`` keeps the last row's id and hash, so deleting the newest rows (which
leaves a shorter chain that is whole) is caught too. Rows hold field names and ids,
never a customer's personal values, so erasing a customer never has to touch the chain.

The formula is part of the file format: a change to it is a new migration that
re-chains every row, never an edit here.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Mapping
from typing import Any

GENESIS = ""  # the "previous hash" of the first row
COLUMNS = "id, at, staff_id, action, entity, entity_id, customer_id, detail"

# Detail keys that would carry a person's own words or contact: an audit row outlives an
# erase, so it keeps field names, lengths and ids instead (``note_chars``, not ``note``).
# A key is refused when it is one of these or ends in "_<one of these>" (``other_name``).
# Staff names in ``staff.*`` rows are allowed: staff are the shop's own people acting in
# their role, not customers, and the log must say which account was added or locked.
PERSONAL_KEYS = frozenset({"name", "phone", "wechat_id", "wechat", "notes", "note", "text",
                           "reason", "birthday", "address", "email",
                           "tag"})  # a customer's tags are theirs: rows name the tag's id
STAFF_ACTIONS = "staff."
_PERSONAL = re.compile(rf"(?:^|_)(?:{'|'.join(sorted(PERSONAL_KEYS))})$")
_PERSONAL_BUT_NAME = re.compile(rf"(?:^|_)(?:{'|'.join(sorted(PERSONAL_KEYS - {'name'}))})$")


def personal_keys(action: str, detail: Mapping[str, Any]) -> list[str]:
    """The keys of ``detail`` that may hold a personal value (none is allowed)."""
    pattern = _PERSONAL_BUT_NAME if action.startswith(STAFF_ACTIONS) else _PERSONAL
    return sorted(key for key in detail if pattern.search(key))


def row_hash(prev_hash: str, row: tuple[Any, ...] | sqlite3.Row) -> str:
    """The hash of one row (its ``COLUMNS``, in order) chained to ``prev_hash``."""
    payload = json.dumps(list(row), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}\n{payload}".encode()).hexdigest()


def customer_of(entity: str, entity_id: int | None, detail: Mapping[str, Any]) -> int | None:
    """The customer a row concerns (the v9 migration's rule): the entity, or the detail's
    ``customer_id``. Only a true int: the hash is over the value as SQLite returns it."""
    found = entity_id if entity == "customer" else detail.get("customer_id")
    return found if type(found) is int else None


class Link:
    """The chain's end as one write transaction sees it: the next id and the hash the
    next row chains to. Read once per transaction (``BEGIN IMMEDIATE`` keeps other
    writers out until COMMIT), advanced by each row, and written back by ``seal``."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        head = conn.execute(
            "SELECT coalesce((SELECT last_id FROM audit_head WHERE id = 1), 0),"
            " coalesce((SELECT hash FROM audit_head WHERE id = 1), ?),"
            " coalesce((SELECT max(id) FROM audit_log), 0)", (GENESIS,)).fetchone()
        last_id, top, self.hash = int(head[0]), int(head[2]), str(head[1])
        # never reuse an id, even one the head names past the end (deleted rows stay a gap)
        self.next_id = max(top, last_id) + 1
        self.moved = False

    def add(self, conn: sqlite3.Connection, row: tuple[Any, ...]) -> None:
        """Insert ``row`` (``COLUMNS`` without the id) as the chain's next row."""
        full = (self.next_id, *row)
        digest = row_hash(self.hash, full)
        conn.execute(f"INSERT INTO audit_log({COLUMNS}, prev_hash, hash)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (*full, self.hash, digest))
        self.hash, self.next_id, self.moved = digest, self.next_id + 1, True

    def seal(self, conn: sqlite3.Connection) -> None:
        """Point ``audit_head`` at the last row this transaction added."""
        if self.moved:
            conn.execute("INSERT OR REPLACE INTO audit_head(id, last_id, hash) VALUES (1, ?, ?)",
                         (self.next_id - 1, self.hash))


def rechain(conn: sqlite3.Connection) -> int:
    """Hash every row from the first, and set the head: for the migration that adds the
    chain to a file whose rows have none. Returns the number of rows chained."""
    prev, last_id, count = GENESIS, 0, 0
    rows = conn.execute(f"SELECT {COLUMNS} FROM audit_log ORDER BY id").fetchall()
    updates = []
    for row in rows:
        digest = row_hash(prev, tuple(row))
        updates.append((prev, digest, row[0]))
        prev, last_id, count = digest, int(row[0]), count + 1
    conn.executemany("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", updates)
    conn.execute("INSERT OR REPLACE INTO audit_head(id, last_id, hash) VALUES (1, ?, ?)",
                 (last_id, prev))
    return count
