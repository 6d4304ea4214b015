"""`regulars audit` (the trail, newest first, filtered; owner only) and `regulars doctor`
on a file whose audit trail was tampered with: exit 1 and a sentence naming the row."""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from console.cli import app
from db.audit_chain import row_hash
from tests.cli_helpers import Shop0, build_shop, digest, fresh_copy, run_cli

FUZZ_EXAMPLES = 120
PYTHON_ERROR = re.compile(r"Traceback|Error:|Exception")


@pytest.fixture(scope="module")
def shop0(tmp_path_factory: pytest.TempPathFactory) -> Shop0:
    return build_shop(tmp_path_factory.mktemp("audit-cli"))


@pytest.fixture
def db(shop0: Shop0, tmp_path: Path) -> Path:
    return fresh_copy(shop0.path, tmp_path / "shop")


def invoke(db: Path, *args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    runner = CliRunner()
    with contextlib.chdir(cwd or db.parent):
        result = runner.invoke(app, ["--db", str(db), "--lang", "en", *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_the_trail_newest_first_in_words(db: Path, shop0: Shop0) -> None:
    code, out, err = invoke(db, "audit")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["Time", "Who", "Action"]
    assert "record a sale" in out and "tag a customer" in out
    assert shop0.member in out
    # newest first: the customer added first is the last line
    assert "add a customer" in lines[-1]
    for secret in ("王芳", "13911112222", "139 1111 2222"):  # no personal values at all
        assert secret not in out


def test_filters_and_json(db: Path, shop0: Shop0) -> None:
    code, out, _ = invoke(db, "audit", "--json", "--action", "coupon")
    rows = json.loads(out)
    assert code == 0 and rows and all(r["action"].startswith("coupon") for r in rows)
    assert [r["id"] for r in rows] == sorted((r["id"] for r in rows), reverse=True)
    code, out, _ = invoke(db, "audit", "--json", "--customer", shop0.member)
    rows = json.loads(out)
    assert rows and all(r["member_code"] == shop0.member for r in rows)
    assert {"purchase.add", "tag.add"} <= {r["action"] for r in rows}
    code, out, _ = invoke(db, "audit", "--json", "--staff", "OWNER", "--limit", "2")
    assert len(json.loads(out)) == 2
    code, out, _ = invoke(db, "audit", "--json", "--staff", "nobody")
    assert code == 0 and json.loads(out) == []
    code, out, _ = invoke(db, "audit", "--since", "2000-01-01", "--until", "2000-01-02")
    assert code == 0 and out.strip() == "No audit rows match."


def test_days_are_the_shops_local_days(db: Path) -> None:
    """Rows at 23:30 UTC belong to the next day in Shanghai (UTC+8)."""
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE audit_log SET at = '2026-03-01T17:30:00+00:00'")
    conn.close()
    _, out, _ = invoke(db, "audit", "--json", "--since", "2026-03-02", "--until", "2026-03-02")
    assert json.loads(out)
    _, out, _ = invoke(db, "audit", "--json", "--until", "2026-03-01")
    assert json.loads(out) == []


@pytest.mark.parametrize("args", [["--since", "2026-02-30"], ["--until", "yesterday"],
                                  ["--since", "1900-01-01"],
                                  ["--since", "2026-05-02", "--until", "2026-05-01"],
                                  ["--limit", "0"]])
def test_a_bad_day_or_limit_is_one_sentence_and_exit_2(db: Path, args: list[str]) -> None:
    before = digest(db)
    code, out, err = invoke(db, "audit", *args)
    assert code == 2 and not out
    assert len(err.strip().splitlines()) == 1 and not PYTHON_ERROR.search(err)
    assert digest(db) == before


def test_an_unknown_customer_is_one_sentence(db: Path) -> None:
    code, _, err = invoke(db, "audit", "--customer", "NOSUCH1")
    assert code == 1 and len(err.strip().splitlines()) == 1


# -- doctor on a tampered file ----------------------------------------------------------------
def _tamper(db: Path, how: str) -> int:
    """Change the trail as someone with the file could; returns the row doctor must name."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        n = int(conn.execute("SELECT max(id) FROM audit_log").fetchone()[0])
        k = n // 2
        if how == "edited":
            conn.execute("UPDATE audit_log SET detail = '{}' WHERE id = ?", (k,))
        elif how == "deleted":
            conn.execute("DELETE FROM audit_log WHERE id = ?", (k,))
        elif how == "newest_deleted":
            conn.execute("DELETE FROM audit_log WHERE id = ?", (n,))
            k = n
        elif how == "reordered":
            cols = "at, staff_id, action, entity, entity_id, customer_id, detail, prev_hash, hash"
            a, b = (conn.execute(f"SELECT {cols} FROM audit_log WHERE id = ?", (i,)).fetchone()
                    for i in (k, k + 1))
            sets = ", ".join(f"{c} = ?" for c in cols.split(", "))
            conn.execute(f"UPDATE audit_log SET {sets} WHERE id = ?", (*b, k))
            conn.execute(f"UPDATE audit_log SET {sets} WHERE id = ?", (*a, k + 1))
        elif how == "forged":
            row = conn.execute("SELECT id, at, staff_id, action, entity, entity_id, customer_id,"
                               " prev_hash FROM audit_log WHERE id = ?", (k,)).fetchone()
            content = (*row[:7], '{"fields":[]}')
            conn.execute("UPDATE audit_log SET detail = ?, hash = ? WHERE id = ?",
                         (content[-1], row_hash(row[7], content), k))
        return k
    finally:
        conn.close()


@pytest.mark.parametrize("how", ["edited", "deleted", "newest_deleted", "reordered", "forged"])
def test_doctor_exits_1_naming_the_first_broken_row(db: Path, how: str) -> None:
    code, out, _ = invoke(db, "doctor", "--quick")
    assert code == 0 and "[ok ] audit trail" in out
    k = _tamper(db, how)
    code, out, _ = invoke(db, "doctor", "--quick")
    assert code == 1
    line = next(x for x in out.splitlines() if "audit trail" in x)
    assert line.startswith("  [BAD] audit trail:")
    assert re.search(rf"(?:row|:) {k}\b", line), line
    code, out, _ = invoke(db, "doctor", "--quick", "--json")
    check = next(c for c in json.loads(out)["checks"] if c["name"] == "audit_chain")
    assert check["params"]["problem"] == how and not check["ok"]


def test_doctor_in_a_real_process_and_in_chinese(db: Path, tmp_path: Path) -> None:
    _tamper(db, "edited")
    done = run_cli(["--db", str(db), "--lang", "zh", "doctor", "--quick"], tmp_path)
    assert done.code == 1, done.describe()
    assert "写入后被改过" in done.out.decode(), done.describe()


# -- hypothesis: no traceback, whatever is typed --------------------------------------------
HOSTILE = st.sampled_from(["", " ", "2026-02-29", "2024-02-29", "0000-00-00", "9999-12-31",
                           "２０２６－０１－０１", "2026/01/01", "-1", "'; DROP TABLE audit_log;--",
                           "\x1b[31m", "\u202e", "%", "_", "\\", "小李", "owner", "coupon.",
                           "99999999999999999999", "\x00"])
TEXT = st.one_of(HOSTILE, st.text(max_size=12))


@st.composite
def options(draw: st.DrawFn) -> list[str]:
    args: list[str] = []
    for flag in ("--since", "--until", "--staff", "--action", "--customer"):
        if draw(st.booleans()):
            args += [flag, draw(TEXT)]
    if draw(st.booleans()):
        args += ["--limit", str(draw(st.one_of(st.integers(-5, 2000),
                                               st.integers(-(10**20), 10**20))))]
    if draw(st.booleans()):
        args.append("--json")
    return args


@pytest.fixture(scope="module")
def fuzz_db(shop0: Shop0, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield fresh_copy(shop0.path, tmp_path_factory.mktemp("audit-fuzz"))


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(args=options())
def test_fuzzed_options_never_give_a_traceback(fuzz_db: Path, args: list[str]) -> None:
    before = digest(fuzz_db)
    runner = CliRunner()
    with contextlib.chdir(fuzz_db.parent):
        result = runner.invoke(app, ["--db", str(fuzz_db), "--lang", "en", "audit", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        (args, result.exception)
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.stderr)
    if result.exit_code:
        assert result.stderr.strip() and not PYTHON_ERROR.search(result.stderr), \
            (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, (args, result.stderr)
    assert digest(fuzz_db) == before  # reading the trail writes nothing
