"""v8: import batches, and the figures a customer brings from an old system.

The opening_* columns hold what the old system knew (lifetime spend, orders, first and
last visit), kept apart from the purchases recorded here; the stored figures are
opening + ledger (db/purchases.py), so a later sale or refund never wipes them.
"""

from __future__ import annotations

import sqlite3

from .sql import run_script


def apply(conn: sqlite3.Connection, now: str) -> None:
    run_script(conn, """
        CREATE TABLE import_batches (
            id        INTEGER PRIMARY KEY,
            kind      TEXT NOT NULL,  -- db.imports.model.KINDS, checked by the Shop
            file_name TEXT NOT NULL,
            sha256    TEXT NOT NULL,
            staff_id  INTEGER NOT NULL REFERENCES staff(id),
            at        TEXT NOT NULL,
            new       INTEGER NOT NULL DEFAULT 0,
            updated   INTEGER NOT NULL DEFAULT 0,
            unchanged INTEGER NOT NULL DEFAULT 0,
            folded    INTEGER NOT NULL DEFAULT 0,
            refused   INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX import_batches_sha256 ON import_batches(sha256, kind);

        ALTER TABLE customers ADD COLUMN opening_spend_fen INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE customers ADD COLUMN opening_orders INTEGER NOT NULL DEFAULT 0
            CHECK (opening_orders >= 0);
        ALTER TABLE customers ADD COLUMN opening_first_at TEXT;
        ALTER TABLE customers ADD COLUMN opening_last_at TEXT;

        -- The old system's order number: a re-import matches on it, once per order.
        ALTER TABLE purchases ADD COLUMN source_order_id TEXT;
        ALTER TABLE purchases ADD COLUMN import_batch_id INTEGER
            REFERENCES import_batches(id);
        CREATE UNIQUE INDEX purchases_source_order ON purchases(source_order_id)
            WHERE source_order_id IS NOT NULL;
    """)
