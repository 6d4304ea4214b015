"""The CLI as a package (issue 12): small modules, one typed way to open the shop, and
that way closes the file however a command ends."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import console.cli
from console.cli import app
from console.cli.common import opened
from db.customers import CustomerInput
from db.shop import Shop
from db.shop.customers import Customers
from db.values import STAGE_RULE_KEYS

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "console" / "cli"
runner = CliRunner()


def test_every_cli_module_is_small() -> None:
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines())
             for p in PACKAGE.glob("*.py")}
    assert len(sizes) > 5, sizes  # a package, not one file
    assert {name for name, lines in sizes.items() if lines >= 400} == set(), sizes


def test_main_is_the_package_entry_point() -> None:
    assert console.cli.main.__module__ == "console.cli"
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'regulars = "console.cli:main"' in pyproject


# -- opened: the one way to open, and it always closes --------------------------------------

@dataclass
class Spy:
    """Every Shop opened and every Shop closed while the test runs."""

    opened: list[Shop] = field(default_factory=list)
    closed: list[Shop] = field(default_factory=list)

    def all_closed_once(self) -> bool:
        return bool(self.opened) and all(
            sum(c is s for c in self.closed) == 1 for s in self.opened)


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Spy:
    seen = Spy()
    real_open = Shop.open.__func__  # type: ignore[attr-defined]  # a classmethod's function
    real_close = Shop.close

    def spy_open(cls: type[Shop], *args: Any, **kwargs: Any) -> Shop:
        shop: Shop = real_open(cls, *args, **kwargs)
        seen.opened.append(shop)
        return shop

    def spy_close(self: Shop) -> None:
        seen.closed.append(self)
        real_close(self)

    monkeypatch.setattr(Shop, "open", classmethod(spy_open))
    monkeypatch.setattr(Shop, "close", spy_close)
    return seen


def open_files(path: Path) -> list[str]:
    """This process's descriptors on the database, its WAL or its shared memory."""
    names = {str(path.resolve()) + suffix for suffix in ("", "-wal", "-shm")}
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # closed between listdir and readlink
            continue
        if target in names:
            found.append(target)
    return found


needs_proc = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(),
                                reason="counts open files through /proc")


@needs_proc
def test_opened_closes_the_shop_when_the_block_raises(tmp_path: Path, spy: Spy) -> None:
    path = tmp_path / "shop.db"
    with pytest.raises(RuntimeError, match="boom"), opened(path, None) as shop:
        shop.customers.add(CustomerInput(name="王芳", phone="13800138000"))
        assert open_files(path) != []  # the probe sees an open shop
        raise RuntimeError("boom")
    assert spy.opened == [shop] and spy.all_closed_once()
    assert open_files(path) == []


@needs_proc
def test_opened_closes_the_shop_when_the_block_ends(tmp_path: Path, spy: Spy) -> None:
    path = tmp_path / "shop.db"
    with opened(path, None) as shop:
        shop.customers.add(CustomerInput(name="王芳", phone="13800138000"))
    assert spy.all_closed_once() and open_files(path) == []


@pytest.fixture
def small_shop(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "shop.db"
    shop = Shop.open(path)
    try:
        member = shop.customers.add(CustomerInput(name="王芳", phone="13800138000"))
        shop.coupons.add_template("减10", "amount", value="10", valid_days=30)
    finally:
        shop.close()
    return path, member.member_code


# Commands that end every way a command ends: done, refused by db/ inside the block, a
# usage error raised inside the block, refused after it, a stage rule without --yes.
ENDINGS = [
    (0, ["customer", "show", "{member}"]),
    (1, ["customer", "show", "NOPE0000"]),
    (1, ["customer", "find", "zzzzzz"]),
    (1, ["purchase", "add", "--customer", "{member}", "--amount", "abc"]),
    (1, ["points", "spend", "{member}", "--points", "100000", "--reason", "gift"]),
    (1, ["coupon", "redeem", "NOSUCHCODE", "--amount", "50"]),
    (2, ["coupon", "issue", "--template", "减10", "--customer", "{member}", "--stage", "trust"]),
    (1, ["settings", "set", sorted(STAGE_RULE_KEYS)[0], "5"]),
]


@needs_proc
@pytest.mark.parametrize(("code", "args"), ENDINGS, ids=[" ".join(a[:2]) + f" {c}"
                                                          for c, a in ENDINGS])
def test_every_command_ending_closes_the_shop(small_shop: tuple[Path, str], spy: Spy,
                                              code: int, args: list[str]) -> None:
    path, member = small_shop
    argv = [a.format(member=member) for a in args] + ["--db", str(path)]
    result = runner.invoke(app, argv)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert spy.all_closed_once(), (spy.opened, spy.closed)
    assert open_files(path) == []


@needs_proc
def test_an_interrupt_inside_a_command_closes_the_shop(
        small_shop: tuple[Path, str], spy: Spy, monkeypatch: pytest.MonkeyPatch) -> None:
    path, member = small_shop

    def interrupted(self: Customers, ref: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(Customers, "show", interrupted)  # `customer show` reads through show
    result = runner.invoke(app, ["customer", "show", member, "--db", str(path)])
    assert result.exit_code == 130, result.output
    assert spy.all_closed_once() and open_files(path) == []


# -- no Any standing in for Shop ------------------------------------------------------------

def _functions() -> Iterator[tuple[str, ast.FunctionDef]]:
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef):
                yield path.name, node


def _names_any(annotation: ast.expr | None) -> bool:
    """The annotation mentions typing.Any (not the word inside a help text)."""
    return annotation is not None and any(
        (isinstance(n, ast.Name) and n.id == "Any")
        or (isinstance(n, ast.Attribute) and n.attr == "Any") for n in ast.walk(annotation))


# click's context (from whichever click typer carries) and a command's keyword arguments
ANY_ALLOWED = {("_param_label", "ctx"), ("refuse_undecodable", "values")}


def test_the_shop_is_typed_everywhere_in_the_cli() -> None:
    """A parameter named shop is a Shop, and Any annotates nothing but ANY_ALLOWED."""
    wrong = []
    for module, func in _functions():
        args = func.args.posonlyargs + func.args.args + func.args.kwonlyargs
        for arg in args:
            note = ast.unparse(arg.annotation) if arg.annotation is not None else None
            if arg.arg == "shop" and note != "Shop":
                wrong.append(f"{module}:{func.name}({arg.arg}: {note})")
            if _names_any(arg.annotation) and (func.name, arg.arg) not in ANY_ALLOWED:
                wrong.append(f"{module}:{func.name}({arg.arg}: {note})")
        returns = ast.unparse(func.returns) if func.returns is not None else ""
        if returns == "Any" and func.name != "current_context":
            wrong.append(f"{module}:{func.name} -> Any")
    assert wrong == []
    found = {f.name: f for _, f in _functions()}
    assert found["opened"].returns is not None
    assert ast.unparse(found["opened"].returns) == "Iterator[Shop]"


def test_mypy_sees_a_shop_inside_opened(tmp_path: Path) -> None:
    """What a command holds is a Shop to mypy, and what it reads is typed too."""
    probe = tmp_path / "probe.py"
    probe.write_text("from console.cli.common import opened\n"
                     "with opened(None, None) as shop:\n"
                     "    reveal_type(shop)\n"
                     "    reveal_type(shop.customers.find('x'))\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "mypy", "--config-file",
                             str(ROOT / "pyproject.toml"), str(probe)], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'Revealed type is "db.shop.Shop"' in result.stdout, result.stdout
    assert 'Revealed type is "db.customers.Customer"' in result.stdout, result.stdout
