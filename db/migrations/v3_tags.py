"""v3: free tags, created on the fly, renamed or merged by the owner."""

from __future__ import annotations

import sqlite3

from .sql import run_script


def apply(conn: sqlite3.Connection, now: str) -> None:
    run_script(conn, """
        CREATE TABLE tags (
            id         INTEGER PRIMARY KEY,
            name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
            created_at TEXT NOT NULL,
            created_by INTEGER NOT NULL REFERENCES staff(id)
        );
        CREATE TABLE customer_tags (
            customer_id INTEGER NOT NULL REFERENCES customers(id),
            tag_id      INTEGER NOT NULL REFERENCES tags(id),
            added_at    TEXT NOT NULL,
            added_by    INTEGER NOT NULL REFERENCES staff(id),
            PRIMARY KEY (customer_id, tag_id)
        ) WITHOUT ROWID;
        CREATE INDEX customer_tags_tag ON customer_tags(tag_id, customer_id);
    """)
