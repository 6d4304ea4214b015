"""What the steps share: running a script inside the open transaction, and quoting a
word list for a CHECK constraint (``'a', 'b'``, exactly as every step has written it)."""

from __future__ import annotations

import sqlite3


def one_of(words: tuple[str, ...]) -> str:
    return ", ".join(f"'{w}'" for w in words)


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run statements one by one: ``executescript`` would COMMIT the open transaction."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement in migration: {statement!r}")
