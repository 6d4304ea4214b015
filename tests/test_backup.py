"""Backup and restore (issue 13): a backup taken while another process sells is whole and
consistent; a restore brings it back; a damaged file is refused and the shop file left
byte for byte; the console's daily backups keep exactly N; every file is 0600; sync
folders are recognised; doctor says how old the last backup is."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from db import backup
from db.customers import CustomerInput
from db.errors import AccessDenied, StoreError, ValidationError
from db.shop import Shop
from db.store import Store
from tests.conftest import HandClock

ROOT = Path(__file__).resolve().parent.parent

SELLER = """
import sys, time
from db.shop import Shop
shop = Shop.open(sys.argv[1])
try:
    cid = int(sys.argv[2])
    end = time.monotonic() + float(sys.argv[3])
    print("go", flush=True)
    while time.monotonic() < end:
        shop.sales.record(cid, "12.50", "咖啡")
        time.sleep(0.003)  # a busy counter, not a tight loop that starves every other writer
finally:
    shop.close()
"""


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def counts(path: Path) -> tuple[int, int, int]:
    """(customers, purchases, purchases' total): the figures a torn copy would get wrong."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return (conn.execute("SELECT count(*) FROM customers").fetchone()[0],
                conn.execute("SELECT count(*) FROM purchases").fetchone()[0],
                conn.execute("SELECT coalesce(sum(delta), 0) FROM points_ledger")
                .fetchone()[0])
    finally:
        conn.close()


def customers_of(path: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT id, name, phone FROM customers ORDER BY id").fetchall()
    finally:
        conn.close()


def add(shop: Shop, name: str, phone: str) -> int:
    return shop.customers.add(CustomerInput(name=name, phone=phone)).id


def test_a_backup_taken_while_another_process_sells_is_whole_and_consistent(
        shop: Shop, tmp_path: Path) -> None:
    cid = add(shop, "王芳", "13911112222")
    seller = subprocess.Popen([sys.executable, "-c", SELLER, str(shop.path), str(cid), "6"],
                              env={**os.environ, "PYTHONPATH": str(ROOT)},
                              stdout=subprocess.PIPE, text=True)
    try:
        assert seller.stdout is not None and seller.stdout.readline().strip() == "go"
        time.sleep(0.5)  # sales are being written now
        made = [shop.backups.backup(tmp_path / f"copy{n}.db") for n in range(3)]
    finally:
        assert seller.wait(30) == 0
    sold = []
    for copy in made:
        assert mode(copy) == 0o600
        conn = sqlite3.connect(copy)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            # every sale in the copy earned its points in the same copy: one moment
            total, fen = conn.execute("SELECT count(*), coalesce(sum(amount_fen), 0)"
                                      " FROM purchases").fetchone()
            points = conn.execute("SELECT points FROM customers WHERE id = ?",
                                  (cid,)).fetchone()[0]
            ledger = conn.execute("SELECT coalesce(sum(delta), 0) FROM points_ledger"
                                  " WHERE customer_id = ?", (cid,)).fetchone()[0]
        finally:
            conn.close()
        assert fen == total * 1250 and points == ledger
        sold.append(total)
    assert sold[-1] > 0 and sold == sorted(sold)
    assert not list(tmp_path.glob(".*partial*"))


def test_default_backup_goes_to_backups_beside_the_file_named_in_shop_time(
        shop: Shop) -> None:
    made = shop.backups.backup()
    # the fixed clock: 2026-11-24 02:30 UTC is 10:30 in Shanghai
    assert made == shop.path.parent / "backups" / f"{shop.path.stem}-20261124-103000.db"
    assert mode(made) == 0o600
    with pytest.raises(StoreError) as again:  # same second: never overwrites
        shop.backups.backup()
    assert again.value.code == "backup.exists"


def test_restore_brings_the_backup_back_and_keeps_the_current_file_aside(
        db_path: Path, clock: HandClock, tmp_path: Path) -> None:
    shop = Shop.open(db_path, clock=clock)
    try:
        add(shop, "王芳", "13911112222")
        add(shop, "李娜", "13911113333")
        saved = shop.backups.backup(tmp_path / "saved.db")
        expected = customers_of(db_path)
        add(shop, "张伟", "13911114444")  # after the backup: the restore takes it away
    finally:
        shop.close()
    before = db_path.read_bytes()
    Path(f"{db_path}-wal").write_bytes(b"stale log from a crash")  # must not be applied
    aside = Shop.restore(db_path, saved, clock=clock)
    assert customers_of(db_path) == expected
    assert aside is not None and aside.name == f"{db_path.name}.before-restore-20261124-103000"
    assert aside.read_bytes() == before
    wal = Path(f"{db_path}-wal")  # the stale log went aside or was dropped, never applied
    assert not wal.exists() or wal.read_bytes() != b"stale log from a crash"
    assert mode(db_path) == 0o600
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        assert conn.execute("SELECT count(*) FROM audit_log WHERE action = 'shop.restore'"
                            ).fetchone()[0] == 1
    finally:
        conn.close()


@pytest.mark.parametrize("damage", ["truncate", "garble", "foreign"])
def test_a_damaged_backup_is_refused_and_the_shop_file_is_untouched(
        db_path: Path, clock: HandClock, tmp_path: Path, damage: str) -> None:
    shop = Shop.open(db_path, clock=clock)
    try:
        for n in range(40):  # a few pages, so damage lands inside the tables
            add(shop, f"顾客{n}", f"1391111{n:04d}")
        bad = shop.backups.backup(tmp_path / "bad.db")
    finally:
        shop.close()
    data = bad.read_bytes()
    if damage == "truncate":
        bad.write_bytes(data[: len(data) // 2 + 100])
    elif damage == "garble":
        page = 4096
        bad.write_bytes(data[:page * 2] + bytes(range(256)) * 16 + data[page * 3:])
    else:
        other = sqlite3.connect(bad.with_name("other.db"))
        other.execute("CREATE TABLE t(x)")
        other.commit()
        other.close()
        bad = bad.with_name("other.db")
    before = db_path.read_bytes()
    with pytest.raises(StoreError) as refused:
        Shop.restore(db_path, bad, clock=clock)
    assert refused.value.code in ("restore.damaged", "restore.not_ours")
    assert db_path.read_bytes() == before
    assert sorted(p.name for p in db_path.parent.iterdir() if p.name.startswith(
        (db_path.name, f".{db_path.name}"))) == [db_path.name]


def test_restore_is_refused_while_another_process_has_the_file_open(
        shop: Shop, tmp_path: Path, clock: HandClock) -> None:
    saved = shop.backups.backup(tmp_path / "saved.db")
    with pytest.raises(StoreError) as refused:  # this test's own shop holds it open
        backup.restore(shop.path, saved, clock())
    assert refused.value.code == "restore.in_use"


def test_staff_may_not_back_up_or_restore_but_the_daily_backup_runs_for_anyone(
        shop: Shop, tmp_path: Path) -> None:
    with shop.store.write(shop.actor, "customer.edit") as tx:
        tx.execute("INSERT INTO staff(name, role, created_at) VALUES ('小李', 'staff', ?)",
                   (tx.now,))
        tx.audit("staff.add", "staff", None, name="小李")
    staff = Shop(shop.store, shop.store.actor("小李"))
    with pytest.raises(AccessDenied):
        staff.backups.backup(tmp_path / "x.db")
    assert not (tmp_path / "x.db").exists()
    assert staff.backups.daily() is not None


def test_daily_backups_once_a_day_keep_exactly_the_newest_n(shop: Shop,
                                                             clock: HandClock) -> None:
    shop.settings.set("backup.keep", "3")
    made = []
    for _ in range(6):
        first = shop.backups.daily()
        assert first is not None and shop.backups.daily() is None  # once per shop day
        made.append(first)
        clock.advance(days=1)
    kept = backup.listed(shop.path)
    assert kept == made[-3:]
    assert all(mode(p) == 0o600 for p in kept)
    with pytest.raises(ValidationError) as out_of_range:
        shop.settings.set("backup.keep", "0")
    assert "backup.keep" in out_of_range.value.fields


@pytest.mark.parametrize(("path", "found"), [
    ("/Users/li/Dropbox/shop/regulars.db", "Dropbox"),
    ("/Users/li/Library/Mobile Documents/com~apple~CloudDocs/regulars.db", "Mobile Documents"),
    ("C:/Users/li/OneDrive - 城东面包/regulars.db", "OneDrive - 城东面包"),
    ("/home/li/我的坚果云/regulars.db", "我的坚果云"),
    ("/home/li/Nutstore Files/regulars.db", "Nutstore Files"),
    ("/Users/li/Google Drive/My Drive/regulars.db", "Google Drive"),
    ("D:/BaiduNetdisk/regulars.db", "BaiduNetdisk"),
    ("/home/li/百度网盘同步/regulars.db", "百度网盘同步"),
    ("/home/li/shop/regulars.db", None),
    ("/home/li/dropbox-notes.db", None),  # the file's own name is not a folder
])
def test_sync_folders_are_recognised_by_their_path(path: str, found: str | None) -> None:
    assert backup.cloud_folder(Path(path)) == found


def test_doctor_says_there_is_no_backup_then_how_old_the_last_one_is(
        shop: Shop, clock: HandClock) -> None:
    checks = {c.name: c for c in shop.doctor(quick=True).checks}
    assert "backup_none" in checks and checks["backup_none"].ok
    shop.backups.backup()
    clock.advance(days=2, hours=5)
    checks = {c.name: c for c in shop.doctor(quick=True).checks}
    assert checks["backup"].params["days"] == 2 and checks["backup"].params["hours"] == 5


def test_the_cli_backs_up_restores_and_doctor_prints_the_age(tmp_path: Path) -> None:
    db = tmp_path / "shop.db"
    store = Store(db)
    try:
        shop = Shop(store, store.actor())
        add(shop, "王芳", "13911112222")
    finally:
        store.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LANG": "C.UTF-8"}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "console.cli", *args, "--db", str(db),
                               "--lang", "en"], env=env, capture_output=True, text=True,
                              timeout=120, check=False)

    none = cli("doctor", "--quick")
    assert "last backup: none yet" in none.stdout
    made = cli("backup")
    assert made.returncode == 0, made.stderr
    (copy,) = (tmp_path / "backups").iterdir()
    assert mode(copy) == 0o600 and str(copy) in made.stdout
    aged = cli("doctor", "--quick")
    assert f"last backup: 0 days 0 hours ago ({copy.name})" in aged.stdout
    done = cli("restore", str(copy))
    assert done.returncode == 0, done.stderr
    assert "kept as" in done.stdout
    missing = cli("restore", str(tmp_path / "nothing.db"))
    assert missing.returncode == 1 and "There is no file" in missing.stderr


def test_a_full_disk_leaves_no_half_backup_and_says_so(
        shop: Shop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(conn: sqlite3.Connection, stop: threading.Event | None = None) -> list[str]:
        conn.execute("CREATE TABLE filler(x)")  # the copy is on disk by now, half checked
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(backup, "_integrity", full)
    with pytest.raises(StoreError) as refused:
        shop.backups.backup(tmp_path / "out" / "copy.db")
    assert refused.value.code == "backup.full"
    assert list((tmp_path / "out").iterdir()) == []


def test_a_stopped_backup_leaves_nothing_and_says_so(shop: Shop, tmp_path: Path) -> None:
    """The console sets ``stop`` when it closes: no half copy, a sentence, no audit row."""
    stop = threading.Event()
    stop.set()
    with pytest.raises(StoreError) as err:
        shop.backups.daily(stop)
    assert err.value.code == "backup.stopped"
    folder = shop.path.parent / "backups"
    assert not folder.exists() or list(folder.iterdir()) == []
    assert shop.backups.last() is None


def test_a_half_copy_left_by_a_killed_process_goes_a_day_later(shop: Shop) -> None:
    made = shop.backups.daily()
    assert made is not None
    half = made.with_name(f".{shop.path.stem}-20260101-000000.db.partial")
    fresh = made.with_name(f".{shop.path.stem}-20260102-000000.db.partial")
    half.write_bytes(b"x")
    fresh.write_bytes(b"x")
    old = time.time() - 2 * 24 * 3600
    os.utime(half, (old, old))
    backup.prune(shop.path, 7)
    assert not half.exists() and fresh.exists()  # a copy being made now is left alone
