"""The code stays ruff-clean and strictly typed (part of the one test command)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ruff_clean() -> None:
    beside = Path(sys.executable).with_name("ruff")  # the venv's, even when it is not on PATH
    ruff = str(beside) if beside.exists() else shutil.which("ruff")
    assert ruff, "ruff is part of the test extras: pip install -e '.[test]'"
    result = subprocess.run([ruff, "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT,  # files: pyproject
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
