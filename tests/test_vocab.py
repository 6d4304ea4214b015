"""The shop's words live in db/vocab.py alone; each migration keeps a frozen copy of the
words it wrote into the schema, and the newest copy of each list equals db.vocab, so a
changed word list shows up as a deliberate new migration, never as an old one silently
creating something else. A fresh file's schema is the one captured before the split
(tests/data/schema_v7.sql), byte for byte."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest

import db.migrations
from db import vocab
from db.migrations import LATEST, MIGRATIONS
from db.migrations.sql import one_of
from db.store import Store

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "tests" / "data" / f"schema_v{LATEST}.sql"
NOW = "2026-01-01T00:00:00+00:00"  # the moment the fixture's owner row was made at
# Word lists that no CHECK constraint holds (shown or checked by the rules only), so no
# migration needs a copy of them. A new list in db.vocab must be placed on one side.
NOT_IN_SCHEMA = {"CONSENT_SOURCES", "LANGUAGES", "LEVELS", "FEEDBACK_OPEN", "FEEDBACK_SORTS"}


def word_lists(module: ModuleType) -> dict[str, tuple[str, ...]]:
    """The module's upper-case names bound to tuples of words."""
    return {name: value for name, value in vars(module).items()
            if name.isupper() and isinstance(value, tuple)
            and all(isinstance(word, str) for word in value)}


VOCAB = word_lists(vocab)


def steps() -> list[ModuleType]:
    """The migration step modules, oldest first (v1_…, v2_…)."""
    found = [info.name for info in pkgutil.iter_modules(db.migrations.__path__)
             if info.name.startswith("v")]
    found.sort(key=lambda name: int(name[1:].split("_")[0]))
    return [importlib.import_module(f"db.migrations.{name}") for name in found]


def dump(conn: sqlite3.Connection) -> str:
    """sqlite_master in the order its rows were made, then the rows the steps insert
    (the same format the fixture was written in, by the code before the split)."""
    lines = []
    for kind, name, table, sql in conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid"):
        lines.append(f"-- {kind} {name} ON {table}")
        lines.append(f"{sql};" if sql is not None else "-- (made by SQLite)")
    lines.append("-- settings")
    lines += [f"{k} = {v!r}" for k, v in conn.execute(
        "SELECT key, value FROM settings ORDER BY key")]
    lines.append("-- staff")
    lines += [repr(tuple(r)) for r in conn.execute("SELECT * FROM staff ORDER BY id")]
    return "\n".join(lines) + "\n"


def fresh(now: str = NOW) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("BEGIN")
    for step in MIGRATIONS:
        step(conn, now)
    conn.execute("COMMIT")
    return conn


# -- the schema -------------------------------------------------------------------------------
def test_the_steps_make_the_schema_captured_before_the_split() -> None:
    conn = fresh()
    try:
        assert dump(conn) == SCHEMA.read_text(encoding="utf-8")
    finally:
        conn.close()


def test_a_new_file_opened_by_the_store_gets_that_schema(tmp_path: Path) -> None:
    store = Store(tmp_path / "shop.db", clock=lambda: datetime(2026, 1, 1, tzinfo=UTC))
    try:
        with store.read() as conn:
            assert dump(conn) == SCHEMA.read_text(encoding="utf-8")
            assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
    finally:
        store.close()


def test_there_is_one_step_module_per_version_in_order() -> None:
    modules = steps()
    assert [m.__name__.split(".")[-1].split("_")[0] for m in modules] == [
        f"v{n}" for n in range(1, LATEST + 1)]
    assert [getattr(m, "apply", None) for m in modules] == MIGRATIONS


# -- frozen copies ----------------------------------------------------------------------------
def test_each_frozen_copy_is_written_into_the_schema() -> None:
    """A step's copy is the list its CHECK constraint was really made from."""
    schema = SCHEMA.read_text(encoding="utf-8")
    copies = [(m.__name__, name, words) for m in steps()
              for name, words in word_lists(m).items()]
    assert copies  # the steps do keep copies
    for module, name, words in copies:
        assert f"IN ({one_of(words)})" in schema, (module, name)


def test_the_newest_frozen_copy_of_each_list_equals_the_vocabulary() -> None:
    """Changing a list in db.vocab fails here until a new step (with the new copy and
    the SQL that moves the CHECK constraint) says so."""
    newest: dict[str, tuple[str, ...]] = {}
    for module in steps():
        newest.update(word_lists(module))
    for name, words in newest.items():
        assert name in VOCAB, f"{name}: a step froze a list db.vocab does not have"
        assert VOCAB[name] == words, (
            f"db.vocab.{name} differs from the copy the schema was made from: add a migration")
    assert set(VOCAB) == set(newest) | NOT_IN_SCHEMA
    assert not set(newest) & NOT_IN_SCHEMA


def test_the_steps_keep_literal_copies_not_the_vocabulary() -> None:
    """A step that imported db.vocab would change when the vocabulary does."""
    for path in sorted((ROOT / "db" / "migrations").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert "vocab" not in (node.module or ""), path
                assert all(alias.name != "vocab" for alias in node.names), path
            elif isinstance(node, ast.Import):
                assert all("vocab" not in alias.name for alias in node.names), path


# -- one source -----------------------------------------------------------------------------
def literal_word_lists(path: Path) -> list[tuple[int, tuple[str, ...]]]:
    """Every tuple, list or set literal of two or more plain words in a file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Tuple | ast.List | ast.Set):
            continue
        words = tuple(e.value for e in node.elts
                      if isinstance(e, ast.Constant) and isinstance(e.value, str))
        if len(words) == len(node.elts) >= 2:
            found.append((node.lineno, words))
    return found


def sources() -> list[Path]:
    """db (but the vocabulary and the migrations' frozen copies), screens, console, seed."""
    paths = [*(ROOT / "db").rglob("*.py"), *(ROOT / "screens").rglob("*.py"),
             *(ROOT / "console").rglob("*.py"), ROOT / "seed.py"]
    return sorted(p for p in paths if p != ROOT / "db" / "vocab.py"
                  and "migrations" not in p.relative_to(ROOT).parts)


def test_no_other_module_writes_out_a_vocabulary_list() -> None:
    lists = {frozenset(words): name for name, words in VOCAB.items()}
    written = [(str(path.relative_to(ROOT)), line, lists[frozenset(words)])
               for path in sources() for line, words in literal_word_lists(path)
               if frozenset(words) in lists]
    assert written == []


def assigned_names(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            found += [(node.lineno, t.id) for target in targets for t in ast.walk(target)
                      if isinstance(t, ast.Name)]
    return found


def test_no_other_module_defines_a_vocabulary_name() -> None:
    """Importing a list from db.vocab (``from .vocab import X as Y``) is fine;
    assigning one of its names anew is not."""
    defined = [(str(path.relative_to(ROOT)), line, name) for path in sources()
               for line, name in assigned_names(path) if name in VOCAB]
    # the console's own: the catalogs it has (the next test ties them to the setting's words)
    assert [(p, n) for p, _, n in defined] == [("console/i18n.py", "LANGUAGES")]


def test_the_language_setting_offers_the_console_s_catalogs() -> None:
    from console.i18n import LANGUAGES as CATALOG_LANGUAGES

    assert vocab.LANGUAGES[0] == ""  # blank: the system's language
    assert set(vocab.LANGUAGES[1:]) == set(CATALOG_LANGUAGES)


@pytest.mark.parametrize("name", sorted(VOCAB))
def test_a_list_is_words_without_repeats(name: str) -> None:
    words = VOCAB[name]
    assert len(words) >= 2 and len(set(words)) == len(words)


def test_the_open_statuses_are_statuses_and_the_machine_knows_them_all() -> None:
    from db.feedback import NEXT

    assert set(vocab.FEEDBACK_OPEN) < set(vocab.FEEDBACK_STATUSES)
    assert set(NEXT) == set(vocab.FEEDBACK_STATUSES)
    assert all(set(to) <= set(vocab.FEEDBACK_STATUSES) for to in NEXT.values())


# -- imports nothing --------------------------------------------------------------------------
def test_the_vocabulary_imports_nothing() -> None:
    tree = ast.parse((ROOT / "db" / "vocab.py").read_text(encoding="utf-8"))
    imports = [node for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)]
    assert [(getattr(n, "module", None), [a.name for a in n.names]) for n in imports] == [
        ("__future__", ["annotations"])]
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, db.vocab; print(' '.join(sorted(sys.modules)))"],
        cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    assert [m for m in loaded if m == "db" or m.startswith("db.")] == ["db", "db.vocab"]


def test_the_lookup_s_stage_words_name_the_stages() -> None:
    """``stage:信任`` in the lookup box: every word it knows is one of db.vocab's stages."""
    from db.search_terms import STAGE_WORDS

    assert set(STAGE_WORDS.values()) == set(vocab.STAGES)
    assert set(vocab.STAGES) <= set(STAGE_WORDS)
