"""The screens' side of the door: the typed link to the app, the settings tabs as widgets,
and the typed messages that carry one worker result to several widgets."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from textual.app import App
from textual.widgets import DataTable, Static

from console.app import RegularsApp
from console.i18n import t
from db.shop import Shop
from screens.customer import CustomerScreen
from screens.customer_sections import StoryRead, StorySection
from screens.link import app_link, shop_of
from screens.lookup import LookupScreen, SearchAnswered
from screens.settings import SettingsScreen
from screens.settings_tabs import TABS, ProductsTab, RulesTab, SettingsTab
from tests.screens_helpers import settle


def text_of(widget: Static) -> str:
    console = Console(width=120, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


def test_the_link_is_the_regulars_app_and_nothing_else(shop: Shop) -> None:
    app = RegularsApp(shop)
    assert app_link(app).shop is shop and app_link(app).key_gate is app.key_gate
    assert shop_of(app) is shop
    plain: App[None] = App()
    with pytest.raises(TypeError, match="does not host Regulars screens"):
        app_link(plain)
    assert shop_of(plain) is None


async def test_one_story_message_draws_every_section(
        shop: Shop, people: dict[str, int]) -> None:
    """The screen hands the story it is given to every section: none keeps another
    customer's (or another moment's) figures."""
    shop.sales.record(people["王伟"], "12.50", "拿铁")
    app = RegularsApp(shop)
    async with app.run_test(size=(100, 40)) as pilot:
        app.push_screen(CustomerScreen(people["张三"]))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CustomerScreen)
        sections = list(screen.query(StorySection))
        assert len(sections) == 7
        before = {s.id: text_of(s) for s in sections}
        assert "张三" in before["heading"] and "No purchases" in before["purchases-title"]

        screen.post_message(StoryRead(shop.customers.story(people["王伟"])))
        await settle(pilot)
        after = {s.id: text_of(s) for s in screen.query(StorySection)}
        assert "王伟" in after["heading"] and "张三" not in after["heading"]
        assert "158****3333" in after["details"]  # masked until revealed (issue 14)
        assert "12.50" in after["spend"]
        changed = {key for key in after if after[key] != before[key]}
        assert {"heading", "spend", "purchases-title", "details"} <= changed
        table = screen.query_one("#purchases", DataTable)
        assert table.display and table.row_count == 1
        assert "拿铁" in str(table.get_row_at(0)[3])
        assert screen.story is not None and screen.story.customer.id == people["王伟"]


async def test_a_search_answer_feeds_the_list_and_the_status_line(
        shop: Shop, people: dict[str, int]) -> None:
    app = RegularsApp(shop)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LookupScreen)
        table = screen.query_one("#results", DataTable)
        assert table.row_count == len(people)

        screen.post_message(SearchAnswered(shop.customers.search("5678")))
        await settle(pilot)
        assert table.row_count == len(people)  # an answer to another query is dropped

        screen.query_text = "5678"
        screen.post_message(SearchAnswered(shop.customers.search("5678")))
        await settle(pilot)
        assert [str(table.get_row_at(i)[1]) for i in range(table.row_count)] == ["张三"]
        assert text_of(screen.query_one("#status", Static)).strip() == t("lookup.count", count=1)


async def test_settings_tabs_are_widgets_that_tell_the_screen(
        shop: Shop, people: dict[str, int]) -> None:
    shop.feedback.add(people["张三"], "quality", "蛋挞太甜", product="蛋挞")
    app = RegularsApp(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        tabs = list(screen.query(SettingsTab))
        assert [type(tab) for tab in tabs] == list(TABS)
        assert len({tab.KEY for tab in tabs}) == len(TABS)
        assert all(tab.table.id == tab.KEY for tab in tabs)
        products = screen.query_one(ProductsTab)
        assert products.table.row_count == 1 and products.selected() == "蛋挞"

        # a change made elsewhere shows once a tab says its dialog saved something
        shop.lifecycle.set_rule("lifecycle.dormant_days", "100")
        rules = screen.query_one(RulesTab)
        rules.post_message(SettingsTab.Changed(recompute=True))
        await settle(pilot)
        shown = {str(rules.table.get_row_at(i)[0]): str(rules.table.get_row_at(i)[1])
                 for i in range(rules.table.row_count)}
        assert "100" in shown.values()
        assert any("Moving stages" in n.message for n in app._notifications)

        # a (switch off) is the tab's write, run in the screen's worker
        await pilot.press("right", "right")
        await settle(pilot)
        assert screen._active_tab() is products
        await pilot.press("a")
        await settle(pilot)
        assert [p.active for p in shop.feedback.products()] == [False]
        assert str(products.table.get_row_at(0)[2]) == "retired"


async def test_inbox_keys_cycle_one_filter_field_each(
        shop: Shop, people: dict[str, int]) -> None:
    """F3 status, F4 category, F6 seed users, F7 sort: each changes its own field only,
    and the list is read again with it (InboxRead)."""
    from screens.inbox import InboxScreen

    shop.feedback.add(people["王伟"], "quality", "牛角包有点硬", "complaint", "牛角包")
    app = RegularsApp(shop)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("f5")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, InboxScreen)
        table = screen.query_one("#items", DataTable)
        assert screen.filter.status == "open" and table.row_count == 1
        seen = []
        for key in ("f3", "f4", "f6", "f7"):
            await pilot.press(key)
            await settle(pilot)
            f = screen.filter
            seen.append((f.status, f.category, f.seed_users_only, f.sort))
        assert seen == [("new", None, False, "newest"), ("new", "quality", False, "newest"),
                        ("new", "quality", True, "newest"),
                        ("new", "quality", True, "oldest_open")]
        assert table.row_count == 0  # 王伟 is no seed user
        assert t("inbox.seed_users_only") in text_of(screen.query_one("#filters", Static))
