"""The file: pragmas, mode 0600, migrations, transactions that save all or nothing."""

from __future__ import annotations

import os
import sqlite3
import stat
from contextlib import closing
from pathlib import Path

import pytest

from db.customers import CustomerInput
from db.errors import NotFound, StoreError
from db.migrations import APPLICATION_ID, LATEST
from db.shop import Shop
from db.store import Store
from tests.conftest import fixed_clock


def test_connection_pragmas(shop: Shop) -> None:
    with shop.store.read() as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_file_is_private(db_path: Path, shop: Shop) -> None:
    assert (db_path.stat().st_mode & 0o777) == 0o600


def test_failed_write_saves_nothing(shop: Shop) -> None:
    with pytest.raises(RuntimeError), shop.store.write(shop.actor, "customer.edit") as tx:
        tx.execute("INSERT INTO settings(key, value) VALUES ('x', 'y')")
        tx.audit("test", "setting", None)
        raise RuntimeError("power cut")
    with shop.store.read() as conn:
        assert conn.execute("SELECT count(*) FROM settings WHERE key='x'").fetchone()[0] == 0


def test_a_write_without_audit_is_refused(shop: Shop) -> None:
    with (pytest.raises(RuntimeError, match="audit"),
          shop.store.write(shop.actor, "customer.edit") as tx):
        tx.execute("INSERT INTO settings(key, value) VALUES ('x', 'y')")
    with shop.store.read() as conn:
        assert conn.execute("SELECT count(*) FROM settings WHERE key='x'").fetchone()[0] == 0
    # changed nothing (a batch run again): fine
    with shop.store.write(shop.actor, "customer.edit") as tx:
        tx.execute("UPDATE settings SET value = 'z' WHERE key = 'no such key'")


def test_every_write_names_the_staff_member(shop: Shop) -> None:
    with shop.store.write(shop.actor, "customer.edit") as tx:
        tx.execute("INSERT INTO staff(name, role, created_at) VALUES ('小李', 'staff', ?)",
                   (tx.now,))
        tx.audit("staff.add", "staff", None)
    clerk = shop.store.actor("小李")
    Shop(shop.store, clerk).customers.add(CustomerInput(name="王五", phone="13912345678"))
    with shop.store.read() as conn:
        row = conn.execute("SELECT staff_id FROM audit_log WHERE action='customer.add'")
        assert row.fetchone()[0] == clerk.id
        c = conn.execute("SELECT created_by, updated_by FROM customers").fetchone()
        assert tuple(c) == (clerk.id, clerk.id)


def test_unknown_staff_is_a_clear_error(shop: Shop) -> None:
    with pytest.raises(NotFound) as err:
        shop.store.actor("nobody")
    assert err.value.code == "staff.unknown"
    assert "owner" in err.value.params["known"]


def test_a_foreign_sqlite_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE mine(x)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError) as err:
        Store(path)
    assert err.value.code == "store.foreign_file"
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    conn.close()


def test_a_newer_file_is_refused(db_path: Path, shop: Shop) -> None:
    with shop.store.read() as conn:
        conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    shop.close()
    with pytest.raises(StoreError) as err:
        Store(db_path)
    assert err.value.code == "store.too_new"


def test_reopening_keeps_rows(db_path: Path, shop: Shop) -> None:
    shop.customers.add(CustomerInput(name="王五", phone="13912345678"))
    shop.close()
    again = Store(db_path, clock=fixed_clock)
    with again.read() as conn:
        assert conn.execute("SELECT count(*) FROM customers").fetchone()[0] == 1
    again.close()


def test_missing_file_with_create_false(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as err:
        Store(tmp_path / "nope.db", create=False)
    assert err.value.code == "store.missing"


def test_a_refused_bulk_write_leaves_the_connection_normal(db_path: Path, shop: Shop) -> None:
    """Another connection holds the file: bulk is refused, and nothing stays relaxed."""
    other = sqlite3.connect(db_path)
    other.execute("SELECT count(*) FROM customers").fetchone()
    other.execute("BEGIN")
    other.execute("SELECT count(*) FROM customers").fetchone()  # holds a read lock
    with pytest.raises(StoreError), shop.store.write(shop.actor, "customer.edit", bulk=True) as tx:
        tx.audit("never", "x", None)
    other.rollback()
    other.close()
    with shop.store.read() as conn:
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")
def test_an_older_file_is_backed_up_privately_then_upgraded(tmp_path: Path) -> None:
    from db.migrations import MIGRATIONS

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    MIGRATIONS[0](conn, "2026-01-01T00:00:00+00:00")  # a shop written by the first release
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    conn.execute("COMMIT")
    conn.close()
    path.chmod(0o600)
    Store(path).close()
    backup = tmp_path / "old.db.v1.bak"
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    old = sqlite3.connect(backup)
    assert old.execute("PRAGMA user_version").fetchone()[0] == 1
    old.close()
    with closing(Store(path)) as store, store.read() as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST


def test_a_shop_from_before_points_upgrades_with_its_customers(tmp_path: Path) -> None:
    """A v6 file (coupons, no points yet) with a customer: after the upgrade the
    balance is 0 and equals the empty ledger, and the next sale earns points."""
    from db.migrations import MIGRATIONS
    from db.shop import Shop

    path = tmp_path / "v6.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    now = "2026-01-01T00:00:00+00:00"
    for step in MIGRATIONS[:6]:
        step(conn, now)
    conn.execute("INSERT INTO customers(member_code, name, sort_name, pinyin, phone,"
                 " created_at, updated_at, created_by, updated_by)"
                 " VALUES ('ABCDEF2', '王芳', 'wangfang', 'wangfang wf', '+8613800138000',"
                 " ?, ?, 1, 1)", (now, now))
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 6")
    conn.execute("COMMIT")
    conn.close()
    shop = Shop.open(str(path))
    try:
        assert shop.customers.get(1).points == 0
        shop.sales.record(1, "12.80")
        assert shop.customers.get(1).points == 12
        assert shop.rewards.settings()["referral.reward_points"] == "200"
    finally:
        shop.close()
    assert (tmp_path / "v6.db.v6.bak").exists()
