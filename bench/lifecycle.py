"""Lifecycle recompute over the whole shop, and recording one purchase, at 1M customers.

Targets: recompute (set-based SQL) ≤ 60 s over 1,000,000 customers and
≈10,000,000 purchases; recording one purchase p99 ≤ 5 ms on that file.
Each purchase is a real write: BEGIN IMMEDIATE, the ledger row, the customer's
figures from their own rows, a re-rank queued for their lookup keys, the stage
rule, audit, fsync. Timed back to back, and paced; beside each, what the disk
alone takes to make a write durable at the same pace (the floor under any
commit), so a slow disk day is visible as such.

    python -m bench.lifecycle [--size 1000000] [--cache DIR] [--n 600] [--pace-ms 250]

Paced sales start --pace-ms apart (250 ms, 14,400 an hour: far busier than any
counter). Fsync on this shared disk is slower when it is not kept busy.
"""

from __future__ import annotations

import random
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.common import demo_db, size_parser, summary, table, timed_rows, write
from db.shop import Shop

CHECKPOINT_SECONDS = 20  # console/app.py


def scratch_copy(seeded: Path) -> Path:
    import shutil
    import sqlite3

    conn = sqlite3.connect(seeded)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file
    conn.close()
    scratch = seeded.with_name(seeded.stem + ".scratch.db")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{scratch}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(seeded, scratch)
    scratch.chmod(0o600)  # as private as the shop file it copies
    return scratch


def main() -> None:
    parser = size_parser(__doc__, n=600)
    parser.add_argument("--pace-ms", type=float, default=250.0,
                        help="time from one sale's start to the next one's")
    args = parser.parse_args()
    seeded, _ = demo_db(args.size, args.cache)
    path = scratch_copy(seeded)  # the benchmark writes; the seeded file stays as it was

    from db.clock import system_clock
    from db.store import Store

    # A clock 40 days ahead, so the recompute has real work: stages the clock moves.
    ahead = Store(path, clock=lambda: system_clock() + timedelta(days=40))
    shop = Shop(ahead, ahead.actor())
    with ahead.read() as conn:
        purchases = conn.execute("SELECT max(id) FROM purchases").fetchone()[0]
        customers = conn.execute("SELECT max(id) FROM customers").fetchone()[0]
    t0 = time.perf_counter()
    planned = shop.lifecycle.recompute(dry_run=True)
    dry_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    done = shop.lifecycle.recompute()
    recompute_s = time.perf_counter() - t0
    shop.close()

    shop = Shop.open(str(path))
    runs = {pace: time_sales(shop, customers, args.n, pace) for pace in (0.0, args.pace_ms)}
    floor = {pace: fsync_floor(path.parent, args.n, pace) for pace in runs}
    shop.close()
    print(f"{customers:,} customers, {purchases:,} purchase rows")
    rows: list[tuple[str, ...]] = [("recompute --dry-run", f"{dry_s:.1f} s", ""),
            (f"recompute ({done.total:,} moved)", f"{recompute_s:.1f} s", "")]
    for pace, run in runs.items():
        rows += timed_rows("record one purchase", pace, run["record_purchase"], floor[pace])
        rows += [("  re-rank after each sale (not in the sale)",
                  f"{run['rerank_ms_per_sale']:.2f} ms", "")]
    print(table(rows, ("what", "time", "")))
    print("wrote", write("lifecycle", {
        "customers": customers, "purchase_rows": purchases, "dry_run_s": round(dry_s, 2),
        "recompute_s": round(recompute_s, 2), "moved": done.total,
        "planned": planned.total, "checkpoint_every_s": CHECKPOINT_SECONDS,
        "sales": {str(pace): {**run, "disk_fsync_floor": floor[pace]}
                  for pace, run in runs.items()}}))


def time_sales(shop: Shop, customers: int, n: int, pace_ms: float) -> dict[str, Any]:
    """n sales to random customers, timed as the counter waits for them.

    As in the console: the log is checkpointed by another thread every
    CHECKPOINT_SECONDS, and the lookup re-rank that a sale queues is caught up
    after the sale (the console does it within 2 s; a counter is never faster).
    """
    stop = threading.Event()

    def checkpointer() -> None:
        while not stop.wait(CHECKPOINT_SECONDS):
            shop.store.checkpoint()

    threading.Thread(target=checkpointer, daemon=True).start()
    rng = random.Random(3 + int(pace_ms))
    for _ in range(50):  # warm the caches, as a shop that has been open a while
        shop.sales.record(rng.randint(1, customers), "1.00", "warm-up")
        shop.rerank_pending()
    times: list[float] = []
    rerank: list[float] = []
    for _ in range(n):
        cid = rng.randint(1, customers)
        amount = f"{rng.randint(5, 300)}.{rng.randint(0, 99):02d}"
        t0 = time.perf_counter()
        shop.sales.record(cid, amount, "bench")
        t1 = time.perf_counter()
        shop.rerank_pending()
        t2 = time.perf_counter()
        times.append((t1 - t0) * 1000)
        rerank.append((t2 - t1) * 1000)
        time.sleep(max(0.0, pace_ms / 1000 - (time.perf_counter() - t0)))
    stop.set()
    return {"pace_ms": pace_ms, "record_purchase": summary(times),
            "over_5ms": sum(x > 5 for x in times),
            "rerank_ms_per_sale": round(sorted(rerank)[len(rerank) // 2], 3)}


def fsync_floor(folder: Path, n: int, pace_ms: float) -> dict[str, float]:
    """What this disk takes to make 32 KB durable (a sale's log write is about that)."""
    import os

    probe = folder / "fsync-probe.tmp"
    fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    times = []
    try:
        for _ in range(n):
            t0 = time.perf_counter()
            os.write(fd, b"x" * 32768)
            os.fsync(fd)
            times.append((time.perf_counter() - t0) * 1000)
            time.sleep(max(0.0, pace_ms / 1000 - (time.perf_counter() - t0)))
    finally:
        os.close(fd)
        probe.unlink()
    return summary(times)

if __name__ == "__main__":
    main()
