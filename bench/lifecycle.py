"""Lifecycle recompute over the whole shop, and recording one purchase, at 1M customers.

Targets: recompute (set-based SQL) ≤ 60 s over 1,000,000 customers and
≈10,000,000 purchases; recording one purchase p99 ≤ 5 ms on that file.
Each purchase is a real write: BEGIN IMMEDIATE, the ledger row, the customer's
figures from their own rows, their lookup keys re-ranked, the stage rule, audit.

    python -m bench.lifecycle [--size 1000000] [--cache DIR] [--n 500]
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import timedelta
from pathlib import Path

from bench.common import demo_db, summary, table, write


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/regulars-bench"))
    parser.add_argument("--n", type=int, default=500)
    args = parser.parse_args()
    path, _ = demo_db(args.size, args.cache)

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
    rng = random.Random(3)
    times = []
    for _ in range(args.n):
        cid = rng.randint(1, customers)
        amount = f"{rng.randint(5, 300)}.{rng.randint(0, 99):02d}"
        t0 = time.perf_counter()
        shop.record_purchase(cid, amount, "bench")
        times.append((time.perf_counter() - t0) * 1000)
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
        "planned": planned.total, "record_purchase": s}))


if __name__ == "__main__":
    main()
