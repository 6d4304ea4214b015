"""Files to import, written by the tests themselves (no binary fixtures): CSV in a chosen
encoding, XLSX through openpyxl, and the shapes real exports have (Youzan, WeCom, a POS
member list), plus large generated files for timing. The apply tests reuse these."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

Cell = str | int | float | datetime | None

YOUZAN_HEADER = ("客户姓名", "客户昵称", "免费等级", "付费等级", "客户手机号", "客户积分",
                 "客户储值余额")
WECOM_HEADER = ("客户名称", "external_userid", "性别", "添加人", "备注", "标签", "添加时间")
POS_HEADER = ("会员卡号", "姓名", "手机号", "折扣", "积分", "余额", "生日", "发卡门店", "营业员")


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Cell]],
              encoding: str = "utf-8") -> Path:
    """A CSV as the given encoding writes it ("utf-8-sig" and "utf-16" add their BOM)."""
    path.write_bytes(csv_text(header, rows).encode(encoding))
    return path


def write_xlsx(path: Path, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Path:
    """Values keep their Python type: ints and floats become number cells, a datetime a
    date cell (what a shop's own Excel sheet holds)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def youzan(folder: Path) -> Path:
    return write_csv(folder / "youzan.csv", YOUZAN_HEADER, [
        ("张三", "三哥", "普通会员", "", "13800138000", "120", "50.00"),
        ("", "小李😀", "", "黄金会员", "+86 139-0013-9000", "0", "0.00"),
        ("", "", "", "", "13700137000", "5", ""),  # no name, no nickname
    ], encoding="utf-8-sig")


def wecom(folder: Path) -> Path:
    """One WeChat user added by three staff members: three rows, one person."""
    return write_csv(folder / "wecom.csv", WECOM_HEADER, [
        ("王芳", "wmABC123", "2", "小陈", "爱喝拿铁", "常客,宝妈", "1700000000"),
        ("王芳", "wmABC123", "2", "小刘", "周末来", "常客、团购", "1700003600"),
        ("王芳", "wmABC123", "2", "小赵", "爱喝拿铁", "", "1700007200"),
        ("赵六", "wmXYZ789", "1", "小陈", "", "", "1700000000"),
        ("匿名", "wmQQQ000", "0", "小陈", "", "", "1700000000"),
    ])


def pos(folder: Path) -> Path:
    return write_csv(folder / "pos.csv", POS_HEADER, [
        ("V0001", "刘一", "138-0013-8000", "9.5", "300", "88.00", "1990/3/5", "总店", "小王"),
        ("V0002", "陈二", "1.38001E+10", "9.5", "10", "0", "农历 03-05", "总店", "小王"),
        ("V0003", "张三", "", "", "0", "", "32937", "分店", "小李"),
    ], encoding="gbk")


def customers(folder: Path, count: int, seed: int = 13) -> Path:
    """``count`` distinct customers in the export's own columns, for timing."""
    rng = random.Random(seed)
    surnames, given = "王李张刘陈杨黄赵吴周", "伟芳娜敏静丽强磊军洋勇艳杰涛明"
    header = ("name", "phone", "gender", "birthday", "tags", "notes", "points",
              "lifetime_spend_yuan", "orders", "last_visit", "created")
    rows = []
    for i in range(count):
        rows.append((
            rng.choice(surnames) + rng.choice(given) + rng.choice(given),
            f"13{rng.randint(0, 9)}{i:08d}", rng.choice(("female", "male", "")),
            f"{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            rng.choice(("", "常客", "常客|宝妈")), "", str(rng.randint(0, 999)),
            f"{rng.randint(0, 99999)}.{rng.randint(0, 99):02d}", str(rng.randint(0, 50)),
            f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} 12:30:00",
            "2024-01-01 09:00:00"))
    return write_csv(folder / f"customers-{count}.csv", header, rows, encoding="utf-8-sig")


def purchases(folder: Path, count: int, people: int = 50_000, seed: int = 13) -> Path:
    """``count`` sales by ``people`` customers (by phone), for timing."""
    rng = random.Random(seed)
    header = ("id", "phone", "time", "amount_yuan", "items")
    path = folder / f"purchases-{count}.csv"
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for i in range(count):
            writer.writerow((
                f"P{i}", f"1390{rng.randrange(people):07d}",
                f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                f" {rng.randint(8, 21):02d}:{rng.randint(0, 59):02d}:00",
                f"{rng.randint(1, 999)}.{rng.randint(0, 99):02d}", "拿铁"))
    return path
