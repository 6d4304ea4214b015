"""v9: staff PINs, the audit log's hash chain, consent's source, and erased customers.

* ``staff``: a salted scrypt hash of the PIN (never the PIN), and the count and time of
  wrong PINs in a row, for the growing wait after five (db/staff.py).
* ``audit_log``: which customer a row concerns (the audit screen's filter), and the
  chain: ``prev_hash`` and ``hash`` (db/audit_chain.py); ``audit_head`` holds the newest
  row's id and hash, so deleting the last rows is caught too. Existing rows are chained
  here, oldest first.
* ``customers``: where marketing consent was given or withdrawn (``consent_source``), and
  ``erased_at``: an erased customer keeps only anonymous figures, so the CHECK that a
  customer has a phone or a WeChat id now allows an erased row to have neither.
"""

from __future__ import annotations

import json
import re
import sqlite3

from ..audit_chain import rechain
from .sql import run_script

_OLD_CHECK = "CHECK (phone IS NOT NULL OR wechat_id IS NOT NULL)"
_NEW_CHECK = "CHECK (phone IS NOT NULL OR wechat_id IS NOT NULL OR erased_at IS NOT NULL)"


def apply(conn: sqlite3.Connection, now: str) -> None:
    run_script(conn, """
        ALTER TABLE staff ADD COLUMN pin_hash TEXT;
        ALTER TABLE staff ADD COLUMN failed_pins INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE staff ADD COLUMN failed_at TEXT;

        ALTER TABLE audit_log ADD COLUMN customer_id INTEGER;
        ALTER TABLE audit_log ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
        ALTER TABLE audit_log ADD COLUMN hash TEXT NOT NULL DEFAULT '';
        CREATE INDEX audit_log_customer ON audit_log(customer_id) WHERE customer_id IS NOT NULL;
        CREATE INDEX audit_log_staff ON audit_log(staff_id);
        CREATE TABLE audit_head (
            id      INTEGER PRIMARY KEY CHECK (id = 1),
            last_id INTEGER NOT NULL,
            hash    TEXT NOT NULL
        );

        ALTER TABLE customers ADD COLUMN consent_source TEXT;
        ALTER TABLE customers ADD COLUMN erased_at TEXT;
    """)
    _loosen_contact_check(conn)
    # rows written before this step name their customer in the entity or the detail
    conn.execute("""
        UPDATE audit_log SET customer_id = CASE
            WHEN entity = 'customer' THEN entity_id
            WHEN json_valid(detail) THEN json_extract(detail, '$.customer_id') END""")
    conn.execute("UPDATE customers SET consent_source = 'counter'"
                 " WHERE marketing_consent = 1 AND consent_source IS NULL")
    _drop_personal_values(conn)
    rechain(conn)


# Frozen: the detail keys that held typed words before audit rows were chained (an owner's
# note, a void reason, a merged customer's name). Codes kept under a clearer name; words
# become their length, so the row still says something was written.
_RENAMED = {("coupon.issue", "reason"): "reason_code",
            ("coupon.issue_batch", "reason"): "reason_code",
            ("coupon.template", "name"): "template"}
_WORDS = re.compile(r"(?:^|_)(?:name|phone|wechat_id|wechat|notes|note|text|reason|birthday"
                    r"|address|email|tag)$")  # (a customer's tag names are theirs too)


def _drop_personal_values(conn: sqlite3.Connection) -> None:
    """Rows written before this step may hold a customer's words in their detail; they are
    cleaned before the chain is made, so no chained row ever holds one and an erase never
    has to break the chain."""
    updates = []
    for row_id, action, detail in conn.execute(
            "SELECT id, action, detail FROM audit_log WHERE json_valid(detail)"):
        values = json.loads(detail)
        if not isinstance(values, dict):
            continue
        clean: dict[str, object] = {}
        for key, value in values.items():
            renamed = _RENAMED.get((action, key))
            if renamed is not None:
                clean[renamed] = value
            elif _WORDS.search(key) and not (action.startswith("staff.") and key == "name"):
                clean[f"{key}_chars"] = len(str(value))
            else:
                clean[key] = value
        if clean != values:
            updates.append((json.dumps(clean, ensure_ascii=False, sort_keys=True), row_id))
    conn.executemany("UPDATE audit_log SET detail = ? WHERE id = ?", updates)


def _loosen_contact_check(conn: sqlite3.Connection) -> None:
    """Allow an erased customer without phone or WeChat id.

    SQLite cannot alter a CHECK constraint; rebuilding a table of a million customers
    (and every table pointing at it) would take minutes. Loosening a CHECK changes no
    stored byte, which SQLite documents as safe to do by editing the schema text
    (https://sqlite.org/lang_altertable.html, "making other kinds of table schema
    changes"), inside this step's transaction.
    """
    sql = conn.execute("SELECT sql FROM sqlite_schema WHERE type = 'table'"
                       " AND name = 'customers'").fetchone()[0]
    if _OLD_CHECK not in sql:
        raise RuntimeError("customers' contact CHECK is not the one v1 made")
    version = int(conn.execute("PRAGMA schema_version").fetchone()[0])
    conn.execute("PRAGMA writable_schema = ON")
    try:
        conn.execute("UPDATE sqlite_schema SET sql = ? WHERE type = 'table'"
                     " AND name = 'customers'", (sql.replace(_OLD_CHECK, _NEW_CHECK),))
        conn.execute(f"PRAGMA schema_version = {version + 1}")
    finally:
        conn.execute("PRAGMA writable_schema = OFF")
