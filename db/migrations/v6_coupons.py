"""v6: coupons, templates the owner defines, and codes issued and redeemed exactly once."""

from __future__ import annotations

import sqlite3

from .sql import one_of, run_script

# Frozen: the words this step wrote into its CHECK constraints, as they were then.
# Never edit them: a changed list in db.vocab needs a new step.
COUPON_KINDS = ("amount", "percent", "gift")
COUPON_REASONS = ("manual", "winback", "birthday", "referral", "apology", "other")
COUPON_STATUSES = ("issued", "redeemed", "voided")


def apply(conn: sqlite3.Connection, now: str) -> None:
    run_script(conn, f"""
        CREATE TABLE coupon_templates (
            id            INTEGER PRIMARY KEY,
            name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
            kind          TEXT NOT NULL CHECK (kind IN ({one_of(COUPON_KINDS)})),
            value_fen     INTEGER NOT NULL DEFAULT 0 CHECK (value_fen >= 0),  -- amount off
            percent       INTEGER NOT NULL DEFAULT 0 CHECK (percent BETWEEN 0 AND 99),
            cap_fen       INTEGER CHECK (cap_fen > 0),                       -- percent's cap
            gift          TEXT NOT NULL DEFAULT '',
            min_spend_fen INTEGER NOT NULL DEFAULT 0 CHECK (min_spend_fen >= 0),
            valid_days    INTEGER CHECK (valid_days > 0),  -- from issue, in local days
            valid_until   TEXT,                            -- or a fixed local date
            per_customer  INTEGER NOT NULL DEFAULT 1 CHECK (per_customer > 0),
            transferable  INTEGER NOT NULL DEFAULT 0,
            active        INTEGER NOT NULL DEFAULT 1,
            created_at    TEXT NOT NULL,
            created_by    INTEGER NOT NULL REFERENCES staff(id),
            CHECK ((valid_days IS NULL) != (valid_until IS NULL))
        );
        CREATE TABLE coupons (
            id           INTEGER PRIMARY KEY,
            code         TEXT NOT NULL UNIQUE,
            template_id  INTEGER NOT NULL REFERENCES coupon_templates(id),
            customer_id  INTEGER NOT NULL REFERENCES customers(id),
            reason       TEXT NOT NULL CHECK (reason IN ({one_of(COUPON_REASONS)})),
            batch_id     TEXT,
            issued_at    TEXT NOT NULL,
            issued_by    INTEGER NOT NULL REFERENCES staff(id),
            expires_at   TEXT NOT NULL,  -- the instant the shop's last valid day ends
            status       TEXT NOT NULL DEFAULT 'issued'
                         CHECK (status IN ({one_of(COUPON_STATUSES)})),
            redeemed_at  TEXT,
            redeemed_by  INTEGER REFERENCES staff(id),
            redeemed_for INTEGER REFERENCES customers(id),
            purchase_id  INTEGER REFERENCES purchases(id),
            discount_fen INTEGER,
            voided_at    TEXT,
            voided_by    INTEGER REFERENCES staff(id),
            void_reason  TEXT NOT NULL DEFAULT ''
        );
        -- A batch issues at most one coupon per customer, however often it is run.
        CREATE UNIQUE INDEX coupons_batch ON coupons(batch_id, customer_id)
            WHERE batch_id IS NOT NULL;
        CREATE INDEX coupons_customer ON coupons(customer_id, template_id);
    """)
