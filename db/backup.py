"""Backups of the shop file and restoring one: whole copies, private, never half-written.

A backup goes through SQLite's online backup API, so the console may keep selling while
it runs: the copy is one consistent moment of the file. It is written to a temporary
name, checked with ``PRAGMA integrity_check`` and only then renamed into place, so a full
disk or a kill leaves no file that looks like a backup. A restore checks its file the
same way (on a private copy, so the file named is never changed) and moves the current
database aside instead of overwriting it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import sqlite3
import threading
import time
from datetime import datetime
from pathlib import Path

from .errors import StoreError
from .files import create_private_file
from .sqlite_file import remove_db_files

FOLDER = "backups"
STAMP = "%Y%m%d-%H%M%S"
_NAMED = re.compile(r"-(\d{8}-\d{6})\.db$")
SIDE_FILES = ("-wal", "-shm")

# Folder names that sync clients create: SQLite's locks do not travel through them, so
# two machines (or the client itself) can write the file at once and damage it.
_CLOUD_PREFIXES = ("dropbox", "onedrive", "icloud drive", "icloud~", "mobile documents",
                   "com~apple~clouddocs", "nutstore", "google drive", "googledrive",
                   "baidunetdisk", "baiduyunguanjia", "seafile", "box sync")
_CLOUD_PARTS = ("坚果云", "百度网盘", "百度云")


def cloud_folder(path: Path) -> str | None:
    """The sync folder's name if ``path`` lies inside one (by its path components)."""
    for part in Path(path).expanduser().parts[:-1]:
        low = part.casefold()
        if low.startswith(_CLOUD_PREFIXES) or any(p in part for p in _CLOUD_PARTS):
            return part
    return None


def folder_for(db: Path) -> Path:
    """Where automatic and default backups go: ``backups/`` beside the shop file."""
    return db.parent / FOLDER


def name_for(db: Path, local: datetime) -> str:
    """``<stem>-YYYYmmdd-HHMMSS.db``, in the shop's time (sorts by name = by time)."""
    return f"{db.stem}-{local.strftime(STAMP)}.db"


def taken_at(backup: Path) -> datetime | None:
    """The shop-local time in a backup's name (naive), or None for another file."""
    found = _NAMED.search(backup.name)
    return datetime.strptime(found.group(1), STAMP) if found else None


def listed(db: Path) -> list[Path]:
    """This shop's backups in its folder, oldest first."""
    folder = folder_for(db)
    if not folder.is_dir():
        return []
    prefix = f"{db.stem}-"
    found = [p for p in folder.iterdir() if p.is_file() and p.name.startswith(prefix)
             and _NAMED.fullmatch(p.name[len(db.stem):]) is not None]
    return sorted(found, key=lambda p: p.name)


STALE_PARTIAL_S = 24 * 3600  # a half copy this old was left by a killed process


def prune(db: Path, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest backups of this shop, and half copies a killed
    process left a day or more ago; returns the backups deleted."""
    old = listed(db)[:-keep] if keep > 0 else listed(db)
    for path in old:
        path.unlink(missing_ok=True)
    folder = folder_for(db)
    for half in folder.glob(f".{db.stem}-*.db.partial") if folder.is_dir() else []:
        with contextlib.suppress(OSError):
            if time.time() - half.stat().st_mtime > STALE_PARTIAL_S:
                remove_db_files(half)
    return old


def _partial(dest: Path) -> Path:
    return dest.with_name(f".{dest.name}.partial")


def _sync_folder(folder: Path) -> None:
    """The rename is only durable once the folder itself is on disk (POSIX)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _full(exc: BaseException) -> bool:
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    return isinstance(exc, sqlite3.Error) and "full" in str(exc).lower()


def _integrity(conn: sqlite3.Connection, stop: threading.Event | None = None) -> list[str]:
    """``integrity_check``, most of a backup's time (≈ 28 s of 36 s at 1M customers):
    interrupted as soon as ``stop`` is set, so quitting the console does not wait for it."""
    done = threading.Event()

    def watch() -> None:
        while stop is not None and not done.is_set():
            if stop.wait(0.1):
                conn.interrupt()
                return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        return [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
    finally:
        done.set()


def take(source: Path, dest: Path, stop: threading.Event | None = None) -> Path:
    """Copy the shop file at ``source`` to ``dest`` (a new file, 0600), checked whole.

    Readers and writers of ``source`` carry on meanwhile: the copy is made in one step
    inside one read transaction, so it is the file as of one moment. Setting ``stop``
    abandons it (``backup.stopped``) and leaves no half file; the copy step itself cannot
    be interrupted (≈ 7 s at 1M customers), the check can."""
    if dest.exists():
        raise StoreError("backup.exists", path=str(dest))
    partial = _partial(dest)
    try:
        partial.unlink(missing_ok=True)  # left by a backup that was killed
        create_private_file(partial)
        src = sqlite3.connect(source, timeout=5)
        try:
            dst = sqlite3.connect(partial, check_same_thread=False)  # the watcher interrupts
            try:
                src.backup(dst)
                if stop is not None and stop.is_set():
                    raise StoreError("backup.stopped")
                problems = _integrity(dst, stop)
                # the copy need not carry the shop's write-ahead log mode's files around
                dst.execute("PRAGMA journal_mode = DELETE")
            finally:
                dst.close()
        finally:
            src.close()
        if problems != ["ok"]:
            raise StoreError("backup.bad_copy", detail="; ".join(problems[:3]))
        with open(partial, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(partial, dest)
        _sync_folder(dest.parent)
    except BaseException as exc:
        remove_db_files(partial)
        if stop is not None and stop.is_set():
            raise StoreError("backup.stopped") from None
        if _full(exc):
            raise StoreError("backup.full", path=str(dest)) from None
        if isinstance(exc, sqlite3.Error):
            raise StoreError("backup.failed", detail=str(exc)) from None
        if isinstance(exc, OSError):
            raise StoreError("backup.failed", detail=exc.strerror or str(exc)) from None
        raise
    return dest


def in_use(db: Path, wait_ms: int = 300) -> bool:
    """Does another connection (any process) have the shop file open?

    A connection to a WAL file holds a shared lock on it for as long as it is open; an
    exclusive locking mode has to wait for every one of them, so a short wait that
    runs out means someone else is there."""
    conn = sqlite3.connect(db, timeout=wait_ms / 1000)
    try:
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc).lower() or "busy" in str(exc).lower():
            return True
        raise
    finally:
        conn.close()
    return False


def _check_copy(copy: Path, app_id: int, latest: int) -> None:
    """The file opens as a Regulars file, not newer than this version, and whole."""
    try:
        conn = sqlite3.connect(copy)
        try:
            found_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if found_id != app_id:
                raise StoreError("restore.not_ours")
            if version > latest:
                raise StoreError("store.too_new", version=version, latest=latest)
            problems = _integrity(conn)
            if problems != ["ok"]:
                raise StoreError("restore.damaged", detail="; ".join(problems[:3]))
            conn.execute("PRAGMA journal_mode = WAL")  # as the shop keeps its file
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError("restore.damaged", detail=str(exc)) from None


def restore(db: Path, backup: Path, local: datetime) -> Path | None:
    """Put ``backup`` in place of the shop file ``db``. Returns where the file that was
    there went (``<file>.before-restore-<time>``, with its -wal/-shm), or None.

    The backup is copied beside the shop file and checked there first; a file that is
    not a whole Regulars file is refused and nothing else is touched. The shop file is
    refused while another connection has it open."""
    from .migrations import APPLICATION_ID, LATEST

    if not backup.is_file():
        raise StoreError("restore.missing", path=str(backup))
    if backup.resolve() == db.resolve():
        raise StoreError("restore.same_file", path=str(backup))
    if db.exists() and in_use(db):
        raise StoreError("restore.in_use", path=str(db))
    copy = db.with_name(f".{db.name}.restoring")
    try:
        remove_db_files(copy)
        create_private_file(copy)
        shutil.copyfile(backup, copy)
        # a -wal left beside the backup holds committed pages that belong to it
        wal = Path(f"{backup}-wal")
        if wal.is_file() and wal.stat().st_size:
            shutil.copyfile(wal, f"{copy}-wal")
        _check_copy(copy, APPLICATION_ID, LATEST)
        with open(copy, "rb+") as f:
            os.fsync(f.fileno())
    except BaseException as exc:
        remove_db_files(copy)
        if _full(exc):
            raise StoreError("restore.full", path=str(db)) from None
        raise
    aside = None
    if db.exists():
        aside = db.with_name(f"{db.name}.before-restore-{local.strftime(STAMP)}")
        os.replace(db, aside)
    for side in SIDE_FILES:
        # a -wal/-shm of the file that was there must never be applied to the restored one
        stale = Path(f"{db}{side}")
        if stale.exists():
            if aside is not None:
                os.replace(stale, f"{aside}{side}")
            else:
                stale.unlink()
    os.replace(copy, db)
    with contextlib.suppress(OSError):
        _sync_folder(db.parent)
    return aside
