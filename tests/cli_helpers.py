"""Running the real `regulars` in a subprocess, with raw bytes in argv, on a small shop.

Used by the CLI edge tests and the CLI fuzz test. The shop is built once per session
through ``Shop`` (two customers, a sale, a tag, a coupon template, an issued coupon, a
feedback item) and copied fresh for every call, so a call never sees another's writes.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

import typer.main

from console.cli import app
from db.customers import CustomerInput
from db.shop import Shop
from db.store import Store

Arg = str | bytes

DOCUMENTED_EXIT_CODES = {0, 1, 2}  # done; refused (a sentence says why); wrong usage
# A traceback, or an exception's name (OverflowError:, sqlite3.OperationalError:); typer's
# own usage line "Error: Invalid value for '--limit': …" is a sentence, not a crash.
PYTHON_ERROR = re.compile(r"Traceback \(most recent call last\)|\b[\w.]*\w(Error|Exception):")
# What must never reach a terminal from the data: C0 controls but newline and tab,
# DEL, C1 controls (UTF-8 C2 80..9F), bidi overrides and zero-width characters.
TERMINAL_STEERING = re.compile(
    rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\x8b\x8c\x8e\x8f\xa8-\xae]"
    rb"|\xe2\x81[\xa0\xa6-\xa9]|\xef\xbb\xbf|\xd8\x9c")


@dataclass(frozen=True)
class Shop0:
    """The session's small shop and the values that refer to things in it."""

    path: Path
    member: str  # a customer with a sale, points and a tag
    other: str  # a customer with nothing yet (can still be referred)
    sale_id: int
    coupon: str
    template: str
    tag: str


@dataclass(frozen=True)
class Result:
    args: list[Arg]
    code: int
    out: bytes
    err: bytes

    @property
    def err_text(self) -> str:
        return self.err.decode("utf-8", "replace")

    def describe(self) -> str:
        return (f"args={self.args!r}\nexit {self.code}\nstdout={self.out[:2000]!r}\n"
                f"stderr={self.err[:2000]!r}")


def build_shop(folder: Path) -> Shop0:
    path = folder / "base.db"
    store = Store(path)
    shop = Shop(store, store.actor())
    try:
        a = shop.customers.add(CustomerInput(name="王芳", phone="139 1111 2222",
                                            marketing_consent=True))
        b = shop.customers.add(CustomerInput(name="李娜", phone="139 1111 3333"))
        sale = shop.sales.record(a.id, "120.00", "蛋挞")
        shop.customers.add_tag(a.id, "团购")
        template = shop.coupons.add_template("满50减10", "amount", value="10", min_spend="50",
                                            valid_days=30, per_customer=3)
        coupon = shop.coupons.issue(template.name, a.id, "manual")
        assert coupon is not None
        shop.feedback.add(a.id, "quality", "蛋挞很好吃", "praise", "蛋挞", "城东面粉厂")
        return Shop0(path, a.member_code, b.member_code, sale.id, coupon.code, template.name,
                     "团购")
    finally:
        shop.close()


def fresh_copy(base: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "shop.db"
    shutil.copyfile(base, target)
    os.chmod(target, 0o600)
    return target


def digest(path: Path, skip: tuple[str, ...] = ()) -> str:
    """Every row of every table (but ``skip``), in order: equal digests mean nothing was
    changed."""
    h = hashlib.sha256()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            if r[0] not in skip]
        for table in tables:
            h.update(table.encode())
            rows = sorted(repr(row) for row in conn.execute(f'SELECT * FROM "{table}"'))
            for row in rows:  # sorted: some tables have no rowid to order by
                h.update(row.encode("utf-8", "surrogatepass"))
    finally:
        conn.close()
    return h.hexdigest()


def regulars_command() -> list[str]:
    script = Path(sys.executable).with_name("regulars")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from console.cli import main; main()"]


def run_cli(args: list[Arg], cwd: Path, timeout: float = 120,
            env_extra: dict[str, str] | None = None) -> Result:
    """One real process; ``args`` may hold bytes that are not UTF-8 (they reach argv as is).
    The caller's REGULARS_* are never passed on; ``env_extra`` (say REGULARS_PIN) is."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REGULARS_", "LC_"))}
    env.update(LANG="C.UTF-8", REGULARS_DB=str(cwd / "default-unused.db"),
               REGULARS_EXPORTS=str(cwd / "exports"), PYTHONDONTWRITEBYTECODE="1",
               COLUMNS="100")
    env.update(env_extra or {})
    argv: list[str | bytes] = [*regulars_command(), *args]
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, check=False)
    return Result(list(args), done.returncode, done.stdout, done.stderr)


# -- every command and option, from the typer app itself ------------------------------------
# `demo` and `regulars` with no command open the full-screen console: not one-shot commands.
NOT_ONE_SHOT = {("demo",)}
GLOBAL = ("<before the subcommand>",)


@dataclass(frozen=True)
class Param:
    command: tuple[str, ...]
    name: str
    flag: str | None  # "--name" for an option; None for an argument
    number: bool  # typed int: typer parses it before Regulars sees it
    path: bool  # a file name: kept inside the test's folder


def _annotation_types(param: Any) -> tuple[Any, ...]:
    descriptor = getattr(param, "type_descriptor", None)
    annotation = getattr(descriptor, "annotation", None)
    if annotation is None:  # an older typer: click's own ParamType
        kind = getattr(getattr(param, "type", None), "name", "")
        return {"integer": (int,), "path": (Path,)}.get(kind, (str,))
    return get_args(annotation) or (annotation,)


def _leaves(command: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
    children = getattr(command, "commands", None)
    if children:
        for name, child in sorted(children.items()):
            yield from _leaves(child, (*path, name))
    elif path not in NOT_ONE_SHOT:
        yield path, command


def _param(path: tuple[str, ...], p: Any) -> Param:
    types = _annotation_types(p)
    flag = str(max(p.opts, key=len)) if p.param_type_name == "option" else None
    return Param(path, str(p.name), flag, int in types, Path in types)


ROOT = typer.main.get_command(app)
COMMANDS: dict[tuple[str, ...], list[Param]] = {
    path: [_param(path, p) for p in cmd.params if not getattr(p, "is_flag", False)]
    for path, cmd in _leaves(ROOT, ())}
PARAMS: list[Param] = [p for params in COMMANDS.values() for p in params] + [
    Param(GLOBAL, str(p.name), str(max(p.opts, key=len)), False, Path in _annotation_types(p))
    for p in ROOT.params]


def baseline(shop: Shop0, command: tuple[str, ...]) -> dict[str, str]:
    """Values that make the command succeed, so the fuzzed one is what is tested."""
    values = {"customer": shop.member, "ref": shop.member, "query": "王", "name": "王五",
              "kind": "amount", "value": "10", "valid_days": "7", "template": shop.template,
              "code": shop.coupon, "amount": "58.50", "reason": "测试", "category": "quality",
              "text": "好吃", "output": "out.csv", "batch_id": "b1", "tag": "常客",
              "old": shop.tag, "new": "老客", "purchase_id": str(shop.sale_id),
              "key": "timezone", "by": shop.member, "customers": "1",
              "dest": "copy.db", "file": "shop-backup.db", "keep": shop.member,
              "other": shop.other}
    if command[0] == "points":
        values["amount"] = "10"
    if command == ("referral", "add"):
        values["customer"] = shop.other
    if command == ("coupon", "issue"):
        values.pop("tag")
        values["reason"] = "manual"
    if command == ("referral", "leaderboard"):
        values["by"] = "qualified"
    if command == ("settings", "set"):
        values["value"] = "Asia/Shanghai"
    return values


def command_line(shop: Shop0, command: tuple[str, ...]) -> list[str]:
    """The command with the baseline values of what it requires, and no --db."""
    base = baseline(shop, command)
    arguments = [base[p.name] for p in COMMANDS[command] if p.flag is None]
    options = [x for p in COMMANDS[command] if p.flag is not None and p.name in base
               for x in (p.flag, base[p.name])]
    return [*command, *arguments, *options]


def argv_for(shop: Shop0, db: Path, target: Param, hostile: bytes,
             key: str | None = None) -> list[str | bytes]:
    """The command with every required value from the baseline and one value hostile."""
    command = ("customer", "show") if target.command == GLOBAL else target.command
    base = baseline(shop, command)
    if key is not None:
        base["key"] = key
    if target.path:  # a file name stays a name in the test's folder, never / or ..
        hostile = b"f-" + hostile.replace(b"/", b"_")
    head: list[str | bytes] = []
    arguments: list[str | bytes] = []
    options: list[str | bytes] = []
    if target.command == GLOBAL:
        head = [str(target.flag), hostile]
    if target.name == "until":  # --until instead of --valid-days, not beside it
        base.pop("valid_days")
    if target.name == "cap":  # a cap belongs to a percent coupon
        base["kind"] = "percent"
    for p in COMMANDS[command]:
        fuzzed = p == target
        if not fuzzed and p.name not in base:
            continue
        value: str | bytes = hostile if fuzzed else base[p.name]
        if p.flag is None:
            arguments.append(value)
        else:
            options += [p.flag, value]
    if target.name != "db":  # the shop's copy, unless the file name is what is fuzzed
        options += ["--db", str(db)]
    return [*head, *command, *arguments, *options]
