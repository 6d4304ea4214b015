"""A backup of the 1M-customer file (db/backup.py: the online backup API, then
integrity_check, fsync and rename) beside a plain file copy of the same file
(shutil.copyfile + fsync), p50 of n runs each, and their ratio.

    python -m bench.backup --n 3        # results in bench/results/backup.json

The copies go to --out (default /tmp/regulars-bench-backup) and are deleted after each run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from bench.common import demo_db, pct, table, write


def timed(fn: Callable[[Path], None], n: int, target: Path) -> list[float]:
    seconds = []
    for _ in range(n):
        target.unlink(missing_ok=True)
        start = time.perf_counter()
        fn(target)
        seconds.append(time.perf_counter() - start)
        target.unlink(missing_ok=True)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/regulars-bench"))
    parser.add_argument("--out", type=Path, default=Path("/tmp/regulars-bench-backup"))
    parser.add_argument("--n", type=int, default=3)
    args = parser.parse_args()
    from db import backup

    source, _ = demo_db(args.size, args.cache)
    args.out.mkdir(parents=True, exist_ok=True)

    def plain_copy(target: Path) -> None:
        shutil.copyfile(source, target)
        with open(target, "rb+") as f:
            os.fsync(f.fileno())

    def regulars_backup(target: Path) -> None:
        backup.take(source, target)

    def api_only(target: Path) -> None:  # the same copy without the integrity check
        src, dst = sqlite3.connect(source), sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        with open(target, "rb+") as f:
            os.fsync(f.fileno())
        for side in ("-wal", "-shm"):
            Path(f"{target}{side}").unlink(missing_ok=True)

    copy_s = timed(plain_copy, args.n, args.out / "plain-copy.db")
    api_s = timed(api_only, args.n, args.out / "api-only.db")
    backup_s = timed(regulars_backup, args.n, args.out / "backup.db")
    size_mb = source.stat().st_size / 1e6
    result = {
        "file": str(source), "customers": args.size, "file_mb": round(size_mb, 1),
        "runs": args.n,
        "plain_copy_s": {"p50": round(pct(copy_s, 50), 2), "all": [round(s, 2) for s in copy_s]},
        "backup_s": {"p50": round(pct(backup_s, 50), 2),
                     "all": [round(s, 2) for s in backup_s]},
        "backup_api_only_s": {"p50": round(pct(api_s, 50), 2),
                              "all": [round(s, 2) for s in api_s]},
        "ratio_backup_to_copy": round(pct(backup_s, 50) / pct(copy_s, 50), 2),
        "backup_includes": "online backup API copy + PRAGMA integrity_check + fsync + rename",
    }
    print(table([("plain copy (copyfile + fsync)", f"{pct(copy_s, 50):.1f}"),
                 ("backup API alone (+ fsync)", f"{pct(api_s, 50):.1f}"),
                 ("regulars backup (checked)", f"{pct(backup_s, 50):.1f}")],
                ("what", "p50 s")))
    print(f"ratio {result['ratio_backup_to_copy']}×, file {size_mb:,.0f} MB")
    print("wrote", write("backup", result))


if __name__ == "__main__":
    main()
