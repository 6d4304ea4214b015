"""v2: purchases, per-customer figures and lifecycle stages with their history."""

from __future__ import annotations

import sqlite3

from .sql import one_of, run_script

# Frozen: the words this step wrote into its CHECK constraints, as they were then.
# Never edit them: a changed list in db.vocab needs a new step.
STAGES = ("initial", "trust", "decline", "dormant")
STAGE_SOURCES = ("rule", "manual")


def apply(conn: sqlite3.Connection, now: str) -> None:
    run_script(conn, f"""
        ALTER TABLE customers ADD COLUMN first_purchase_at TEXT;
        ALTER TABLE customers ADD COLUMN median_interval_s INTEGER;
        ALTER TABLE customers ADD COLUMN referrals_qualified INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE customers ADD COLUMN stage_source TEXT NOT NULL DEFAULT 'rule'
            CHECK (stage_source IN ({one_of(STAGE_SOURCES)}));
        ALTER TABLE customers ADD COLUMN stage_since TEXT;

        -- A sale is a positive row; a refund is a negative row that points at its sale.
        -- Nothing is ever deleted or edited: the ledger is the truth.
        CREATE TABLE purchases (
            id          INTEGER PRIMARY KEY,
            customer_id INTEGER NOT NULL REFERENCES customers(id),
            amount_fen  INTEGER NOT NULL,
            refund_of   INTEGER REFERENCES purchases(id),
            items       TEXT NOT NULL DEFAULT '',
            at          TEXT NOT NULL,       -- when it happened (may be back-dated)
            recorded_at TEXT NOT NULL,       -- when it was typed in
            staff_id    INTEGER NOT NULL REFERENCES staff(id),
            CHECK ((refund_of IS NULL AND amount_fen > 0)
                   OR (refund_of IS NOT NULL AND amount_fen < 0))
        );
        CREATE INDEX purchases_customer_at ON purchases(customer_id, at);
        CREATE UNIQUE INDEX purchases_one_refund ON purchases(refund_of)
            WHERE refund_of IS NOT NULL;

        CREATE TABLE stage_history (
            id            INTEGER PRIMARY KEY,
            customer_id   INTEGER NOT NULL REFERENCES customers(id),
            from_stage    TEXT CHECK (from_stage IN ({one_of(STAGES)})),
            to_stage      TEXT NOT NULL CHECK (to_stage IN ({one_of(STAGES)})),
            at            TEXT NOT NULL,
            staff_id      INTEGER NOT NULL REFERENCES staff(id),
            source        TEXT NOT NULL CHECK (source IN ({one_of(STAGE_SOURCES)})),
            reason_code   TEXT NOT NULL,
            reason_params TEXT NOT NULL DEFAULT '{{}}'
        );
        CREATE INDEX stage_history_customer ON stage_history(customer_id, at);
        CREATE INDEX customers_stage_spend ON customers(stage, total_spend_fen);
    """)
    conn.execute("UPDATE customers SET stage_since = created_at")
    conn.executemany(
        "INSERT OR IGNORE INTO settings(key, value) VALUES (?, ?)",
        [("lifecycle.trust_orders", "3"), ("lifecycle.trust_orders_with_referral", "2"),
         ("lifecycle.window_min_days", "30"), ("lifecycle.window_factor", "1.5"),
         ("lifecycle.dormant_days", "120"), ("lifecycle.recomputed_on", "")])
