"""An Excel 97-2003 workbook (.xls, as old POS systems export) reads like an .xlsx: every
cell as the text a person sees — a phone typed as a number without ".0", a date cell as
its date, whole numbers whole — and a damaged one is refused with the re-save sentence.
The workbooks are written here with xlwt, the .xls writer."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import xlwt

from db.imports.rows import parse_customers
from db.imports.sheet import read_sheet
from db.shop import Shop

TODAY = date(2026, 12, 3)


def workbook(path: Path, rows: list[list[object]]) -> Path:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("会员")
    day = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, datetime | date):
                sheet.write(r, c, value, day)
            else:
                sheet.write(r, c, value)
    book.save(str(path))
    return path


def test_an_xls_member_list_reads_as_text(tmp_path: Path) -> None:
    path = workbook(tmp_path / "pos.xls", [
        ["会员卡号", "姓名", "手机号", "积分", "生日", "余额"],
        ["VIP001", "王小明", 13800138000, 120, datetime(1990, 3, 5), 58.5],
        ["VIP002", "李芳😀", "139-1111-2222", 0.0, "", ""],
    ])
    sheet = read_sheet(path)
    assert sheet.encoding == "xls"
    assert sheet.headers == ("会员卡号", "姓名", "手机号", "积分", "生日", "余额")
    assert [cells for _, cells in sheet.rows] == [
        ["VIP001", "王小明", "13800138000", "120", "1990-03-05 00:00:00", "58.5"],
        ["VIP002", "李芳😀", "139-1111-2222", "0", "", ""]]
    parsed = parse_customers(path, None, TODAY, "CN", "Asia/Shanghai")
    assert [(r.member_code, r.name, r.phone, r.points, r.birthday) for r in parsed.rows] == [
        ("VIP001", "王小明", "+8613800138000", 120, "1990-03-05"),
        ("VIP002", "李芳😀", "+8613911112222", 0, "")]
    assert parsed.refusals == ()


def test_an_xls_comes_in_through_the_shop(shop: Shop, tmp_path: Path) -> None:
    path = workbook(tmp_path / "pos.xls", [["姓名", "手机号"], ["张伟", 13722224444]])
    assert shop.imports.run("customers", path).counts.new == 1
    assert shop.customers.find("13722224444").name == "张伟"


def test_a_damaged_xls_is_refused_with_the_resave_sentence(shop: Shop, tmp_path: Path) -> None:
    import pytest

    from db.errors import ImportRefused

    path = workbook(tmp_path / "pos.xls", [["姓名", "手机号"], ["张伟", 13722224444]])
    path.write_bytes(path.read_bytes()[:600])  # cut off part way, as a failed copy leaves it
    with pytest.raises(ImportRefused) as refused:
        shop.imports.preview("customers", path)
    assert refused.value.code == "import.file.bad_xlsx"
