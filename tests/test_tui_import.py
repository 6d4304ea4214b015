"""Pilot tests of the Import screen (Ctrl+O, owner): a file previewed with its exact counts, a
column's field changed and the file read again, one confirm imports once, a refused file
says why, Escape never abandons an import half way, staff are refused."""

from __future__ import annotations

import csv
import threading
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, OptionList, ProgressBar, Static

from console.app import RegularsApp
from console.i18n import set_language
from db.shop import Shop
from screens.import_parts import FieldDialog, typed_path
from screens.imports import ImportScreen
from tests.screens_helpers import burst, screen_text, settle, text_of

# A Youzan-style member list. 王伟 is already in the shop (the people fixture) with the
# same name and phone: unchanged; 李雷 comes twice (the same phone written two ways:
# folded); 韩梅梅's gender is unreadable (that value is refused, she comes in); the last
# row names nobody (no phone): refused whole. The balance column is not kept.
HEADER = ["客户姓名", "客户手机号", "性别", "客户积分", "客户储值余额"]
ROWS = [
    ["李雷", "138 0099 0001", "男", "120", "50.00"],
    ["韩梅梅", "+86 139-0099-0002", "X", "", ""],
    ["李雷", "13800990001", "", "", ""],
    ["王伟", "158 2222 3333", "", "", ""],
    ["无名", "", "", "", ""],
]


def members(folder: Path, name: str = "members.csv") -> Path:
    path = folder / name
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(ROWS)
    return path


def screen(app: RegularsApp) -> ImportScreen:
    assert isinstance(app.screen, ImportScreen)
    return app.screen


def status(app: RegularsApp) -> str:
    return text_of(app.screen.query_one("#import-status", Static), width=300)


def summary(app: RegularsApp) -> str:
    return text_of(app.screen.query_one("#import-summary", Static), width=200)


def mapping(app: RegularsApp) -> dict[str, tuple[str, str]]:
    table = app.screen.query_one("#mapping", DataTable)
    return {str(r[0]): (str(r[1]), str(r[2]))
            for r in (table.get_row_at(i) for i in range(table.row_count))}


async def open_with(pilot: Pilot[Any], path: Path | str) -> None:
    """Ctrl+O, type the path, Enter: the preview."""
    await pilot.press("ctrl+o")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ImportScreen)
    await pilot.press(*str(path), "enter")
    await settle(pilot)


async def test_a_file_is_previewed_with_exact_counts_then_imported_once(
        app: RegularsApp, shop: Shop, tmp_path: Path) -> None:
    source = members(tmp_path)
    before = len(shop.customers.search("").hits)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_with(pilot, source)
        assert "2 new · 0 updated · 1 unchanged · 1 folded duplicates · 1 refused" in \
            summary(app)
        assert mapping(app)["客户姓名"][0] == "Name"
        assert mapping(app)["客户手机号"][0] == "Phone"
        assert mapping(app)["客户储值余额"][1] == \
            "not imported: Regulars keeps no stored-value balance"
        refused = text_of(app.screen.query_one("#refusals", Static), width=200).splitlines()
        assert refused[1].startswith("line 3 · 性别 “X” · “X” is not a gender")
        assert refused[2].startswith("line 6 · whole row · No phone, WeChat id")
        assert "Nothing is written yet" in status(app)
        assert shop.imports.batches() == []  # a preview writes nothing
        assert len(shop.customers.search("").hits) == before

        await pilot.press("enter", "enter")  # confirm, and a second Enter typed after it
        await settle(pilot)
        assert len(shop.imports.batches()) == 1
        assert "Imported (batch" in summary(app)
        errors = source.with_name("members.errors.csv")
        assert f"listed in {errors}" in summary(app)
        assert app.screen.query_one("#import-progress", ProgressBar).percentage == 1.0
    assert shop.customers.find("13800990001").name == "李雷"
    assert shop.customers.find("13800990001").points == 120
    assert shop.customers.find("13900990002").name == "韩梅梅"
    with errors.open(encoding="utf-8-sig") as f:
        lines = list(csv.reader(f))
    assert lines[0] == ["line", "column", "value", "reason"]
    assert [line[:3] for line in lines[1:]] == [["3", "性别", "X"], ["6", "", ""]]
    assert lines[1][3].startswith("“X” is not a gender")


async def test_changing_a_columns_field_reads_the_file_again(
        app: RegularsApp, shop: Shop, tmp_path: Path) -> None:
    source = members(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_with(pilot, source)
        assert mapping(app)["客户积分"][0] == "Points (opening)"
        table = app.screen.query_one("#mapping", DataTable)
        table.focus()
        while str(table.get_row_at(table.cursor_row)[0]) != "客户积分":
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FieldDialog)
        option = app.screen.query_one("#fields", OptionList).highlighted_option
        assert option is not None and option.id == "points"  # where the column is now
        await pilot.press("home", "enter")  # the first choice: leave it out
        await settle(pilot)
        assert isinstance(app.screen, ImportScreen)
        assert screen(app).mapping == {"客户积分": ""}
        assert mapping(app)["客户积分"] == ("—", "not imported: left out by the mapping")
        # the new reading's preview is on screen: Ctrl+S imports with the column left out
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert len(shop.imports.batches()) == 1
    assert shop.customers.find("13800990001").points == 0  # the 120 was left out


async def test_a_refused_file_says_why_in_the_shops_language(
        app: RegularsApp, shop: Shop, tmp_path: Path) -> None:
    utf16 = tmp_path / "old-excel.csv"
    utf16.write_bytes("客户姓名,客户手机号\n李雷,13800138000\n".encode("utf-16"))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_with(pilot, utf16)
        said = status(app)
        assert "UTF-16" in said or "utf-16" in said, said
        assert screen(app).preview is None
        assert not screen(app).check_action("confirm", ())  # nothing to confirm
        await pilot.press("f2")  # 中文: the same refusal, in the shop's other language
        await settle(pilot)
        shown = screen_text(pilot)
        assert "UTF-16" in status(app) and "另存为" in status(app), status(app)
        assert "文件" in shown and "1 客户" in shown and "2 消费记录" in shown
    set_language("en")
    assert shop.imports.batches() == []


async def test_escape_during_the_import_does_not_abandon_it(
        app: RegularsApp, shop: Shop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The import holds in its first progress call until Escape has been pressed (and
    a third Enter): the screen stays, says why, and the import still finishes, once."""
    source = members(tmp_path)
    area = shop.imports
    real_run = area.run
    pressed = threading.Event()

    def held_run(kind: str, path: Path, mapping: Any = None, progress: Any = None) -> Any:
        def heard(done: int, total: int) -> None:
            pressed.wait(10)
            if progress is not None:
                progress(done, total)
        return real_run(kind, path, mapping, progress=heard)

    monkeypatch.setattr(area, "run", held_run)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_with(pilot, source)
        burst(app, "enter", "enter")  # fast: the second finds it already running
        await pilot.pause(0.2)
        assert screen(app).running
        assert "all rows or none" in status(app)
        await pilot.press("escape", "enter")
        await pilot.pause(0.1)
        assert isinstance(app.screen, ImportScreen)  # Esc did not leave mid-import
        pressed.set()
        await settle(pilot)
        assert not screen(app).running
        assert "Imported (batch" in summary(app)
        await pilot.press("escape")  # now it leaves
        await settle(pilot)
        assert not isinstance(app.screen, ImportScreen)
    assert len(shop.imports.batches()) == 1


async def test_staff_are_refused(shop: Shop, people: dict[str, int], tmp_path: Path) -> None:
    with shop.store.write(shop.actor, "customer.edit") as tx:
        tx.execute("INSERT INTO staff(name, role, created_at) VALUES ('小李', 'staff', ?)",
                   (tx.now,))
        tx.audit("staff.add", "staff", None, name="小李")
    staff = Shop.open(shop.path, "小李", create=False)
    try:
        app = RegularsApp(staff)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("f1")  # the key says it is the owner's
            await settle(pilot)
            assert "Import from a file (owner)" in screen_text(pilot)
            await pilot.press("escape")
            await pilot.press("ctrl+o")  # refused as it opens (issue 14), with the reason
            await settle(pilot)
            assert not isinstance(app.screen, ImportScreen)
            assert any("Only the owner may" in str(n.message) for n in app._notifications)
    finally:
        staff.close()
    assert shop.imports.batches() == []


async def test_a_purchase_history_is_picked_with_2_and_imported(
        app: RegularsApp, shop: Shop, people: dict[str, int], tmp_path: Path) -> None:
    """2 in the kind box reads the same path as purchases; a sale and its refund come in
    for a customer already on file, the history's unknown phone adds a customer."""
    source = tmp_path / "orders.csv"
    with source.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["订单号", "客户手机号", "下单时间", "实付金额", "商品名称", "原订单号"])
        writer.writerow(["A1", "158 2222 3333", "2026-10-01 10:00", "58.00", "蛋挞 ×4", ""])
        writer.writerow(["A2", "158 2222 3333", "2026-10-02 10:00", "-18.00", "", "A1"])
        writer.writerow(["A3", "13900990002", "2026-10-03 09:30", "25", "拿铁", ""])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+o")
        await settle(pilot)
        await pilot.press(*str(source), "tab", "2")  # the kind: purchases, read at once
        await settle(pilot)
        assert screen(app).kind == "purchases"
        assert mapping(app)["下单时间"][0] == "Time of sale"
        assert mapping(app)["原订单号"][0] == "Refund of order"
        assert "Nothing is written yet" in status(app)
        await pilot.press("enter")
        await settle(pilot)
        assert "Imported (batch" in summary(app)
    history = shop.sales.history(people["王伟"])
    assert sorted(p.amount_fen for p in history) == [-1800, 5800]
    assert shop.customers.find("13900990002").total_spend_fen == 2500


@pytest.mark.parametrize(("size", "shown"), [((80, 24), 3), ((120, 40), 10)])
async def test_the_first_refusals_fit_the_terminal(
        app: RegularsApp, tmp_path: Path, size: tuple[int, int], shown: int) -> None:
    source = tmp_path / "nobody.csv"
    with source.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["客户姓名", "客户手机号"])
        writer.writerows([[f"无名{i}", ""] for i in range(12)] + [["李雷", "13800990001"]])
    async with app.run_test(size=size) as pilot:
        await open_with(pilot, source)
        lines = text_of(app.screen.query_one("#refusals", Static), width=200).splitlines()
        assert lines[0] == f"Refused (first {shown} of 12; all go to the error file):"
        assert [line.split(" · ")[0] for line in lines[1:]] == \
            [f"line {n}" for n in range(2, 2 + shown)]
        assert f"line {1 + shown}" in screen_text(pilot)  # on screen, not cut off


@pytest.mark.parametrize("typed, plain", [
    ("'/Users/me/My Files/会员.csv'", "/Users/me/My Files/会员.csv"),
    ('"/tmp/a b.xlsx"', "/tmp/a b.xlsx"),
    ("/Users/me/My\\ Files/会员.csv", "/Users/me/My Files/会员.csv"),
    ("  /tmp/plain.csv \n", "/tmp/plain.csv"),
    ("'", "'"),
])
def test_a_typed_path_is_read_as_a_terminal_pastes_it(typed: str, plain: str) -> None:
    """The rule the screen uses (the whole screen with a real file: the slow test below)."""
    assert typed_path(typed) == plain


@pytest.mark.slow  # 14 s of two full previews; the rule itself is the test above
async def test_a_dragged_in_path_quoted_or_escaped_is_the_plain_path(
        app: RegularsApp, shop: Shop, tmp_path: Path) -> None:
    folder = tmp_path / "My Files"
    folder.mkdir()
    source = members(folder)
    async with app.run_test(size=(80, 24)) as pilot:
        for pasted in (f"'{source}'", str(source).replace(" ", "\\ ")):
            await open_with(pilot, pasted)  # as terminals paste a file dragged in
            assert "2 new · 0 updated" in summary(app)
            key = screen(app).preview_key
            assert key is not None and key[0] == str(source)
            await pilot.press("escape")  # leaves: nothing imported
            await settle(pilot)
    assert shop.imports.batches() == []


async def test_two_columns_on_one_field_says_so_and_can_be_set_back(
        app: RegularsApp, shop: Shop, tmp_path: Path) -> None:
    source = members(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_with(pilot, source)
        table = app.screen.query_one("#mapping", DataTable)
        table.focus()
        while str(table.get_row_at(table.cursor_row)[0]) != "客户积分":
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        fields = app.screen.query_one("#fields", OptionList)
        fields.highlighted = fields.get_option_index("phone")  # a second phone column
        await pilot.press("enter")
        await settle(pilot)
        assert "Several columns would fill phone" in status(app)
        assert summary(app).strip() == ""  # no counts for a mapping that cannot be
        assert not screen(app).check_action("confirm", ())
        assert "客户积分" in mapping(app)  # the columns stay, to set it back
        await pilot.press("f4")  # every column as the file names it again
        await settle(pilot)
        assert screen(app).mapping == {}
        assert "2 new · 0 updated" in summary(app)
        assert "Nothing is written yet" in status(app)


async def test_a_file_imported_before_says_when_and_by_whom(
        app: RegularsApp, shop: Shop, tmp_path: Path) -> None:
    source = members(tmp_path)
    shop.imports.run("customers", source)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_with(pilot, source)
        said = " ".join(summary(app).split())
        assert "0 new · 0 updated · 3 unchanged · 1 folded duplicates · 1 refused" in said
        assert "This file was imported before, on 2026-11-24 by owner" in said


async def test_a_missing_file_or_a_folder_says_so(
        app: RegularsApp, shop: Shop, tmp_path: Path) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await open_with(pilot, tmp_path / "gone.csv")
        assert f"There is no file at {tmp_path / 'gone.csv'}." in status(app)
        await pilot.press("ctrl+a", "ctrl+k", *str(tmp_path), "enter")
        await settle(pilot)
        assert f"{tmp_path} is a folder. Name the file to import." in status(app)
        assert screen(app).preview is None
    assert shop.imports.batches() == []
