"""Cold start to the first rows of the lookup list, beside a hello-world Textual app.

Both are real programs in a pseudo-terminal (80×24, xterm-256color; the harness of
tests/pty_harness.py, ptyprocess + pyte): `regulars --db FILE` on a seeded file, and
bench/hello_app.py. A run is timed from just before the process is spawned until the
pyte screen shows what a person waits for: a customer row of the lookup list (a
masked phone such as 138****8000), or the hello app's text. Python's start-up, every
import, the first query and the first paint through the terminal are inside it.
The two alternate in one run, the order flipped every pair, so machine noise hits
both alike (target: Regulars ≤ 1.5× hello world at 100,000 customers). Peak RSS of
the console at that moment is read from /proc where there is one.

    python -m bench.startup [--size 100000] [--n 21]
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import time
from pathlib import Path

from bench.common import ROOT, demo_db, pct, size_parser, table, write
from tests.pty_harness import Terminal, regulars_argv

HELLO = [sys.executable, str(Path(__file__).with_name("hello_app.py"))]
HELLO_TEXT = "Hello, world"
FIRST_ROW = re.compile(r"\d{3}\*{4}\d{4}")  # a masked phone: a customer row is drawn
SIZE = (80, 24)


def environment(home: Path) -> dict[str, str]:
    """The same for both programs: this checkout's code, a plain UTF-8 xterm, no
    REGULARS_/TEXTUAL settings of the caller's, HOME in the cache folder. Python may
    write its bytecode cache (as it does for anyone who runs the program), so the
    warm-up run compiles this checkout once instead of every timed run (the
    site-packages Textual is compiled at install either way)."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("TEXTUAL", "REGULARS", "TMUX", "COLUMNS", "LINES",
                                  "PYTHONDONTWRITEBYTECODE"))}
    env.update(TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8", HOME=str(home),
               XDG_DATA_HOME=str(home / "data"), XDG_CONFIG_HOME=str(home / "config"),
               PYTHONPATH=str(ROOT))
    return env


def peak_rss_mb(pid: int) -> float | None:
    """VmHWM of a live process (Linux); None elsewhere."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) / 1024 if found else None


def once(argv: list[str], ready: str | re.Pattern[str], env: dict[str, str]
         ) -> tuple[float, float | None]:
    """Seconds from spawn to ``ready`` on screen, and peak RSS (MB) then."""
    t0 = time.perf_counter()
    term = Terminal(argv, env, SIZE)
    try:
        term.wait_for(ready, timeout=60)
        elapsed = time.perf_counter() - t0
        rss = peak_rss_mb(term.process.pid)
    finally:
        term.quit()
    return elapsed, rss


def main() -> None:
    args = size_parser(__doc__, n=21, size=100_000).parse_args()  # --n: runs of each
    path, _ = demo_db(args.size, args.cache)
    env = environment(args.cache)
    ours = [*regulars_argv(), "--db", str(path), "--lang", "en"]
    programs: dict[str, tuple[list[str], str | re.Pattern[str]]] = {
        "hello": (HELLO, HELLO_TEXT), "regulars": (ours, FIRST_ROW)}
    for argv, ready in programs.values():
        once(argv, ready, env)  # first runs warm the OS file cache for both
    seconds: dict[str, list[float]] = {"hello": [], "regulars": []}
    rss: list[float] = []
    for i in range(args.n):
        order = ("hello", "regulars") if i % 2 == 0 else ("regulars", "hello")
        for name in order:
            elapsed, mb = once(*programs[name], env)
            seconds[name].append(elapsed)
            if name == "regulars" and mb is not None:
                rss.append(mb)
    h, r = (statistics.median(seconds[k]) for k in ("hello", "regulars"))
    rows = [(label, f"{statistics.median(s):.3f}", f"{pct(s, 99):.3f}", f"{min(s):.3f}",
             f"{max(s):.3f}")
            for label, s in (("hello-world Textual", seconds["hello"]),
                             (f"regulars, {args.size:,} customers", seconds["regulars"]))]
    print(table(rows, ("program, through a pty", "p50 s", "p99 s", "min s", "max s")))
    print(f"ratio of medians regulars / hello = {r / h:.2f}   (n = {args.n} each)")
    if rss:
        print(f"console peak RSS at its first rows: median {statistics.median(rss):.0f} MB")
    print("wrote", write("startup", {
        "customers": args.size, "runs": args.n, "terminal": f"pty {SIZE[0]}x{SIZE[1]}",
        "hello_p50_s": round(h, 4), "hello_p99_s": round(pct(seconds["hello"], 99), 4),
        "regulars_p50_s": round(r, 4),
        "regulars_p99_s": round(pct(seconds["regulars"], 99), 4),
        "ratio_of_medians": round(r / h, 3),
        "regulars_rss_mb_median": round(statistics.median(rss), 1) if rss else None,
        "hello_s": [round(x, 4) for x in seconds["hello"]],
        "regulars_s": [round(x, 4) for x in seconds["regulars"]]}))


if __name__ == "__main__":
    main()
