"""What every area of the Shop shares: the store, who acts, the shop's clock and place,
and the declaration of what each public method may do.

Each public method of an area is marked ``@reads``, ``@reads_sensitive(action)`` or
``@writes(action)``. A write checks the access policy before it does anything, and
its transactions (``Area._write``) carry that action to ``Store.write``, which checks
it again before ``BEGIN``: a method that forgot its mark cannot write at all. A test
(tests/test_access.py) fails when a public method has no mark.
"""

from __future__ import annotations

import contextlib
import functools
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from typing import Any, Concatenate, ParamSpec, TypeVar
from zoneinfo import ZoneInfo

from .. import access, settings
from ..errors import AccessDenied, RegularsError, ValidationError
from ..store import Actor, Store, Tx, still_signed_in

P = ParamSpec("P")
R = TypeVar("R")
ACCESS = "__regulars_access__"  # the mark: "read", or the action's name
READ = "read"
WRITES = "__regulars_writes__"  # True on a method that writes (its ACCESS is the action)

# The action of the @writes method running in this thread (a worker thread has its own).
_acting: ContextVar[str | None] = ContextVar("regulars_acting", default=None)


class Door:
    """The state the areas share: one store, one acting staff member."""

    def __init__(self, store: Store, actor: Actor) -> None:
        self.store = store
        self.actor = actor
        with store.read() as conn:
            self.timezone = settings.get(conn, "timezone", "Asia/Shanghai")
            self.region = settings.get(conn, "region", "CN")

    def today(self) -> date:
        """The shop's local calendar day: birthdays and expiry count in it."""
        return self.store.clock().astimezone(ZoneInfo(self.timezone)).date()

    def check(self, action: str, *, reading: bool = True) -> None:
        """The policy for the one acting now; a refusal of a real staff member leaves an
        "access.denied" audit row (in its own short write) before it is raised.

        ``reading``: also make sure the person is still active in that role (deactivated
        since signing in?). A write leaves that to ``Store.write``, which checks it under
        the write lock, so a sale does not read the staff row twice."""
        actor = self.actor
        if reading:
            with self.store.read() as conn:
                still_signed_in(conn, actor)
        try:
            access.check(action, actor.role, actor.name)
        except AccessDenied:
            self.record_refusal(actor, action)
            raise

    def record_refusal(self, actor: Actor, action: str) -> None:
        if not actor.id or self.store.readonly is not None:  # no one signed in; can't write
            return
        # the refusal itself must reach the person even when its record cannot be
        # written (a full disk, a file locked by a long import)
        with contextlib.suppress(RegularsError, sqlite3.Error, OSError), \
                self.store.write(actor, "access.denied") as tx:
            tx.audit("access.denied", "access", None, refused=action)

    def record_read(self, action: str, entity: str = "read", entity_id: int | None = None,
                    *, required: bool = True, **detail: Any) -> None:
        """A guarded read that was done (an export): its audit row, field names and
        counts, never values. Its own short transaction, after the read, so a long export
        never holds the counter's writes up. ``required``: the caller hands nothing out
        unless this succeeds (whole phone numbers); otherwise a read-only file, which
        can keep no row, keeps none (a masked export still works there)."""
        if not required and self.store.readonly is not None:
            return
        with self.store.write(self.actor, action) as tx:
            tx.audit(action, entity, entity_id, **detail)

    def now(self) -> datetime:
        return self.store.clock()


class Area:
    """One area of the shop (customers, sales, ...): reads and writes through the door."""

    def __init__(self, door: Door) -> None:
        self._door = door

    @property
    def actor(self) -> Actor:
        return self._door.actor

    def _read(self) -> AbstractContextManager[sqlite3.Connection]:
        return self._door.store.read()

    @contextmanager
    def _snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read whose queries all see the file as of one moment (a composite view)."""
        with self._door.store.read() as conn:
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")  # it changed nothing

    def _record_read(self, action: str, entity: str, entity_id: int | None,
                     **detail: Any) -> None:
        """A read of personal data leaves its audit row (``Door.record_read``)."""
        self._door.record_read(action, entity, entity_id, **detail)

    @contextmanager
    def _write(self) -> Iterator[Tx]:
        action = _acting.get()
        if action is None:
            raise RuntimeError("a Shop write outside a method marked @writes(action)")
        with self._door.store.write(self._door.actor, action) as tx:
            yield tx


A = TypeVar("A", bound=Area)
Method = Callable[Concatenate[A, P], R]


def writes(action: str) -> Callable[[Method[A, P, R]], Method[A, P, R]]:
    """Mark a method that writes: the policy is checked before it starts, and its
    transactions carry the action to ``Store.write``."""
    def mark(method: Method[A, P, R]) -> Method[A, P, R]:
        @functools.wraps(method)
        def run(self: A, /, *args: P.args, **kwargs: P.kwargs) -> R:
            self._door.check(action, reading=False)
            token = _acting.set(action)
            try:
                return method(self, *args, **kwargs)
            finally:
                _acting.reset(token)
        setattr(run, ACCESS, action)
        setattr(run, WRITES, True)
        return run
    return mark


def by_kind(actions: Mapping[str, str], unknown: str, *, write: bool
            ) -> Callable[[Callable[Concatenate[A, str, P], R]],
                          Callable[Concatenate[A, str, P], R]]:
    """``writes`` (or ``reads_sensitive``, ``write=False``) for a method whose first
    argument names a kind with its own action (an import of customers or of purchases):
    that action is checked, and carried to ``Area._write``. An unknown kind is refused
    with the message code ``unknown``."""
    def mark(method: Callable[Concatenate[A, str, P], R]
             ) -> Callable[Concatenate[A, str, P], R]:
        @functools.wraps(method)
        def run(self: A, kind: str, /, *args: P.args, **kwargs: P.kwargs) -> R:
            action = actions.get(kind)
            if action is None:
                raise ValidationError({"kind": (unknown, {"known": ", ".join(actions)})})
            self._door.check(action, reading=not write)
            token = _acting.set(action if write else None)
            try:
                return method(self, kind, *args, **kwargs)
            finally:
                _acting.reset(token)
        setattr(run, ACCESS, next(iter(actions.values())))  # each is in the policy
        setattr(run, WRITES, write)
        return run
    return mark


def reads_sensitive(action: str, *, traced: bool = True
                    ) -> Callable[[Method[A, P, R]], Method[A, P, R]]:
    """Mark a read the policy guards (whole phone numbers, exports). Once it succeeds it
    leaves an audit row of ``action`` (none on a read-only file); ``traced=False`` for a
    preview of a write, whose action only the write itself may record."""
    def mark(method: Method[A, P, R]) -> Method[A, P, R]:
        @functools.wraps(method)
        def run(self: A, /, *args: P.args, **kwargs: P.kwargs) -> R:
            self._door.check(action)
            result = method(self, *args, **kwargs)
            if traced:
                self._door.record_read(action, required=False)
            return result
        setattr(run, ACCESS, action)
        return run
    return mark


def signs_in(method: Method[A, P, R]) -> Method[A, P, R]:
    """Mark the one write that needs no role: signing in (from a signed-out shop too),
    where the check is the PIN itself. Its writes are "staff.sign_in" and
    "staff.pin_failed", which the policy allows anyone."""
    setattr(method, ACCESS, "staff.sign_in")
    return method


def reads(method: Callable[P, R]) -> Callable[P, R]:
    """Mark a plain read: anyone at the counter may."""
    setattr(method, ACCESS, READ)
    return method


def require(area: Area, action: str) -> None:
    """A check inside a method, where only some calls need it (an export with whole
    phone numbers, say). The method records what it handed out itself, with its
    details (``Area._record_read``), once it has succeeded."""
    area._door.check(action)
