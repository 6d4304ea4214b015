"""Cold start to an interactive lookup screen on a big file, beside a hello-world Textual app.

Both run as fresh processes in the same loop, alternating, so machine noise hits
both alike (target: Regulars ≤ 2× hello world; RSS ≤ 150 MB at 1M).
Time is measured from just before the process is spawned until the screen is
ready: Python's own start-up and every import are inside it.

    python -m bench.startup [--size 1000000] [--n 9]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.common import ROOT, demo_db, size_parser, table, write

PROBE = str(Path(__file__).with_name("startup_probe.py"))


def once(args: list[str]) -> tuple[float, float]:
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, PROBE, *args], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout.split()
    wall = time.perf_counter() - t0
    return wall, float(out[2])


def main() -> None:
    args = size_parser(__doc__, n=9).parse_args()  # --n: runs of each process
    path, _ = demo_db(args.size, args.cache)
    once(["hello"])
    once(["regulars", str(path)])  # first runs warm the OS file cache for both
    hello, ours, rss = [], [], []
    for _ in range(args.n):
        hello.append(once(["hello"])[0])
        wall, mb = once(["regulars", str(path)])
        ours.append(wall)
        rss.append(mb)
    h, r = statistics.median(hello), statistics.median(ours)
    rows = [("hello-world Textual", f"{h:.3f}", f"{min(hello):.3f}", f"{max(hello):.3f}", ""),
            (f"regulars, {args.size:,} customers", f"{r:.3f}", f"{min(ours):.3f}",
             f"{max(ours):.3f}", f"{statistics.median(rss):.0f}")]
    print(table(rows, ("process", "median s", "min s", "max s", "RSS MB")))
    print(f"ratio regulars / hello = {r / h:.2f}")
    print("wrote", write("startup", {
        "customers": args.size, "runs": args.n, "hello_median_s": round(h, 4),
        "regulars_median_s": round(r, 4), "ratio": round(r / h, 3),
        "regulars_rss_mb_median": round(statistics.median(rss), 1),
        "hello_s": [round(x, 4) for x in hello], "regulars_s": [round(x, 4) for x in ours]}))


if __name__ == "__main__":
    main()
