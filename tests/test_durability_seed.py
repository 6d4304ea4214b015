"""A seed is all or nothing across kill -9, and its helpers end with it (issue 11, item 14).

Real processes: a driver runs ``seed.seed_file`` (what ``regulars seed`` and
``regulars demo`` run) with the two-process path forced on, so the helper that
makes the rows exists in every run. It is killed with SIGKILL at random moments
over the whole run, and at the two exact points around the rename (a test-only
pause, seed.PAUSE_ENV). Every time, the target is absent (or the empty shop it
was) or complete and passes `doctor`, and no process of that run survives.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

import seed
from db.doctor import examine
from db.store import Store

ROOT = Path(__file__).resolve().parent.parent
CUSTOMERS = 3000
CHUNK = 500
KILLS = 20
MARK = "REGULARS_TEST_RUN"  # every process of a run inherits it: how survivors are found

DRIVER = r"""
import sys
from pathlib import Path
import seed
seed.seed_file(Path(sys.argv[1]), int(sys.argv[2]), 1, chunk=int(sys.argv[3]), min_parallel=0)
"""

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="finds survivors through /proc (Linux)")


def start(path: Path, token: str, **env: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(path), str(CUSTOMERS), str(CHUNK)], cwd=ROOT,
        env={**os.environ, MARK: token, **env},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def processes_of(token: str) -> list[int]:
    needle = f"{MARK}={token}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if needle in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def assert_no_survivors(token: str) -> None:
    deadline = time.monotonic() + 10  # the kernel's SIGKILL lands at once; reaping may lag
    while (left := processes_of(token)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert left == [], f"helper processes survived: {left}"


def state_of(path: Path) -> str:
    """'absent', 'empty' (a shop with no customers) or 'complete'; anything else fails."""
    if not path.exists():
        return "absent"
    store = Store(path, create=False)
    try:
        report = examine(store, quick=True)
        assert report.ok, [c for c in report.checks if not c.ok]
        with store.read() as conn:
            customers = conn.execute("SELECT count(*) FROM customers").fetchone()[0]
            keys = conn.execute("SELECT count(*) FROM search_keys").fetchone()[0]
    finally:
        store.close()
    if customers == 0:
        return "empty"
    assert customers == CUSTOMERS
    assert keys > CUSTOMERS  # searchable: every customer has lookup keys
    return "complete"


def kill(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


def test_kill_9_at_twenty_random_moments_leaves_nothing_or_everything(tmp_path: Path) -> None:
    token = uuid.uuid4().hex
    began = time.monotonic()
    full = start(tmp_path / "full.db", token)
    assert full.wait(timeout=120) == 0
    whole_run = time.monotonic() - began
    assert state_of(tmp_path / "full.db") == "complete"
    assert_no_survivors(token)

    rng = random.Random(20261202)
    # two runs at a time go slower than the one measured: up to 1.5x reaches their ends
    moments = sorted(rng.uniform(0.02, 1.5) * whole_run for _ in range(KILLS))
    seen: dict[str, int] = {}
    leftovers: list[Path] = []
    for pair in range(0, KILLS, 2):  # two at a time: the machine has two cores
        runs: list[tuple[float, Path, str, subprocess.Popen[bytes]]] = []
        for moment in moments[pair:pair + 2]:
            folder = tmp_path / f"kill{len(runs) + pair}"
            folder.mkdir()
            run_token = uuid.uuid4().hex
            runs.append((moment, folder, run_token, start(folder / "shop.db", run_token)))
        t0 = time.monotonic()
        for moment, folder, run_token, proc in runs:
            time.sleep(max(0.0, t0 + moment - time.monotonic()))
            kill(proc)
            assert_no_survivors(run_token)
            state = state_of(folder / "shop.db")
            seen[state] = seen.get(state, 0) + 1
            if (folder / f"shop.db{seed.SEEDING_SUFFIX}").exists():
                leftovers.append(folder)
    print(f"kill -9 at {KILLS} moments over a {whole_run:.1f} s run: {seen}")
    assert sum(seen.values()) == KILLS
    assert set(seen) <= {"absent", "complete"}
    # a fresh run clears what a killed one left beside the target, and finishes
    if leftovers:
        folder = leftovers[0]
        (folder / "shop.db").unlink(missing_ok=True)
        again = start(folder / "shop.db", token)
        assert again.wait(timeout=120) == 0
        assert state_of(folder / "shop.db") == "complete"
        assert sorted(p.name for p in folder.iterdir()) == ["shop.db"]
    assert_no_survivors(token)


@pytest.mark.parametrize(("point", "existing", "expected"), [
    ("before-rename", False, "absent"),
    ("after-rename", False, "complete"),
    ("before-rename", True, "empty"),
])
def test_kill_9_during_the_commit_leaves_nothing_or_everything(
        tmp_path: Path, point: str, existing: bool, expected: str) -> None:
    path = tmp_path / "shop.db"
    if existing:  # a shop made with `regulars init`, seeded afterwards
        Store(path).close()
    token = uuid.uuid4().hex
    proc = start(path, token, **{seed.PAUSE_ENV: point})
    assert proc.stderr is not None
    line = proc.stderr.readline()
    assert line.decode().strip() == f"paused {point}"
    kill(proc)
    assert_no_survivors(token)
    assert state_of(path) == expected
