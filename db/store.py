"""The one door to the SQLite file.

* Every connection: WAL, foreign keys on, secure_delete, busy_timeout, synchronous=FULL
  (the pragmas, the file's checks and SQLite's errors in words: db/sqlite_file.py).
* The file is created with mode 0600 (the OS ignores this where it has no such modes).
* Migrations run on open (db/migrations/: one module per step, the runner in its __init__).
* Reads borrow a pooled connection; each connection serves one thread at a time.
* Writes go through ``Store.write(actor, action)`` only: the access policy
  (db/access.py), then ``BEGIN IMMEDIATE``, one clock
  reading for the whole transaction, and an audit row naming who acted.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import access
from .audit_chain import Link, customer_of, personal_keys
from .clock import Clock, system_clock, to_iso
from .errors import NotFound, SignInRefused, StoreError
from .files import create_private_file
from .sqlite_file import (
    BUSY_TIMEOUT_MS,
    CACHE_KB,
    disk_full,
    has_wal,
    normal_pragmas,
    os_error,
    read_only_uri,
    remove_db_files,
    switch_to_wal,
    translate,
    why_readonly,
)


def _link_if_absent(made: Path, path: Path) -> None:
    """Put ``made`` at ``path`` unless a file is there already (then that one is the shop)."""
    import errno

    try:
        os.link(made, path)
    except FileExistsError:
        return  # another process made it first
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS):
            raise
        # A file system without hard links (FAT on a USB stick): a rename, guarded by a look
        # first, which leaves a window of microseconds instead of a whole migration.
        if not path.exists():
            os.replace(made, path)


BULK_CACHE_KB = 1_000_000  # seeding a demo file of a million customers touches ~2 GB


@dataclass(frozen=True)
class Actor:
    """The staff member on whose behalf a write happens."""

    id: int
    name: str
    role: str


def still_signed_in(conn: sqlite3.Connection, actor: Actor) -> None:
    """Refuse someone deactivated, or whose role changed, since they signed in (a console
    left open at the counter while the owner deactivates them elsewhere)."""
    if not actor.id:  # signed out: the policy refuses every action anyway
        return
    row = conn.execute("SELECT active, role FROM staff WHERE id = ?", (actor.id,)).fetchone()
    if row is None or not row[0] or row[1] != actor.role:
        raise SignInRefused("staff.session_ended", name=actor.name)


class Tx:
    """A write transaction: the connection, the acting staff member and the time."""

    def __init__(self, conn: sqlite3.Connection, actor: Actor, now: str) -> None:
        self.conn = conn
        self.actor = actor
        self.now = now
        self.audited = False
        self._link: Link | None = None  # the chain's end, read at this tx's first row

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def audit(self, action: str, entity: str, entity_id: int | None, **detail: Any) -> None:
        """The audit row, chained to the one before it (db/audit_chain.py). ``detail``
        holds ids, counts and field names, never a personal value: such keys are refused."""
        personal = personal_keys(action, detail)
        if personal:
            raise ValueError(f"audit detail may not hold personal values: {personal}")
        if self._link is None:
            self._link = Link(self.conn)
        self._link.add(self.conn, (
            self.now, self.actor.id, action, entity,
            None if entity_id is None else int(entity_id), customer_of(entity, entity_id, detail),
            json.dumps(detail, ensure_ascii=False, sort_keys=True)))
        self.audited = True

    def seal(self) -> None:
        """Before COMMIT: the chain's head names this transaction's last row."""
        if self._link is not None:
            self._link.seal(self.conn)

    def audited_by(self, log_table: str) -> None:
        """The row just written is itself a who/when log (e.g. customer_views)."""
        self.audited = bool(log_table)


class Store:
    def __init__(self, path: str | os.PathLike[str], clock: Clock = system_clock,
                 *, create: bool = True) -> None:
        from .migrations import LATEST, check_ours, migrate

        self.path = Path(path).expanduser().resolve()
        self.clock = clock
        # Why this file cannot be written here (a message code), or None: reads still work.
        self.readonly: str | None = None
        self._idle: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        try:
            is_dir, exists = self.path.is_dir(), self.path.exists()
        except OSError as exc:  # a name too long for the file system, say
            raise os_error(exc, self.path) from None
        if is_dir:
            raise StoreError("store.is_folder", path=str(self.path))
        if not exists:
            if not create:
                raise StoreError("store.missing", path=str(self.path))
            self._create_whole(migrate)
        try:
            self.readonly = why_readonly(self.path)
            self._check(check_ours)  # another program's file is left byte for byte as it was
            with self.read() as conn:
                if self.readonly is None:
                    migrate(conn, self.path, self.now())
                elif int(conn.execute("PRAGMA user_version").fetchone()[0]) != LATEST:
                    raise StoreError(self.readonly, path=str(self.path))
        except BaseException:
            self._close_connections()
            raise

    def _create_whole(self, migrate: Callable[[sqlite3.Connection, Path, str], int]) -> None:
        """A new shop file appears at its path whole (schema made, 0600) or not at all.

        It is built under a private temporary name and hard-linked into place, which fails
        if the path exists. So processes creating one file at once never share a half-made
        file, and none has to delete one on failure (which could pull the file from under
        another process already using it); a full disk leaves nothing behind.
        """
        temp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{id(self):x}.new")
        made = False
        try:
            create_private_file(temp)
            made = True
            conn = sqlite3.connect(temp, isolation_level=None)
            try:
                migrate(conn, temp, self.now())
            finally:
                conn.close()
            _link_if_absent(temp, self.path)
        except sqlite3.Error as exc:
            if disk_full(temp):
                raise StoreError("store.full_nothing_created", path=str(self.path)) from None
            raise translate(exc) from None
        except OSError as exc:
            raise os_error(exc, self.path) from None
        finally:
            if made:  # (on a read-only disk even removing a missing file is refused)
                remove_db_files(temp)

    def _check(self, check: Any) -> None:
        """Run ``check(conn, path)`` on a read-only connection that changes nothing."""
        try:
            conn = self._peek()
        except sqlite3.Error as exc:
            if self.readonly is not None or not disk_full(self.path):
                raise translate(exc) from None
            self.readonly = "store.full"  # no room for the log's index: read only
            try:
                conn = self._peek()
            except sqlite3.Error as again:
                raise translate(again) from None
        try:
            check(conn, self.path)
        except sqlite3.Error as exc:
            raise translate(exc) from None
        finally:
            conn.close()

    def _peek(self) -> sqlite3.Connection:
        conn = sqlite3.connect(read_only_uri(self.path, immutable=self.readonly is not None
                                    and not has_wal(self.path)),
                               uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            conn.execute("PRAGMA user_version").fetchone()
        except sqlite3.Error:
            conn.close()
            raise
        return conn

    # -- connections -------------------------------------------------------------------
    def _open(self) -> sqlite3.Connection:
        if self.readonly is not None:
            return self._open_readonly()
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                   timeout=BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error as exc:
            raise translate(exc) from None
        try:
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            mode = switch_to_wal(conn, self.path)
        except sqlite3.Error as exc:
            conn.close()
            if disk_full(self.path):
                # The write-ahead log's index (-shm) cannot be made on a full disk; the
                # file itself is still readable. Reads go on; a write says the disk is full.
                self.readonly = "store.full"
                return self._open_readonly()
            raise translate(exc) from None
        if mode.lower() != "wal":
            conn.close()
            raise StoreError("store.no_wal", path=str(self.path))
        return conn

    def _open_readonly(self) -> sqlite3.Connection:
        """Read only: ``immutable`` when there is no log to read, so no -shm is needed
        beside the file (a read-only folder or mount, or a full disk)."""
        try:
            conn = sqlite3.connect(read_only_uri(self.path, immutable=not has_wal(self.path)),
                                   uri=True, isolation_level=None, check_same_thread=False,
                                   timeout=BUSY_TIMEOUT_MS / 1000)
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute(f"PRAGMA cache_size = {-CACHE_KB}")
        except sqlite3.Error as exc:
            raise translate(exc) from None
        return conn

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        try:
            conn = self._idle.get_nowait()
        except queue.Empty:
            conn = self._open()
        try:
            yield conn
        finally:
            if conn.in_transaction:  # never hand on a connection mid-transaction
                conn.rollback()
            self._idle.put(conn)

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        with self._connection() as conn:
            try:
                yield conn
            except sqlite3.Error as exc:
                raise translate(exc) from None

    @contextmanager
    def write(self, actor: Actor, action: str, *, bulk: bool = False,
              staging: Path | None = None) -> Iterator[Tx]:
        """``BEGIN IMMEDIATE`` … COMMIT, or ROLLBACK on any error: nothing is saved half way.

        ``action`` names what the write does (as its audit row does); the access policy
        (db/access.py) is checked for the actor's role before anything begins.

        ``bulk`` is for seeding a new, empty file only: no fsync, and a rollback
        journal in memory instead of the write-ahead log, so gigabytes are written
        once rather than into the log and again at checkpoint. The connection goes
        back to WAL and synchronous=FULL afterwards. It needs to be the only
        connection to the file, which a fresh demo file is.

        ``staging`` is a finished SQLite file that a loader prepared elsewhere; it
        is readable as ``staging.<table>`` for this transaction only (SQLite can't
        attach a file once a transaction has begun).
        """
        access.check(action, actor.role, actor.name)
        if self.readonly is not None:
            raise StoreError(self.readonly, path=str(self.path))
        with self._connection() as conn:
            try:
                try:
                    if staging is not None:
                        conn.execute("ATTACH DATABASE ? AS staging", (str(staging),))
                    if bulk:
                        conn.execute("PRAGMA synchronous = OFF")
                        mode = conn.execute("PRAGMA main.journal_mode = MEMORY").fetchone()[0]
                        if mode != "memory":
                            raise StoreError("store.busy_for_bulk", path=str(self.path))
                        # pages written once, in order, at commit; sorts in memory; the
                        # loader's rows are consistent by construction (tests check it)
                        conn.execute(f"PRAGMA cache_size = {-BULK_CACHE_KB}")
                        conn.execute("PRAGMA temp_store = MEMORY")
                        conn.execute("PRAGMA foreign_keys = OFF")
                    conn.execute("BEGIN IMMEDIATE")
                except sqlite3.Error as exc:
                    raise translate(exc) from None
                tx = Tx(conn, actor, self.now())
                changes = conn.total_changes
                try:
                    still_signed_in(conn, actor)  # under the write lock: no race with it
                    yield tx
                    # (a write that changed nothing, say a batch run again, needs no record)
                    if not tx.audited and conn.total_changes != changes:
                        raise RuntimeError("a write must record an audit row (Tx.audit)")
                    tx.seal()
                    conn.execute("COMMIT")
                except sqlite3.Error as exc:
                    conn.rollback()
                    raise translate(exc) from None
                except BaseException:
                    conn.rollback()
                    raise
            finally:
                if staging is not None:
                    with contextlib.suppress(sqlite3.Error):  # not attached: nothing to undo
                        conn.execute("DETACH DATABASE staging")
                if bulk:  # whatever happened, the pooled connection goes back to normal
                    normal_pragmas(conn)

    def now(self) -> str:
        return to_iso(self.clock())

    def checkpoint(self) -> None:
        """Copy the write-ahead log into the file without blocking anyone (PASSIVE)."""
        if self.readonly is not None:  # nothing of ours to copy, and no right to
            return
        with self.read() as conn:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def close(self) -> None:
        if self.readonly is None:
            with contextlib.suppress(StoreError):  # busy elsewhere: that process checkpoints
                self.checkpoint()
        self._close_connections()

    def _close_connections(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return

    # -- staff -----------------------------------------------------------------------
    def actor(self, name: str | None = None) -> Actor:
        """The named active staff member, or the shop's first owner when no name is given."""
        with self.read() as conn:
            if name:
                row = conn.execute(
                    "SELECT id, name, role FROM staff WHERE name = ? COLLATE NOCASE AND active",
                    (name.strip(),)).fetchone()
                if row is None:
                    known = ", ".join(r[0] for r in conn.execute(
                        "SELECT name FROM staff WHERE active ORDER BY id"))
                    raise NotFound("staff.unknown", name=name, known=known)
            else:
                row = conn.execute(
                    "SELECT id, name, role FROM staff WHERE role = 'owner' AND active"
                    " ORDER BY id LIMIT 1").fetchone()
                if row is None:
                    raise NotFound("staff.no_owner")
        return Actor(id=row["id"], name=row["name"], role=row["role"])
