"""Seeding time: a fresh file filled with N demo customers and their purchases
(target: 1,000,000 in at most 3 minutes on this 2-core machine).

    python -m bench.seed [--sizes 100000 1000000] [--runs 1] [--cache DIR]

Each run seeds a new scratch file in --cache, notes when the last customer row
was written (the rest is stages, indexes and the lookup keys), and deletes it.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from bench.common import table, write


def _scratch(cache: Path, size: int) -> Path:
    path = cache / f"seed-bench-{size}.db"
    for suffix in ("", "-wal", "-shm", ".seed-keys"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


def one_run(size: int, cache: Path) -> dict[str, float]:
    from db.store import Store
    from seed import seed

    cache.mkdir(parents=True, exist_ok=True)
    path = _scratch(cache, size)
    store = Store(path)
    began = time.perf_counter()
    rows_written = [0.0]

    def progress(done: int, total: int) -> None:
        if done == total:
            rows_written[0] = time.perf_counter() - began

    report = seed(store, store.actor(), size, seed=1, progress=progress)
    with store.read() as conn:
        purchases = conn.execute("SELECT max(id) FROM purchases").fetchone()[0] or 0
    store.close()
    megabytes = path.stat().st_size / 1e6
    _scratch(cache, size)
    return {"seconds": round(report.seconds, 2), "rows_written_s": round(rows_written[0], 2),
            "purchase_rows": purchases, "file_mb": round(megabytes)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=1, help="seeds per size")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/regulars-bench"))
    args = parser.parse_args()
    results: dict[str, object] = {}
    rows = []
    for size in args.sizes:
        runs = [one_run(size, args.cache) for _ in range(args.runs)]
        seconds = [r["seconds"] for r in runs]
        results[str(size)] = {"runs": runs, "median_s": statistics.median(seconds),
                              "max_s": max(seconds), "target_s": 180 if size >= 1e6 else None}
        rows.append((f"{size:,}", f"{statistics.median(seconds):.1f}", f"{max(seconds):.1f}",
                     f"{runs[-1]['rows_written_s']:.1f}", f"{runs[-1]['purchase_rows']:,}",
                     f"{runs[-1]['file_mb']:,}"))
    print(table(rows, ("customers", "median s", "max s", "rows in s", "purchase rows",
                       "file MB")))
    print("\nwrote", write("seed", {"runs_per_size": args.runs, "sizes": results}))


if __name__ == "__main__":
    main()
