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
import sqlite3
from typing import Any

GENESIS = ""  # the "previous hash" of the first row
COLUMNS = "id, at, staff_id, action, entity, entity_id, customer_id, detail"


def row_hash(prev_hash: str, row: tuple[Any, ...] | sqlite3.Row) -> str:
    """The hash of one row (its ``COLUMNS``, in order) chained to ``prev_hash``."""
    payload = json.dumps(list(row), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}\n{payload}".encode()).hexdigest()


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
