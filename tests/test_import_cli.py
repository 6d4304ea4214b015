"""`regulars import customers|purchases FILE`: the mapping table and the counts in both
languages, --dry-run leaves the shop file's bytes alone, the error file lists each refused
row exactly, --map, staff refused, the same file again changes nothing, and the progress
bar draws only on a terminal."""

from __future__ import annotations

import csv
import io
import sqlite3
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from console.cli import app
from console.cli.imports import progress_bar
from console.i18n import t_in
from console.import_errors import error_file_for
from db.customers import CustomerInput
from db.shop import Shop
from db.store import Store
from tests.cli_helpers import digest
from tests.import_files import CUSTOMER_HEADER, write_csv
from tests.test_access import AUDIT_TABLES

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


# A Youzan-style list: three people, one of them twice (folds), a phone Excel turned into a
# float (refused on its row), a phone that is no phone (refused), a stored-value balance
# column that Regulars does not keep.
ROWS = [("王芳", "139 1111 2222", "120", "35.00"),
        ("李雷", "+86 138-0013-8000", "", ""),
        ("王芳", "13911112222", "", ""),
        ("张伟", "1.38001E+10", "5", ""),
        ("赵敏", "12345", "", ""),
        ("陈晨", "０１５９１２３４５６７８", "", "")]
REFUSED_LINES = {5: "1.38001E+10", 6: "12345"}  # the header is line 1


@pytest.fixture
def shop_file(tmp_path: Path) -> Path:
    """A shop (one customer already there, a staff member), closed: only the command
    under test has it open."""
    path = tmp_path / "shop.db"
    store = Store(path)
    try:
        shop = Shop(store, store.actor())
        shop.customers.add(CustomerInput(name="老顾客", phone="139 0000 0001"))
        with store.write(shop.actor, "customer.edit") as tx:
            tx.execute("INSERT INTO staff(name, role, created_at) VALUES ('小李', 'staff', ?)",
                       (tx.now,))
            tx.audit("staff.add", "staff", None, name="小李")
    finally:
        store.close()
    return path


@pytest.fixture
def members(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "有赞客户.csv", CUSTOMER_HEADER, ROWS)


def phones(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        return {row[0] for row in conn.execute("SELECT phone FROM customers")}
    finally:
        conn.close()


def files_of(db: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in db.parent.iterdir() if p.name.startswith(db.name)}


def test_a_dry_run_shows_the_mapping_and_counts_and_writes_nothing(
        shop_file: Path, members: Path) -> None:
    before = files_of(shop_file)
    code, out, err = run("import", "customers", str(members), "--db", str(shop_file),
                         "--dry-run")
    assert code == 0, err
    assert files_of(shop_file) == before  # the shop file's bytes, untouched
    lines = out.splitlines()
    assert lines[0] == "How the file’s columns are read:"
    mapping = {line.split("→")[0].strip(): line.split("→")[1].strip() for line in lines[1:5]}
    assert mapping["客户姓名"].startswith("name")
    assert mapping["客户手机号"].startswith("phone")
    assert mapping["客户积分"].startswith("points")
    assert mapping["客户储值余额"].startswith("not imported: ")
    assert "3 new, 0 updated, 0 unchanged, 1 folded duplicates, " in out
    assert "Dry run: nothing was written to the shop." in out


def test_a_real_import_brings_the_people_and_lists_the_refused_rows(
        shop_file: Path, members: Path) -> None:
    code, out, err = run("import", "customers", str(members), "--db", str(shop_file))
    assert code == 0, err  # refused rows do not fail the import: they are in the error file
    assert "3 new, 0 updated, 0 unchanged, 1 folded duplicates, " in out
    assert phones(shop_file) >= {"+8613911112222", "+8613800138000", "+8615912345678"}
    errors = error_file_for(members)
    assert errors == members.with_name("有赞客户.errors.csv")
    assert ("2 notes on rows and values (what was refused or changed, and why) are in "
            f"{errors}") in out
    assert stat.S_IMODE(errors.stat().st_mode) == 0o600
    raw = errors.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["line", "column", "value", "reason"]
    assert [r[:3] for r in rows[1:]] == [[str(line), "客户手机号", value]
                                         for line, value in REFUSED_LINES.items()]
    for row in rows[1:]:  # a sentence in the shop's language, never a bare message code
        assert row[3] and " " in row[3] and not row[3].startswith("import.")


@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]])
def test_the_summary_counts_the_rows_refused(shop_file: Path, members: Path,
                                             dry_run: list[str]) -> None:
    code, out, err = run("import", "customers", str(members), "--db", str(shop_file),
                         *dry_run)
    assert code == 0, err
    assert "3 new, 0 updated, 0 unchanged, 1 folded duplicates, 2 refused." in out


def test_the_same_file_again_changes_nothing_and_says_who_imported_it(
        shop_file: Path, members: Path) -> None:
    assert run("import", "customers", str(members), "--db", str(shop_file))[0] == 0
    before = phones(shop_file)
    code, out, err = run("import", "customers", str(members), "--db", str(shop_file))
    assert code == 0, err
    assert "This file was imported before: " in out and " by owner " in out
    assert "0 new, 0 updated, 3 unchanged" in out
    assert "differs from what the shop holds: nothing was written." in out
    assert "Imported" not in out
    assert phones(shop_file) == before


def test_map_reads_a_column_the_names_do_not_match_and_leaves_one_out(
        shop_file: Path, tmp_path: Path) -> None:
    odd = write_csv(tmp_path / "pos.csv", ("顾客", "主号码", "积分"),
                    [("周杰", "13700137000", "50")])
    code, out, err = run("import", "customers", str(odd), "--db", str(shop_file),
                         "--map", "顾客=name", "--map", "主号码=phone", "--map", "积分=")
    assert code == 0, err
    table = {line.split("→")[0].strip(): line.split("→")[1].strip()
             for line in out.splitlines() if "→" in line}
    assert table["主号码"].startswith("phone") and table["主号码"].endswith("(--map)")
    assert table["积分"].startswith("not imported: ")
    assert "1 new," in out
    assert "+8613700137000" in phones(shop_file)


@pytest.mark.parametrize("given", ["phone", "=phone"])
def test_a_map_without_column_and_equals_is_wrong_usage(
        shop_file: Path, members: Path, given: str) -> None:
    before = files_of(shop_file)
    code, out, err = run("import", "customers", str(members), "--db", str(shop_file),
                         "--map", given)
    assert code == 2 and out == ""
    assert err.strip() == ("--map takes COLUMN=FIELD (an empty FIELD leaves the column out),"
                           f" not “{given}”.")
    assert files_of(shop_file) == before


def test_a_map_to_a_field_regulars_does_not_have_is_refused_in_a_sentence(
        shop_file: Path, members: Path) -> None:
    before = files_of(shop_file)
    code, _, err = run("import", "customers", str(members), "--db", str(shop_file),
                         "--map", "客户姓名=shoe_size")
    assert code == 1 and "shoe_size" in err and "Traceback" not in err
    assert files_of(shop_file) == before
    assert not error_file_for(members).exists()


def test_staff_are_refused_and_nothing_is_written(shop_file: Path, members: Path) -> None:
    before = digest(shop_file, skip=AUDIT_TABLES)
    for extra in ([], ["--dry-run"]):
        code, _, err = run("import", "customers", str(members), "--db", str(shop_file),
                           "--staff", "小李", *extra)
        assert code == 1 and "Only the owner may" in err
    assert digest(shop_file, skip=AUDIT_TABLES) == before  # only the refusals' audit rows
    assert not error_file_for(members).exists()


def test_a_file_that_is_not_there_or_not_text_is_refused(shop_file: Path,
                                                         tmp_path: Path) -> None:
    before = files_of(shop_file)
    code, _, err = run("import", "customers", str(tmp_path / "nope.csv"), "--db",
                       str(shop_file))
    assert code == 1 and err.strip() == f"There is no file at {tmp_path / 'nope.csv'}."
    utf16 = write_csv(tmp_path / "utf16.csv", CUSTOMER_HEADER, ROWS[:2], encoding="utf-16")
    code, _, err = run("import", "customers", str(utf16), "--db", str(shop_file))
    assert code == 1 and err.strip() and "Traceback" not in err
    assert files_of(shop_file) == before


def test_an_error_file_that_cannot_be_written_is_said_before_anything_is_imported(
        shop_file: Path, members: Path, tmp_path: Path) -> None:
    before = files_of(shop_file)
    code, _, err = run("import", "customers", str(members), "--db", str(shop_file),
                       "--errors", str(tmp_path / "errors.txt"))
    assert code == 2 and "errors.txt" in err
    assert files_of(shop_file) == before


def test_chinese_output(shop_file: Path, members: Path, tmp_path: Path) -> None:
    errors = tmp_path / "拒收.csv"
    code, out, err = run("import", "customers", str(members), "--db", str(shop_file),
                         "--lang", "zh", "--errors", str(errors))
    assert code == 0, err
    assert out.splitlines()[0] == "文件各列的读法："
    assert "新增 3，更新 0，未变 0，合并重复 1，拒收 " in out
    assert f"关于行和值的 2 条说明（拒收或改动了什么、为什么）连同行号列在 {errors}。" in out
    reasons = [row[3] for row in csv.reader(io.StringIO(errors.read_text("utf-8-sig")))][1:]
    assert len(reasons) == 2 and all(any("\u4e00" <= ch <= "\u9fff" for ch in r)
                                     for r in reasons)
    code, out, _ = run("import", "customers", str(members), "--db", str(shop_file),
                       "--lang", "zh", "--dry-run", "--errors", str(errors))
    assert "这个文件以前导入过：" in out
    assert t_in("zh", "import.dry_run") in out


def test_purchases_come_in_once(shop_file: Path, tmp_path: Path) -> None:
    sales = write_csv(tmp_path / "orders.csv", ("订单号", "客户手机号", "下单时间", "实付金额"),
                      [("A1", "139 0000 0001", "2026-10-01 12:00:00", "35.50"),
                       ("A2", "13800138000", "2026-10-02 09:30:00", "12.00")])
    code, out, err = run("import", "purchases", str(sales), "--db", str(shop_file))
    assert code == 0, err
    assert "2 new," in out and "0 refused" in out
    code, out, err = run("import", "purchases", str(sales), "--db", str(shop_file))
    assert code == 0, err
    assert "0 new, 0 updated" in out


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_draws_only_on_a_terminal() -> None:
    piped = io.StringIO()
    with progress_bar(piped, "Importing") as progress:
        assert progress is None
    assert piped.getvalue() == ""
    terminal = Terminal()
    with progress_bar(terminal, "Importing") as progress:
        assert progress is not None
        progress(50, 200)
        progress(200, 200)
    assert "200/200" in terminal.getvalue()
