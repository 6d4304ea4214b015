"""Pilot tests of the lookup screen: search as you type, choose a row, keys, language."""

from __future__ import annotations

from textual.widgets import Input, Static

from console.app import RegularsApp
from console.i18n import set_language
from db.shop import Shop
from screens.customer import CustomerScreen
from screens.help import HelpScreen
from screens.lookup import LookupScreen
from tests.screens_helpers import burst, rows, settle, text_of


async def test_tail_enter_escape_flow(app: RegularsApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LookupScreen)
        assert app.screen.focused is app.screen.query_one("#query", Input)
        await pilot.press(*"5678")
        await settle(pilot)
        assert rows(app) == ["张三"]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        heading = text_of(app.screen.query_one("#heading", Static))
        assert "张三" in heading
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, LookupScreen)
        assert app.screen.query_one("#query", Input).value == "5678"
        assert rows(app) == ["张三"]


async def test_up_down_choose_the_row(app: RegularsApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"8000")
        await settle(pilot)
        assert len(rows(app)) == 3
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        assert app.screen.customer is not None
        assert app.screen.customer.name == rows_after_sort()[2]


def rows_after_sort() -> list[str]:
    return ["李王芳", "单田芳", "张三丰"]  # tier, no visits yet, then pinyin order


async def test_no_match_prefills_the_form(app: RegularsApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"赵敏")
        await settle(pilot)
        status = str(app.screen.query_one("#status", Static).render())
        assert "No match" in status and "Ctrl+N" in status
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert app.screen.query_one("#name", Input).value == "赵敏"


async def test_help_and_footer_show_only_working_keys(app: RegularsApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        bar = str(app.screen.query_one("KeyBar").render())
        assert "Open" in bar and "Clear" not in bar  # nothing typed yet
        await pilot.press("x")
        await settle(pilot)
        bar = str(app.screen.query_one("KeyBar").render())
        assert "Clear" in bar
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        descriptions = [desc for _, desc in app.screen.rows]
        assert "New customer" in descriptions and "Next row" in descriptions
        assert "Move cursor left" not in descriptions  # the text box's own keys stay out
        await pilot.press("escape")
        assert isinstance(app.screen, LookupScreen)


async def test_language_switch_keeps_the_query(app: RegularsApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"5678")
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert app.screen.query_one("#query", Input).value == "5678"
        assert rows(app) == ["张三"]
        assert "新顾客" in str(app.screen.query_one("KeyBar").render())
        assert app.shop.settings.get("language") == "zh"
    set_language("en")


async def test_command_palette_lists_screen_actions(app: RegularsApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "New customer" in titles and "Keys" in titles


async def test_typed_ahead_keys_land_where_the_person_meant(
        app: RegularsApp, shop: Shop, people: dict[str, int]) -> None:
    shop.customers.record_view(people["王伟"])  # the recent list highlights 王伟 before any search
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert rows(app)[0] == "王伟"
        burst(app, *"5678", "enter")  # Enter before the search for 5678 has answered
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CustomerScreen) and screen.customer_id == people["张三"]
        burst(app, "p", *"58.5", "enter")  # the amount typed while the dialog opens
        await settle(pilot)
        assert app.screen is screen
        assert shop.customers.get(people["张三"]).total_spend_fen == 5850
