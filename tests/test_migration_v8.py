"""v8 (import batches, opening figures, source order ids): the first seven steps still make
the schema pinned before it (tests/data/schema_v7.sql), and a v7 file with customers and
a sale opens as v8 with every row kept, no opening figures, and the same figures."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from db.migrations import APPLICATION_ID, LATEST, MIGRATIONS
from db.store import Store
from tests.test_vocab import NOW, ROOT, dump

V7 = ROOT / "tests" / "data" / "schema_v7.sql"


def v7_file(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        for step in MIGRATIONS[:7]:
            step(conn, NOW)
        conn.execute(
            "INSERT INTO customers(member_code, name, sort_name, pinyin, phone, created_at,"
            " updated_at, created_by, updated_by, total_spend_fen, orders, first_purchase_at,"
            " last_visit_at) VALUES ('ABCDEFG', '王伟', 'wangwei', 'wangwei ww',"
            " '+8615822223333', ?, ?, 1, 1, 3000, 1, ?, ?)", (NOW, NOW, NOW, NOW))
        conn.execute("INSERT INTO purchases(customer_id, amount_fen, at, recorded_at, staff_id)"
                     " VALUES (1, 3000, ?, ?, 1)", (NOW, NOW))
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("PRAGMA user_version = 7")
        conn.execute("COMMIT")
    finally:
        conn.close()


def test_the_first_seven_steps_still_make_the_v7_schema() -> None:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        conn.execute("BEGIN")
        for step in MIGRATIONS[:7]:
            step(conn, NOW)
        conn.execute("COMMIT")
        assert dump(conn) == V7.read_text(encoding="utf-8")
    finally:
        conn.close()


def test_a_v7_file_opens_as_v8_with_its_rows_and_figures(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    v7_file(path)
    store = Store(path, clock=lambda: datetime(2026, 1, 2, tzinfo=UTC))
    try:
        with store.read() as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST >= 8
            row = conn.execute(
                "SELECT total_spend_fen, orders, opening_spend_fen, opening_orders,"
                " opening_first_at, opening_last_at FROM customers").fetchone()
            assert tuple(row) == (3000, 1, 0, 0, None, None)
            assert tuple(conn.execute("SELECT source_order_id, import_batch_id FROM purchases"
                                      ).fetchone()) == (None, None)
            from db.purchases import ledger_figures

            f = ledger_figures(conn, 1)
            assert (f.spend_fen, f.orders, f.first_at, f.last_at) == (3000, 1, NOW, NOW)
    finally:
        store.close()
    assert path.with_name("shop.db.v7.bak").exists()
