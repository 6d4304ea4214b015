"""Opening files at once, and files that are not ours (issue 11, items 15 and 17).

* Four real processes opening one new file, or upgrading one old file, at the same
  moment: all succeed, the schema is made once, and an old file gets one backup.
* Another program's SQLite file is left byte for byte as it was.
* A folder given as the database gets its own sentence.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import sqlite3
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import pytest

from db.errors import StoreError
from db.migrations import APPLICATION_ID, LATEST, MIGRATIONS
from db.store import Store

WORKERS = 4
ROUNDS = 20
OLD_NOW = "2026-01-01T00:00:00+00:00"


def make_v6_shop(path: Path) -> None:
    """A shop written by the release before points, with one customer."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    for step in MIGRATIONS[:6]:
        step(conn, OLD_NOW)
    conn.execute("INSERT INTO customers(member_code, name, sort_name, pinyin, phone,"
                 " created_at, updated_at, created_by, updated_by)"
                 " VALUES ('ABCDEF2', '王芳', 'wangfang', 'wangfang wf', '+8613800138000',"
                 " ?, ?, 1, 1)", (OLD_NOW, OLD_NOW))
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 6")
    conn.execute("COMMIT")
    conn.close()


def _open_in_rounds(paths: list[str], barrier: Barrier, out: Any) -> None:
    """One worker process: for each round, wait for the others, then open the file."""
    failures: list[str] = []
    for path in paths:
        barrier.wait(timeout=60)
        try:
            Store(path).close()
        except Exception as exc:  # every failure is counted, none hidden
            failures.append(f"{Path(path).name}: {type(exc).__name__}: {exc}")
    out.put(failures)


def _run_workers(paths: list[Path]) -> list[str]:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(WORKERS)
    out = ctx.Queue()
    procs = [ctx.Process(target=_open_in_rounds, args=([str(p) for p in paths], barrier, out))
             for _ in range(WORKERS)]
    for p in procs:
        p.start()
    failures: list[str] = []
    for _ in procs:
        failures += out.get(timeout=300)
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    return failures


def test_four_processes_opening_new_and_old_files_at_once_all_succeed(tmp_path: Path) -> None:
    new = [tmp_path / f"new{r}.db" for r in range(ROUNDS)]
    old = [tmp_path / f"old{r}.db" for r in range(ROUNDS)]
    for path in old:
        make_v6_shop(path)
    failures = _run_workers(new + old)
    assert failures == []
    for path in new + old:
        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
        assert conn.execute("SELECT count(*) FROM staff WHERE role = 'owner'").fetchone()[0] == 1
        conn.close()
    for path in old:
        conn = sqlite3.connect(path)
        assert conn.execute("SELECT name FROM customers").fetchall() == [("王芳",)]
        conn.close()
        # one backup per version, none half made
        assert sorted(p.name for p in tmp_path.glob(f"{path.name}.*")
                      if not p.name.endswith(("-wal", "-shm"))) == [f"{path.name}.v6.bak"]
        backup = sqlite3.connect(tmp_path / f"{path.name}.v6.bak")
        assert backup.execute("PRAGMA user_version").fetchone()[0] == 6
        backup.close()
    assert not list(tmp_path.glob("new*.db.*.bak"))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("journal", ["delete", "wal"])
def test_another_programs_file_is_left_byte_for_byte(tmp_path: Path, journal: str) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA journal_mode = {journal}")
    conn.execute("CREATE TABLE notes(x)")
    conn.execute("INSERT INTO notes VALUES ('keep me')")
    conn.commit()
    conn.close()
    before = _digest(path)
    with pytest.raises(StoreError) as err:
        Store(path)
    assert err.value.code == "store.foreign_file"
    assert _digest(path) == before


def test_a_folder_as_the_database_gets_its_own_sentence(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as err:
        Store(tmp_path)
    assert err.value.code == "store.is_folder"
