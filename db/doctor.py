"""`regulars doctor`: is the file whole, current and consistent?"""

from __future__ import annotations

import os
import random
import sqlite3
import stat
from dataclasses import dataclass, field
from typing import Any

from .clock import from_iso
from .migrations import LATEST, schema_version
from .search_keys import stored_rows
from .store import Store

AUDIT_CHAIN_SINCE = 9  # the schema version whose audit rows carry the chain
SAMPLE = 200  # customers whose lookup keys are checked one by one


@dataclass
class Check:
    name: str
    ok: bool
    detail: str  # the figures, in English words where there are any (kept for --json)
    params: dict[str, Any] = field(default_factory=dict)  # for "doctor.detail.<name>"
    warn: bool = False  # fine to run with, but the owner should act (no PIN set, say)


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


def examine(store: Store, quick: bool = False) -> Report:
    """Full integrity check by default; ``quick`` runs quick_check (skips index contents)."""
    import sqlite_utils  # only here: it costs ≈0.8 s to import

    report = Report()
    with store.read() as conn:
        version = schema_version(conn)
        report.checks.append(Check("schema", version == LATEST, f"{version} / {LATEST}"))
        pragma = "quick_check" if quick else "integrity_check"
        integrity = [r[0] for r in conn.execute(f"PRAGMA {pragma}")]
        report.checks.append(Check("integrity", integrity == ["ok"], "; ".join(integrity[:5])))
        fk = conn.execute("PRAGMA foreign_key_check").fetchall()
        report.checks.append(Check("foreign_keys", not fk, f"{len(fk)}"))
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        if store.readonly is not None:  # read-only: the file's own header says (byte 18)
            with open(store.path, "rb") as f:
                mode = "wal" if f.read(20)[18:19] == b"\x02" else mode
        report.checks.append(Check("journal", mode == "wal", mode))
        db = sqlite_utils.Database(conn)
        for table in db.table_names():
            if not table.startswith("sqlite_"):
                report.counts[table] = db.table(table).count
        report.checks.append(_check_keys(conn))
        off = conn.execute(
            "SELECT count(*) FROM customers c LEFT JOIN (SELECT customer_id, sum(delta) AS total"
            " FROM points_ledger GROUP BY customer_id) l ON l.customer_id = c.id"
            " WHERE c.points != coalesce(l.total, 0)").fetchone()[0]
        report.checks.append(Check("points", off == 0, f"{off} balances differ from ledger",
                                   {"count": off}))
        owners = conn.execute(
            "SELECT count(*) FROM staff WHERE role = 'owner' AND active").fetchone()[0]
        report.checks.append(Check("owner", owners > 0, str(owners)))
        report.checks.append(_check_pins(conn))
        report.checks.append(_check_erase(conn))
        timezone = str(conn.execute("SELECT coalesce((SELECT value FROM settings"
                                    " WHERE key = 'timezone'), 'Asia/Shanghai')").fetchone()[0])
        if version >= AUDIT_CHAIN_SINCE:  # (an older file is migrated, or refused, on open)
            report.checks.append(audit_chain_check(conn, timezone))
    if os.name == "posix":
        mode_bits = stat.S_IMODE(store.path.stat().st_mode)
        report.checks.append(Check("permissions", not mode_bits & 0o077, oct(mode_bits)))
    report.checks.extend(backup_checks(store, timezone))
    return report


def _check_erase(conn: sqlite3.Connection) -> Check:
    """An erase whose old values may still be in free pages or the log (db/erase.py)."""
    from .erase import pending

    since = pending(conn)
    if since is None:
        return Check("erase_scrub", True, "no erase pending", {"problem": "none"})
    return Check("erase_scrub", False, f"an erase of {since} is not rewritten out of the file",
                 {"problem": "pending"})


def audit_chain_check(conn: sqlite3.Connection, timezone: str) -> Check:
    """The audit log's chain, walked whole (db/audit.py); a break names its first row."""
    from .audit import verify

    verdict = verify(conn)
    broken = verdict.broken
    if broken is None:
        return Check("audit_chain", True, f"{verdict.rows} rows, chain whole",
                     {"problem": "whole", "rows": verdict.rows})
    params = {"problem": broken.problem, "row_id": broken.row_id,
              "at": _local(broken.at, timezone), "action": broken.action, **broken.params}
    return Check("audit_chain", False,
                 f"first broken row {broken.row_id} ({broken.problem}, {params['at']},"
                 f" {broken.action})", params)


def _local(iso: str, timezone: str) -> str:
    """A stored time in the shop's zone; text that is not a time (edited) as it is."""
    from zoneinfo import ZoneInfo

    try:
        return from_iso(iso).astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")
    except (ValueError, TypeError):
        return iso


def backup_checks(store: Store, timezone: str) -> list[Check]:
    """The newest backup's age (information: none yet is said, not failed), and a
    warning when the file lies in a sync folder, where SQLite's locking is unsafe."""
    from zoneinfo import ZoneInfo

    from . import backup

    checks = []
    found = backup.listed(store.path)
    taken = backup.taken_at(found[-1]) if found else None
    if taken is None:
        checks.append(Check("backup_none", True, "no backup yet",
                            {"folder": str(backup.folder_for(store.path))}))
    else:
        now = store.clock().astimezone(ZoneInfo(timezone)).replace(tzinfo=None)
        hours = max(0, int((now - taken).total_seconds() // 3600))
        checks.append(Check("backup", True, f"{hours // 24} d {hours % 24} h ago",
                            {"days": hours // 24, "hours": hours % 24, "file": found[-1].name}))
    cloud = backup.cloud_folder(store.path)
    if cloud is not None:
        checks.append(Check("cloud_folder", False, cloud, {"folder": cloud}))
    return checks


def _check_pins(conn: sqlite3.Connection) -> Check:
    """No PIN at all: anyone at the computer acts as the owner. A warning, not a fault:
    a one-person shop made before PINs keeps working."""
    pins = int(conn.execute("SELECT count(*) FROM staff WHERE active"
                            " AND pin_hash IS NOT NULL").fetchone()[0])
    if not pins:
        return Check("pins_none", True, "no one has a PIN: set one with `regulars init --owner"
                     " NAME` or `regulars staff pin NAME`", {"count": 0}, warn=True)
    return Check("pins", True, f"{pins} staff with a PIN", {"count": pins})


def _check_keys(conn: object) -> Check:
    """Every key a sampled customer should have is in the lookup index."""
    import sqlite3

    assert isinstance(conn, sqlite3.Connection)
    top = conn.execute("SELECT max(id) FROM customers").fetchone()[0] or 0
    rng = random.Random()
    ids = sorted({rng.randint(1, top) for _ in range(SAMPLE)}) if top else []
    missing = 0
    checked = 0
    for cid in ids:
        row = conn.execute("SELECT * FROM customers WHERE id = ?", (cid,)).fetchone()
        if row is None:
            continue
        checked += 1
        for key in stored_rows(conn, row):
            if conn.execute(
                    "SELECT 1 FROM search_keys WHERE key = ? AND tier = ? AND rank = ?"
                    " AND sort_name = ? AND customer_id = ?", key).fetchone() is None:
                missing += 1
    return Check("search_index", missing == 0, f"{checked} sampled, {missing} keys missing",
                 {"checked": checked, "missing": missing})
