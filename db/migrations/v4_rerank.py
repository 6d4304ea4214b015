"""v4: re-ranking the lookup keys after a sale happens just after it, not inside it."""

from __future__ import annotations

import sqlite3

from .sql import run_script


def apply(conn: sqlite3.Connection, now: str) -> None:
    run_script(conn, """
        -- Customers whose search_keys rows still carry an old recency rank. A sale
        -- adds one row here (cheap) instead of rewriting ~15 scattered index rows
        -- while the customer waits; a worker catches up a moment later.
        CREATE TABLE rerank_queue (
            customer_id  INTEGER PRIMARY KEY REFERENCES customers(id),
            indexed_rank INTEGER NOT NULL   -- the rank the customer's keys carry now
        );
    """)
