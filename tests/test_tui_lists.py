"""Pilot tests of the list screens: at risk, the feedback inbox, the leaderboard."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from console.app import RegularsApp
from db.shop import Shop
from screens.lookup import LookupScreen
from tests.screens_helpers import settle


async def test_at_risk_screen_lists_and_opens(app: RegularsApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        from screens.at_risk import AtRiskScreen

        assert isinstance(app.screen, AtRiskScreen)
        assert "Nobody is at risk" in str(app.screen.query_one("#status", Static).render())
        await pilot.press("escape")
        assert isinstance(app.screen, LookupScreen)


async def test_inbox_filter_done_with_a_note_and_tell(app: RegularsApp, shop: Shop,
                                                      people: dict[str, int]) -> None:
    from db.vocab import FEEDBACK_CATEGORIES
    from screens.inbox import InboxScreen, TellScreen

    shop.feedback.add(people["王伟"], "quality", "牛角包有点硬", "complaint", "牛角包")
    late = shop.feedback.add(people["张三"], "supply", "周二面包卖完了", "complaint", "全麦面包")
    again = shop.feedback.add(people["王伟"], "supply", "又卖完了", "complaint", "全麦面包")
    shop.feedback.link([late.id, again.id])
    shop.feedback.set_status(late.id, "reviewing")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("f5")
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)
        table = app.screen.query_one("#items", DataTable)
        assert table.row_count == 2  # the linked pair folds into one row
        for _ in range(FEEDBACK_CATEGORIES.index("supply") + 1):
            await pilot.press("f4")
            await settle(pilot)
        assert app.screen.filter.category == "supply" and table.row_count == 1
        assert "×2" in str(table.get_row_at(0)[5])
        await pilot.press("d")
        await settle(pilot)
        await pilot.press(*"周二加烤一炉", "enter")
        await settle(pilot)
        assert isinstance(app.screen, TellScreen)
        message = str(app.screen.query_one("#message", Static).render())
        assert "周二加烤一炉" in message and "周二面包卖完了" in message
        assert message.startswith("您好")  # the customer's language, not the console's
        people_table = app.screen.query_one("#people", DataTable)
        assert people_table.row_count == 2  # both who raised it, across the group
        await pilot.press("t")
        await settle(pilot)
        told = [r.told_at is not None for r in shop.feedback.raisers(late.id)]
        assert told == [True, False]
        assert {shop.feedback.item(x).status for x in (late.id, again.id)} == {"done"}


async def test_leaderboard_ranks_referrers_and_marks_a_seed_user(
        app: RegularsApp, shop: Shop, people: dict[str, int]) -> None:
    from db.customers import CustomerInput

    code = shop.customers.get(people["张三"]).member_code
    for n in range(2):
        friend = shop.customers.add(CustomerInput(name=f"朋友{n}", phone=f"1397777000{n}"),
                                   code)
        shop.sales.record(friend.id, "30")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        await settle(pilot)
        table = app.screen.query_one("#board", DataTable)
        assert str(table.get_row_at(0)[1]) == "张三" and str(table.get_row_at(0)[3]) == "2"
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("f3", "f3")  # last month, then all time
        await settle(pilot)
        assert table.row_count == 1
    assert shop.customers.get(people["张三"]).is_seed_user
