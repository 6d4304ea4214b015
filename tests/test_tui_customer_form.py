"""Pilot tests of the customer form: new, duplicate phone, edit, leaving with changes."""

from __future__ import annotations

from textual.widgets import Input, Static

from console.app import RegularsApp
from db.shop import Shop
from screens.customer import CustomerScreen
from screens.customer_form import CustomerFormScreen
from screens.lookup import LookupScreen
from tests.screens_helpers import settle


async def test_new_customer_bad_phone_then_valid(app: RegularsApp, shop: Shop) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CustomerFormScreen)
        await pilot.press(*"赵敏")
        await pilot.press("enter")  # next field
        assert form.focused is form.query_one("#phone", Input)
        await pilot.press(*"12345")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CustomerFormScreen)  # nothing saved
        line = form.query_one("#phone-error", Static)
        assert "not a valid phone number" in str(line.render())
        assert line.display and line.region.height >= 1  # really on screen
        assert shop.customers.search("赵敏").hits == []
        phone = form.query_one("#phone", Input)
        phone.value = "139 8888 0000"
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        assert [h.name for h in shop.customers.search("0000").hits] == ["赵敏"]


async def test_duplicate_phone_offers_to_open_existing(app: RegularsApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+n")
        await settle(pilot)
        form = app.screen
        form.query_one("#phone", Input).value = "13512345678"
        await settle(pilot, timers=0.15)  # the duplicate check waits for typing to pause
        assert "张三" in str(form.query_one("#phone-error", Static).render())
        assert form.check_action("open_existing", ()) is True
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        assert app.screen.customer is not None and app.screen.customer.name == "张三"


async def test_edit_from_customer_screen(app: RegularsApp, shop: Shop,
                                         people: dict[str, int]) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"5678", "enter")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CustomerFormScreen)
        form.query_one("#notes", Input).value = "喜欢新品"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        assert shop.customers.get(people["张三"]).notes == "喜欢新品"


async def test_escape_with_changes_asks_once_more(app: RegularsApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+n", *"王")
        await settle(pilot)
        await pilot.press("escape")
        assert isinstance(app.screen, CustomerFormScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, LookupScreen)
