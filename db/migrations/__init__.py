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
from collections.abc import Callable
from pathlib import Path

from ..errors import StoreError
from ..files import create_private_file
from . import (
    v1_customers,
    v2_purchases,
    v3_tags,
    v4_rerank,
    v5_feedback,
    v6_coupons,
    v7_points,
    v8_imports,
    v9_staff,
)

APPLICATION_ID = 0x52454753  # "REGS"

# One module per step, each with the SQL it ran and a frozen copy of the words it used.
# A step is never edited once released: a change to the schema is a new step at the end.
MIGRATIONS: list[Callable[[sqlite3.Connection, str], None]] = [
    v1_customers.apply, v2_purchases.apply, v3_tags.apply, v4_rerank.apply,
    v5_feedback.apply, v6_coupons.apply, v7_points.apply, v8_imports.apply, v9_staff.apply]
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
