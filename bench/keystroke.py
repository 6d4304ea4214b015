"""Keystroke to results: from the key press until the table holds the new rows.

Measured in-process through Pilot on a real seeded file (target: median ≤ 50 ms
at 1M). Each sample types a 4-digit phone tail one key at a time and times the
last key, so the debounce, the thread worker, the query and the table refresh
are all inside the figure.

    python -m bench.keystroke [--size 1000000] [--cache DIR] [--n 60]
"""

from __future__ import annotations

import asyncio
import random
import time
from pathlib import Path

from bench.common import demo_db, size_parser, summary, table, write


async def measure(path: Path, n: int) -> list[float]:
    from textual.widgets import DataTable, Input

    from console.app import RegularsApp
    from db.shop import Shop
    from screens import lookup
    from screens.lookup import LookupScreen

    # Note the moment the table has been filled for the awaited query. Waiting on an
    # event (not polling) keeps the UI thread idle, as it is at a real counter.
    filled: dict[str, float] = {}
    ready = asyncio.Event()
    show = lookup.LookupScreen._show

    def timed_show(self: LookupScreen, result: object) -> None:
        show(self, result)  # type: ignore[arg-type]  # passed on as it came
        filled[getattr(result, "query", "")] = time.perf_counter()
        ready.set()

    lookup.LookupScreen._show = timed_show  # type: ignore[method-assign]  # timing wrapper

    shop = Shop.open(str(path))
    with shop.store.read() as conn:
        top = conn.execute("SELECT max(id) FROM customers").fetchone()[0]
        rng = random.Random(7)
        tails = [conn.execute("SELECT substr(phone, -4) FROM customers WHERE id = ?",
                              (rng.randint(1, top),)).fetchone()[0] for _ in range(n)]
    app = RegularsApp(shop)
    samples: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        await app.workers.wait_for_complete()
        screen = app.screen
        assert isinstance(screen, LookupScreen)
        box = screen.query_one("#query", Input)
        for tail in tails:
            box.value = ""
            await pilot.pause(0.06)
            await app.workers.wait_for_complete()
            await pilot.press(*tail[:3])
            await pilot.pause(0.06)
            await app.workers.wait_for_complete()
            await pilot.pause()
            filled.clear()
            ready.clear()
            t0 = time.perf_counter()
            await pilot.press(tail[3])
            while tail not in filled:
                ready.clear()
                await asyncio.wait_for(ready.wait(), timeout=5)
            assert screen.query_one("#results", DataTable).row_count > 0
            samples.append((filled[tail] - t0) * 1000)
    shop.close()
    return samples


def lookup_debounce_ms() -> float:
    from screens.lookup import DEBOUNCE_SECONDS

    return DEBOUNCE_SECONDS * 1000


def main() -> None:
    args = size_parser(__doc__, n=60).parse_args()
    path, _ = demo_db(args.size, args.cache)
    samples = asyncio.run(measure(path, args.n))
    s = summary(samples)
    print(f"keystroke to results at {args.size:,} customers")
    print(table([("phone tail, 4th key", f"{s['p50_ms']:.1f}", f"{s['p99_ms']:.1f}")],
                ("what", "p50 ms", "p99 ms")))
    print("wrote", write("keystroke", {"customers": args.size, "samples": s,
                                       "debounce_ms": lookup_debounce_ms()}))


if __name__ == "__main__":
    main()
