"""Versioned schema, kept in ``PRAGMA user_version``; applied on open.

* A file with no tables becomes a Regulars file (``application_id`` marks it).
* A file from an older Regulars is copied to ``<file>.v<N>.bak`` and upgraded,
  all steps in one transaction under the write lock, so no row is lost, a failed
  step changes nothing, and processes opening the file at once upgrade it once.
* A file from a newer Regulars, or any other SQLite file, is refused.

(sqlite-utils' Migrations would do the bookkeeping too, but importing it costs
≈0.8 s on this machine, on the path to the first screen. user_version is free.)
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from .errors import StoreError
from .files import create_private_file

APPLICATION_ID = 0x52454753  # "REGS"

CHANNELS = ("counter", "wechat_group", "official_account", "mini_program", "referral", "other")
STAGES = ("initial", "trust", "decline", "dormant")
GENDERS = ("female", "male")
FEEDBACK_CATEGORIES = ("quality", "assortment", "supply", "price", "service", "other")
SENTIMENTS = ("praise", "neutral", "complaint")
FEEDBACK_STATUSES = ("new", "reviewing", "planned", "done", "declined")
COUPON_KINDS = ("amount", "percent", "gift")
COUPON_REASONS = ("manual", "winback", "birthday", "referral", "apology", "other")
POINTS_KINDS = ("earn", "reversal", "spend", "adjust", "opening", "referral", "clawback")
REFERRAL_STATUSES = ("pending", "qualified", "clawed_back")


def _v1(conn: sqlite3.Connection, now: str) -> None:
    channels = ", ".join(f"'{c}'" for c in CHANNELS)
    stages = ", ".join(f"'{s}'" for s in STAGES)
    genders = ", ".join(f"'{g}'" for g in GENDERS)
    _run_script(conn, f"""
        CREATE TABLE settings (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE staff (
            id         INTEGER PRIMARY KEY,
            name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
            role       TEXT NOT NULL CHECK (role IN ('owner', 'staff')),
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


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run statements one by one: ``executescript`` would COMMIT the open transaction."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement in migration: {statement!r}")


def _v2(conn: sqlite3.Connection, now: str) -> None:
    """Purchases, per-customer figures and lifecycle stages with their history."""
    stages = ", ".join(f"'{s}'" for s in STAGES)
    _run_script(conn, f"""
        ALTER TABLE customers ADD COLUMN first_purchase_at TEXT;
        ALTER TABLE customers ADD COLUMN median_interval_s INTEGER;
        ALTER TABLE customers ADD COLUMN referrals_qualified INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE customers ADD COLUMN stage_source TEXT NOT NULL DEFAULT 'rule'
            CHECK (stage_source IN ('rule', 'manual'));
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
            from_stage    TEXT CHECK (from_stage IN ({stages})),
            to_stage      TEXT NOT NULL CHECK (to_stage IN ({stages})),
            at            TEXT NOT NULL,
            staff_id      INTEGER NOT NULL REFERENCES staff(id),
            source        TEXT NOT NULL CHECK (source IN ('rule', 'manual')),
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


def _v3(conn: sqlite3.Connection, now: str) -> None:
    """Free tags: created on the fly, renamed or merged by the owner."""
    _run_script(conn, """
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


def _v4(conn: sqlite3.Connection, now: str) -> None:
    """Re-ranking the lookup keys after a sale happens just after it, not inside it."""
    _run_script(conn, """
        -- Customers whose search_keys rows still carry an old recency rank. A sale
        -- adds one row here (cheap) instead of rewriting ~15 scattered index rows
        -- while the customer waits; a worker catches up a moment later.
        CREATE TABLE rerank_queue (
            customer_id  INTEGER PRIMARY KEY REFERENCES customers(id),
            indexed_rank INTEGER NOT NULL   -- the rank the customer's keys carry now
        );
    """)


def _v5(conn: sqlite3.Connection, now: str) -> None:
    """Feedback: a small catalogue, the items customers raise, and who was told."""
    def one_of(values: tuple[str, ...]) -> str:
        return ", ".join(f"'{v}'" for v in values)

    _run_script(conn, f"""
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


def _v6(conn: sqlite3.Connection, now: str) -> None:
    """Coupons: templates the owner defines, and codes issued and redeemed exactly once."""
    kinds = ", ".join(f"'{k}'" for k in COUPON_KINDS)
    reasons = ", ".join(f"'{r}'" for r in COUPON_REASONS)
    _run_script(conn, f"""
        CREATE TABLE coupon_templates (
            id            INTEGER PRIMARY KEY,
            name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
            kind          TEXT NOT NULL CHECK (kind IN ({kinds})),
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
            reason       TEXT NOT NULL CHECK (reason IN ({reasons})),
            batch_id     TEXT,
            issued_at    TEXT NOT NULL,
            issued_by    INTEGER NOT NULL REFERENCES staff(id),
            expires_at   TEXT NOT NULL,  -- the instant the shop's last valid day ends
            status       TEXT NOT NULL DEFAULT 'issued'
                         CHECK (status IN ('issued', 'redeemed', 'voided')),
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


def _v7(conn: sqlite3.Connection, now: str) -> None:
    """Points (a ledger), referrals and their rewards; member levels are settings."""
    kinds = ", ".join(f"'{k}'" for k in POINTS_KINDS)
    statuses = ", ".join(f"'{s}'" for s in REFERRAL_STATUSES)
    _run_script(conn, f"""
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


MIGRATIONS = [_v1, _v2, _v3, _v4, _v5, _v6, _v7]
LATEST = len(MIGRATIONS)


def _private(path: Path) -> None:
    create_private_file(path)
    with contextlib.suppress(OSError):  # an older copy of the same name: private too
        os.chmod(path, 0o600)


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _look(conn: sqlite3.Connection) -> tuple[int, int, bool]:
    """(user_version, application_id, has tables): read only, changes nothing."""
    version = schema_version(conn)
    app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
    has_tables = conn.execute(
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table'").fetchone()[0] > 0
    return version, app_id, bool(has_tables)


def check_ours(conn: sqlite3.Connection, path: Path) -> int:
    """Refuse another program's SQLite file, or one from a newer Regulars, before
    anything is changed (not even the journal mode). Returns the file's version."""
    version, app_id, has_tables = _look(conn)
    if app_id != APPLICATION_ID and (has_tables or version):
        raise StoreError("store.foreign_file", path=str(path))
    if version > LATEST:
        raise StoreError("store.too_new", version=version, latest=LATEST)
    return version


def _backup(path: Path, version: int) -> None:
    """Copy the file as it is to ``<file>.v<N>.bak`` (private), whole or not at all.

    Called while the migrating connection holds the write lock and has changed
    nothing yet, so this second connection reads exactly the old version."""
    backup = path.with_name(f"{path.name}.v{version}.bak")
    partial = path.with_name(f"{path.name}.v{version}.bak.partial")
    partial.unlink(missing_ok=True)  # left by an upgrade that was killed
    _private(partial)  # the copy holds the same people as the shop file
    source = sqlite3.connect(path)
    try:
        target = sqlite3.connect(partial)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()
    os.replace(partial, backup)


def migrate(conn: sqlite3.Connection, path: Path, now: str) -> int:
    """Bring the file to the latest schema. Returns the version it was at.

    Several processes may open a new or old file at once: the version is read
    again under the write lock (BEGIN IMMEDIATE), so exactly one of them makes
    the backup and upgrades, in one transaction; the others wait for the lock and
    then find the file current.
    """
    version, app_id, _ = _look(conn)
    if version == LATEST and app_id == APPLICATION_ID:
        return version
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = check_ours(conn, path)
        app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        if version == LATEST and app_id == APPLICATION_ID:  # another process just did it
            conn.execute("COMMIT")
            return version
        if version > 0:
            _backup(path, version)
        for step in range(version, LATEST):
            MIGRATIONS[step](conn, now)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {LATEST}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.rollback()
        raise
    return version
