"""`regulars` with only --db/--staff/--lang opens the console without typer (start-up,
bench/startup.py); it must refuse exactly as the full command line does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from console.cli.launch import console_only
from tests.cli_helpers import regulars_command

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(("argv", "read"), [
    ([], (None, None, None)),
    (["--db", "s.db"], ("s.db", None, None)),
    (["--db=s.db", "--lang", "zh", "--staff=小李"], ("s.db", "小李", "zh")),
])
def test_a_console_line_is_read_here(argv: list[str], read: tuple[str | None, ...]) -> None:
    assert console_only(argv) == read


@pytest.mark.parametrize("argv", [
    ["customer", "find", "王"], ["--help"], ["--db"], ["--db", "a", "--db", "b"],
    ["--db", "-x"], ["--db="], ["--db", "s.db", "doctor"], ["--verbose"], ["demo"],
])
def test_anything_else_goes_to_the_full_command_line(argv: list[str]) -> None:
    assert console_only(argv) is None


def _both_ways(args: list[str], tmp_path: Path) -> list[tuple[int, str]]:
    """The console line as given, and the same options given to a command (typer's path)."""
    seen = []
    for line in (args, [*args, "doctor", "--quick"]):
        run = subprocess.run([*regulars_command(), *line], capture_output=True, text=True,
                             cwd=tmp_path, timeout=60, stdin=subprocess.DEVNULL)
        seen.append((run.returncode, run.stderr.strip()))
    return seen


@pytest.mark.parametrize("bad", [["--lang", "fr"], ["--db", "."], ["--staff", "ghost"]])
def test_the_fast_path_refuses_as_the_command_line_does(tmp_path: Path,
                                                         bad: list[str]) -> None:
    db = ["--db", str(tmp_path / "s.db")] if bad[0] != "--db" else []
    fast, full = _both_ways([*db, *bad], tmp_path)
    assert fast[0] in (1, 2) and fast[1]
    assert fast == full


def test_the_console_line_does_not_load_typer(tmp_path: Path) -> None:
    """Refused before the app starts (a folder as --db), so the process ends by itself."""
    probe = ("import sys\nsys.argv = ['regulars', '--db', '.']\nfrom console.cli import main\n"
             "try:\n    main()\nexcept SystemExit as end:\n"
             "    print(end.code, 'typer' in sys.modules, 'pydantic' in sys.modules)\n")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         cwd=tmp_path, timeout=60, env=None)
    assert run.stdout.split() == ["1", "False", "False"], run.stdout + run.stderr
