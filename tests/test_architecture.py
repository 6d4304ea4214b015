"""The rooms stay apart: db/ never loads the UI; the console never loads pandas at start."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def loaded_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"],
        cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_db_never_imports_textual() -> None:
    modules = loaded_after(
        "import db.shop, db.search, db.customers, db.doctor, db.store, db.money, db.settings")
    assert not any(m == "textual" or m.startswith("textual.") for m in modules)


def test_db_source_has_no_ui_imports() -> None:
    for path in (ROOT / "db").rglob("*.py"):  # the packages too (shop, migrations, feedback)
        text = path.read_text(encoding="utf-8")
        assert "import textual" not in text and "from textual" not in text, path
        assert "from console" not in text and "from screens" not in text, path


def test_a_started_console_has_not_loaded_pandas(tmp_path: Path) -> None:
    """Run the real app to its first screen of results, then look at sys.modules."""
    probe = f"""
import sys
from db.shop import Shop
from db.customers import CustomerInput
from console.app import RegularsApp
from screens import lookup

shop = Shop.open({str(tmp_path / "s.db")!r})
shop.customers.add(CustomerInput(name="王五", phone="13912345678"))
for name in [m for m in sys.modules if m.startswith("pypinyin")]:
    del sys.modules[name]  # adding a customer wrote a name; the console itself must not
shown = lookup.LookupScreen._show
def show_then_exit(self, result):
    shown(self, result)
    self.app.exit()
lookup.LookupScreen._show = show_then_exit
RegularsApp(shop).run(headless=True)
"""
    modules = loaded_after(probe)
    assert "textual" in modules  # it really started
    for heavy in ("pandas", "pypinyin", "sqlite_utils", "faker"):
        assert heavy not in modules, f"{heavy} was loaded by the running console"


def test_console_start_path_skips_pandas_pypinyin_and_sqlite_utils() -> None:
    modules = loaded_after(
        "import console.cli, console.app, screens.lookup, screens.customer,"
        " screens.customer_form, screens.help")
    for heavy in ("pandas", "pypinyin", "sqlite_utils", "faker"):
        assert heavy not in modules, f"{heavy} is on the way to the first screen"


def test_screens_write_no_sql() -> None:
    for path in (ROOT / "screens").glob("*.py"):
        text = path.read_text(encoding="utf-8").upper()
        for word in ("SELECT ", "INSERT ", "UPDATE ", "DELETE "):
            assert f'"{word}' not in text and f"'{word}" not in text, (path, word)
