"""Pilot tests of the settings screen: tags, stage rules, products, coupon templates."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from console.app import RegularsApp
from db.shop import Shop
from tests.screens_helpers import settle


async def test_settings_merges_a_tag_and_changes_a_rule(
        app: RegularsApp, shop: Shop, people: dict[str, int]) -> None:
    shop.customers.add_tag(people["王伟"], "宝妈")
    shop.customers.add_tag(people["张三"], "妈妈")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        await settle(pilot)
        from screens.settings import SettingsScreen

        assert isinstance(app.screen, SettingsScreen)
        table = app.screen.query_one("#tags", DataTable)
        assert table.row_count == 2
        while str(table.get_row_at(table.cursor_row)[0]) != "#妈妈":
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("end", "ctrl+u", *"宝妈")  # the name of the other tag
        await settle(pilot)
        hint = str(app.screen.query_one("#merge-hint", Static).render())
        assert "merges #妈妈" in hint and "2 tag uses" in hint
        await pilot.press("enter")
        await settle(pilot)
        assert [(t.name, t.customers) for t in shop.customers.all_tags()] == [("宝妈", 2)]
        assert app.screen.query_one("#tags", DataTable).row_count == 1

        await pilot.press("right")  # the stage-rules tab
        await settle(pilot)
        rules = app.screen.query_one("#rules", DataTable)
        assert rules.has_focus and rules.row_count == 5
        while rules.coordinate_to_cell_key(rules.cursor_coordinate)[0].value != \
                "lifecycle.dormant_days":
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("end", "ctrl+u", *"-3", "enter")
        await settle(pilot)
        assert "from 7 to 3650" in str(app.screen.query_one("#value-error", Static).render())
        await pilot.press("end", "ctrl+u", *"90", "enter")  # first: who would move
        await settle(pilot)
        assert shop.lifecycle.settings()["lifecycle.dormant_days"] == "120"
        await pilot.press("enter")  # again: applied
        await settle(pilot)
        assert shop.lifecycle.settings()["lifecycle.dormant_days"] == "90"
        assert isinstance(app.screen, SettingsScreen)


async def test_settings_edits_the_product_catalogue(app: RegularsApp, shop: Shop) -> None:
    shop.feedback.add(None, "quality", "有点硬", "complaint", "牛角包", "城东面粉厂")
    shop.feedback.add(None, "quality", "很酥", "praise", "蛋挞")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("right", "right")  # tags → stage rules → products
        await settle(pilot)
        table = app.screen.query_one("#products", DataTable)
        assert table.has_focus and table.row_count == 2
        while table.coordinate_to_cell_key(table.cursor_coordinate)[0].value != "蛋挞":
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("tab", "end", "ctrl+u", *"南城蛋品", "tab", *"点心", "enter")
        await settle(pilot)
        await pilot.press("a")  # retire the one under the cursor
        await settle(pilot)
    catalogue = {p.name: (p.supplier, p.active) for p in shop.feedback.products()}
    assert [p.category for p in shop.feedback.products() if p.name == "蛋挞"] == ["点心"]
    assert catalogue == {"牛角包": ("城东面粉厂", True), "蛋挞": ("南城蛋品", False)}
    assert shop.feedback.catalogue()[0] == ["牛角包"]  # retired: no longer offered


async def test_settings_adds_a_coupon_template_and_switches_it_off(
        app: RegularsApp, shop: Shop) -> None:
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("f9")
        await settle(pilot)
        for _ in range(3):
            await pilot.press("right")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"九折", "tab", "2", *"10", "tab", *"15", "tab", "tab",
                          "tab", *"30", "enter")  # the kind's digit moves on to Value
        await settle(pilot)
        made = shop.coupons.templates()
        assert [(x.name, x.kind, x.percent, x.cap_fen, x.valid_days) for x in made] == [
            ("九折", "percent", 10, 1500, 30)]
        await pilot.press("a")
        await settle(pilot)
        assert not shop.coupons.templates()[0].active
        await pilot.press("right")  # rewards: the points rate
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+u", "2", "enter")
        await settle(pilot)
    assert shop.rewards.settings()["points.per_yuan"] == "2"
