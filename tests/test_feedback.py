"""Feedback: capture, the status path, linking, the owner's summary (fixed clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from db import feedback
from db.customers import CustomerInput
from db.errors import RegularsError, ValidationError
from db.shop import Shop
from tests.conftest import HandClock

START = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)


Clock = HandClock


@pytest.fixture
def clock() -> Clock:
    return HandClock(START)


def add(shop: Shop, customer: int | None, category: str = "quality", words: str = "面包有点硬",
        **extra: str) -> int:
    with shop.store.write(shop.actor, "feedback.add") as tx:
        return feedback.add(tx, customer, category, words, **extra)


def item(shop: Shop, item_id: int) -> feedback.Item:
    with shop.store.read() as conn:
        return feedback.get(conn, item_id)


def move(shop: Shop, item_id: int, status: str, note: str | None = None) -> list[int]:
    with shop.store.write(shop.actor, "feedback.add") as tx:
        return feedback.set_status(tx, item_id, status, note)


def test_long_cjk_and_emoji_words_round_trip_unchanged(shop: Shop) -> None:
    words = ("周二的全麦面包又卖完了😤，能不能多做一点？\n" * 200)[:3999] + "🍞"
    assert len(words) == 4000
    cid = shop.customers.add(CustomerInput(name="王芳", phone="13911112222", is_seed_user=True)).id
    fid = add(shop, cid, "supply", words, sentiment="complaint", product="全麦面包",
              supplier="城东面粉厂")
    got = item(shop, fid)
    assert got.words == words
    assert (got.product, got.supplier, got.seed_user) == ("全麦面包", "城东面粉厂", True)
    with pytest.raises(ValidationError) as err:
        add(shop, cid, "supply", words + "多")
    assert err.value.fields["words"][0] == "feedback.too_long"
    for bad in ("", "   \n"):
        with pytest.raises(ValidationError):
            add(shop, None, "other", bad)
    with pytest.raises(ValidationError) as err:
        add(shop, None, "taste", "太甜")
    assert err.value.fields["category"][0] == "feedback.category"


def test_a_known_product_brings_its_supplier(shop: Shop) -> None:
    add(shop, None, product="蛋挞", supplier="南城蛋品")
    later = add(shop, None, product="  蛋挞 ")  # same product, typed loosely
    assert (item(shop, later).product, item(shop, later).supplier) == ("蛋挞", "南城蛋品")
    with shop.store.read() as conn:
        assert feedback.names(conn, "products") == ["蛋挞"]


def test_status_path_and_an_illegal_jump(shop: Shop) -> None:
    fid = add(shop, None)
    with pytest.raises(RegularsError) as err:
        move(shop, fid, "done")
    assert err.value.code == "feedback.bad_transition"
    assert err.value.params == {"old": "new", "new": "done", "allowed": "reviewing, declined"}
    assert item(shop, fid).status == "new"  # nothing changed
    for status in ("reviewing", "planned", "done"):
        move(shop, fid, status, note="周二多烤两炉" if status == "planned" else None)
    done = item(shop, fid)
    assert (done.status, done.owner_note) == ("done", "周二多烤两炉") and done.done_at
    move(shop, fid, "reviewing")  # reopened
    assert item(shop, fid).done_at is None
    with pytest.raises(ValidationError):
        move(shop, fid, "finished")


def test_linking_folds_duplicates_and_unlinking_undoes_it(shop: Shop) -> None:
    a, b, c = (add(shop, None) for _ in range(3))
    move(shop, a, "reviewing")
    with shop.store.write(shop.actor, "feedback.add") as tx:
        assert feedback.link(tx, [c, b]) == b
        assert feedback.link(tx, [a, c]) == a  # c's whole group comes along
    assert [item(shop, x).group_id for x in (a, b, c)] == [a, a, a]
    assert {item(shop, x).status for x in (a, b, c)} == {"reviewing"}  # the head's status
    assert move(shop, b, "planned") == [a, b, c]  # the group moves together
    with shop.store.write(shop.actor, "feedback.add") as tx:
        feedback.unlink(tx, a)  # the head leaves: the oldest of the rest heads the group
    assert [item(shop, x).group_id for x in (a, b, c)] == [None, b, b]
    with shop.store.write(shop.actor, "feedback.add") as tx:
        feedback.unlink(tx, c)
    assert [item(shop, x).group_id for x in (a, b, c)] == [None, None, None]
    with pytest.raises(RegularsError) as err, shop.store.write(shop.actor, "feedback.add") as tx:
        feedback.unlink(tx, c)
    assert err.value.code == "feedback.not_linked"
    with pytest.raises(RegularsError), shop.store.write(shop.actor, "feedback.add") as tx:
        feedback.link(tx, [a])


def test_summary_counts_and_compares_periods(shop: Shop, clock: Clock) -> None:
    # 35 to 60 days ago: the period before the last 30 days
    for days_ago, product in ((50, "全麦面包"), (40, "全麦面包"), (40, "蛋挞")):
        clock.now = START - timedelta(days=days_ago)
        add(shop, None, "supply", product=product, supplier="城东面粉厂")
    # the last 30 days
    for days_ago, product, category in ((20, "全麦面包", "supply"), (10, "蛋挞", "quality"),
                                        (5, "蛋挞", "quality"), (1, "蛋挞", "price")):
        clock.now = START - timedelta(days=days_ago)
        add(shop, None, category, product=product)
    clock.now = START - timedelta(days=3)
    fixed = add(shop, None, "service")
    move(shop, fixed, "reviewing")
    clock.now = START - timedelta(days=1)
    move(shop, fixed, "done")
    clock.now = START
    with shop.store.read() as conn:
        s = feedback.summary(conn, shop.store.now())
    assert s.open_by_category == {"supply": 4, "quality": 2, "price": 1}
    assert [(m.name, m.recent, m.before) for m in s.products[30]] == [
        ("蛋挞", 3, 1), ("全麦面包", 1, 2)]
    assert [(m.name, m.recent, m.before) for m in s.products[90]] == [
        ("蛋挞", 4, 0), ("全麦面包", 3, 0)]
    # both products came in from that supplier, so every later item names it too
    assert [(m.name, m.recent, m.before) for m in s.suppliers[30]] == [("城东面粉厂", 4, 3)]
    assert [(m.name, m.recent, m.before) for m in s.suppliers[90]] == [("城东面粉厂", 7, 0)]
    assert s.median_days_to_done == pytest.approx(2.0)


FORMULAS = ("=HYPERLINK(\"http://evil\",\"点我\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\ry")


def test_export_neutralises_formulas_and_masks_phones(shop: Shop, tmp_path: Path) -> None:
    import csv

    from openpyxl import load_workbook

    from db.export import write_table

    cid = shop.customers.add(CustomerInput(name="王芳", phone="13911112222")).id
    for words in FORMULAS:
        add(shop, cid, "supply", words, supplier="城东面粉厂")
    add(shop, None, "price", "太贵了", supplier="别家")
    with shop.store.read() as conn:
        masked = feedback.export_rows(conn, "Asia/Shanghai", supplier="城东面粉厂")
        full = feedback.export_rows(conn, "Asia/Shanghai", full_phone=True)
    phone = feedback.EXPORT_COLUMNS.index("phone")
    said = feedback.EXPORT_COLUMNS.index("words")
    assert len(masked) == len(FORMULAS) and {r[phone] for r in masked} == {"139****2222"}
    assert full[0][phone] == "+8613911112222" and full[-1][phone] == ""  # anonymous
    header = list(feedback.EXPORT_COLUMNS)

    path = tmp_path / "供应商.csv"
    assert write_table(path, header, masked) == len(FORMULAS)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for Chinese
    with path.open(encoding="utf-8-sig", newline="") as f:
        cells = [row[said] for row in list(csv.reader(f))[1:]]
    assert all(c.startswith("'") for c in cells)  # shown as text, never run
    assert cells[:5] == ["'" + w for w in FORMULAS[:5]]  # (csv may read a lone CR as LF)

    book = tmp_path / "供应商.xlsx"
    write_table(book, header, masked)
    sheet = load_workbook(book).active
    got = [sheet.cell(row=i + 2, column=said + 1).value for i in range(len(FORMULAS))]
    assert all(str(c).startswith("'") for c in got)
    assert got[:5] == ["'" + w for w in FORMULAS[:5]]  # (XML turns a lone CR into LF)
    assert not list(tmp_path.glob(".export-*")), "no temporary file left behind"


def test_export_refuses_an_unknown_format_and_writes_nothing(tmp_path: Path) -> None:
    from db.export import write_table

    with pytest.raises(ValidationError) as err:
        write_table(tmp_path / "out.pdf", ["a"], [["x"]])
    assert err.value.fields["output"][0] == "export.format"
    with pytest.raises(ValidationError):
        write_table(tmp_path / "missing" / "out.csv", ["a"], [["x"]])
    assert list(tmp_path.iterdir()) == []


def test_inbox_filters_folds_groups_and_lists_who_to_tell(shop: Shop, clock: Clock) -> None:
    wang = shop.customers.add(CustomerInput(name="王芳", phone="13911112222",
                                           is_seed_user=True)).id
    li = shop.customers.add(CustomerInput(name="李雷", phone="13933334444")).id
    a = add(shop, wang, "supply", "面包卖完了", product="全麦面包", supplier="城东面粉厂")
    clock.now += timedelta(days=1)
    b = add(shop, li, "supply", "又卖完了", product="全麦面包")
    clock.now += timedelta(days=1)
    c = add(shop, None, "price", "拿铁贵了", product="拿铁")
    with shop.store.write(shop.actor, "feedback.add") as tx:
        feedback.link(tx, [a, b])

    def ids(**f: Any) -> list[tuple[int, int]]:
        with shop.store.read() as conn:
            return [(r.item.id, r.mentions) for r in feedback.inbox(conn, feedback.Filter(**f))]

    assert ids() == [(c, 1), (a, 2)]  # newest first; the linked pair shows once, counted
    assert ids(category="supply") == [(a, 2)]
    assert ids(supplier="城东面粉厂") == [(a, 2)]
    assert ids(seed_users_only=True) == [(a, 2)]
    assert ids(text="贵") == [(c, 1)]
    assert ids(since=shop.store.now()) == [(c, 1)]
    assert ids(sort="most_mentioned")[0] == (a, 2)
    move(shop, a, "reviewing")
    assert ids(status="new") == [(c, 1)] and ids(status="open", sort="oldest_open")[0] == (a, 2)
    with shop.store.read() as conn:
        told = feedback.raisers(conn, b)
    assert [(r.name, r.phone, r.told_at) for r in told] == [
        ("王芳", "139****2222", None), ("李雷", "139****4444", None)]
    with shop.store.write(shop.actor, "feedback.add") as tx:
        feedback.mark_told(tx, b, li)
    with shop.store.read() as conn:
        assert [r.told_at is not None for r in feedback.raisers(conn, a)] == [False, True]


def test_the_message_language_follows_how_the_name_is_written() -> None:
    assert [feedback.language_of(n) for n in ("王芳", "欧阳娜娜", "Anna Lee", "李Lily")] == [
        "zh", "zh", "en", "zh"]


def test_export_rows_filter_by_status_and_day(shop: Shop, clock: Clock) -> None:
    old = add(shop, None, "price", "贵")
    clock.now += timedelta(days=10)
    new = add(shop, None, "service", "排队久")
    move(shop, new, "reviewing")
    with shop.store.read() as conn:
        def ids(**f: Any) -> list[object]:
            return [r[0] for r in feedback.export_rows(conn, "Asia/Shanghai", **f)]

        assert ids() == [old, new]
        assert ids(status="reviewing") == [new]
        assert ids(since=shop.store.now()) == [new]
        with pytest.raises(ValidationError):
            ids(status="finished")
