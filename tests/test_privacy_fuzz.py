"""Hypothesis fuzz of the privacy commands' options (issue 14, Must show): `customer edit`
(every field), `customer consent` (--source and the reference), `customer erase` and
`customer export-personal` (the reference and the -o path).

In-process (typer's runner), on a fresh copy of a small shop per call. For every call: no
traceback, exit 0, 1 or 2, a sentence when refused, and nothing partial saved: a refused
call changes no row and leaves no file; an edit that succeeded is whole (running it again
changes nothing, and it printed exactly the fields that differ); an erase that succeeded
cleared every personal field; an export that succeeded is a whole, private JSON file.
The number of calls is printed (and quoted in the lead's note).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from console.cli import app
from db.erase import PERSONAL
from db.vocab import CHANNELS, CONSENT_SOURCES
from tests.cli_helpers import PYTHON_ERROR, Shop0, build_shop, digest, fresh_copy
from tests.test_cli_fuzz import TEXT_SPECIMENS

RUNNER = CliRunner()
CALLS: dict[str, int] = {}
_FOLDERS = itertools.count()
FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

hostile = st.one_of(st.sampled_from(TEXT_SPECIMENS), st.text(max_size=40))
EDIT_VALUES = {
    "--name": st.one_of(hostile, st.sampled_from(["王小芳", "Anna Li", " 李 娜 "])),
    "--phone": st.one_of(hostile, st.sampled_from(["139 1111 4444", "+44 7911 123456",
                                                   "13911113333", "", "1e10"])),
    "--wechat": st.one_of(hostile, st.sampled_from(["wang_fang", "", "ab", "x" * 41])),
    "--birthday": st.one_of(hostile, st.sampled_from(["03-05", "1990-02-29", "2099-01-01",
                                                      "3月5日", ""])),
    "--gender": st.one_of(hostile, st.sampled_from(["female", "male", "", "other"])),
    "--channel": st.one_of(hostile, st.sampled_from([*CHANNELS, ""])),
    "--notes": st.one_of(hostile, st.sampled_from(["常来", "", "x" * 2001])),
}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
         ) -> Iterator[Shop0]:
    yield build_shop(tmp_path_factory.mktemp("privacy-fuzz"))
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
        print(f"\nprivacy CLI fuzz: {sum(CALLS.values())} calls {CALLS}", flush=True)


def invoke(base: Shop0, work: Path, args: list[str]) -> tuple[int, str, str, Path, str]:
    folder = work / f"call-{next(_FOLDERS)}"
    db = fresh_copy(base.path, folder)
    before = digest(db)
    with contextlib.chdir(folder):
        result = RUNNER.invoke(app, ["--db", str(db), "--lang", "en", *args])
    CALLS[args[1]] = CALLS.get(args[1], 0) + 1
    out, err = result.stdout, result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        args, repr(result.exception))
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, err)
    assert not PYTHON_ERROR.search(out + err), (args, out, err)
    if result.exit_code:
        assert err.strip(), (args, "refused without a sentence")
        assert digest(db) == before, (args, "refused, yet the database changed")
    return result.exit_code, out, err, db, before


def customer_row(db: Path, member: str) -> sqlite3.Row | None:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        found: sqlite3.Row | None = conn.execute(
            "SELECT * FROM customers WHERE member_code = ?", (member,)).fetchone()
        return found
    finally:
        conn.close()


@st.composite
def edits(draw: st.DrawFn) -> list[str]:
    chosen = draw(st.lists(st.sampled_from(sorted(EDIT_VALUES)), min_size=1, max_size=4,
                           unique=True))
    return [x for flag in chosen for x in (flag, draw(EDIT_VALUES[flag]))]


@settings(FUZZ, max_examples=100)  # seven fields: more calls
@given(options=edits())
def test_edit_fuzz(base: Shop0, tmp_path: Path, options: list[str]) -> None:
    code, out, _, db, _ = invoke(base, tmp_path, ["customer", "edit", base.member, *options])
    if code == 0 and "Changed for" in out:
        again = RUNNER.invoke(app, ["--db", str(db), "--lang", "en", "customer", "edit",
                                    base.member, *options])
        assert again.exit_code == 0 and "Nothing changed" in again.stdout, (options, out)


@FUZZ
@given(ref=st.one_of(hostile, st.sampled_from(["MEMBER", "13911112222", "2222"])),
       given_=st.sampled_from(["--given", "--withdrawn", None]),
       source=st.one_of(hostile, st.sampled_from(CONSENT_SOURCES)))
def test_consent_fuzz(base: Shop0, tmp_path: Path, ref: str, given_: str | None,
                      source: str) -> None:
    ref = base.member if ref == "MEMBER" else ref
    args = ["customer", "consent", ref, "--source", source] + ([given_] if given_ else [])
    code, _, _, db, before = invoke(base, tmp_path, args)
    if given_ is None:  # only says what is on record
        assert digest(db) == before
    elif code == 0:
        row = customer_row(db, base.member)
        assert row is not None and row["consent_source"] == source
        assert row["marketing_consent"] == (given_ == "--given")


@FUZZ
@given(ref=st.one_of(hostile, st.sampled_from(["MEMBER", "OTHER", "13911112222", "2222"])),
       yes=st.booleans())
def test_erase_fuzz(base: Shop0, tmp_path: Path, ref: str, yes: bool) -> None:
    ref = {"MEMBER": base.member, "OTHER": base.other}.get(ref, ref)
    code, _, _, db, before = invoke(base, tmp_path, ["customer", "erase", ref,
                                                     *(["--yes"] if yes else [])])
    if not yes:  # without --yes nothing is ever erased (--help, say, exits 0)
        assert digest(db) == before
    elif code == 0:
        erased = [r for m in (base.member, base.other)
                  if (r := customer_row(db, m)) is not None and r["erased_at"]]
        assert len(erased) == 1
        assert all(erased[0][c] in (None, "", 0, "—") for c in PERSONAL)


@FUZZ
@given(ref=st.one_of(hostile, st.sampled_from(["MEMBER", "13911112222"])),
       name=st.one_of(hostile, st.sampled_from(["wang.json", "wang.JSON", "w.csv", "."])),
       suffix=st.sampled_from(["", ".json"]))
def test_export_personal_fuzz(base: Shop0, tmp_path: Path, ref: str, name: str,
                              suffix: str) -> None:
    ref = base.member if ref == "MEMBER" else ref
    name = "f-" + name.replace("/", "_").replace("\x00", "") + suffix
    code, _, _, db, _ = invoke(base, tmp_path, ["customer", "export-personal", ref,
                                                "-o", name])
    written = [p for p in db.parent.iterdir() if not p.name.startswith("shop.db")]
    if code != 0:
        assert written == [], written  # no file, not even half of one
        return
    assert len(written) == 1 and stat.S_IMODE(written[0].stat().st_mode) == 0o600
    doc = json.loads(written[0].read_text(encoding="utf-8"))
    assert doc["profile"]["member_code"] == base.member
