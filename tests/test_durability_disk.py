"""A full disk and read-only places, on a real small filesystem (issue 11, items 16, 17).

Each test mounts its own tmpfs (root only; we are root here and in CI) and
unmounts it afterwards. Without root, or where mount is not allowed, they are
skipped with the reason.
"""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import console.cli as cli
from db.audience import Audience
from db.customers import CustomerInput
from db.errors import StoreError
from db.shop import Shop
from tests.conftest import fixed_clock

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()
FREE_KB = 500  # measured: the log is ~310 KB after 2,000 coupons, ~690 KB after 4,000
REGULARS = str(Path(sys.executable).with_name("regulars"))  # the installed command


def _mount_tmpfs(where: Path, size: str) -> None:
    if os.name != "posix" or os.geteuid() != 0:
        pytest.skip("mounting a small filesystem needs root (run the tests as root, as CI does)")
    where.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs",
                           str(where)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")


def _unmount(where: Path) -> None:
    if subprocess.run(["umount", str(where)], check=False).returncode != 0:
        subprocess.run(["umount", "-l", str(where)], check=False)  # lazily, if still busy


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    where = tmp_path / "fs"
    _mount_tmpfs(where, "2m")
    try:
        yield where
    finally:
        _unmount(where)


def fill(folder: Path) -> Path:
    """Take every free byte of the filesystem; returns the filler (delete it to free)."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as out:
        block = b"\0" * 4096
        with contextlib.suppress(OSError):
            while True:
                out.write(block)
    return filler


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(cli.app, list(args))
    return result.exit_code, result.stdout + result.stderr


def small_shop(path: Path) -> None:
    shop = Shop.open(str(path))
    shop.customers.add(CustomerInput(name="王芳", phone="13800138000"))
    shop.close()


def test_a_full_disk_keeps_reads_working_and_writes_say_full(small_fs: Path) -> None:
    path = small_fs / "shop.db"
    small_shop(path)
    fill(small_fs)
    code, out = run("customer", "find", "王", "--db", str(path))
    assert code == 0, out
    assert "王芳" in out
    code, out = run("doctor", "--db", str(path))
    assert code == 0, out
    code, out = run("customer", "add", "--name", "李四", "--phone", "13800138001",
                    "--db", str(path))
    assert code == 1
    assert "The disk is full: nothing was saved" in out
    assert "I/O" not in out


def test_init_on_a_full_disk_leaves_no_file(small_fs: Path) -> None:
    fill(small_fs)
    path = small_fs / "new.db"
    code, out = run("init", "--db", str(path))
    assert code == 1
    assert "The disk is full" in out
    assert sorted(p.name for p in small_fs.iterdir()) == ["filler"]


def test_export_to_a_full_disk_says_one_sentence(tmp_path: Path, small_fs: Path) -> None:
    path = tmp_path / "shop.db"
    shop = Shop.open(str(path))
    for i in range(40):
        shop.customers.add(CustomerInput(name=f"顾客{i}", phone=f"1380013{i:04d}"))
    shop.coupons.add_template("满50减10", "amount", value="10", valid_days=14)
    shop.campaigns.issue_batch("满50减10", Audience(), "manual", "b1")
    shop.close()
    fill(small_fs)
    for name in ("codes.xlsx", "codes.csv"):
        done = subprocess.run(
            [REGULARS, "coupon", "export", "--batch-id", "b1",
             "-o", str(small_fs / name), "--db", str(path)],
            cwd=ROOT, capture_output=True, text=True, check=False)
        assert done.returncode == 1
        assert "Traceback" not in done.stderr
        assert done.stderr.strip().splitlines() == [
            f"The disk is full: {small_fs / name} was not written. Free some space and"
            " export again."]
        assert sorted(p.name for p in small_fs.iterdir()) == ["filler"]  # no half file


def test_a_batch_stopped_by_a_full_disk_says_what_was_saved(tmp_path: Path) -> None:
    where = tmp_path / "fs"
    _mount_tmpfs(where, "24m")
    try:
        path = where / "shop.db"
        shop = Shop.open(str(path), clock=fixed_clock)
        with shop.store.write(shop.actor, "shop.seed") as tx:  # 5,000 customers, fast
            tx.conn.executemany(
                "INSERT INTO customers(member_code, name, sort_name, pinyin, phone,"
                " created_at, updated_at, created_by, updated_by)"
                " VALUES (?, ?, 'x', 'x', ?, ?, ?, 1, 1)",
                [(f"M{i:06d}", f"顾客{i}", f"+86138{i:08d}", tx.now, tx.now)
                 for i in range(5000)])
            tx.audit("test.customers", "customer", None)
        shop.coupons.add_template("满50减10", "amount", value="10", valid_days=14)
        with shop.store.read() as conn:  # an empty log: the coupons need new space
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        filler = fill(where)
        # room for about one chunk of 2,000 coupons (and its log), not for all 5,000
        with open(filler, "r+b") as f:
            f.truncate(max(0, filler.stat().st_size - FREE_KB * 1024))
        with pytest.raises(StoreError) as err:
            shop.campaigns.issue_batch("满50减10", Audience(), "manual", "b1")
        assert err.value.code == "batch.stopped_full"
        with shop.store.read() as conn:
            saved = conn.execute("SELECT count(*) FROM coupons WHERE batch_id = 'b1'"
                                 ).fetchone()[0]
        assert 0 < saved < 5000
        assert err.value.params["issued"] == saved  # the sentence tells the truth
        filler.unlink()
        _, more = shop.campaigns.issue_batch("满50减10", Audience(), "manual", "b1")  # finishes it
        assert len(more) == 5000 - saved
        with shop.store.read() as conn:
            assert tuple(conn.execute("SELECT count(DISTINCT customer_id), count(*) FROM coupons"
                                " WHERE batch_id = 'b1'").fetchone()) == (5000, 5000)
        shop.close()
    finally:
        _unmount(where)


def test_a_read_only_mount_keeps_reads_and_says_why_writes_fail(small_fs: Path) -> None:
    path = small_fs / "shop.db"
    small_shop(path)
    done = subprocess.run(["mount", "-o", "remount,ro", str(small_fs)], capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot remount read-only here: {done.stderr.strip()}")
    code, out = run("customer", "find", "王", "--db", str(path))
    assert code == 0 and "王芳" in out, out
    code, out = run("doctor", "--db", str(path))
    assert code == 0, out
    code, out = run("customer", "add", "--name", "李四", "--phone", "13800138001",
                    "--db", str(path))
    assert code == 1
    assert "is on a read-only disk" in out
    code, out = run("init", "--db", str(small_fs / "other.db"))
    assert code == 1 and "read-only disk" in out


def test_a_read_only_folder_keeps_reads_and_says_why_writes_fail(tmp_path: Path) -> None:
    """chmod does not stop root, so this runs as the user nobody (setpriv), in a
    folder nobody can reach (pytest's own is private to root)."""
    import shutil
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="regulars-ro-"))
    base.chmod(0o755)
    folder = base / "ro"
    folder.mkdir()
    path = folder / "shop.db"
    small_shop(path)
    as_nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    probe = subprocess.run([*as_nobody, REGULARS, "--help"], capture_output=True,
                           check=False)
    if os.geteuid() != 0 or probe.returncode != 0:
        shutil.rmtree(base)
        pytest.skip("needs root and a Python the user nobody can run (this one: "
                    f"{sys.executable}), to test a folder that is read-only for its user")
    for p in (folder, path):
        os.chown(p, 65534, 65534)
    folder.chmod(0o555)

    def regulars(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*as_nobody, REGULARS, *args,
                               "--db", str(path)], cwd=ROOT, capture_output=True, text=True,
                              check=False, env={**os.environ, "HOME": str(base)})

    try:
        _read_only_folder_checks(regulars)
    finally:
        folder.chmod(0o755)
        shutil.rmtree(base)


def _read_only_folder_checks(regulars: Any) -> None:
    if True:
        found = regulars("customer", "find", "王")
        assert found.returncode == 0 and "王芳" in found.stdout, found.stderr
        assert regulars("doctor").returncode == 0
        added = regulars("customer", "add", "--name", "李四", "--phone", "13800138001")
        assert added.returncode == 1
        assert "folder of" in added.stderr and "is read-only" in added.stderr


def test_fill_really_fills(small_fs: Path) -> None:
    """The helper above must leave no room, or the full-disk tests prove nothing."""
    fill(small_fs)
    with pytest.raises(OSError) as err, open(small_fs / "more", "wb", buffering=0) as out:
        out.write(b"x" * 8192)
    assert err.value.errno == errno.ENOSPC
