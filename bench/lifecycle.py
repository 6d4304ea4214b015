"""Lifecycle recompute over the whole shop, and recording one purchase, at 1M customers.

Targets: recompute (set-based SQL) ≤ 60 s over 1,000,000 customers and
≈10,000,000 purchases; recording one purchase p99 ≤ 5 ms on that file.
Each purchase is a real write: BEGIN IMMEDIATE, the ledger row, the customer's
figures from their own rows, their lookup keys re-ranked, the stage rule, audit.

    python -m bench.lifecycle [--size 1000000] [--cache DIR] [--n 500]
"""

from __future__ import annotations

import random
import threading
import time
from datetime import timedelta
from pathlib import Path

from bench.common import demo_db, size_parser, summary, table, write

CHECKPOINT_EVERY_S = 2.0


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
    return scratch


def main() -> None:
    args = size_parser(__doc__, n=500).parse_args()
    seeded, _ = demo_db(args.size, args.cache)
    path = scratch_copy(seeded)  # the benchmark writes; the seeded file stays as it was

    from db.shop import Shop
    from db.store import Store, system_clock

    # A clock 40 days ahead, so the recompute has real work: stages the clock moves.
    ahead = Store(path, clock=lambda: system_clock() + timedelta(days=40))
    shop = Shop(ahead, ahead.actor())
    with ahead.read() as conn:
        purchases = conn.execute("SELECT max(id) FROM purchases").fetchone()[0]
        customers = conn.execute("SELECT max(id) FROM customers").fetchone()[0]
    t0 = time.perf_counter()
    planned = shop.recompute_lifecycle(dry_run=True)
    dry_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    done = shop.recompute_lifecycle()
    recompute_s = time.perf_counter() - t0
    shop.close()

    shop = Shop.open(str(path))
    # The console checkpoints the write-ahead log in a background thread (console/app.py);
    # do the same here, so a sale is timed as the counter records it.
    stop = threading.Event()

    def checkpointer() -> None:
        while not stop.wait(CHECKPOINT_EVERY_S):
            shop.store.checkpoint()

    threading.Thread(target=checkpointer, daemon=True).start()
    rng = random.Random(3)
    for _ in range(50):  # warm the caches, as a shop that has been open a while
        shop.record_purchase(rng.randint(1, customers), "1.00", "warm-up")
    times = []
    for _ in range(args.n):
        cid = rng.randint(1, customers)
        amount = f"{rng.randint(5, 300)}.{rng.randint(0, 99):02d}"
        t0 = time.perf_counter()
        shop.record_purchase(cid, amount, "bench")
        times.append((time.perf_counter() - t0) * 1000)
    stop.set()
    shop.close()
    s = summary(times)
    print(f"{customers:,} customers, {purchases:,} purchase rows")
    print(table([("recompute --dry-run", f"{dry_s:.1f} s", ""),
                 (f"recompute ({done.total:,} moved)", f"{recompute_s:.1f} s", ""),
                 ("record one purchase", f"p50 {s['p50_ms']:.2f} ms", f"p99 {s['p99_ms']:.2f} ms")],
                ("what", "time", "")))
    print("wrote", write("lifecycle", {
        "customers": customers, "purchase_rows": purchases, "dry_run_s": round(dry_s, 2),
        "recompute_s": round(recompute_s, 2), "moved": done.total,
        "planned": planned.total, "record_purchase": s,
        "record_purchase_over_5ms": sum(x > 5 for x in times),
        "checkpoint_every_s": CHECKPOINT_EVERY_S}))


if __name__ == "__main__":
    main()
