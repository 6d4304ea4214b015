"""Every Store a test opens is closed by the end of that test.

Python 3.11's sqlite3 drops an open connection silently (3.13 warns), so
``-W error::ResourceWarning`` would catch nothing here: the guard watches Store itself,
the Stores made while it watches and every pooled connection they open. Stores made
before it (module-scoped fixtures) are left to their own fixtures.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from db.store import Store

Opener = Callable[[Store], sqlite3.Connection]


def is_open(conn: sqlite3.Connection) -> bool:
    try:
        conn.total_changes  # noqa: B018 - any use of a closed connection raises
    except sqlite3.ProgrammingError:
        return False
    return True


@contextmanager
def watching_stores(where: str = "this test") -> Iterator[None]:
    """Fail (pytest.fail) on leaving if a Store made inside left a connection open;
    the open connections are closed first so one leak does not spill into the next test."""
    made: list[Store] = []
    opened: list[tuple[Store, sqlite3.Connection]] = []
    init = Store.__init__
    openers: dict[str, Opener] = {"_open": Store._open, "_open_readonly": Store._open_readonly}

    def watched_init(self: Store, *args: Any, **kwargs: Any) -> None:
        made.append(self)
        init(self, *args, **kwargs)

    def watched(opener: Opener) -> Opener:
        def open_and_note(self: Store) -> sqlite3.Connection:
            conn = opener(self)
            opened.append((self, conn))
            return conn
        return open_and_note

    # Plain attribute swaps, not monkeypatch, so the guard nests (its own test runs inside
    # the autouse one) and works outside a fixture.
    Store.__init__ = watched_init  # type: ignore[method-assign]  # the watch itself
    for name, opener in openers.items():
        setattr(Store, name, watched(opener))
    try:
        yield
    finally:
        Store.__init__ = init  # type: ignore[method-assign]  # put back as it was
        for name, opener in openers.items():
            setattr(Store, name, opener)
        left: dict[Path, int] = {}
        for store, conn in opened:
            if any(store is m for m in made) and is_open(conn):
                left[store.path] = left.get(store.path, 0) + 1
                conn.close()
    if left:
        where_left = ", ".join(f"{path.name} ({n} connection(s))" for path, n in left.items())
        pytest.fail(f"{where} left a Store open: {where_left}; close it (Shop.close or "
                    "Store.close), or use the shop fixture", pytrace=False)
