"""The one door to the SQLite file.

* Every connection: WAL, foreign keys on, busy_timeout, synchronous=FULL.
* The file is created with mode 0600 (the OS ignores this where it has no such modes).
* Migrations run on open (db/migrations.py).
* Reads borrow a pooled connection; each connection serves one thread at a time.
* Writes go through ``Store.write(actor)`` only: ``BEGIN IMMEDIATE``, one clock
  reading for the whole transaction, and an audit row naming who acted.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .clock import Clock, system_clock, to_iso
from .errors import NotFound, StoreError

BUSY_TIMEOUT_MS = 5000
# A sale re-ranks ~15 lookup keys, so it writes ~40 pages. SQLite's default (checkpoint
# every 1,000 pages, inside whichever COMMIT crosses it) put a 15 ms copy-and-fsync on
# every 25th sale. The console checkpoints in the background instead (Store.checkpoint);
# this larger threshold is only the backstop for CLI runs.
AUTOCHECKPOINT_PAGES = 8000
CACHE_KB = 32_000  # page cache per connection
BULK_CACHE_KB = 1_000_000  # seeding a demo file of a million customers touches ~2 GB


@dataclass(frozen=True)
class Actor:
    """The staff member on whose behalf a write happens."""

    id: int
    name: str
    role: str


class Tx:
    """A write transaction: the connection, the acting staff member and the time."""

    def __init__(self, conn: sqlite3.Connection, actor: Actor, now: str) -> None:
        self.conn = conn
        self.actor = actor
        self.now = now
        self.audited = False

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def audit(self, action: str, entity: str, entity_id: int | None, **detail: Any) -> None:
        self.conn.execute(
            "INSERT INTO audit_log(at, staff_id, action, entity, entity_id, detail)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (self.now, self.actor.id, action, entity, entity_id,
             json.dumps(detail, ensure_ascii=False, sort_keys=True)),
        )
        self.audited = True

    def audited_by(self, log_table: str) -> None:
        """The row just written is itself a who/when log (e.g. customer_views)."""
        self.audited = bool(log_table)


def _translate(exc: sqlite3.Error) -> StoreError:
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


def _normal_pragmas(conn: sqlite3.Connection) -> str:
    """The settings every connection works under; returns the journal mode granted."""
    conn.execute("PRAGMA foreign_keys = ON")
    mode = str(conn.execute("PRAGMA main.journal_mode = WAL").fetchone()[0])
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute(f"PRAGMA cache_size = {-CACHE_KB}")
    conn.execute("PRAGMA temp_store = DEFAULT")
    conn.execute(f"PRAGMA wal_autocheckpoint = {AUTOCHECKPOINT_PAGES}")
    return mode


def create_private_file(path: Path) -> None:
    """Create an empty file readable only by its owner, before SQLite opens it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    os.close(fd)


class Store:
    def __init__(self, path: str | os.PathLike[str], clock: Clock = system_clock,
                 *, create: bool = True) -> None:
        from .migrations import migrate

        self.path = Path(path).expanduser().resolve()
        self.clock = clock
        if not self.path.exists():
            if not create:
                raise StoreError("store.missing", path=str(self.path))
            try:
                create_private_file(self.path)
            except OSError as exc:
                raise StoreError("store.cannot_create", path=str(self.path),
                                 detail=exc.strerror or str(exc)) from None
        self._idle: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        with self.read() as conn:
            migrate(conn, self.path, self.now())

    # -- connections -------------------------------------------------------------------
    def _open(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                   timeout=BUSY_TIMEOUT_MS / 1000)
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            mode = _normal_pragmas(conn)
        except sqlite3.Error as exc:
            raise _translate(exc) from None
        if mode.lower() != "wal":
            conn.close()
            raise StoreError("store.no_wal", path=str(self.path))
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
                raise _translate(exc) from None

    @contextmanager
    def write(self, actor: Actor, *, bulk: bool = False,
              staging: Path | None = None) -> Iterator[Tx]:
        """``BEGIN IMMEDIATE`` … COMMIT, or ROLLBACK on any error: nothing is saved half way.

        ``bulk`` is for seeding a new, empty file only: no fsync, and a rollback
        journal in memory instead of the write-ahead log, so gigabytes are written
        once rather than into the log and again at checkpoint. The connection goes
        back to WAL and synchronous=FULL afterwards. It needs to be the only
        connection to the file, which a fresh demo file is.

        ``staging`` is a finished SQLite file that a loader prepared elsewhere; it
        is readable as ``staging.<table>`` for this transaction only (SQLite can't
        attach a file once a transaction has begun).
        """
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
                    raise _translate(exc) from None
                tx = Tx(conn, actor, self.now())
                changes = conn.total_changes
                try:
                    yield tx
                    # (a write that changed nothing, say a batch run again, needs no record)
                    if not tx.audited and conn.total_changes != changes:
                        raise RuntimeError("a write must record an audit row (Tx.audit)")
                    conn.execute("COMMIT")
                except sqlite3.Error as exc:
                    conn.rollback()
                    raise _translate(exc) from None
                except BaseException:
                    conn.rollback()
                    raise
            finally:
                if staging is not None:
                    with contextlib.suppress(sqlite3.Error):  # not attached: nothing to undo
                        conn.execute("DETACH DATABASE staging")
                if bulk:  # whatever happened, the pooled connection goes back to normal
                    _normal_pragmas(conn)

    def now(self) -> str:
        return to_iso(self.clock())

    def checkpoint(self) -> None:
        """Copy the write-ahead log into the file without blocking anyone (PASSIVE)."""
        with self.read() as conn:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def close(self) -> None:
        with contextlib.suppress(StoreError):  # busy elsewhere: that process checkpoints
            self.checkpoint()
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
