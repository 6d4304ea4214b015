"""The CLI fuzz test (issue 11, Must show): hostile text and numbers in every option.

Every text and number option and argument of every command is taken from the typer app
itself, so an option added later is fuzzed without touching this file. Each call is a
real process (raw bytes reach argv, as from a terminal) on a fresh copy of a small shop.
For every call:

- no traceback and no Python exception name on stdout or stderr;
- the exit code is a documented one (0 done, 1 refused, 2 wrong usage);
- a non-zero exit has a sentence on stderr;
- a refused call (non-zero exit) changed nothing: every table's rows are the same;
- nothing that steers a terminal (ESC, C1, bidi, zero-width …) is written.

Two runs: ``test_every_option_refuses_bytes_that_are_not_utf8`` sends bytes that are not
UTF-8 to every option once (item 12); ``test_cli_fuzz`` lets hypothesis pick the command,
the option and the value, a fixed number of calls (two at a time, one per core). The
``slow`` variant makes ten times as many calls. The number of calls is printed.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from console.cli import app
from db.settings import KNOWN as SETTING_KEYS
from tests.cli_helpers import (
    COMMANDS,
    DOCUMENTED_EXIT_CODES,
    GLOBAL,
    PARAMS,
    PYTHON_ERROR,
    TERMINAL_STEERING,
    Param,
    Result,
    Shop0,
    argv_for,
    build_shop,
    digest,
    fresh_copy,
    run_cli,
)

# -- hostile values ------------------------------------------------------------------------
NOT_UTF8 = [b"\xff\xfe", b"ab\xc3(", b"\xed\xa0\x80", b"\xc0\xaf", b"\xe4\xb8", b"\x80",
            b"\xf8\x88\x80\x80\x80", b"\xfe\xff\x00A"[:-2]]
TEXT_SPECIMENS = [
    "\x1b]0;pwned\x07", "\x1b[2J\x1b[H", "\x1b[31mred", "\x9b31m", "\x07\x08\x7f",
    "\u202eevil\u202c", "\u2066x\u2069", "a\u200bb", "\ufeffBOM", "\u200d", "\u2028",
    "", " ", "\u3000", "\t", "\n", "\r\n", "a\nb", "x" * 100_000, "王" * 40_000,
    "--help", "-5", "-", "--", "%s%n", "{name}", "'; DROP TABLE customers; --", "=1+1",
    "../..", "con", "NUL", "王小明", "😤", "\U0010ffff", "\ud7ff",
]
NUMBER_SPECIMENS = [
    "1" + "0" * 39, "-" + "9" * 40, "1e9", "1e5", "1E400", "NaN", "nan", "inf", "-inf",
    "Infinity", "-0", "0", "-1", "1,2,3", "1,000", "١٢٣", "۱۲۳", "１２３", "1_000", "0x10",
    "99999999999999999999", "9223372036854775807", "9223372036854775808",
    "-9223372036854775809", "2.5", "0.001", "+5", "5.", ".5", "¥58.50", "58.555", " 7 ",
    "1e-9", "0b101", "٣.٥", "²", "½", "Ⅻ",
]


def _no_nul(value: bytes) -> bytes:
    return value.replace(b"\x00", b"\x01")  # argv cannot carry NUL


hostile_text = st.one_of(
    st.sampled_from(NOT_UTF8),
    st.sampled_from(TEXT_SPECIMENS).map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.text(max_size=40).map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.binary(max_size=24),
).map(_no_nul)
hostile_number = st.one_of(
    st.sampled_from(NUMBER_SPECIMENS).map(str.encode),
    st.integers().map(lambda n: str(n).encode()),
    st.floats().map(lambda f: repr(f).encode()),
    st.sampled_from(NOT_UTF8),
)


@st.composite
def calls(draw: st.DrawFn) -> Call:
    target = draw(st.sampled_from(PARAMS))
    if target.number:
        value = draw(st.one_of(hostile_number, hostile_number, hostile_text))
    else:
        value = draw(st.one_of(hostile_text, hostile_number))
    key = None
    if target.command == ("settings", "set") and target.name == "value":
        key = draw(st.sampled_from(sorted(SETTING_KEYS)))
    return target, value, key


# -- running and judging ---------------------------------------------------------------------
class Tally:
    """Calls made in this session, by exit code (the lead quotes the number)."""

    def __init__(self) -> None:
        self.calls = 0
        self.by_code: dict[int, int] = {}
        self.lock = threading.Lock()

    def add(self, code: int) -> None:
        with self.lock:
            self.calls += 1
            self.by_code[code] = self.by_code.get(code, 0) + 1


TALLY = Tally()


@pytest.fixture(scope="module")
def shop0(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
          ) -> Iterator[Shop0]:
    yield build_shop(tmp_path_factory.mktemp("cli-fuzz-base"))
    if TALLY.calls:  # printed past pytest's capture, so it shows in a passing run too
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
            print(f"\nCLI fuzz: {TALLY.calls} real `regulars` calls over {len(PARAMS)} options"
                  f" of {len(COMMANDS)} commands; exit codes "
                  f"{dict(sorted(TALLY.by_code.items()))}", flush=True)


_FOLDERS = itertools.count()


def one_call(shop: Shop0, work: Path, target: Param, value: bytes, key: str | None
             ) -> tuple[Result, bool]:
    folder = work / f"call-{next(_FOLDERS)}"
    db = fresh_copy(shop.path, folder)
    before = digest(db)
    result = run_cli(argv_for(shop, db, target, value, key), folder)
    TALLY.add(result.code)
    return result, digest(db) == before


def judge(result: Result, unchanged: bool) -> list[str]:
    """Every rule a call broke (an empty list: it behaved)."""
    out = result.out.decode("utf-8", "replace")
    problems = []
    if PYTHON_ERROR.search(result.err_text) or PYTHON_ERROR.search(out):
        problems.append("a Python traceback or exception")
    if result.code not in DOCUMENTED_EXIT_CODES:
        problems.append(f"exit code {result.code}")
    if result.code != 0 and not result.err_text.strip():
        problems.append("refused without a sentence")
    if result.code != 0 and not unchanged:
        problems.append("refused, yet the database changed")
    if TERMINAL_STEERING.search(result.out + result.err):
        problems.append("a terminal control character in the output")
    return problems


Call = tuple[Param, bytes, str | None]  # the option, its hostile value, a settings key


def check(shop: Shop0, work: Path, batch: list[Call]) -> list[tuple[Param, Result]]:
    """Run the calls, a few at a time, and fail with every broken rule of every call."""
    def call(c: Call) -> tuple[Param, Result, bool]:
        return (c[0], *one_call(shop, work, *c))

    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        done = list(pool.map(call, batch))
    failures = [f"{target.command} {target.flag or target.name.upper()}: "
                f"{', '.join(problems)}\n{result.describe()}"
                for target, result, unchanged in done
                if (problems := judge(result, unchanged))]
    assert not failures, f"{len(failures)} of {len(batch)} calls:\n\n" + "\n\n".join(failures)
    return [(target, result) for target, result, _ in done]


# -- the tests ---------------------------------------------------------------------------------
def test_the_fuzz_covers_every_command_and_option() -> None:
    assert len(COMMANDS) >= 28 and len(PARAMS) >= 150
    names = {(p.command, p.name) for p in PARAMS}
    assert (("customer", "find"), "query") in names and (GLOBAL, "db") in names
    assert all(p.number for p in PARAMS if p.name in ("limit", "purchase_id", "valid_days"))




def _names(target: Param) -> list[str]:
    return [name for name in (target.flag, target.name.upper(), target.name) if name]


def test_every_option_refuses_bytes_that_are_not_utf8(shop0: Shop0, tmp_path: Path) -> None:
    """Item 12 (52 calls over 26 options gave tracebacks): every option and argument of
    every command, and --db/--staff/--lang before the subcommand: exit 2, a sentence that
    names the option, no change. In-process, with the arguments exactly as Python hands
    them over (bytes that are not UTF-8 as lone surrogates), so all 163 take seconds; the
    real processes are the slow variant below, and the hypothesis run."""
    runner = CliRunner()
    db = fresh_copy(shop0.path, tmp_path / "inproc")
    before = digest(db)
    wrong = []
    for i, target in enumerate(PARAMS):
        argv = [a.decode("utf-8", "surrogateescape") if isinstance(a, bytes) else a
                for a in argv_for(shop0, db, target, NOT_UTF8[i % len(NOT_UTF8)])]
        with contextlib.chdir(tmp_path):
            result = runner.invoke(app, argv)
        err = result.stderr
        if (result.exit_code != 2 or not any(n in err for n in _names(target))
                or PYTHON_ERROR.search(err) or digest(db) != before):
            wrong.append((argv[:4], result.exit_code, err[-300:]))
    assert not wrong, wrong


@pytest.mark.slow
def test_every_option_refuses_bytes_that_are_not_utf8_in_real_processes(
        shop0: Shop0, tmp_path: Path) -> None:
    batch: list[Call] = [(p, NOT_UTF8[i % len(NOT_UTF8)], None) for i, p in enumerate(PARAMS)]
    wrong = [(target, result.describe()) for target, result in check(shop0, tmp_path, batch)
             if result.code != 2 or not any(n in result.err_text for n in _names(target))]
    assert not wrong, wrong


# -- the worst numbers, in every option that takes a number ------------------------------------
# Text options that hold a number (money, points, ranges); int-typed options are found by type.
NUMBER_TEXT = {"amount", "value", "cap", "min_spend", "use_points", "spend_between"}
NUMBER_SETTINGS = ["points.per_yuan", "lifecycle.window_min_days", "levels.silver"]
FORTY_DIGITS = b"1" + b"0" * 39
WORST_NUMBERS = [FORTY_DIGITS, b"NaN"]
WORST_MONEY = [b"1e9", "١٢٣".encode()]  # item 4: ¥1,000,000,000 and ¥123.00 were recorded
MONEY = {"amount", "value", "cap", "min_spend"}


def _number_cases() -> list[Call]:
    cases: list[Call] = []
    for p in PARAMS:
        if p.command == GLOBAL or p.name in {"db", "staff", "lang"}:
            continue
        if p.command == ("settings", "set") and p.name == "value":
            cases += [(p, v, key) for key in NUMBER_SETTINGS for v in WORST_NUMBERS]
        elif p.number or p.name in NUMBER_TEXT:
            money = p.name in MONEY and p.command[0] != "points"
            cases += [(p, v, None) for v in WORST_NUMBERS + (WORST_MONEY if money else [])]
    return cases


NUMBER_CASES = _number_cases()
def _case_id(case: Call) -> str:
    target, value, key = case
    return f"{' '.join(target.command)} {target.flag or target.name.upper()}" + (
        f" {key}" if key else "") + f"={value[:12].decode('utf-8', 'replace')}"


@pytest.fixture(scope="module")
def number_results(shop0: Shop0, tmp_path_factory: pytest.TempPathFactory
                   ) -> dict[str, tuple[Result, bool]]:
    """Every number case, run once, a few at a time; each test item judges its own."""
    work = tmp_path_factory.mktemp("cli-fuzz-numbers")
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        done = pool.map(lambda c: one_call(shop0, work, *c), NUMBER_CASES)
        return dict(zip(map(_case_id, NUMBER_CASES), done, strict=True))


@pytest.mark.parametrize("case", [pytest.param(c, id=_case_id(c)) for c in NUMBER_CASES])
def test_the_worst_numbers_are_refused_in_a_sentence(
        case: Call, number_results: dict[str, tuple[Result, bool]]) -> None:
    """40 digits, NaN (and for money 1e9 and Arabic-Indic digits) in every option that takes
    a number: refused (never saved as a number), with a sentence, and nothing changed."""
    result, unchanged = number_results[_case_id(case)]
    assert judge(result, unchanged) == [], result.describe()
    assert result.code != 0, "accepted: " + result.describe()


FAST_EXAMPLES = 10  # two calls each: 20 calls


@settings(max_examples=FAST_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow, HealthCheck.data_too_large])
@given(batch=st.lists(calls(), min_size=2, max_size=2))
def test_cli_fuzz(shop0: Shop0, tmp_path: Path,
                  batch: list[Call]) -> None:
    check(shop0, tmp_path, batch)


@pytest.mark.slow
@settings(max_examples=FAST_EXAMPLES * 10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow, HealthCheck.data_too_large])
@given(batch=st.lists(calls(), min_size=2, max_size=2))
def test_cli_fuzz_more(shop0: Shop0, tmp_path: Path,
                       batch: list[Call]) -> None:
    check(shop0, tmp_path, batch)
