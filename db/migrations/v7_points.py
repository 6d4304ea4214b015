"""v7: points (a ledger), referrals and their rewards; member levels are settings."""

from __future__ import annotations

import sqlite3

from .sql import one_of, run_script

# Frozen: the words this step wrote into its CHECK constraints, as they were then.
# Never edit them: a changed list in db.vocab needs a new step.
POINTS_KINDS = ("earn", "reversal", "spend", "adjust", "opening", "referral", "clawback")
REFERRAL_STATUSES = ("pending", "qualified", "clawed_back")


def apply(conn: sqlite3.Connection, now: str) -> None:
    kinds, statuses = one_of(POINTS_KINDS), one_of(REFERRAL_STATUSES)
    run_script(conn, f"""
        -- The balance is the ledger's sum, kept on the customer so a guarded UPDATE
        -- (points + delta >= 0) makes two counters unable to overspend it.
        ALTER TABLE customers ADD COLUMN points INTEGER NOT NULL DEFAULT 0
            CHECK (points >= 0);

        CREATE TABLE points_ledger (
            id            INTEGER PRIMARY KEY,
            customer_id   INTEGER NOT NULL REFERENCES customers(id),
            delta         INTEGER NOT NULL CHECK (delta != 0),
            kind          TEXT NOT NULL CHECK (kind IN ({kinds})),
            balance_after INTEGER NOT NULL CHECK (balance_after >= 0),
            purchase_id   INTEGER REFERENCES purchases(id),
            referral_id   INTEGER REFERENCES referrals(id),
            reason        TEXT NOT NULL DEFAULT '',
            at            TEXT NOT NULL,
            staff_id      INTEGER NOT NULL REFERENCES staff(id)
        );
        CREATE INDEX points_ledger_customer ON points_ledger(customer_id, id);
        CREATE INDEX points_ledger_purchase ON points_ledger(purchase_id)
            WHERE purchase_id IS NOT NULL;
        -- One opening balance per customer, however often an import is run.
        CREATE UNIQUE INDEX points_ledger_opening ON points_ledger(customer_id)
            WHERE kind = 'opening';

        -- Who brought whom. A referee has one referrer, so the graph is a forest
        -- as long as no one becomes their own ancestor (checked on registration).
        CREATE TABLE referrals (
            id                INTEGER PRIMARY KEY,
            referrer_id       INTEGER NOT NULL REFERENCES customers(id),
            referee_id        INTEGER NOT NULL UNIQUE REFERENCES customers(id),
            at                TEXT NOT NULL,
            staff_id          INTEGER NOT NULL REFERENCES staff(id),
            status            TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ({statuses})),
            purchase_id       INTEGER REFERENCES purchases(id),  -- the first paid purchase
            qualified_at      TEXT,
            clawed_back_at    TEXT,
            welcome_coupon_id INTEGER REFERENCES coupons(id),
            CHECK (referrer_id != referee_id)
        );
        CREATE INDEX referrals_referrer ON referrals(referrer_id, qualified_at);
        CREATE INDEX referrals_qualified ON referrals(qualified_at) WHERE status = 'qualified';

        -- What a qualified referral earned, and for whom (tier 2: the referrer's referrer).
        CREATE TABLE referral_rewards (
            id             INTEGER PRIMARY KEY,
            referral_id    INTEGER NOT NULL REFERENCES referrals(id),
            customer_id    INTEGER NOT NULL REFERENCES customers(id),
            tier           INTEGER NOT NULL CHECK (tier IN (1, 2)),
            points         INTEGER NOT NULL DEFAULT 0 CHECK (points >= 0),
            coupon_id      INTEGER REFERENCES coupons(id),
            at             TEXT NOT NULL,
            clawed_back_at TEXT,
            UNIQUE (referral_id, tier)
        );
        CREATE INDEX referral_rewards_customer ON referral_rewards(customer_id);
    """)
    conn.executemany(
        "INSERT OR IGNORE INTO settings(key, value) VALUES (?, ?)",
        [("points.per_yuan", "1"), ("points.fen_per_point", "1"),
         ("levels.silver", "1000"), ("levels.gold", "5000"), ("levels.diamond", "20000"),
         ("referral.reward_points", "200"), ("referral.reward_template", ""),
         ("referral.welcome_template", ""), ("referral.second_level_points", "0"),
         ("referral.clawback_days", "30")])
