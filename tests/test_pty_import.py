"""The Import screen in a real terminal (80x24): a path pasted in one write, Enter to see
what would happen, Enter to import; and a console quit in the middle of an import, which
must leave the file whole with nothing of the import in it."""

from __future__ import annotations

import csv
import os
import sqlite3
from pathlib import Path

import pytest

from db.shop import Shop
from tests.pty_harness import KEYS, Console

pytestmark = pytest.mark.skipif(not hasattr(os, "openpty"),
                                reason="needs a POSIX pseudo-terminal")


def member_list(path: Path, rows: int) -> Path:
    """``rows`` people with distinct valid phones (and one row that names nobody)."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["客户姓名", "客户手机号", "客户积分"])
        for i in range(rows):
            writer.writerow([f"顾客{i}", f"139{i:08d}", str(i % 7)])
        writer.writerow(["无名", "", ""])
    return path


def empty_shop(folder: Path) -> Path:
    shop = Shop.open(folder / "shop.db")
    shop.close()
    return folder / "shop.db"


def figures(db: Path) -> tuple[str, int, int]:
    with sqlite3.connect(db) as conn:
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        customers = conn.execute("SELECT count(*) FROM customers").fetchone()[0]
        batches = conn.execute("SELECT count(*) FROM import_batches").fetchone()[0]
    return check, customers, batches


def test_a_pasted_path_is_previewed_then_imported(tmp_path: Path) -> None:
    db = empty_shop(tmp_path)
    source = member_list(tmp_path / "members.csv", 30)
    with Console(db, home=tmp_path) as run:
        run.wait_for("Phone")
        run.send(KEYS.ctrl("o"))
        run.wait_for("Type or paste the path")
        run.send(str(source).encode())  # one write, as a paste arrives
        run.send(KEYS.enter)
        screen = " ".join(run.wait_for("Nothing is written yet").split())  # lines wrap at 80
        assert "30 new · 0 updated · 0 unchanged · 0 folded duplicates · 1 refused" in screen
        run.send(KEYS.enter)
        screen = run.wait_for("Esc goes back")  # drawn with the result
        assert "Imported (batch 1)" in screen and "refusals are listed in" in screen
    assert figures(db) == ("ok", 30, 1)
    assert (tmp_path / "members.errors.csv").exists()


def test_quitting_during_an_import_writes_none_of_it(tmp_path: Path) -> None:
    db = empty_shop(tmp_path)
    source = member_list(tmp_path / "many.csv", 30_000)
    with Console(db, home=tmp_path) as run:
        run.wait_for("Phone")
        run.send(KEYS.ctrl("o"))
        run.wait_for("Type or paste the path")
        run.send(str(source).encode() + KEYS.enter)
        run.wait_for("Nothing is written yet", timeout=60)
        run.send(KEYS.enter)
        run.wait_for("all rows or none")
        assert run.quit(timeout=60) == 0  # Ctrl+Q: the console ends by itself
    assert figures(db) == ("ok", 0, 0)
