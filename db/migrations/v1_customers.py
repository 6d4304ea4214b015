"""v1, the first release: settings, staff, customers, their lookup keys, who
opened whom, and the audit log."""

from __future__ import annotations

import sqlite3

from .sql import one_of, run_script

# Frozen: the words this step wrote into its CHECK constraints, as they were then.
# Never edit them: a changed list in db.vocab needs a new step.
ROLES = ("owner", "staff")
GENDERS = ("female", "male")
CHANNELS = ("counter", "wechat_group", "official_account", "mini_program", "referral", "other")
STAGES = ("initial", "trust", "decline", "dormant")


def apply(conn: sqlite3.Connection, now: str) -> None:
    channels, stages, genders = one_of(CHANNELS), one_of(STAGES), one_of(GENDERS)
    run_script(conn, f"""
        CREATE TABLE settings (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE staff (
            id         INTEGER PRIMARY KEY,
            name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
            role       TEXT NOT NULL CHECK (role IN ({one_of(ROLES)})),
            active     INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL
        );

        CREATE TABLE customers (
            id                INTEGER PRIMARY KEY,
            member_code       TEXT NOT NULL UNIQUE,
            name              TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 40),
            sort_name         TEXT NOT NULL,   -- main pinyin reading: order by name
            pinyin            TEXT NOT NULL,   -- every reading, full and initials, space-separated
            phone             TEXT UNIQUE,     -- E.164
            phone_rev         TEXT,            -- national number reversed: tail lookups
            wechat_id         TEXT COLLATE NOCASE,
            birth_year        INTEGER,
            birth_month       INTEGER CHECK (birth_month BETWEEN 1 AND 12),
            birth_day         INTEGER CHECK (birth_day BETWEEN 1 AND 31),
            gender            TEXT CHECK (gender IN ({genders})),
            channel           TEXT NOT NULL DEFAULT 'counter' CHECK (channel IN ({channels})),
            notes             TEXT NOT NULL DEFAULT '',
            is_seed_user      INTEGER NOT NULL DEFAULT 0 CHECK (is_seed_user IN (0, 1)),
            marketing_consent INTEGER NOT NULL DEFAULT 0 CHECK (marketing_consent IN (0, 1)),
            consent_at        TEXT,
            stage             TEXT NOT NULL DEFAULT 'initial' CHECK (stage IN ({stages})),
            last_visit_at     TEXT,
            total_spend_fen   INTEGER NOT NULL DEFAULT 0,
            orders            INTEGER NOT NULL DEFAULT 0,
            created_at        TEXT NOT NULL,
            updated_at        TEXT NOT NULL,
            created_by        INTEGER NOT NULL REFERENCES staff(id),
            updated_by        INTEGER NOT NULL REFERENCES staff(id),
            CHECK (phone IS NOT NULL OR wechat_id IS NOT NULL)
        );
        CREATE INDEX customers_phone_rev ON customers(phone_rev);
        CREATE UNIQUE INDEX customers_wechat ON customers(wechat_id);

        -- One row per (lookup key, customer), clustered so that any key lists its
        -- customers already ranked: exact first, then most recent visit, then name.
        CREATE TABLE search_keys (
            key         TEXT NOT NULL,
            tier        INTEGER NOT NULL,   -- 0 whole match, 1 starts with, 2 inside
            rank        INTEGER NOT NULL,   -- -epoch of last visit; 0 = never
            sort_name   TEXT NOT NULL,
            customer_id INTEGER NOT NULL,
            PRIMARY KEY (key, tier, rank, sort_name, customer_id)
        ) WITHOUT ROWID;

        -- Who opened which customer: "recently seen" on the home screen, and the
        -- access log that privacy rules will ask for.
        CREATE TABLE customer_views (
            id          INTEGER PRIMARY KEY,
            customer_id INTEGER NOT NULL REFERENCES customers(id),
            staff_id    INTEGER NOT NULL REFERENCES staff(id),
            at          TEXT NOT NULL
        );
        CREATE INDEX customer_views_customer ON customer_views(customer_id);

        CREATE TABLE audit_log (
            id        INTEGER PRIMARY KEY,
            at        TEXT NOT NULL,
            staff_id  INTEGER NOT NULL REFERENCES staff(id),
            action    TEXT NOT NULL,
            entity    TEXT NOT NULL,
            entity_id INTEGER,
            detail    TEXT NOT NULL DEFAULT '{{}}'
        );
    """)
    conn.execute("INSERT INTO staff(name, role, created_at) VALUES ('owner', 'owner', ?)", (now,))
    conn.executemany(
        "INSERT INTO settings(key, value) VALUES (?, ?)",
        [("timezone", "Asia/Shanghai"), ("region", "CN"), ("language", "")],
    )
