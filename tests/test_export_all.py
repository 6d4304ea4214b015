"""`regulars export customers|purchases|coupons|feedback`: every kind's header and rows
exactly for a small shop, CSV with a BOM and XLSX alike, masked phones unless the owner
asks, staff refused with no file made, files 0600, and a failing write leaves nothing."""

from __future__ import annotations

import csv
import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from console.cli import app
from db.customers import CustomerInput
from db.dumps import COUPON_COLUMNS, CUSTOMER_COLUMNS, PURCHASE_COLUMNS
from db.shop import Shop

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def small(shop: Shop) -> Iterator[tuple[Path, dict[str, str]]]:
    """Three customers (Chinese names, emoji, a name that looks like a formula), a sale
    refunded, a sale of five fen that qualifies a referral, a coupon, a staff member."""
    wang = shop.customers.add(CustomerInput(
        name="王芳", phone="139 1111 2222", wechat_id="wangfang", birthday="1990-03-05",
        gender="female", notes="爱吃蛋挞 🍰", marketing_consent=True, is_seed_user=True))
    shop.customers.add_tag(wang.id, "团购")
    shop.customers.add_tag(wang.id, "常客")
    li = shop.customers.add(CustomerInput(name="李雷😀", phone="13800138000",
                                          birthday="03-05", channel="referral"),
                            referred_by=wang.member_code)
    eq = shop.customers.add(CustomerInput(name="=HYPERLINK(1)", wechat_id="equser01"))
    sale = shop.sales.record(wang.id, "1234.56", "蛋挞, 咖啡", confirmed=True)
    shop.sales.refund(sale.id, "坏了")
    shop.sales.record(li.id, "0.05", "-糖")
    shop.coupons.add_template("满50减10", "amount", value="10", min_spend="50", valid_days=7)
    coupon = shop.coupons.issue("满50减10", li.id)
    assert coupon is not None
    with shop.store.write(shop.actor, "customer.edit") as tx:
        tx.execute("INSERT INTO staff(name, role, created_at) VALUES ('小李', 'staff', ?)",
                   (tx.now,))
        tx.audit("staff.add", "staff", None, name="小李")
    yield shop.path, {"wang": wang.member_code, "li": li.member_code, "eq": eq.member_code,
                      "coupon": coupon.code}


def expected(kind: str, m: dict[str, str], full: bool = False) -> list[list[str]]:
    wang_phone, li_phone = ("+8613911112222", "+8613800138000") if full else \
        ("139****2222", "138****8000")
    at = "2026-11-24 10:30:00"  # the test clock, in Shanghai
    if kind == "customers":
        return [list(CUSTOMER_COLUMNS),
                ["王芳", wang_phone, m["wang"], "female", "1990-03-05", "wangfang", "counter",
                 "initial", "团购|常客", "爱吃蛋挞 🍰", "200", "0.00", "0", "", "", "", "1",
                 "1", at],
                ["李雷😀", li_phone, m["li"], "", "03-05", "", "referral", "initial", "", "",
                 "0", "0.05", "1", at, at, m["wang"], "0", "0", at],
                ["'=HYPERLINK(1)", "", m["eq"], "", "", "equser01", "counter", "initial", "",
                 "", "0", "0.00", "0", "", "", "", "0", "0", at]]
    if kind == "purchases":
        return [list(PURCHASE_COLUMNS),
                ["1", m["wang"], wang_phone, at, "1234.56", "蛋挞, 咖啡", "", "owner"],
                ["2", m["wang"], wang_phone, at, "-1234.56", "坏了", "1", "owner"],
                ["3", m["li"], li_phone, at, "0.05", "'-糖", "", "owner"]]
    return [list(COUPON_COLUMNS),
            [m["coupon"], "满50减10", m["li"], "issued", at, "2026-11-30", "", ""]]


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for Chinese
    return list(csv.reader(raw.decode("utf-8-sig").splitlines()))


def read_xlsx(path: Path) -> list[list[str]]:
    book = load_workbook(path, read_only=True)
    try:
        return [["" if v is None else str(v) for v in row]
                for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()  # read-only mode keeps the file open until told


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("kind", ["customers", "purchases", "coupons"])
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_each_kind_writes_its_header_and_rows_exactly(
        small: tuple[Path, dict[str, str]], tmp_path: Path, kind: str, suffix: str) -> None:
    db, made = small
    out = tmp_path / f"导出 {kind}{suffix}"
    code, said, err = run("export", kind, "--db", str(db), "-o", str(out))
    assert code == 0, err
    rows = read_csv(out) if suffix == ".csv" else read_xlsx(out)
    want = expected(kind, made)
    assert rows == want
    assert f"{len(want) - 1} rows written" in said
    assert mode(out) == 0o600


@pytest.mark.parametrize("kind", ["customers", "purchases"])
def test_whole_phones_only_when_the_owner_asks(
        small: tuple[Path, dict[str, str]], tmp_path: Path, kind: str) -> None:
    db, made = small
    out = tmp_path / "full.csv"
    code, _, err = run("export", kind, "--db", str(db), "-o", str(out), "--full-phone")
    assert code == 0, err
    assert read_csv(out) == [[("'" + c if c.startswith("+86") else c) for c in row]
                             for row in expected(kind, made, full=True)]


@pytest.mark.parametrize("args", [["customers"], ["customers", "--full-phone"],
                                  ["purchases"], ["coupons"], ["feedback"]])
def test_staff_are_refused_and_no_file_is_made(
        small: tuple[Path, dict[str, str]], tmp_path: Path, args: list[str]) -> None:
    db, _ = small
    out = tmp_path / "x.csv"
    code, _, err = run("export", *args, "--db", str(db), "--staff", "小李", "-o", str(out))
    assert code == 1 and "Only the owner may" in err
    assert not out.exists() and list(tmp_path.glob(".export-*")) == []


def test_export_feedback_is_the_same_file_as_feedback_export(
        small: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    db, made = small
    code, _, err = run("feedback", "add", "--db", str(db), "--category", "quality",
                       "--text", "=1+1 太甜", "--customer", made["li"])
    assert code == 0, err
    one, two = tmp_path / "a.csv", tmp_path / "b.csv"
    assert run("export", "feedback", "--db", str(db), "-o", str(one), "--lang", "zh")[0] == 0
    assert run("feedback", "export", "--db", str(db), "-o", str(two), "--lang", "zh")[0] == 0
    assert one.read_bytes() == two.read_bytes()
    rows = read_csv(one)
    assert rows[0][:3] == ["编号", "时间", "状态"] and rows[1][11] == "'=1+1 太甜"
    assert rows[1][9] == "138****8000" and mode(one) == 0o600


def test_a_full_disk_leaves_no_file_and_says_so(
        small: tuple[Path, dict[str, str]], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    db, _ = small
    out = tmp_path / "c.csv"

    def full(*_: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", full)  # the last step: rows were all written
    code, _, err = run("export", "customers", "--db", str(db), "-o", str(out))
    assert code == 1 and "disk is full" in err and "Traceback" not in err
    assert not out.exists() and list(tmp_path.glob(".export-*")) == []


def test_an_unwritable_folder_leaves_no_file_and_says_so(
        small: tuple[Path, dict[str, str]], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    db, _ = small
    out = tmp_path / "c.xlsx"

    def refused(*_: object, **__: object) -> None:  # root ignores chmod: say it directly
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(tempfile, "mkstemp", refused)
    code, _, err = run("export", "purchases", "--db", str(db), "-o", str(out))
    assert code == 1 and "Could not write" in err and "Permission denied" in err
    assert not out.exists()
    code, _, err = run("export", "coupons", "--db", str(db), "-o", str(tmp_path / "x.doc"))
    assert code == 1 and "“x.doc”" in err and ".csv / .xlsx" in err


def test_one_batch_of_coupons_alone(small: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    db, made = small
    shop = Shop.open(db)
    try:
        wang = shop.customers.find(made["wang"])
        batched = shop.coupons.issue("满50减10", wang.id, "winback", batch_id="双十一")
    finally:
        shop.close()
    assert batched is not None
    out = tmp_path / "batch.csv"
    code, said, err = run("export", "coupons", "--db", str(db), "-o", str(out),
                          "--batch-id", "双十一")
    assert code == 0, err
    rows = read_csv(out)
    assert [r[0] for r in rows[1:]] == [batched.code] and rows[1][-1] == "双十一"
    assert "1 rows written" in said


# -- the same on a real small filesystem (root mounts a tmpfs; skipped otherwise) -----------
@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    import subprocess

    if os.name != "posix" or os.geteuid() != 0:
        pytest.skip("mounting a small filesystem needs root (run the tests as root, as CI does)")
    where = tmp_path / "fs"
    where.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0755", "tmpfs",
                           str(where)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield where
    finally:
        if subprocess.run(["umount", str(where)], check=False).returncode != 0:
            subprocess.run(["umount", "-l", str(where)], check=False)


def test_a_really_full_disk_leaves_no_file(small: tuple[Path, dict[str, str]],
                                           small_fs: Path) -> None:
    db, _ = small
    with open(small_fs / "filler", "wb", buffering=0) as out:  # every free byte
        try:
            while True:
                out.write(b"\0" * 4096)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    for name in ("customers.csv", "customers.xlsx"):
        target = small_fs / name
        code, _, err = run("export", "customers", "--db", str(db), "-o", str(target))
        assert code == 1 and err.strip() == (
            f"The disk is full: {target} was not written. Free some space and export again.")
        assert sorted(p.name for p in small_fs.iterdir()) == ["filler"]


def test_a_read_only_folder_leaves_no_file(small: tuple[Path, dict[str, str]],
                                           small_fs: Path) -> None:
    import subprocess

    db, _ = small
    done = subprocess.run(["mount", "-o", "remount,ro", str(small_fs)], capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot remount read-only here: {done.stderr.strip()}")
    target = small_fs / "purchases.csv"
    code, _, err = run("export", "purchases", "--db", str(db), "-o", str(target))
    assert code == 1 and f"Could not write {target}" in err and "Traceback" not in err
    assert list(small_fs.iterdir()) == []
