"""`regulars demo` never deletes work without --reset; `seed` checks before it says
"Seeding…" (issue 11, items 9 and 18)."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

import console.cli as cli
import console.cli.house as cli_house
from db.customers import CustomerInput
from db.shop import Shop

runner = CliRunner()


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The console is not started; the test sees which file it would have opened."""
    seen: list[Path] = []

    def fake_console(db: Path | None, staff: str | None, lang: str | None) -> None:
        assert db is not None
        seen.append(db)

    monkeypatch.setattr(cli_house, "run_console", fake_console)  # demo lives in house
    return seen


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(cli.app, list(args))
    return result.exit_code, result.stdout + result.stderr


def names(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT name FROM customers ORDER BY id")]
    finally:
        conn.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_demo_run_again_keeps_the_practice_work(tmp_path: Path, opened: list[Path]) -> None:
    path = tmp_path / "demo.db"
    code, _ = run("demo", "--customers", "30", "--db", str(path))
    assert code == 0 and opened == [path]
    assert len(names(path)) == 30
    shop = Shop.open(str(path))
    shop.customers.add(CustomerInput(name="练习顾客", phone="13912340000"))
    shop.close()
    for args in (("--customers", "30"), ("--customers", "40"), ()):  # any size: reused
        code, out = run("demo", *args, "--db", str(path))
        assert code == 0, out
        assert names(path)[-1] == "练习顾客" and len(names(path)) == 31
        assert "Opening the demo as it is" in out
    code, _ = run("demo", "--customers", "30", "--reset", "--db", str(path))
    assert code == 0
    assert len(names(path)) == 30 and "练习顾客" not in names(path)


def test_a_half_made_demo_is_named_not_erased(tmp_path: Path, opened: list[Path]) -> None:
    """A seed of an older Regulars, killed between its two transactions: customers but
    no lookup keys. Detected by the seed's own record, and left for --reset."""
    path = tmp_path / "demo.db"
    run("demo", "--customers", "20", "--db", str(path))
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM search_keys")
    conn.execute("DELETE FROM audit_log WHERE action = 'seed.lookup'")
    conn.commit()
    conn.close()
    before = digest(path)
    opened.clear()
    code, out = run("demo", "--customers", "20", "--db", str(path))
    assert code == 1 and opened == []
    assert "stopped before it was finished" in out and "--reset" in out
    assert digest(path) == before


def test_a_damaged_demo_file_is_named_not_erased(tmp_path: Path, opened: list[Path]) -> None:
    path = tmp_path / "demo.db"
    path.write_bytes(b"\x00" * 8192)  # what a seed killed in its commit used to leave
    code, out = run("demo", "--db", str(path))
    assert code == 1 and "--reset" in out and opened == []
    assert path.read_bytes() == b"\x00" * 8192


def test_demo_on_a_real_shop_opens_nothing_and_reset_deletes_nothing(
        tmp_path: Path, opened: list[Path]) -> None:
    path = tmp_path / "myshop.db"
    shop = Shop.open(str(path))
    shop.customers.add(CustomerInput(name="老顾客", phone="13912340001"))
    shop.close()
    before = digest(path)
    for args in ((), ("--reset",)):
        code, out = run("demo", *args, "--db", str(path))
        assert code == 1, out
        assert "was not made by `regulars demo`" in out
    assert opened == [] and digest(path) == before and names(path) == ["老顾客"]


def test_seed_refuses_before_it_says_seeding(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    shop = Shop.open(str(path))
    shop.customers.add(CustomerInput(name="老顾客", phone="13912340001"))
    shop.close()
    code, out = run("seed", "--customers", "10", "--db", str(path))
    assert code == 1
    assert "already has 1 customers" in out
    assert "Seeding" not in out


def test_seed_into_an_empty_shop_keeps_its_staff_and_settings(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    shop = Shop.open(str(path))
    shop.settings.set("timezone", "Europe/Berlin")
    shop.close()
    code, out = run("seed", "--customers", "25", "--db", str(path))
    assert code == 0, out
    assert len(names(path)) == 25
    shop = Shop.open(str(path))
    assert shop.timezone == "Europe/Berlin"
    shop.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shop.db"]
