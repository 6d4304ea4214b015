"""Opening the SQLite file: the pragmas every connection works under, whether (and why
not) the file can be written here, and SQLite's errors in words the counter can act on.
db/store.py holds the connections and the write door built on these."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from .errors import StoreError

BUSY_TIMEOUT_MS = 5000
# A sale re-ranks ~15 lookup keys, so it writes ~40 pages. SQLite's default (checkpoint
# every 1,000 pages, inside whichever COMMIT crosses it) put a 15 ms copy-and-fsync on
# every 25th sale. The console checkpoints in the background instead (Store.checkpoint);
# this larger threshold is only the backstop for CLI runs.
AUTOCHECKPOINT_PAGES = 8000
CACHE_KB = 32_000  # page cache per connection
DISK_FULL_BYTES = 256 * 1024  # less free space than this, and an I/O error means "full"


def translate(exc: sqlite3.Error) -> StoreError:
    """Turn SQLite's wording into something the counter can act on."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return StoreError("store.locked")
    if "full" in text:
        return StoreError("store.full")
    if "readonly" in text or "read-only" in text:
        return StoreError("store.readonly")
    if "not a database" in text or "malformed" in text:
        return StoreError("store.corrupt", detail=str(exc))
    return StoreError("store.failed", detail=str(exc))


def normal_pragmas(conn: sqlite3.Connection) -> str:
    """The settings every connection works under; returns the journal mode granted."""
    conn.execute("PRAGMA foreign_keys = ON")
    # What is deleted or overwritten is zeroed in the file, not left in free space: an
    # edited phone or an erased customer (db/erase.py) must not linger in its bytes, and
    # some SQLite builds have this off by default.
    conn.execute("PRAGMA secure_delete = ON")
    mode = str(conn.execute("PRAGMA main.journal_mode = WAL").fetchone()[0])
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute(f"PRAGMA cache_size = {-CACHE_KB}")
    conn.execute("PRAGMA temp_store = DEFAULT")
    conn.execute(f"PRAGMA wal_autocheckpoint = {AUTOCHECKPOINT_PAGES}")
    return mode


def read_only_uri(path: Path, *, immutable: bool = False) -> str:
    from urllib.parse import quote

    return f"file:{quote(str(path))}?mode=ro" + ("&immutable=1" if immutable else "")


def has_wal(path: Path) -> bool:
    """A write-ahead log with something in it lies beside the file."""
    try:
        return Path(f"{path}-wal").stat().st_size > 0
    except OSError:
        return False


def why_readonly(path: Path) -> str | None:
    """The message code for why this file can't be written here, or None if it can.

    WAL needs to create -wal and -shm beside the file, so the folder matters too."""
    try:
        if os.statvfs(path).f_flag & os.ST_RDONLY:
            return "store.readonly_mount"
    except (OSError, AttributeError):  # no statvfs (Windows): the checks below still apply
        pass
    if not os.access(path, os.W_OK):
        return "store.readonly"
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return "store.readonly_folder"
    return None


def disk_full(path: Path) -> bool:
    import shutil

    try:
        return shutil.disk_usage(path.parent).free < DISK_FULL_BYTES
    except OSError:
        return False


def remove_db_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{path}{suffix}").unlink()


def os_error(exc: OSError, path: Path) -> StoreError:
    """Creating the file failed: say why in the person's terms."""
    import errno

    if exc.errno == errno.ENOSPC:
        return StoreError("store.full_nothing_created", path=str(path))
    if exc.errno == errno.EROFS:
        return StoreError("store.readonly_mount", path=str(path))
    if exc.errno in (errno.EACCES, errno.EPERM):
        return StoreError("store.readonly_folder", path=str(path))
    return StoreError("store.cannot_create", path=str(path), detail=exc.strerror or str(exc))


def switch_to_wal(conn: sqlite3.Connection, path: Path) -> str:
    """The normal pragmas; returns the journal mode granted.

    Turning a new (or old, rollback-journal) file to WAL needs the file to itself
    for a moment, and SQLite does not wait for that: when several processes open
    such a file at once, the losers get "locked" (or an I/O error while another one
    builds the -shm). They try again until the busy timeout: the winner is quick.
    """
    import time

    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    pause = 0.005
    while True:
        try:
            return normal_pragmas(conn)
        except sqlite3.OperationalError as exc:
            text = str(exc).lower()
            transient = "locked" in text or "busy" in text or "disk i/o" in text
            if not transient or time.monotonic() > deadline or disk_full(path):
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.1)
