"""The CLI's edges (issue 11, items 8, 12, 13 and the CLI parts of 18).

Options before the subcommand, arguments that are not UTF-8, control characters in the
data, and what `doctor`, `points show`, `customer show`, the leaderboard and `--limit`
print. In-process through CliRunner where argv can be str; real processes where raw
bytes must reach argv.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from console.cli import app
from console.terminal_text import safe_json, undecodable, visible, visible_field
from db.customers import CustomerInput
from db.shop import Shop
from db.store import Store
from tests.cli_helpers import (
    COMMANDS,
    PYTHON_ERROR,
    TERMINAL_STEERING,
    Shop0,
    build_shop,
    command_line,
    digest,
    fresh_copy,
    run_cli,
)

runner = CliRunner()
HOSTILE_NAME = "\x1b]0;pwned\x07 \x9b31m\u202eabc\u200b\x7f"


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Shop0:
    return build_shop(tmp_path_factory.mktemp("cli-edges"))


@pytest.fixture
def shop_file(base: Shop0, tmp_path: Path) -> Path:
    return fresh_copy(base.path, tmp_path / "work")


@pytest.fixture
def no_default_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """$REGULARS_DB points at a file that must stay absent (the 'default' of item 8)."""
    default = tmp_path / "default.db"
    monkeypatch.setenv("REGULARS_DB", str(default))
    yield default
    assert not default.exists(), "a command wrote to the default file, not to --db"


# -- item 8: options before the subcommand --------------------------------------------------

def test_db_before_the_subcommand_is_the_file_written(tmp_path: Path,
                                                      no_default_file: Path) -> None:
    target = tmp_path / "x.db"
    code, out, err = run("--db", str(target), "customer", "add", "--name", "甲",
                         "--phone", "13800138000")
    assert code == 0, err
    code, out, err = run("--db", str(target), "customer", "find", "13800138000", "--json")
    assert code == 0 and json.loads(out)[0]["name"] == "甲", err


def test_lang_before_the_subcommand_is_the_language(shop_file: Path, base: Shop0,
                                                    no_default_file: Path) -> None:
    code, out, err = run("--lang", "zh", "--db", str(shop_file), "purchase", "add",
                         "--customer", base.member, "--amount", "5")
    assert code == 0 and "累计" in out, (out, err)
    code, out, err = run("--lang", "zh", "--db", str(shop_file), "purchase", "add",
                         "--customer", "nobody", "--amount", "5")
    assert code == 1 and "没有" in err and "No customer" not in err, err


def test_the_subcommands_own_option_wins(shop_file: Path, base: Shop0, tmp_path: Path,
                                         no_default_file: Path) -> None:
    other = tmp_path / "other.db"
    code, out, err = run("--db", str(other), "--lang", "zh", "customer", "find",
                         base.member, "--db", str(shop_file), "--lang", "en")
    assert code == 0 and "王芳" in out and not other.exists(), err
    code, _, err = run("--staff", "ghost", "--db", str(shop_file), "customer", "find", "王")
    assert code == 1 and "ghost" in err
    code, _, err = run("--staff", "ghost", "--db", str(shop_file), "customer", "find", "王",
                       "--staff", "owner")
    assert code == 0, err


@pytest.mark.parametrize("command", [
    ["doctor"], ["settings", "show"], ["tag", "list"], ["coupon", "template", "list"],
    ["lifecycle", "at-risk"], ["referral", "leaderboard"], ["customer", "find", "王"],
    ["feedback", "export", "-o", "OUT.csv"],
])
def test_every_reader_honours_db_before_the_subcommand(
        command: list[str], shop_file: Path, tmp_path: Path, no_default_file: Path) -> None:
    args = [a.replace("OUT", str(tmp_path / "out")) for a in command]
    code, out, err = run("--db", str(shop_file), *args)
    assert code == 0, (out, err)


@pytest.mark.parametrize("command", sorted(COMMANDS), ids=" ".join)
def test_every_command_honours_db_and_lang_given_before_it(
        command: tuple[str, ...], base: Shop0, shop_file: Path,
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Item 8, for every command the app has (so a new one is checked too): with --db and
    --lang only before the subcommand, the default file is never touched or named."""
    default = tmp_path / "no-such-folder" / "default.db"
    monkeypatch.setenv("REGULARS_DB", str(default))
    monkeypatch.setenv("REGULARS_EXPORTS", str(tmp_path / "exports"))
    monkeypatch.chdir(shop_file.parent)
    args = command_line(base, command)
    code, out, err = run("--db", str(shop_file), "--lang", "zh", *args)
    assert code in (0, 1), (args, out, err)
    assert "default.db" not in out + err and not default.parent.exists(), (args, out, err)
    if code == 1:  # a refusal, in the language asked for before the subcommand
        assert any("\u4e00" <= ch <= "\u9fff" for ch in err), (args, err)


def test_top_level_help_says_the_options_apply_to_every_command() -> None:
    code, out, _ = run("--help")
    assert code == 0 and "apply to every command" in " ".join(out.split())


# -- item 12: arguments that are not UTF-8 ---------------------------------------------------

def as_argv(arg: str | bytes) -> str:
    """What Python makes of a raw argv entry (bytes that are not UTF-8 become surrogates)."""
    return arg.decode("utf-8", "surrogateescape") if isinstance(arg, bytes) else arg


@pytest.mark.parametrize(("args", "named"), [
    (["customer", "find", b"\xff\xfe"], "QUERY"),
    (["customer", "add", "--name", "王五", "--notes", b"ab\xc3("], "--notes"),
    (["--staff", b"\xed\xa0\x80", "customer", "find", "王"], "--staff"),
    (["purchase", "add", "--customer", "MEMBER", "--amount", b"5\xff"], "--amount"),
    (["tag", "rename", "团购", b"\xc0\xaf"], "NEW"),
])
def test_bytes_that_are_not_utf8_are_one_sentence_and_change_nothing(
        args: list[str | bytes], named: str, base: Shop0, shop_file: Path) -> None:
    before = digest(shop_file)
    argv = [base.member if a == "MEMBER" else as_argv(a) for a in args]
    code, out, err = run(*argv, "--db", str(shop_file))
    assert code == 2, (out, err)
    assert named in err and "UTF-8" in err and "\\udc" not in err, err
    assert digest(shop_file) == before


def test_not_utf8_through_a_real_argv_in_chinese(shop_file: Path) -> None:
    before = digest(shop_file)
    result = run_cli(["--lang", "zh", "customer", "find", b"\xff", "--db", str(shop_file)],
                     shop_file.parent)
    assert result.code == 2 and "QUERY 的内容不是有效的 UTF-8" in result.err_text
    assert not PYTHON_ERROR.search(result.err_text), result.describe()
    assert digest(shop_file) == before


def _leaf_callbacks(group: typer.Typer) -> Iterator[Any]:
    for command in group.registered_commands:
        yield command.callback
    for sub in group.registered_groups:
        assert sub.typer_instance is not None
        yield from _leaf_callbacks(sub.typer_instance)


def test_every_command_checks_its_arguments() -> None:
    """A command added without @friendly_errors would read bytes that are not UTF-8."""
    callbacks = list(_leaf_callbacks(app))
    assert len(callbacks) > 25
    unguarded = [c.__name__ for c in callbacks if not getattr(c, "guards_argv", False)]
    assert unguarded == []


# -- item 13: the output side -----------------------------------------------------------------

def test_text_escapes() -> None:
    assert visible("a\x1b]0;x\x07b") == "a\\x1b]0;x\\x07b"
    assert visible("line\nnext\tcol") == "line\nnext\tcol"  # our own layout stays
    assert visible_field("two\nlines\t") == "two\\x0alines\\x09"
    assert visible("\u202eabc\u200b\x9b\x7f\r") == "\\u202eabc\\u200b\\x9b\\x7f\\x0d"
    assert visible("bad \udcff byte") == "bad \ufffd byte"
    assert visible("王小明 👩\u200d👩\u200d👧") == "王小明 👩\u200d👩\u200d👧"  # emoji joiner stays
    value = {"name": HOSTILE_NAME + "\udcff"}
    text = safe_json(value)
    assert json.loads(text) == value and text.isprintable()
    assert undecodable("ab\udcffc") and not undecodable("王小明") and not undecodable("abc")


def _poison(path: Path, member: str, tag: str) -> None:
    """Hostile text as an older version (before the input gate) could have stored it."""
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE customers SET name = ?, notes = ? WHERE member_code = ?",
                     (HOSTILE_NAME, "two\nlines\x1b[2J", member))
        conn.execute("UPDATE tags SET name = ? WHERE name = ?", (tag + "\x1b[31m", tag))
        conn.execute("UPDATE purchases SET items = ?", ("\x1b]8;;http://x\x07link",))
    conn.close()


@pytest.mark.parametrize("command", [
    ["customer", "find", "13911112222"], ["customer", "find", "13911112222", "--json"],
    ["customer", "show", "MEMBER"], ["customer", "show", "MEMBER", "--json"],
    ["points", "show", "MEMBER"], ["points", "show", "MEMBER", "--json"],
    ["tag", "list"], ["referral", "show", "MEMBER"], ["customer", "find", "\x1b[2Jx"],
])
def test_control_characters_from_the_data_never_reach_the_terminal(
        command: list[str], base: Shop0, shop_file: Path) -> None:
    _poison(shop_file, base.member, base.tag)
    args = [base.member if a == "MEMBER" else a for a in command]
    result = runner.invoke(app, [*args, "--db", str(shop_file)])
    shown = result.stdout_bytes + result.stderr_bytes
    assert result.exit_code in (0, 1), shown
    assert not TERMINAL_STEERING.search(shown), shown
    if command[-1] == "--json" and command[0] == "customer":
        data = json.loads(result.stdout)
        assert (data[0] if isinstance(data, list) else data)["name"] == HOSTILE_NAME


def test_customer_find_piped_shows_the_escape(base: Shop0, shop_file: Path) -> None:
    """Item 13 as seen: a name holding ESC ] 0 ; … BEL, printed by find into a pipe."""
    _poison(shop_file, base.member, base.tag)
    result = run_cli(["customer", "find", "13911112222", "--db", str(shop_file)],
                     shop_file.parent)
    assert result.code == 0 and not TERMINAL_STEERING.search(result.out + result.err)
    assert "\\x1b]0;pwned\\x07" in result.out.decode(), result.describe()


# -- item 18, the CLI's parts -----------------------------------------------------------------

def test_doctor_speaks_one_language(shop_file: Path) -> None:
    code, out, _ = run("doctor", "--db", str(shop_file))
    assert code == 0 and "doctor." not in out and "points balances" in out
    code, out, _ = run("doctor", "--db", str(shop_file), "--lang", "zh")
    assert code == 0 and "doctor." not in out
    assert "积分余额" in out and "sampled" not in out and "differ" not in out, out
    code, out, _ = run("doctor", "--db", str(shop_file), "--json")
    checks = {c["name"]: c for c in json.loads(out)["checks"]}
    assert checks["points"]["params"] == {"count": 0}


class _Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 24, 2, 30, tzinfo=UTC)  # 10:30 in Shanghai

    def __call__(self) -> datetime:
        return self.now


def test_points_show_prints_the_shops_time(tmp_path: Path) -> None:
    path = tmp_path / "tz.db"
    store = Store(path, clock=_Clock())
    shop = Shop(store, store.actor())
    who = shop.customers.add(CustomerInput(name="王芳", phone="139 1111 2222"))
    shop.sales.record(who.id, "50")
    shop.close()
    code, out, err = run("points", "show", who.member_code, "--db", str(path))
    assert code == 0, err
    assert "2026-11-24 10:30" in out and "02:30" not in out, out
    assert "earned" in out  # the kind in words


def test_an_empty_leaderboard_says_so(shop_file: Path) -> None:
    code, out, err = run("referral", "leaderboard", "--db", str(shop_file))
    assert code == 0 and out == "" and "No qualified referrals" in err


@pytest.mark.parametrize("command", [
    ["customer", "find", "王"], ["lifecycle", "at-risk"], ["referral", "leaderboard"],
    ["points", "show", "MEMBER"],
])
@pytest.mark.parametrize("limit", ["0", "-1", "1001", "1" + "0" * 39])
def test_limit_out_of_range_is_refused_with_the_range(
        command: list[str], limit: str, base: Shop0, shop_file: Path) -> None:
    args = [base.member if a == "MEMBER" else a for a in command]
    code, _, err = run(*args, "--limit", limit, "--db", str(shop_file))
    assert code == 2 and "from 1 to 1,000" in err, err


def test_customer_show_speaks_to_a_person_and_lists_sales_to_refund(
        base: Shop0, shop_file: Path) -> None:
    code, out, err = run("customer", "show", base.member, "--db", str(shop_file))
    assert code == 0, err
    for internal in ("phone_rev", "median_interval_s", "created_by", "sort_name", "True"):
        assert internal not in out, internal
    assert "Joined" in out and "by owner" in out and "139 1111 2222" in out
    assert "#团购" in out and "Silver" in out
    assert f"#{base.sale_id} " in out and "¥120.00" in out and "蛋挞" in out
    assert "purchase refund" in out + err
    code, out, err = run("purchase", "refund", str(base.sale_id), "--reason", "坏了",
                         "--db", str(shop_file))
    assert code == 0, err
    code, out, _ = run("customer", "show", base.member, "--db", str(shop_file))
    assert f"refund of #{base.sale_id}" in out
    code, out, _ = run("customer", "show", base.member, "--db", str(shop_file), "--json")
    shown = json.loads(out)
    assert shown["created_by_name"] == "owner" and len(shown["recent_sales"]) == 2
    code, out, _ = run("customer", "show", base.member, "--db", str(shop_file), "--lang", "zh")
    assert "加入日期" in out and "经手人 owner" in out and "的退款" in out


@pytest.mark.parametrize("number", ["1" + "0" * 39, "-5", "0", str(2**63)])
def test_refund_of_a_sale_number_no_sale_can_have(number: str, shop_file: Path) -> None:
    before = digest(shop_file)
    code, _, err = run("purchase", "refund", "--db", str(shop_file), "--", number)
    assert code == 1 and "no sale number" in err, err
    assert digest(shop_file) == before


def test_a_negative_setting_value_is_a_value_not_an_option(shop_file: Path) -> None:
    before = digest(shop_file)
    code, _, err = run("settings", "set", "points.per_yuan", "-3", "--db", str(shop_file))
    assert code == 1 and "No such option" not in err and "points.per_yuan" not in err, err
    assert digest(shop_file) == before


def test_the_cli_prints_only_through_say_and_safe_json() -> None:
    """One door to the terminal: a new command that printed with typer.echo, print or
    json.dumps would let control characters from the data through (item 13)."""
    import ast
    import importlib
    import inspect
    import pkgutil

    import console.cli as cli

    modules = [importlib.import_module(f"console.cli.{m.name}")
               for m in pkgutil.iter_modules(cli.__path__) if m.name != "__main__"]
    assert len(modules) > 5  # every module of the package, not just its __init__
    trees = [ast.parse(inspect.getsource(cli))] + [ast.parse(inspect.getsource(m))
                                                   for m in modules]
    doors = {"say"}
    wrong = []
    for func in (node for tree in trees for node in ast.walk(tree)):
        if not isinstance(func, ast.FunctionDef) or func.name in doors:
            continue
        for node in ast.walk(func):
            if isinstance(node, ast.Call):
                name = ast.unparse(node.func)
                if name in ("typer.echo", "print", "json.dumps", "click.echo", "typer.secho"):
                    wrong.append(f"{func.name}: {name}")
    assert wrong == []
