"""A new shop file appears whole or not at all (built aside, linked into place), so two
processes creating it at once never share a half-made file and none deletes one in use."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

import db.migrations
from db.store import Store


def test_a_creation_that_fails_half_way_leaves_nothing(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    real = db.migrations.migrate

    def dies_half_way(conn: sqlite3.Connection, path: Path, now: str) -> int:
        conn.execute("CREATE TABLE half(x)")
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(db.migrations, "migrate", dies_half_way)
    with pytest.raises(Exception):  # noqa: B017  # the store's own error, whichever it is
        Store(tmp_path / "shop.db")
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setattr(db.migrations, "migrate", real)
    Store(tmp_path / "shop.db").close()  # and the next try makes it
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("shop.db")] == []


def test_the_first_file_linked_is_the_shop_and_keeps_what_was_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """While this store builds its file, another one creates the shop and writes to it:
    this one then opens that file, and nothing written there is lost."""
    path = tmp_path / "shop.db"
    real = db.migrations.migrate
    raced: list[bool] = []

    def another_process_wins(conn: sqlite3.Connection, where: Path, now: str) -> Any:
        done = real(conn, where, now)
        if not raced and where != path:
            raced.append(True)
            other = Store(path)
            with other.write(other.actor(None), "setting.set") as tx:
                tx.execute("UPDATE settings SET value = 'en' WHERE key = 'language'")
                tx.audit("setting.set", "setting", None, key="language")
            other.close()
        return done

    monkeypatch.setattr(db.migrations, "migrate", another_process_wins)
    store = Store(path)
    try:
        with store.read() as conn:
            language = conn.execute(
                "SELECT value FROM settings WHERE key = 'language'").fetchone()[0]
            owners = conn.execute("SELECT count(*) FROM staff WHERE role = 'owner'").fetchone()
    finally:
        store.close()
    assert raced and language == "en" and owners[0] == 1
    assert sorted(p.name for p in tmp_path.iterdir() if ".new" in p.name) == []


def test_a_new_file_is_private(tmp_path: Path) -> None:
    Store(tmp_path / "shop.db").close()
    assert (tmp_path / "shop.db").stat().st_mode & 0o777 == 0o600
