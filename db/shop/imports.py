"""Imports: a shop's existing members and purchase history from a CSV or Excel file
(db/imports/). ``preview`` reads the file and compares it with the shop, writing
nothing; ``run`` does the same inside one write transaction and writes it all, or
nothing; ``batches`` lists what was imported before. Owner only: an import changes
every customer it names."""

from __future__ import annotations

import gc
import hashlib
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from ..imports.model import KINDS, Batch, Counts, Kind, Outcome, Parsed, Preview, Refusal
from ..sqlite_file import CACHE_KB
from .base import Area, by_kind, reads

Progress = Callable[[int, int], None]
IMPORT_CACHE_KB = 512_000  # page cache during an import (the counter's is CACHE_KB)
# each kind's access action (and its audit row's name)
ACTIONS: dict[str, str] = {"customers": "import.customers", "purchases": "import.purchases"}


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _kind(kind: str) -> Kind:
    """The kind as the model spells it (@by_kind has refused any other)."""
    for known in KINDS:
        if kind == known:
            return known
    raise ValidationError({"kind": ("import.kind", {"known": ", ".join(KINDS)})})


@contextmanager
def _without_gc() -> Iterator[None]:
    """An import makes millions of small objects and no cycles worth looking for: Python's
    cycle collector would walk the growing heap again and again (a third of the time of
    reading a 1,000,000-row file). Back on afterwards, whatever happens."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _mapping_key(mapping: Mapping[str, str] | None) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((mapping or {}).items()))


def _in_file_terms(parsed: Parsed[Any], refusals: tuple[Refusal, ...]
                   ) -> tuple[Refusal, ...]:
    """The notes the shop's comparison adds (db/imports/plan.py, apply.py) name a field;
    the error file names the file's own column, as the reading's refusals do."""
    headers = {c.field: c.header for c in parsed.columns if c.field}
    own = {id(r) for r in parsed.refusals}
    return tuple(r if id(r) in own or r.column not in headers
                 else replace(r, column=headers[r.column]) for r in refusals)


def _batch(row: sqlite3.Row) -> Batch:
    return Batch(id=row["id"], kind=_kind(row["kind"]), file_name=row["file_name"],
                 sha256=row["sha256"], staff=row["staff"], at=row["at"],
                 counts=Counts(row["new"], row["updated"], row["unchanged"], row["folded"],
                               row["refused"]))


_BATCHES = ("SELECT b.*, s.name AS staff FROM import_batches b"
            " JOIN staff s ON s.id = b.staff_id")


_Reading = tuple[tuple[str, str, tuple[tuple[str, str], ...], date], str, Parsed[Any]]


class Imports(Area):
    _last: _Reading | None = None  # the last file read: (what, its SHA-256, the reading)

    def _parse(self, kind: Kind, path: Path, mapping: Mapping[str, str] | None
               ) -> Parsed[Any]:
        from ..imports.rows import parse  # pandas and the readers only when importing

        return parse(kind, path, mapping, self._door.today(), self._door.region,
                     self._door.timezone)

    def _read_file(self, kind: Kind, path: Path, mapping: Mapping[str, str] | None
                   ) -> tuple[Parsed[Any], str]:
        """The file read (its own refusals first: no file, a folder, an encoding) and its
        SHA-256. The reading a preview just made is used again by the run that follows
        it when the bytes, the mapping and the day are the same: the owner waits for
        one reading of a large file, not two. The shop is compared again either way."""
        key = (kind, str(path.expanduser().resolve()), _mapping_key(mapping),
               self._door.today())
        last = self._last
        if last is not None and last[0] == key and path.is_file():
            sha256 = file_sha256(path)
            if sha256 == last[1]:
                return last[2], sha256
        parsed = self._parse(kind, path, mapping)
        sha256 = file_sha256(path)
        self._last = (key, sha256, parsed)
        return parsed, sha256

    def _seen(self, conn: sqlite3.Connection, kind: Kind, sha256: str) -> Batch | None:
        row = conn.execute(f"{_BATCHES} WHERE b.sha256 = ? AND b.kind = ?"
                           " ORDER BY b.id DESC LIMIT 1", (sha256, kind)).fetchone()
        return _batch(row) if row is not None else None

    @by_kind(ACTIONS, "import.kind", write=False)
    def preview(self, kind: str, path: Path, mapping: Mapping[str, str] | None = None
                ) -> Preview:
        """Read the file and compare it with the shop: what ``run`` would do."""
        checked = _kind(kind)
        with _without_gc():
            parsed, sha256 = self._read_file(checked, path, mapping)
            with self._snapshot() as conn:
                counts = self._plan(conn, checked, parsed)
                return Preview(parsed, counts, sha256, self._seen(conn, checked, sha256))

    @staticmethod
    def _plan(conn: sqlite3.Connection, kind: Kind, parsed: Parsed[Any]) -> Counts:
        if kind == "customers":
            from ..imports.plan import plan_customers

            return plan_customers(conn, parsed).counts
        from ..imports.history import plan_purchases

        return plan_purchases(conn, parsed).counts

    @by_kind(ACTIONS, "import.kind", write=True)
    def run(self, kind: str, path: Path, mapping: Mapping[str, str] | None = None,
            progress: Progress | None = None) -> Outcome:
        """Import the file in one transaction: every row the file's reading allows, or
        none. The same file again changes nothing and records no batch."""
        checked = _kind(kind)
        with _without_gc():
            parsed, sha256 = self._read_file(checked, path, mapping)
            self._last = None  # a large file's reading is not kept after it is written
            return self._apply(parsed, path.name, sha256, progress)

    def _apply(self, parsed: Parsed[Any], file_name: str, sha256: str,
               progress: Progress | None) -> Outcome:
        conn: sqlite3.Connection | None = None
        try:
            with self._write() as tx:  # the kind's action, carried by @by_kind
                # a large import touches far more pages than the counter's cache holds;
                # spilling them to the log half way costs more than the memory, briefly
                conn = tx.conn
                conn.execute(f"PRAGMA cache_size = {-IMPORT_CACHE_KB}")
                if parsed.kind == "customers":
                    from ..imports.apply import apply_customers

                    batch_id, counts, refusals = apply_customers(tx, parsed, file_name,
                                                                 sha256, progress)
                else:
                    from ..imports.history import apply_purchases

                    batch_id, counts, refusals = apply_purchases(
                        tx, parsed, file_name, sha256, self._door.region, progress)
        finally:
            if conn is not None:  # after COMMIT or ROLLBACK: back to the counter's size
                conn.execute(f"PRAGMA cache_size = {-CACHE_KB}")
        return Outcome(batch_id, counts, _in_file_terms(parsed, refusals), sha256)

    @reads
    def batches(self, limit: int = 20) -> list[Batch]:
        """The newest imports first."""
        with self._read() as conn:
            return [_batch(r) for r in conn.execute(
                f"{_BATCHES} ORDER BY b.id DESC LIMIT ?", (limit,))]
