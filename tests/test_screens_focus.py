"""Issue 11, screens: a letter acts on a list only when the list has focus; an error in
a box keeps the focus in the box; a key that cannot succeed here is hidden."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from console.app import RegularsApp
from db.shop import Shop
from tests.screens_helpers import settle


async def test_inbox_bad_filter_keeps_focus_in_the_box(app: RegularsApp, shop: Shop,
                                                       people: dict[str, int]) -> None:
    """F5, /, a bad date, Enter, Ctrl+U, retype, Enter: nothing on the list moves."""
    from screens.inbox import InboxScreen

    item = shop.feedback.add(people["王伟"], "quality", "蛋挞太甜", "complaint", "蛋挞")
    shop.feedback.set_status(item.id, "reviewing")  # so that d, p, r, x could all act
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)
        await pilot.press("slash", *"product:蛋挞 since:2026-13-01", "enter")
        await settle(pilot)
        box = app.screen.query_one("#typed", Input)
        assert box.has_focus  # the error is about the box: the box keeps the focus
        await pilot.press("ctrl+u", *"product:蛋挞", "enter")
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)  # no note dialog opened on the way
        after = shop.feedback.item(item.id)
        assert after.status == "reviewing" and not after.owner_note
        assert app.screen.query_one("#items", DataTable).has_focus  # a good filter applies
        assert app.screen.filter.product is None and app.screen.typed == "product:蛋挞"


async def test_inbox_reload_does_not_pull_the_focus_out_of_the_box(
        app: RegularsApp, shop: Shop, people: dict[str, int]) -> None:
    """F3 while typing a filter reloads the list; the letters that follow stay in the box."""
    item = shop.feedback.add(people["王伟"], "quality", "蛋挞太甜", "complaint", "蛋挞")
    shop.feedback.set_status(item.id, "reviewing")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        await settle(pilot)
        await pilot.press("slash", *"pro", "f3")
        await settle(pilot)
        await pilot.press(*"duct", "x")
        await settle(pilot)
        assert app.screen.query_one("#typed", Input).value == "productx"
        assert shop.feedback.item(item.id).status == "reviewing"


async def test_done_is_hidden_on_a_new_item(app: RegularsApp, shop: Shop,
                                            people: dict[str, int]) -> None:
    """New → done is not a step: d is not offered, and pressing it asks nothing."""
    from screens.inbox import InboxScreen

    item = shop.feedback.add(people["王伟"], "quality", "蛋挞太甜", "complaint", "蛋挞")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, InboxScreen)
        assert screen.check_action("done", ()) is False
        assert screen.check_action("status", ("planned",)) is False
        assert screen.check_action("status", ("reviewing",)) is True
        await pilot.press("d")
        await settle(pilot)
        assert app.screen is screen  # no note asked for a step that would be refused
        await pilot.press("r")
        await settle(pilot)
        assert shop.feedback.item(item.id).status == "reviewing"
        assert screen.check_action("done", ()) is True


async def open_customer(pilot: Pilot[None], phone_tail: str) -> None:
    await pilot.press(*phone_tail, "enter")
    await settle(pilot)


async def test_points_mode_is_a_field_of_its_own(app: RegularsApp, shop: Shop,
                                                 people: dict[str, int]) -> None:
    """j, 1, 50, Tab, 小礼品, Enter spends 50, not 150."""
    cid = people["张三"]
    shop.rewards.opening_points(cid, "500")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_customer(pilot, "5678")
        await pilot.press("j")
        await settle(pilot)
        await pilot.press("1", *"50", "tab", *"小礼品", "enter")
        await settle(pilot)
        assert shop.customers.get(cid).points == 450
        await pilot.press("j")
        await settle(pilot)
        await pilot.press("7")  # not a mode: said beside the field, not carried on
        await settle(pilot)
        error = app.screen.query_one("#points_mode-error", Static)
        assert error.display and "1 to 2" in str(error.render())
        assert app.screen.query_one("#points_mode", Input).has_focus
        assert app.screen.query_one("#points", Input).value == ""
        await pilot.press("2", *"-30", "tab", *"盘点更正", "enter")  # 2 adjust (owner)
        await settle(pilot)
    assert shop.customers.get(cid).points == 420


async def test_template_kind_digit_moves_on_to_the_value(app: RegularsApp,
                                                         shop: Shop) -> None:
    """New template: 1 then 20 is an amount of 20, not a percent with no value."""
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        await settle(pilot)
        for _ in range(3):
            await pilot.press("right")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"满100减20", "tab", "1", *"20", "tab", "tab", "tab", *"100", "tab",
                          *"30", "enter")
        await settle(pilot)
    made = shop.coupons.templates()
    assert [(x.name, x.kind, x.value_fen, x.min_spend_fen, x.valid_days) for x in made] == [
        ("满100减20", "amount", 2000, 10000, 30)]
