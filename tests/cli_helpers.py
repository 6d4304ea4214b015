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
from dataclasses import dataclass
from pathlib import Path

from db.customers import CustomerInput
from db.shop import Shop
from db.store import Store

Arg = str | bytes

DOCUMENTED_EXIT_CODES = {0, 1, 2}  # done; refused (a sentence says why); wrong usage
PYTHON_ERROR = re.compile(r"^(Traceback \(most recent call last\)|\w*(Error|Exception):)",
                          re.MULTILINE)
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
        a = shop.add_customer(CustomerInput(name="王芳", phone="139 1111 2222",
                                            marketing_consent=True))
        b = shop.add_customer(CustomerInput(name="李娜", phone="139 1111 3333"))
        sale = shop.record_purchase(a.id, "120.00", "蛋挞")
        shop.add_tag(a.id, "团购")
        template = shop.add_coupon_template("满50减10", "amount", value="10", min_spend="50",
                                            valid_days=30, per_customer=3)
        coupon = shop.issue_coupon(template.name, a.id, "manual")
        assert coupon is not None
        shop.add_feedback(a.id, "quality", "蛋挞很好吃", "praise", "蛋挞", "城东面粉厂")
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


def digest(path: Path) -> str:
    """Every row of every table, in order: equal digests mean nothing was changed."""
    h = hashlib.sha256()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
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


def run_cli(args: list[Arg], cwd: Path, timeout: float = 120) -> Result:
    """One real process; ``args`` may hold bytes that are not UTF-8 (they reach argv as is)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REGULARS_", "LC_"))}
    env.update(LANG="C.UTF-8", REGULARS_DB=str(cwd / "default-unused.db"),
               REGULARS_EXPORTS=str(cwd / "exports"), PYTHONDONTWRITEBYTECODE="1",
               COLUMNS="100")
    argv: list[str | bytes] = [*regulars_command(), *args]
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, check=False)
    return Result(list(args), done.returncode, done.stdout, done.stderr)
