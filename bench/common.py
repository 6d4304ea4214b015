"""Shared bits: percentiles, machine facts, demo databases cached between runs."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def summary(samples_ms: list[float]) -> dict[str, float]:
    return {"n": len(samples_ms), "p50_ms": round(pct(samples_ms, 50), 3),
            "p99_ms": round(pct(samples_ms, 99), 3),
            "mean_ms": round(statistics.fmean(samples_ms), 3),
            "max_ms": round(max(samples_ms), 3)}


def machine() -> dict[str, Any]:
    return {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "cpus": os.cpu_count(), "platform": platform.platform(),
            "when": time.strftime("%Y-%m-%dT%H:%M:%S%z")}


def write(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    data = {"machine": machine(), **data}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def table(rows: Sequence[tuple[str, ...]], header: tuple[str, ...]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [line.format(*header), line.format(*("-" * w for w in widths))]
    out += [line.format(*r) for r in rows]
    return "\n".join(out)


def size_parser(doc: str | None, n: int, size: int = 1_000_000) -> argparse.ArgumentParser:
    """The options every benchmark shares: file size, where seeded files are cached, samples."""
    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument("--size", type=int, default=size, help="customers in the seeded file")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/regulars-bench"),
                        help="where seeded files are kept between runs")
    parser.add_argument("--n", type=int, default=n, help="samples")
    return parser


def demo_db(customers: int, cache: Path) -> tuple[Path, float | None]:
    """A seeded file of this size, made once and reused; returns (path, seconds to seed)."""
    from db.store import Store
    from seed import seed

    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"bench-{customers}.db"
    if path.exists():
        return path, None
    partial = cache / f"bench-{customers}.partial.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    store = Store(partial)
    report = seed(store, store.actor(), customers, seed=1)
    store.close()
    partial.rename(path)
    return path, report.seconds


def timed_rows(what: str, pace_ms: float, timed: dict[str, float], floor: dict[str, float]
               ) -> list[tuple[str, ...]]:
    """Two table rows: a write timed at a pace, and the disk's own fsync at that pace."""
    label = "back to back" if not pace_ms else f"one every {pace_ms:.0f} ms"
    return [(f"{what}, {label}", f"p50 {timed['p50_ms']:.2f} ms", f"p99 {timed['p99_ms']:.2f} ms"),
            ("  the disk alone: 32 KB append + fsync", f"p50 {floor['p50_ms']:.2f} ms",
             f"p99 {floor['p99_ms']:.2f} ms")]
