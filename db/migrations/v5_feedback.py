"""v5: feedback, a small catalogue, the items customers raise, and who was told."""

from __future__ import annotations

import sqlite3

from .sql import one_of, run_script

# Frozen: the words this step wrote into its CHECK constraints, as they were then.
# Never edit them: a changed list in db.vocab needs a new step.
FEEDBACK_CATEGORIES = ("quality", "assortment", "supply", "price", "service", "other")
SENTIMENTS = ("praise", "neutral", "complaint")
FEEDBACK_STATUSES = ("new", "reviewing", "planned", "done", "declined")


def apply(conn: sqlite3.Connection, now: str) -> None:
    run_script(conn, f"""
        CREATE TABLE suppliers (
            id         INTEGER PRIMARY KEY,
            name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
            active     INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            created_by INTEGER NOT NULL REFERENCES staff(id)
        );
        CREATE TABLE products (
            id          INTEGER PRIMARY KEY,
            name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
            category    TEXT NOT NULL DEFAULT '',
            supplier_id INTEGER REFERENCES suppliers(id),
            active      INTEGER NOT NULL DEFAULT 1,
            created_at  TEXT NOT NULL,
            created_by  INTEGER NOT NULL REFERENCES staff(id)
        );
        CREATE TABLE feedback (
            id          INTEGER PRIMARY KEY,
            customer_id INTEGER REFERENCES customers(id),      -- NULL: an anonymous customer
            category    TEXT NOT NULL CHECK (category IN ({one_of(FEEDBACK_CATEGORIES)})),
            product_id  INTEGER REFERENCES products(id),
            supplier_id INTEGER REFERENCES suppliers(id),
            words       TEXT NOT NULL CHECK (length(words) BETWEEN 1 AND 4000),
            sentiment   TEXT NOT NULL CHECK (sentiment IN ({one_of(SENTIMENTS)})),
            seed_user   INTEGER NOT NULL DEFAULT 0,  -- raised by a 种子用户, as they were then
            at          TEXT NOT NULL,
            staff_id    INTEGER NOT NULL REFERENCES staff(id),
            status      TEXT NOT NULL DEFAULT 'new'
                        CHECK (status IN ({one_of(FEEDBACK_STATUSES)})),
            status_at   TEXT NOT NULL,
            done_at     TEXT,
            owner_note  TEXT NOT NULL DEFAULT '',
            -- Linked items fold into the group of the oldest one: group_id is its id.
            group_id    INTEGER REFERENCES feedback(id)
        );
        CREATE INDEX feedback_status_at ON feedback(status, at);
        CREATE INDEX feedback_customer ON feedback(customer_id, at);
        CREATE INDEX feedback_product ON feedback(product_id, at);
        CREATE INDEX feedback_supplier ON feedback(supplier_id, at);
        CREATE INDEX feedback_group ON feedback(group_id);
        -- Closing the loop: each customer who raised a done item, once told.
        CREATE TABLE feedback_told (
            feedback_id INTEGER NOT NULL REFERENCES feedback(id),
            customer_id INTEGER NOT NULL REFERENCES customers(id),
            told_at     TEXT NOT NULL,
            staff_id    INTEGER NOT NULL REFERENCES staff(id),
            PRIMARY KEY (feedback_id, customer_id)
        ) WITHOUT ROWID;
    """)
