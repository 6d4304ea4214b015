"""Import, the reading layer (db/imports: sheet, fields, cells, rows), against a corpus the
tests write themselves: encodings, phones as people and Excel write them, dates as other
systems store them, real export shapes (Youzan, WeCom, POS), XLSX number and date cells.
Every file is checked against the exact rows and refusals expected."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from db import dumps
from db.errors import ImportRefused, ValidationError
from db.imports import cells, sheet
from db.imports.fields import map_columns
from db.imports.model import Column, CustomerRow, Parsed, PurchaseRow, Refusal
from db.imports.rows import parse_customers, parse_purchases
from db.phones import parse_phone
from tests import import_corpus as corpus

TODAY = date(2026, 11, 24)
TZ = "Asia/Shanghai"
BLANK = CustomerRow(
    line=0, lines=(), name="", phone=None, wechat_id=None, external_id=None,
    member_code=None, birthday="", gender=None, channel=None, stage=None, tags=(), notes="",
    marketing_consent=None, seed_user=None, referrer=None, points=None, spend_fen=None,
    orders=None, first_visit=None, last_visit=None, created=None)


def person(line: int, name: str, *folded: int, **values: object) -> CustomerRow:
    return replace(BLANK, line=line, lines=(line, *folded), name=name, **values)  # type: ignore[arg-type]  # the test names CustomerRow's own fields


def customers(path: Path, mapping: dict[str, str] | None = None) -> Parsed[CustomerRow]:
    return parse_customers(path, mapping, TODAY, "CN", TZ)


# -- encodings ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("encoding", "name", "seen"), [
    ("utf-8", "吉祥😀", "utf-8"), ("utf-8-sig", "吉祥", "utf-8-sig"), ("gbk", "吉祥", "gb18030"),
    ("gb18030", "𠮷野家", "gb18030")])
def test_each_encoding_reads_the_same_rows(tmp_path: Path, encoding: str, name: str,
                                           seen: str) -> None:
    path = corpus.write_csv(tmp_path / "c.csv", ("姓名", "手机"),
                            [(name, "13800138000")], encoding=encoding)
    parsed = customers(path)
    assert parsed.encoding == seen
    assert parsed.rows == (person(2, name, phone="+8613800138000"),)
    assert parsed.refusals == ()


@pytest.mark.parametrize("data", [
    b"\xff\xfe" + "姓名,手机\n张三,13800138000\n".encode("utf-16-le"),
    b"\xfe\xff" + "姓名,手机\n张三,13800138000\n".encode("utf-16-be"),
    "姓名,手机\n张三,13800138000\n".encode("utf-16-le")])  # no BOM: NUL bytes give it away
def test_utf16_is_refused_with_how_to_resave(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "u.csv"
    path.write_bytes(data)
    with pytest.raises(ImportRefused) as caught:
        customers(path)
    assert caught.value.code == "import.encoding.utf16"
    assert caught.value.params == {"name": "u.csv"}


@pytest.mark.parametrize("bad", [b"\x80\xff", b"caf\xe9\n", b"\xef\xbb\xbf\xc3"])
def test_bytes_no_encoding_reads_cleanly_are_refused(tmp_path: Path, bad: bytes) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\xef\xbb\xbf" * bad.startswith(b"\xef") + "姓名,手机\n张三,".encode()
                     + bad.removeprefix(b"\xef\xbb\xbf") + b"\n")
    with pytest.raises(ImportRefused) as caught:
        customers(path)
    assert caught.value.code == "import.encoding"
    assert caught.value.params == {"name": "bad.csv", "tried": "UTF-8, UTF-8 BOM, GB18030"}


@pytest.mark.parametrize(("encoding", "header", "rows"), [
    ("big5", ("姓名", "電話", "備註"), [("陳美玲", "13800138000", "喜歡喝咖啡，每週來兩次"),
                                     ("林志明", "13900139000", "會員生日送蛋糕")]),
    ("shift_jis", ("名前", "電話", "備考"), [("山田太郎", "13800138000", "毎週コーヒーを買う"),
                                         ("佐藤花子", "13900139000", "誕生日")])])
def test_other_encodings_that_decode_as_nonsense_are_refused(
        tmp_path: Path, encoding: str, header: tuple[str, ...],
        rows: list[tuple[str, str, str]]) -> None:
    path = corpus.write_csv(tmp_path / "o.csv", header, rows, encoding=encoding)
    with pytest.raises(ImportRefused) as caught:
        customers(path)
    assert (caught.value.code, caught.value.params) == ("import.encoding.other",
                                                        {"name": "o.csv"})


def test_rare_characters_in_names_are_still_chinese(tmp_path: Path) -> None:
    names = ["王玥", "李堃", "赵珺", "刘昇", "陈喆", "杨赟", "黄崧", "周镕"]
    path = corpus.write_csv(tmp_path / "r.csv", ("姓名", "手机"), [
        (n, f"1380013800{i}") for i, n in enumerate(names)], encoding="gbk")
    assert [r.name for r in customers(path).rows] == names


# -- the file as a whole -----------------------------------------------------------------------
def refusal_of(path: Path) -> tuple[str, dict[str, object]]:
    with pytest.raises(ImportRefused) as caught:
        sheet.read_sheet(path)
    return caught.value.code, caught.value.params


def test_files_that_cannot_be_read_are_refused_naming_the_fix(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert refusal_of(empty) == ("import.file.empty", {"name": "empty.csv"})
    spaces = tmp_path / "spaces.csv"
    spaces.write_text(",,\n\n", encoding="utf-8")
    assert refusal_of(spaces) == ("import.file.empty", {"name": "spaces.csv"})
    assert refusal_of(tmp_path / "gone.csv") == ("import.file.missing",
                                                 {"path": str(tmp_path / "gone.csv")})
    assert refusal_of(tmp_path) == ("import.file.folder", {"path": str(tmp_path)})
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")  # the start of an old workbook, cut off
    assert refusal_of(old) == ("import.file.bad_xlsx", {"name": "old.xls"})
    pdf = tmp_path / "list.pdf"
    pdf.write_bytes(b"%PDF")
    assert refusal_of(pdf)[0] == "import.file.type"
    fake = tmp_path / "fake.xlsx"
    fake.write_text("姓名\n张三\n", encoding="utf-8")
    assert refusal_of(fake) == ("import.file.bad_xlsx", {"name": "fake.xlsx"})
    headless = tmp_path / "headless.csv"
    headless.write_text("\n张三,13800138000\n", encoding="utf-8")
    assert refusal_of(headless) == ("import.file.no_header", {"name": "headless.csv"})
    twice = corpus.write_csv(tmp_path / "twice.csv", ("姓名", "手机", "姓名", "手机"), [])
    assert refusal_of(twice) == ("import.header.duplicate",
                                 {"name": "twice.csv", "headers": "姓名, 手机"})
    gap = corpus.write_csv(tmp_path / "gap.csv", ("姓名", "", "手机", ""), [])
    assert refusal_of(gap) == ("import.header.blank", {"name": "gap.csv", "column": "2"})
    big = corpus.write_csv(tmp_path / "big.csv", ("姓名",), [("张三",)] * 100)
    monkeypatch.setattr(sheet, "MAX_BYTES", 100)
    assert refusal_of(big) == ("import.file.too_big", {"name": "big.csv", "mb": "0",
                                                       "max": "0"})


def test_blank_rows_are_skipped_and_counted_and_lines_stay_the_sheets(tmp_path: Path) -> None:
    path = tmp_path / "gaps.csv"
    path.write_text("姓名,手机,,\n张三,13800138000,,\n,,,\n  ,\t\n李四,13900139000\n"
                    "张三,13800138000,,\n\n", encoding="utf-8")
    parsed = customers(path)
    assert (parsed.lines, parsed.blank, parsed.folded) == (3, 2, 1)  # the last blank: no row
    assert parsed.rows == (person(2, "张三", 6, phone="+8613800138000"),
                           person(5, "李四", phone="+8613900139000"))
    assert parsed.refusals == ()


def test_our_exports_formula_apostrophe_is_undone_and_nothing_else(tmp_path: Path) -> None:
    path = corpus.write_csv(tmp_path / "q.csv", ("name", "phone", "notes"), [
        ("'=cmd", "'+8613800138000", "'=SUM(A1)"),
        ("'小王", "13900139000", "'@home '+1"),
        ("-x", "13700137000", "  '\tindented")])
    assert [(r.name, r.phone, r.notes) for r in customers(path).rows] == [
        ("=cmd", "+8613800138000", "=SUM(A1)"),
        ("'小王", "+8613900139000", "@home '+1"),
        ("-x", "+8613700137000", "indented")]


# -- headers -------------------------------------------------------------------------------------
def test_an_export_reads_back_without_a_mapping() -> None:
    columns = map_columns("customers", dumps.CUSTOMER_COLUMNS)
    assert all(c.by == "auto" and c.field for c in columns), columns
    assert [c.field for c in columns][:3] == ["name", "phone", "member_code"]
    sales = map_columns("purchases", dumps.PURCHASE_COLUMNS)
    assert [(c.field, c.why_not) for c in sales] == [
        ("order_id", ""), ("member_code", ""), ("phone", ""), ("at", ""), ("amount", ""),
        ("items", ""), ("refund_of", ""), (None, "import.column.not_kept.staff")]


def test_headers_match_whatever_the_case_spacing_or_punctuation() -> None:
    columns = map_columns("customers", ("Phone Number", "ＮＡＭＥ", " 手机号码 ", "Wechat-ID"),
                          {" 手机号码 ": ""})
    assert columns == (Column("Phone Number", "phone", "auto"),
                       Column("ＮＡＭＥ", "name", "auto"),
                       Column(" 手机号码 ", None, "map", "import.column.left_out"),
                       Column("Wechat-ID", "wechat_id", "auto"))


@pytest.mark.parametrize(("kind", "headers", "mapping", "code", "params"), [
    ("customers", ("姓名", "手机"), {"电话": "phone"}, "import.map.no_header",
     {"header": "电话", "headers": "姓名, 手机"}),
    ("customers", ("姓名", "手机"), {"手机": "mobile"}, "import.map.no_field",
     {"field": "mobile", "fields": ", ".join(("name", "nickname", "phone", "wechat_id",
                                              "external_id", "member_code", "birthday",
                                              "gender", "channel", "stage", "tags", "notes",
                                              "marketing_consent", "seed_user", "referrer",
                                              "points", "spend", "orders", "first_visit",
                                              "last_visit", "created"))}),
    ("customers", ("手机", "联系电话"), None, "import.map.twice",
     {"field": "phone", "headers": "手机, 联系电话", "leave_out": "联系电话="}),
    ("customers", ("姓名", "电话2"), {"电话2": "name"}, "import.map.twice",
     {"field": "name", "headers": "姓名, 电话2", "leave_out": "电话2="}),
    ("customers", ("姓名", "积分"), None, "import.map.no_key",
     {"fields": "phone, wechat_id, external_id, member_code"}),
    ("purchases", ("手机", "金额"), None, "import.map.missing", {"field": "at"}),
    ("purchases", ("手机", "时间"), None, "import.map.missing", {"field": "amount"}),
    ("purchases", ("姓名", "时间", "金额"), None, "import.map.no_key",
     {"fields": "phone, member_code"}),
])
def test_a_mapping_that_does_not_fit_is_refused_with_the_fix(
        kind: str, headers: tuple[str, ...], mapping: dict[str, str] | None, code: str,
        params: dict[str, str]) -> None:
    with pytest.raises(ImportRefused) as caught:
        map_columns(kind, headers, mapping)  # type: ignore[arg-type]  # kind: a Kind literal
    assert (caught.value.code, caught.value.params) == (code, params)


def test_a_mapping_names_a_column_the_names_did_not_know(tmp_path: Path) -> None:
    path = corpus.write_csv(tmp_path / "m.csv", ("客户", "号码", "余额"),
                            [("张三", "13800138000", "5")])
    with pytest.raises(ImportRefused):
        customers(path)
    parsed = customers(path, {"客户": "name", "号码": "phone"})
    assert parsed.columns == (Column("客户", "name", "map"), Column("号码", "phone", "map"),
                              Column("余额", None, "none", "import.column.not_kept.balance"))
    assert parsed.rows == (person(2, "张三", phone="+8613800138000"),)


# -- phones ----------------------------------------------------------------------------------------
def test_phones_as_people_and_excel_write_them(tmp_path: Path) -> None:
    path = corpus.write_csv(tmp_path / "p.csv", ("姓名", "手机", "微信号"), [
        ("全角", "１３８００１３８０００", ""), ("加86", "+86 139 0013 9000", ""),
        ("零零86", "0086-137-0013-7000", ""), ("横线", "136-0013-6000", ""),
        ("空格", "135 0013 5000", ""), ("科学计数", "1.38001E+10", ""),
        ("掩码", "138****8000", "zhang_san8"), ("乱码", "12345", "")])
    parsed = customers(path)
    assert parsed.rows == (
        person(2, "全角", phone="+8613800138000"), person(3, "加86", phone="+8613900139000"),
        person(4, "零零86", phone="+8613700137000"), person(5, "横线", phone="+8613600136000"),
        person(6, "空格", phone="+8613500135000"), person(8, "掩码", wechat_id="zhang_san8"))
    assert parsed.refusals == (
        Refusal(7, "手机", "1.38001E+10", "phone.excel_float", {"value": "1.38001E+10"}),
        Refusal(8, "手机", "138****8000", "import.phone.masked", {"value": "138****8000"}),
        Refusal(9, "手机", "12345", "phone.invalid", {"value": "12345"}))


def test_the_mobile_shortcut_agrees_with_the_stores_parser_on_every_prefix_and_spelling(
) -> None:
    rng = random.Random(13)
    for prefix in range(1300, 2000):
        for _ in range(3):
            digits = f"{prefix}{rng.randrange(10**7):07d}"
            text = rng.choice(["{}", "{} ", "+86 {}", "+86{}", "0086 {}", "0086-{}", "86 {}",
                               "+852 {}", "0{}", "{}1"]).format(rng.choice(
                [digits, f"{digits[:3]} {digits[3:7]} {digits[7:]}",
                 f"{digits[:3]}-{digits[3:7]}-{digits[7:]}",
                 digits.translate(str.maketrans("0123456789", "０１２３４５６７８９"))]))
            try:
                slow: str | None = parse_phone(text, "CN").e164
            except ValidationError:
                slow = None
            try:
                fast: str | None = cells.phone(text, "CN")
            except ValidationError:
                fast = None
            assert fast == slow, text


# -- dates, birthdays, codes ---------------------------------------------------------------------
def test_dates_as_other_systems_store_them(tmp_path: Path) -> None:
    times = ["1700000000", "1700000000000", "45292", "45292.5", "2024年3月5日",
             "2024.03.05 14:30", "2024/3/5 14:30:15", "60", "2027-01-01", "1899-12-31",
             "2024-02-30", "昨天"]
    path = corpus.write_csv(tmp_path / "d.csv", ("姓名", "手机", "最近消费"), [
        (f"客{i}", f"1380013{i:04d}", when) for i, when in enumerate(times)])
    parsed = customers(path)
    assert [r.last_visit for r in parsed.rows] == [
        "2023-11-14T22:13:20+00:00", "2023-11-14T22:13:20+00:00",
        "2023-12-31T16:00:00+00:00", "2024-01-01T04:00:00+00:00",
        "2024-03-04T16:00:00+00:00", "2024-03-05T06:30:00+00:00",
        "2024-03-05T06:30:15+00:00", None, None, None, None, None]
    assert [(r.line, r.column, r.value, r.code) for r in parsed.refusals] == [
        (9, "最近消费", "60", "import.date.serial60"),
        (10, "最近消费", "2027-01-01", "import.date.future"),
        (11, "最近消费", "1899-12-31", "import.date.early"),
        (12, "最近消费", "2024-02-30", "import.date.invalid"),
        (13, "最近消费", "昨天", "import.date.format")]


def test_birthdays_month_day_or_full_and_lunar_kept_out(tmp_path: Path) -> None:
    days = ["03-05", "3月5日", "1990/3/5", "1990-03-05 00:00:00", "32937", "02-29",
            "阴历三月初五", "农历 03-05", "公历1990-03-05", "13-01", "2030-01-01"]
    path = corpus.write_csv(tmp_path / "b.csv", ("姓名", "手机", "生日"), [
        (f"客{i}", f"1380013{i:04d}", day) for i, day in enumerate(days)])
    parsed = customers(path)
    assert [r.birthday for r in parsed.rows] == [
        "03-05", "03-05", "1990-03-05", "1990-03-05", "1990-03-05", "02-29",
        "", "", "1990-03-05", "", ""]
    assert [(r.line, r.value, r.code) for r in parsed.refusals] == [
        (8, "阴历三月初五", "import.birthday.lunar"), (9, "农历 03-05", "import.birthday.lunar"),
        (11, "13-01", "birthday.invalid"), (12, "2030-01-01", "birthday.year")]


def test_genders_flags_channels_stages_and_numbers(tmp_path: Path) -> None:
    path = corpus.write_csv(
        tmp_path / "g.csv", ("姓名", "手机", "性别", "种子用户", "来源", "阶段", "积分",
                             "累计消费", "消费次数"), [
            ("甲", "13800130001", "男", "是", "老客推荐", "信任", "1,000", "¥1,234.50", "3"),
            ("乙", "13800130002", "F", "no", "Mini-program", "Dormant", "０", "58", "0"),
            ("丙", "13800130003", "0", "Y", "counter", "initial", "", "1234", ""),
            ("丁", "13800130004", "未知", "maybe", "抖音", "VIP", "2.5", "1.005", "-1")])
    parsed = customers(path)
    assert [(r.gender, r.seed_user, r.channel, r.stage, r.points, r.spend_fen, r.orders)
            for r in parsed.rows] == [
        ("male", True, "referral", "trust", 1000, 123450, 3),
        ("female", False, "mini_program", "dormant", 0, 5800, 0),
        (None, True, "counter", "initial", None, 123400, None),
        (None, None, None, None, None, None, None)]
    assert [(r.line, r.column, r.code) for r in parsed.refusals] == [
        (5, "种子用户", "import.flag"), (5, "来源", "import.channel"),
        (5, "阶段", "import.stage"), (5, "积分", "gate.whole.fraction"),
        (5, "累计消费", "money.decimals"), (5, "消费次数", "gate.whole.range")]


# -- names, folding, the real shapes --------------------------------------------------------------
def test_names_are_never_cut_and_a_nickname_stands_in(tmp_path: Path) -> None:
    long = "很" * 41
    path = corpus.write_csv(tmp_path / "n.csv", ("姓名", "昵称", "手机"), [
        (long, "", "13800130001"), ("", "阿花🌸", "13800130002"), ("", "", "13800130003"),
        ("小明😀", "明明", "13800130004"), ("a\u202eb", "", "13800130005")])
    parsed = customers(path)
    assert parsed.rows == (person(3, "阿花🌸", phone="+8613800130002"),
                           person(5, "小明😀", phone="+8613800130004"))
    assert parsed.refusals == (
        Refusal(2, "姓名", long, "gate.text.too_long", {"max": "40", "count": "41"}),
        Refusal(4, "姓名", "", "import.row.no_name", {}),
        Refusal(6, "姓名", "a\u202eb", "gate.text.hidden", {"char": "U+202E"}))


def test_rows_of_one_person_fold_and_differences_are_listed(tmp_path: Path) -> None:
    header = ("姓名", "手机", "微信号", "生日", "标签", "备注")
    path = corpus.write_csv(tmp_path / "f.csv", header, [
        ("张三", "13800138000", "", "", "常客|宝妈", "爱喝拿铁"),
        ("张三丰", "138 0013 8000", "zs_wechat", "03-05", "宝妈|团购|糖尿病", "爱喝拿铁"),
        ("张三", "", "zs_wechat", "04-01", "", "周末来"),
        ("张三", "13800138000", "", "", "常客|宝妈", "爱喝拿铁")])
    parsed = customers(path)
    assert parsed.rows == (person(
        2, "张三", 3, 4, 5, phone="+8613800138000", wechat_id="zs_wechat", birthday="03-05",
        tags=("常客", "宝妈", "团购"), notes="爱喝拿铁\n周末来"),)
    assert parsed.folded == 3
    assert parsed.refusals == (
        Refusal(3, "标签", "糖尿病", "tag.sensitive", {"name": "糖尿病"}),
        Refusal(3, "姓名", "张三丰", "import.fold.conflict", {"kept": "张三"}),
        Refusal(4, "生日", "04-01", "import.fold.conflict", {"kept": "03-05"}))


def test_youzan_export(tmp_path: Path) -> None:
    parsed = customers(corpus.youzan(tmp_path))
    assert [(c.field, c.why_not) for c in parsed.columns] == [
        ("name", ""), ("nickname", ""), (None, "import.column.not_kept.level"),
        (None, "import.column.not_kept.level"), ("phone", ""), ("points", ""),
        (None, "import.column.not_kept.balance")]
    assert parsed.rows == (person(2, "张三", phone="+8613800138000", points=120),
                           person(3, "小李😀", phone="+8613900139000", points=0))
    assert parsed.refusals == (Refusal(4, "客户姓名", "", "import.row.no_name", {}),)


def test_wecom_contacts_one_person_added_by_three_staff(tmp_path: Path) -> None:
    parsed = customers(corpus.wecom(tmp_path))
    assert parsed.columns[3] == Column("添加人", None, "none", "import.column.not_kept.staff")
    assert parsed.rows == (
        person(2, "王芳", 3, 4, external_id="wmABC123", gender="female",
               tags=("常客", "宝妈", "团购"), notes="爱喝拿铁\n周末来",
               created="2023-11-14T22:13:20+00:00"),  # the earliest of the three adds
        person(5, "赵六", external_id="wmXYZ789", gender="male",
               created="2023-11-14T22:13:20+00:00"),
        person(6, "匿名", external_id="wmQQQ000", created="2023-11-14T22:13:20+00:00"))
    assert (parsed.lines, parsed.folded, parsed.refusals) == (5, 2, ())


def test_pos_member_list_in_gbk(tmp_path: Path) -> None:
    parsed = customers(corpus.pos(tmp_path))
    assert parsed.encoding == "gb18030"
    assert [c.why_not for c in parsed.columns if c.field is None] == [
        "import.column.not_kept.discount", "import.column.not_kept.balance",
        "import.column.not_kept.store", "import.column.not_kept.staff"]
    assert parsed.rows == (
        person(2, "刘一", phone="+8613800138000", member_code="V0001", birthday="1990-03-05",
               points=300),
        person(3, "陈二", member_code="V0002", points=10),  # the phone refused, the card kept
        person(4, "张三", member_code="V0003", birthday="1990-03-05", points=0))
    assert parsed.refusals == (
        Refusal(3, "手机号", "1.38001E+10", "phone.excel_float", {"value": "1.38001E+10"}),
        Refusal(3, "生日", "农历 03-05", "import.birthday.lunar", {"value": "农历 03-05"}))


def test_xlsx_numbers_dates_and_a_phone_typed_as_a_number(tmp_path: Path) -> None:
    path = corpus.write_xlsx(tmp_path / "s.xlsx", (
        "姓名", "手机", "积分", "累计消费", "最近消费", "生日", "备注", "会员卡号"), [
        ("张三", 13800138000, 120, 1234.5, datetime(2025, 3, 1, 14, 30), datetime(1990, 3, 5),
         "'=SUM(A1)", 1001),
        ("李四", 13900139000.0, 0.0, 0.1, 45292, None, None, None),
        (None, None, None, None, None, None, None, None),
        ("王五", 1.38001e10, 1.5, 12.345, "2025-01-01", "03-05", True, None)])
    parsed = customers(path)
    assert (parsed.encoding, parsed.lines, parsed.blank) == ("xlsx", 3, 1)
    assert parsed.rows == (
        person(2, "张三", phone="+8613800138000", points=120, spend_fen=123450,
               last_visit="2025-03-01T06:30:00+00:00", birthday="1990-03-05",
               notes="=SUM(A1)", member_code="1001"),
        person(3, "李四", phone="+8613900139000", points=0, spend_fen=10,
               last_visit="2023-12-31T16:00:00+00:00"),
        person(5, "王五", phone="+8613800100000", spend_fen=None,
               last_visit="2024-12-31T16:00:00+00:00", birthday="03-05", notes="1"))
    assert [(r.line, r.column, r.value, r.code) for r in parsed.refusals] == [
        (5, "积分", "1.5", "gate.whole.fraction"), (5, "累计消费", "12.345", "money.decimals")]


# -- purchases ----------------------------------------------------------------------------------
def test_purchase_history_rows_and_refusals(tmp_path: Path) -> None:
    header = ("订单号", "手机号", "会员卡号", "消费时间", "实付金额", "商品", "原订单号", "收银员")
    path = corpus.write_csv(tmp_path / "sales.csv", header, [
        ("A1", "13800138000", "", "2025-03-01 14:30", "¥1,234.50", "拿铁", "", "小王"),
        ("A2", "", "v-0001", "2025/3/2 10:00", "58", "", "", ""),
        ("A3", "13800138000", "", "1740900000", "-12.50", "", "A1", ""),
        ("A4", "13800138000", "", "2025-03-03 10:00", "-5", "", "", ""),
        ("A5", "13800138000", "", "2025-03-03 10:00", "0", "", "", ""),
        ("A6", "13800138000", "", "", "10", "", "", ""),
        ("A7", "", "", "2025-03-03 10:00", "10", "", "", ""),
        ("A1", "13800138000", "", "2025-03-01 14:30", "1234.50", "拿铁", "", ""),
        ("A9", "1.38001E+10", "V0002", "2025-03-03 10:00", "10", "", "", ""),
        ("A10", "13800138000", "", "2025-03-03 10:00", "10.005", "", "", "")])
    parsed = parse_purchases(path, None, TODAY, "CN", TZ)
    assert parsed.rows == (
        PurchaseRow(2, "+8613800138000", None, None, "2025-03-01T06:30:00+00:00", 123450,
                    "拿铁", "A1", None),
        PurchaseRow(3, None, "V0001", None, "2025-03-02T02:00:00+00:00", 5800, "", "A2",
                    None),
        PurchaseRow(4, "+8613800138000", None, None, "2025-03-02T07:20:00+00:00", -1250, "",
                    "A3", "A1"),
        PurchaseRow(10, None, "V0002", None, "2025-03-03T02:00:00+00:00", 1000, "", "A9",
                    None))
    assert [(r.line, r.column, r.value, r.code, r.params) for r in parsed.refusals] == [
        (5, "实付金额", "-5", "import.amount.refund_of", {}),
        (6, "实付金额", "0", "import.amount.zero", {}),
        (7, "消费时间", "", "import.row.missing", {"field": "at"}),
        (8, "", "", "import.row.no_key", {"fields": "phone, member_code"}),
        (9, "订单号", "A1", "import.order.twice", {"first": "2"}),
        (10, "手机号", "1.38001E+10", "phone.excel_float", {"value": "1.38001E+10"}),
        (11, "实付金额", "10.005", "money.decimals", {"value": "10.005"})]
    assert parsed.columns[-1].why_not == "import.column.not_kept.staff"


# -- nothing but refusals ------------------------------------------------------------------------
ZONE = ZoneInfo(TZ)
READERS = (
    lambda t: cells.phone(t, "CN"), cells.gender, cells.channel, cells.stage, cells.flag,
    cells.tag, cells.money, cells.spend, cells.points, cells.orders, cells.wechat,
    cells.external_id, lambda t: cells.code(t, "member_code"),
    lambda t: cells.moment(t, "at", ZONE, TODAY), lambda t: cells.birthday(t, TODAY))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40) | st.from_regex(r"[0-9０-９.,:/年月日 +-]{1,20}", fullmatch=True))
def test_any_cell_gives_a_value_or_a_refusal_never_a_crash(text: str) -> None:
    for read in READERS:
        try:
            read(text.strip())
        except ValidationError as exc:
            assert exc.fields


TEXT = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")  # writable


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.text(TEXT, max_size=12), min_size=3, max_size=3), max_size=6))
def test_any_csv_reads_into_rows_and_refusals(tmp_path_factory: pytest.TempPathFactory,
                                              rows: list[list[str]]) -> None:
    path = corpus.write_csv(tmp_path_factory.mktemp("h") / "h.csv", ("姓名", "手机", "生日"),
                            rows)
    parsed = customers(path)
    seen = {line for r in parsed.rows for line in r.lines}  # every data line: in or refused
    assert len(seen) + len({r.line for r in parsed.refusals if r.line not in seen}) \
        == parsed.lines


def test_extra_cells_past_the_header_refuse_the_row_and_tabs_separate_a_txt(
        tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("姓名\t手机\t\n张三\t13800138000\t\t\n李四\t13900139000\t多的\n",
                    encoding="utf-8")
    parsed = customers(path)
    assert parsed.rows == (person(2, "张三", phone="+8613800138000"),)
    assert parsed.refusals == (
        Refusal(3, "", "", "import.row.extra_cells", {"count": "3", "headers": "2"}),)


def test_every_import_code_has_a_sentence_in_both_languages() -> None:
    import re

    from console.locales import en, zh
    from db.imports import fields

    root = Path(__file__).resolve().parent.parent / "db" / "imports"
    found = set()
    for module in root.glob("*.py"):
        found |= set(re.findall(r'"(import\.[a-z0-9_.]+[a-z0-9_])"', module.read_text("utf-8")))
    found |= {fields.NOT_KEPT_CODE + reason for reason in fields.NOT_KEPT}
    found.discard(fields.NOT_KEPT_CODE.rstrip("."))
    assert len(found) > 40
    assert not {code for code in found if code not in en.MESSAGES or code not in zh.MESSAGES}


def test_a_damaged_workbook_or_csv_is_refused_not_a_traceback(tmp_path: Path) -> None:
    whole = corpus.write_xlsx(tmp_path / "whole.xlsx", ("姓名", "手机"), [("张三", 1)])
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(whole.read_bytes()[:-200])
    assert refusal_of(cut) == ("import.file.bad_xlsx", {"name": "cut.xlsx"})
    huge = tmp_path / "huge.csv"
    huge.write_text("姓名,备注\n张三,\"" + "很" * 200_000 + "\"\n", encoding="utf-8")
    code, params = refusal_of(huge)
    assert (code, params["name"]) == ("import.file.bad_csv", "huge.csv")
