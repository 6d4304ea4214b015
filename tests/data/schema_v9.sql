-- table settings ON settings
CREATE TABLE settings (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID;
-- table staff ON staff
CREATE TABLE staff (
            id         INTEGER PRIMARY KEY,
            name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
            role       TEXT NOT NULL CHECK (role IN ('owner', 'staff')),
            active     INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL
        , pin_hash TEXT, failed_pins INTEGER NOT NULL DEFAULT 0, failed_at TEXT);
-- index sqlite_autoindex_staff_1 ON staff
-- (made by SQLite)
-- table customers ON customers
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
            gender            TEXT CHECK (gender IN ('female', 'male')),
            channel           TEXT NOT NULL DEFAULT 'counter' CHECK (channel IN ('counter', 'wechat_group', 'official_account', 'mini_program', 'referral', 'other')),
            notes             TEXT NOT NULL DEFAULT '',
            is_seed_user      INTEGER NOT NULL DEFAULT 0 CHECK (is_seed_user IN (0, 1)),
            marketing_consent INTEGER NOT NULL DEFAULT 0 CHECK (marketing_consent IN (0, 1)),
            consent_at        TEXT,
            stage             TEXT NOT NULL DEFAULT 'initial' CHECK (stage IN ('initial', 'trust', 'decline', 'dormant')),
            last_visit_at     TEXT,
            total_spend_fen   INTEGER NOT NULL DEFAULT 0,
            orders            INTEGER NOT NULL DEFAULT 0,
            created_at        TEXT NOT NULL,
            updated_at        TEXT NOT NULL,
            created_by        INTEGER NOT NULL REFERENCES staff(id),
            updated_by        INTEGER NOT NULL REFERENCES staff(id), first_purchase_at TEXT, median_interval_s INTEGER, referrals_qualified INTEGER NOT NULL DEFAULT 0, stage_source TEXT NOT NULL DEFAULT 'rule'
            CHECK (stage_source IN ('rule', 'manual')), stage_since TEXT, points INTEGER NOT NULL DEFAULT 0
            CHECK (points >= 0), opening_spend_fen INTEGER NOT NULL DEFAULT 0, opening_orders INTEGER NOT NULL DEFAULT 0
            CHECK (opening_orders >= 0), opening_first_at TEXT, opening_last_at TEXT, consent_source TEXT, erased_at TEXT,
            CHECK (phone IS NOT NULL OR wechat_id IS NOT NULL OR erased_at IS NOT NULL)
        );
-- index sqlite_autoindex_customers_1 ON customers
-- (made by SQLite)
-- index sqlite_autoindex_customers_2 ON customers
-- (made by SQLite)
-- index customers_phone_rev ON customers
CREATE INDEX customers_phone_rev ON customers(phone_rev);
-- index customers_wechat ON customers
CREATE UNIQUE INDEX customers_wechat ON customers(wechat_id);
-- table search_keys ON search_keys
CREATE TABLE search_keys (
            key         TEXT NOT NULL,
            tier        INTEGER NOT NULL,   -- 0 whole match, 1 starts with, 2 inside
            rank        INTEGER NOT NULL,   -- -epoch of last visit; 0 = never
            sort_name   TEXT NOT NULL,
            customer_id INTEGER NOT NULL,
            PRIMARY KEY (key, tier, rank, sort_name, customer_id)
        ) WITHOUT ROWID;
-- table customer_views ON customer_views
CREATE TABLE customer_views (
            id          INTEGER PRIMARY KEY,
            customer_id INTEGER NOT NULL REFERENCES customers(id),
            staff_id    INTEGER NOT NULL REFERENCES staff(id),
            at          TEXT NOT NULL
        );
-- index customer_views_customer ON customer_views
CREATE INDEX customer_views_customer ON customer_views(customer_id);
-- table audit_log ON audit_log
CREATE TABLE audit_log (
            id        INTEGER PRIMARY KEY,
            at        TEXT NOT NULL,
            staff_id  INTEGER NOT NULL REFERENCES staff(id),
            action    TEXT NOT NULL,
            entity    TEXT NOT NULL,
            entity_id INTEGER,
            detail    TEXT NOT NULL DEFAULT '{}'
        , customer_id INTEGER, prev_hash TEXT NOT NULL DEFAULT '', hash TEXT NOT NULL DEFAULT '');
-- table purchases ON purchases
CREATE TABLE purchases (
            id          INTEGER PRIMARY KEY,
            customer_id INTEGER NOT NULL REFERENCES customers(id),
            amount_fen  INTEGER NOT NULL,
            refund_of   INTEGER REFERENCES purchases(id),
            items       TEXT NOT NULL DEFAULT '',
            at          TEXT NOT NULL,       -- when it happened (may be back-dated)
            recorded_at TEXT NOT NULL,       -- when it was typed in
            staff_id    INTEGER NOT NULL REFERENCES staff(id), source_order_id TEXT, import_batch_id INTEGER
            REFERENCES import_batches(id),
            CHECK ((refund_of IS NULL AND amount_fen > 0)
                   OR (refund_of IS NOT NULL AND amount_fen < 0))
        );
-- index purchases_customer_at ON purchases
CREATE INDEX purchases_customer_at ON purchases(customer_id, at);
-- index purchases_one_refund ON purchases
CREATE UNIQUE INDEX purchases_one_refund ON purchases(refund_of)
            WHERE refund_of IS NOT NULL;
-- table stage_history ON stage_history
CREATE TABLE stage_history (
            id            INTEGER PRIMARY KEY,
            customer_id   INTEGER NOT NULL REFERENCES customers(id),
            from_stage    TEXT CHECK (from_stage IN ('initial', 'trust', 'decline', 'dormant')),
            to_stage      TEXT NOT NULL CHECK (to_stage IN ('initial', 'trust', 'decline', 'dormant')),
            at            TEXT NOT NULL,
            staff_id      INTEGER NOT NULL REFERENCES staff(id),
            source        TEXT NOT NULL CHECK (source IN ('rule', 'manual')),
            reason_code   TEXT NOT NULL,
            reason_params TEXT NOT NULL DEFAULT '{}'
        );
-- index stage_history_customer ON stage_history
CREATE INDEX stage_history_customer ON stage_history(customer_id, at);
-- index customers_stage_spend ON customers
CREATE INDEX customers_stage_spend ON customers(stage, total_spend_fen);
-- table tags ON tags
CREATE TABLE tags (
            id         INTEGER PRIMARY KEY,
            name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
            created_at TEXT NOT NULL,
            created_by INTEGER NOT NULL REFERENCES staff(id)
        );
-- index sqlite_autoindex_tags_1 ON tags
-- (made by SQLite)
-- table customer_tags ON customer_tags
CREATE TABLE customer_tags (
            customer_id INTEGER NOT NULL REFERENCES customers(id),
            tag_id      INTEGER NOT NULL REFERENCES tags(id),
            added_at    TEXT NOT NULL,
            added_by    INTEGER NOT NULL REFERENCES staff(id),
            PRIMARY KEY (customer_id, tag_id)
        ) WITHOUT ROWID;
-- index customer_tags_tag ON customer_tags
CREATE INDEX customer_tags_tag ON customer_tags(tag_id, customer_id);
-- table rerank_queue ON rerank_queue
CREATE TABLE rerank_queue (
            customer_id  INTEGER PRIMARY KEY REFERENCES customers(id),
            indexed_rank INTEGER NOT NULL   -- the rank the customer's keys carry now
        );
-- table suppliers ON suppliers
CREATE TABLE suppliers (
            id         INTEGER PRIMARY KEY,
            name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
            active     INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            created_by INTEGER NOT NULL REFERENCES staff(id)
        );
-- index sqlite_autoindex_suppliers_1 ON suppliers
-- (made by SQLite)
-- table products ON products
CREATE TABLE products (
            id          INTEGER PRIMARY KEY,
            name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
            category    TEXT NOT NULL DEFAULT '',
            supplier_id INTEGER REFERENCES suppliers(id),
            active      INTEGER NOT NULL DEFAULT 1,
            created_at  TEXT NOT NULL,
            created_by  INTEGER NOT NULL REFERENCES staff(id)
        );
-- index sqlite_autoindex_products_1 ON products
-- (made by SQLite)
-- table feedback ON feedback
CREATE TABLE feedback (
            id          INTEGER PRIMARY KEY,
            customer_id INTEGER REFERENCES customers(id),      -- NULL: an anonymous customer
            category    TEXT NOT NULL CHECK (category IN ('quality', 'assortment', 'supply', 'price', 'service', 'other')),
            product_id  INTEGER REFERENCES products(id),
            supplier_id INTEGER REFERENCES suppliers(id),
            words       TEXT NOT NULL CHECK (length(words) BETWEEN 1 AND 4000),
            sentiment   TEXT NOT NULL CHECK (sentiment IN ('praise', 'neutral', 'complaint')),
            seed_user   INTEGER NOT NULL DEFAULT 0,  -- raised by a 种子用户, as they were then
            at          TEXT NOT NULL,
            staff_id    INTEGER NOT NULL REFERENCES staff(id),
            status      TEXT NOT NULL DEFAULT 'new'
                        CHECK (status IN ('new', 'reviewing', 'planned', 'done', 'declined')),
            status_at   TEXT NOT NULL,
            done_at     TEXT,
            owner_note  TEXT NOT NULL DEFAULT '',
            -- Linked items fold into the group of the oldest one: group_id is its id.
            group_id    INTEGER REFERENCES feedback(id)
        );
-- index feedback_status_at ON feedback
CREATE INDEX feedback_status_at ON feedback(status, at);
-- index feedback_customer ON feedback
CREATE INDEX feedback_customer ON feedback(customer_id, at);
-- index feedback_product ON feedback
CREATE INDEX feedback_product ON feedback(product_id, at);
-- index feedback_supplier ON feedback
CREATE INDEX feedback_supplier ON feedback(supplier_id, at);
-- index feedback_group ON feedback
CREATE INDEX feedback_group ON feedback(group_id);
-- table feedback_told ON feedback_told
CREATE TABLE feedback_told (
            feedback_id INTEGER NOT NULL REFERENCES feedback(id),
            customer_id INTEGER NOT NULL REFERENCES customers(id),
            told_at     TEXT NOT NULL,
            staff_id    INTEGER NOT NULL REFERENCES staff(id),
            PRIMARY KEY (feedback_id, customer_id)
        ) WITHOUT ROWID;
-- table coupon_templates ON coupon_templates
CREATE TABLE coupon_templates (
            id            INTEGER PRIMARY KEY,
            name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
            kind          TEXT NOT NULL CHECK (kind IN ('amount', 'percent', 'gift')),
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
-- index sqlite_autoindex_coupon_templates_1 ON coupon_templates
-- (made by SQLite)
-- table coupons ON coupons
CREATE TABLE coupons (
            id           INTEGER PRIMARY KEY,
            code         TEXT NOT NULL UNIQUE,
            template_id  INTEGER NOT NULL REFERENCES coupon_templates(id),
            customer_id  INTEGER NOT NULL REFERENCES customers(id),
            reason       TEXT NOT NULL CHECK (reason IN ('manual', 'winback', 'birthday', 'referral', 'apology', 'other')),
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
-- index sqlite_autoindex_coupons_1 ON coupons
-- (made by SQLite)
-- index coupons_batch ON coupons
CREATE UNIQUE INDEX coupons_batch ON coupons(batch_id, customer_id)
            WHERE batch_id IS NOT NULL;
-- index coupons_customer ON coupons
CREATE INDEX coupons_customer ON coupons(customer_id, template_id);
-- table points_ledger ON points_ledger
CREATE TABLE points_ledger (
            id            INTEGER PRIMARY KEY,
            customer_id   INTEGER NOT NULL REFERENCES customers(id),
            delta         INTEGER NOT NULL CHECK (delta != 0),
            kind          TEXT NOT NULL CHECK (kind IN ('earn', 'reversal', 'spend', 'adjust', 'opening', 'referral', 'clawback')),
            balance_after INTEGER NOT NULL CHECK (balance_after >= 0),
            purchase_id   INTEGER REFERENCES purchases(id),
            referral_id   INTEGER REFERENCES referrals(id),
            reason        TEXT NOT NULL DEFAULT '',
            at            TEXT NOT NULL,
            staff_id      INTEGER NOT NULL REFERENCES staff(id)
        );
-- index points_ledger_customer ON points_ledger
CREATE INDEX points_ledger_customer ON points_ledger(customer_id, id);
-- index points_ledger_purchase ON points_ledger
CREATE INDEX points_ledger_purchase ON points_ledger(purchase_id)
            WHERE purchase_id IS NOT NULL;
-- index points_ledger_opening ON points_ledger
CREATE UNIQUE INDEX points_ledger_opening ON points_ledger(customer_id)
            WHERE kind = 'opening';
-- table referrals ON referrals
CREATE TABLE referrals (
            id                INTEGER PRIMARY KEY,
            referrer_id       INTEGER NOT NULL REFERENCES customers(id),
            referee_id        INTEGER NOT NULL UNIQUE REFERENCES customers(id),
            at                TEXT NOT NULL,
            staff_id          INTEGER NOT NULL REFERENCES staff(id),
            status            TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'qualified', 'clawed_back')),
            purchase_id       INTEGER REFERENCES purchases(id),  -- the first paid purchase
            qualified_at      TEXT,
            clawed_back_at    TEXT,
            welcome_coupon_id INTEGER REFERENCES coupons(id),
            CHECK (referrer_id != referee_id)
        );
-- index sqlite_autoindex_referrals_1 ON referrals
-- (made by SQLite)
-- index referrals_referrer ON referrals
CREATE INDEX referrals_referrer ON referrals(referrer_id, qualified_at);
-- index referrals_qualified ON referrals
CREATE INDEX referrals_qualified ON referrals(qualified_at) WHERE status = 'qualified';
-- table referral_rewards ON referral_rewards
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
-- index sqlite_autoindex_referral_rewards_1 ON referral_rewards
-- (made by SQLite)
-- index referral_rewards_customer ON referral_rewards
CREATE INDEX referral_rewards_customer ON referral_rewards(customer_id);
-- table import_batches ON import_batches
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
-- index import_batches_sha256 ON import_batches
CREATE INDEX import_batches_sha256 ON import_batches(sha256, kind);
-- index purchases_source_order ON purchases
CREATE UNIQUE INDEX purchases_source_order ON purchases(source_order_id)
            WHERE source_order_id IS NOT NULL;
-- index audit_log_customer ON audit_log
CREATE INDEX audit_log_customer ON audit_log(customer_id) WHERE customer_id IS NOT NULL;
-- index audit_log_staff ON audit_log
CREATE INDEX audit_log_staff ON audit_log(staff_id);
-- table audit_head ON audit_head
CREATE TABLE audit_head (
            id      INTEGER PRIMARY KEY CHECK (id = 1),
            last_id INTEGER NOT NULL,
            hash    TEXT NOT NULL
        );
-- settings
language = ''
levels.diamond = '20000'
levels.gold = '5000'
levels.silver = '1000'
lifecycle.dormant_days = '120'
lifecycle.recomputed_on = ''
lifecycle.trust_orders = '3'
lifecycle.trust_orders_with_referral = '2'
lifecycle.window_factor = '1.5'
lifecycle.window_min_days = '30'
points.fen_per_point = '1'
points.per_yuan = '1'
referral.clawback_days = '30'
referral.reward_points = '200'
referral.reward_template = ''
referral.second_level_points = '0'
referral.welcome_template = ''
region = 'CN'
timezone = 'Asia/Shanghai'
-- staff
(1, 'owner', 'owner', 1, '2026-01-01T00:00:00+00:00', None, 0, None)
