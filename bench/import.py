"""Imports through the Shop, as `regulars import` runs them (tests/import_files.py writes
the files, seeded): 100,000 customers from a Youzan-style CSV (Chinese names, so pinyin
keys, and phones in every spelling, so normalisation) into an empty shop, target ≤ 15 s;
then 1,000,000 purchase rows by those customers into a shop that holds them, target ≤ 60 s.

Each run starts from a fresh copy: an empty shop for the customers, the shop with the
customers for the purchases. ``run`` is shop.imports.run (read, check, plan, write, one
transaction); ``preview`` is what the CLI shows before it (the same file read and compared,
nothing written), timed apart; the run uses the preview's reading of the unchanged file,
so the command's whole time is preview + run.

    python -m bench.import                 # n=3 each; results in bench/results/import.json
    python -m bench.import --customers 10000 --purchases 100000 --n 1   # a quick look
"""

from __future__ import annotations

import argparse
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from bench.common import pct, table, write
from db.imports.model import Kind

CUSTOMERS_TARGET_S = 15.0
PURCHASES_TARGET_S = 60.0


def seconds(samples: list[float]) -> dict[str, object]:
    return {"p50": round(pct(samples, 50), 2), "p99": round(pct(samples, 99), 2),
            "all": [round(s, 2) for s in samples]}


def fresh(path: Path, base: Path | None) -> None:
    """``path`` as an empty shop (base None) or a copy of ``base``."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    if base is not None:
        shutil.copyfile(base, path)
        return
    from db.store import Store

    Store(path).close()


def timed_import(kind: Kind, db: Path, csv_file: Path) -> tuple[float, float, int]:
    """(preview seconds, run seconds, rows the run wrote) on the shop at ``db``."""
    from db.shop import Shop
    from db.store import Store

    store = Store(db)
    try:
        shop = Shop(store, store.actor())
        start = time.perf_counter()
        shop.imports.preview(kind, csv_file)
        previewed = time.perf_counter() - start
        start = time.perf_counter()
        outcome = shop.imports.run(kind, csv_file)
        ran = time.perf_counter() - start
    finally:
        store.close()
    return previewed, ran, outcome.counts.new + outcome.counts.updated


def runs(n: int, kind: Kind, db: Path, base: Path | None, csv_file: Path,
         expect: Callable[[int], bool]) -> tuple[list[float], list[float]]:
    previews: list[float] = []
    ran: list[float] = []
    for _ in range(n):
        fresh(db, base)
        p, r, written = timed_import(kind, db, csv_file)
        assert expect(written), f"{kind}: {written} rows written"
        previews.append(p)
        ran.append(r)
        print(f"  {kind}: preview {p:.1f} s + run {r:.1f} s = {p + r:.1f} s")
    return previews, ran


def main() -> None:
    from tests.import_files import customers_csv, purchases_csv

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--purchases", type=int, default=1_000_000)
    parser.add_argument("--n", type=int, default=3, help="runs of each import")
    parser.add_argument("--out", type=Path, default=Path("/tmp/regulars-bench-import"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    people = args.out / f"customers-{args.customers}.csv"
    sales = args.out / f"purchases-{args.purchases}-{args.customers}.csv"
    if not people.exists():
        customers_csv(people, args.customers)
    if not sales.exists():
        purchases_csv(sales, args.purchases, args.customers)

    db = args.out / "shop.db"
    c_preview, c_run = runs(args.n, "customers", db, None, people,
                            lambda written: written == args.customers)
    base = args.out / f"with-{args.customers}.db"
    fresh(base, None)
    timed_import("customers", base, people)
    p_preview, p_run = runs(args.n, "purchases", db, base, sales,
                            lambda written: written > 0)
    for path in (db, base):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    c_total = [p + r for p, r in zip(c_preview, c_run, strict=True)]
    p_total = [p + r for p, r in zip(p_preview, p_run, strict=True)]
    result = {
        "runs": args.n,
        "customers": {"rows": args.customers, "file_mb": round(people.stat().st_size / 1e6, 1),
                      "command_s": seconds(c_total),
                      "run_s": seconds(c_run), "preview_s": seconds(c_preview),
                      "target_run_s": CUSTOMERS_TARGET_S},
        "purchases": {"rows": args.purchases, "file_mb": round(sales.stat().st_size / 1e6, 1),
                      "into_shop_with_customers": args.customers,
                      "command_s": seconds(p_total),
                      "run_s": seconds(p_run), "preview_s": seconds(p_preview),
                      "target_run_s": PURCHASES_TARGET_S},
    }
    print(table([(f"{args.customers:,} customers", f"{pct(c_total, 50):.1f}",
                  f"{pct(c_total, 99):.1f}", f"{pct(c_preview, 50):.1f}",
                  f"{pct(c_run, 50):.1f}", f"≤ {CUSTOMERS_TARGET_S:.0f}"),
                 (f"{args.purchases:,} purchases", f"{pct(p_total, 50):.1f}",
                  f"{pct(p_total, 99):.1f}", f"{pct(p_preview, 50):.1f}",
                  f"{pct(p_run, 50):.1f}", f"≤ {PURCHASES_TARGET_S:.0f}")],
                ("import", "command p50 s", "command p99 s", "preview p50 s", "run p50 s",
                 "target")))
    print("wrote", write("import", result))


if __name__ == "__main__":
    main()
