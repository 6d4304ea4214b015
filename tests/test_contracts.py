"""The house rules, checked: who may import whom, how big a room may grow, and why a check is off.

The import contracts themselves live in pyproject.toml under [tool.importlinter]; this file runs
them (as harlequin does) and guards the contracts from going stale as modules are added.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
CONFIG = tomllib.loads(PYPROJECT)["tool"]["importlinter"]

# What the UI may import from db: the door, the values that cross it, the errors it raises, the
# shop's words, and formatting. Everything else in db is a rule and is forbidden to the UI.
UI_MAY_IMPORT = {"db", "db.shop", "db.values", "db.errors", "db.vocab",
                 "db.money", "db.clock", "db.phones", "db.gate", "db.export"}
MAX_LINES = 400
IGNORE = "type: " + "ignore"  # spelt in two, so this file does not find itself


def _ui_forbidden() -> set[str]:
    for contract in CONFIG["contracts"]:
        if contract.get("source_modules") == ["console", "screens"]:
            return {str(name) for name in contract["forbidden_modules"]}
    raise AssertionError("pyproject.toml has no contract for console and screens")


def _db_modules() -> set[str]:
    """Every module and package in db, as dotted names (db.shop, not db.shop.sales)."""
    found = set()
    for path in (ROOT / "db").iterdir():
        if path.name.startswith("_") or path.name.startswith("."):
            continue
        if path.suffix == ".py":
            found.add(f"db.{path.stem}")
        elif path.is_dir() and (path / "__init__.py").exists():
            found.add(f"db.{path.name}")
    return found


def _house_modules() -> list[Path]:
    paths = []
    for room in ("db", "screens", "console"):
        paths += [p for p in (ROOT / room).rglob("*.py") if "locales" not in p.parts]
    return sorted(paths)


def test_import_contracts_hold() -> None:
    """db never imports the UI; the UI reaches db only through the door; db has no cycles."""
    lint = Path(sys.executable).with_name("lint-imports")
    command = [str(lint)] if lint.exists() else [sys.executable, "-m", "importlinter.cli"]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    kept = re.search(r"Contracts: (\d+) kept, (\d+) broken", run.stdout)
    assert kept is not None, run.stdout
    assert int(kept.group(1)) == len(CONFIG["contracts"]) >= 3
    assert kept.group(2) == "0"


def test_every_db_module_is_either_allowed_or_forbidden_to_the_ui() -> None:
    """A new rule module must be added to the forbidden list, or the contract silently ages."""
    forbidden = _ui_forbidden()
    unplaced = _db_modules() - forbidden - UI_MAY_IMPORT
    assert not unplaced, f"add these to the UI contract in pyproject.toml: {sorted(unplaced)}"
    assert not forbidden & UI_MAY_IMPORT
    stale = forbidden - _db_modules()
    assert not stale, f"these forbidden modules no longer exist: {sorted(stale)}"


def test_the_ui_imports_only_the_door_values_errors_words_and_formatting() -> None:
    """Checked on the source as well, so a lazy import inside a function counts too."""
    wrong = []
    for room in ("screens", "console"):
        for path in (ROOT / room).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names: list[str] = []
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names = [node.module]
                    if node.module == "db":
                        names = [f"db.{alias.name}" for alias in node.names]
                elif isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                else:
                    continue
                for name in names:
                    top = ".".join(name.split(".")[:2])
                    if (name == "db" or name.startswith("db.")) and top not in UI_MAY_IMPORT:
                        wrong.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {name}")
    assert not wrong, "\n".join(wrong)


def test_the_ui_never_reaches_past_the_door_to_the_store() -> None:
    for room in ("screens", "console"):
        for path in (ROOT / room).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            assert ".store." not in text and ".store.read" not in text, path


def test_no_module_in_the_house_grows_past_about_400_lines() -> None:
    big = [f"{p.relative_to(ROOT)}: {n}" for p in _house_modules()
           if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES]
    assert not big, "split these by concern: " + ", ".join(big)


def test_every_type_ignore_says_why() -> None:
    """Each ignore comment with an error code must go on to say, in a comment, why."""
    bare = []
    roots = [ROOT / d for d in ("db", "screens", "console", "tests", "bench")] + [ROOT / "seed.py"]
    for root in roots:
        for path in ([root] if root.is_file() else root.rglob("*.py")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if IGNORE in line and "__snapshots__" not in path.parts:
                    after = line.split(IGNORE, 1)[1]
                    after = re.sub(r"^\[[^\]]*\]", "", after).strip()
                    if not after.startswith("#") or len(after.lstrip("# ")) < 4:
                        bare.append(f"{path.relative_to(ROOT)}:{number}")
    assert not bare, "give these a reason: " + ", ".join(bare)


def test_the_lazy_values_are_what_mypy_reads() -> None:
    """db.values imports each name on first use (start-up): its table must say what its
    TYPE_CHECKING imports say, name for name, and every name must load."""
    import db.values as values

    tree = ast.parse((ROOT / "db" / "values.py").read_text(encoding="utf-8"))
    typed: dict[str, tuple[str, str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            for alias in node.names:
                typed[alias.asname or alias.name] = (node.module, alias.name)
    assert typed == values._WHERE
    assert set(values.__all__) == set(typed)
    for name in values.__all__:
        assert getattr(values, name) is not None, name
