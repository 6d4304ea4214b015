"""Search latency per mode at 100k and 1M customers (target: p99 ≤ 2 ms at 1M).

    python -m bench.search [--sizes 100000 1000000] [--cache DIR] [--n 400]

Queries are drawn from real rows of the seeded file (a tail that exists, a
surname that exists …), so every timing is a search that finds someone.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from pathlib import Path

from bench.common import demo_db, summary, table, write

MODES: dict[str, Callable[[dict[str, str]], str]] = {
    "phone tail 4": lambda r: r["phone"][-4:],
    "phone tail 3": lambda r: r["phone"][-3:],
    "phone tail 6": lambda r: r["phone"][-6:],
    "full phone": lambda r: r["phone"][3:],
    "phone prefix 7": lambda r: r["phone"][3:10],
    "initials 2": lambda r: r["pinyin"].split()[-1][:2],
    "initials 3": lambda r: r["pinyin"].split()[-1][:3],
    "full pinyin 5": lambda r: r["sort_name"][:5],
    "full pinyin 9": lambda r: r["sort_name"][:9],
    "surname 1 char": lambda r: r["name"][0],
    "full name": lambda r: r["name"],
    "member code": lambda r: r["member_code"].lower(),
    "mixed zs 8000": lambda r: r["pinyin"].split()[-1][:2] + " " + r["phone"][-4:],
    "empty (recent)": lambda r: "",
}


def run(sizes: list[int], cache: Path, n: int) -> dict[str, object]:
    from db.shop import Shop

    results: dict[str, object] = {}
    for size in sizes:
        path, seeded_in = demo_db(size, cache)
        shop = Shop.open(str(path))
        rng = random.Random(42)
        with shop.store.read() as conn:
            top = conn.execute("SELECT max(id) FROM customers").fetchone()[0]
            sample = [dict(conn.execute("SELECT * FROM customers WHERE id = ?",
                                        (rng.randint(1, top),)).fetchone()) for _ in range(n)]
        per_mode: dict[str, dict[str, float]] = {}
        for mode, make in MODES.items():
            queries = [make(row) for row in sample]
            for q in queries[:20]:  # warm the page cache like a shop that has been open a while
                shop.customers.search(q)
            times = []
            for q in queries:
                t0 = time.perf_counter()
                shop.customers.search(q)
                times.append((time.perf_counter() - t0) * 1000)
            per_mode[mode] = summary(times)
        shop.close()
        results[str(size)] = {"seed_seconds": seeded_in, "modes": per_mode}
        rows = [(m, f"{s['p50_ms']:.3f}", f"{s['p99_ms']:.3f}", f"{s['max_ms']:.2f}")
                for m, s in per_mode.items()]
        print(f"\nsearch at {size:,} customers" +
              (f" (seeded in {seeded_in:.1f} s)" if seeded_in else ""))
        print(table(rows, ("mode", "p50 ms", "p99 ms", "max ms")))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/regulars-bench"))
    parser.add_argument("--n", type=int, default=400)
    args = parser.parse_args()
    results = run(args.sizes, args.cache, args.n)
    print("\nwrote", write("search", {"queries_per_mode": args.n, "sizes": results}))


if __name__ == "__main__":
    main()
