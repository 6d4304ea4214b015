"""Pilot tests of the customer screen: sales, refunds, stage, tags, feedback, points."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Static

from console.app import RegularsApp
from db.shop import Shop
from screens.customer import CustomerScreen
from tests.screens_helpers import burst, settle, text_of


async def test_record_a_sale_and_set_a_stage_by_hand(app: RegularsApp, shop: Shop,
                                                     people: dict[str, int]) -> None:
    shop.sales.record(people["张三"], "20", when="2026-11-10")
    shop.sales.record(people["张三"], "20", when="2026-11-17")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press(*"5678", "enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CustomerScreen)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press(*"58.5", "enter")
        await settle(pilot)
        assert app.screen is screen
        spend = text_of(screen.query_one("#spend", Static))
        assert "¥98.50" in spend  # 20 + 20 + 58.50
        assert "Trust" in text_of(screen.query_one("#heading", Static))  # third order: trust
        assert shop.customers.get(people["张三"]).total_spend_fen == 9850
        table = screen.query_one("#purchases", DataTable)
        assert table.row_count == 3
        # a bad amount stays in the dialog with the reason beside the field
        await pilot.press("p")
        await settle(pilot)
        await pilot.press(*"58.555", "enter")
        await settle(pilot)
        assert "two decimals" in str(app.screen.query_one("#amount-error", Static).render())
        await pilot.press("escape")
        await settle(pilot)
        # set the stage by hand, with a reason
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("f7", *"说要搬家", "enter")  # F7 = decline
        await settle(pilot)
        assert app.screen is screen
        customer = shop.customers.get(people["张三"])
        assert (customer.stage, customer.stage_source) == ("decline", "manual")
        stage = text_of(screen.query_one("#stage", Static))
        assert "说要搬家" in stage and "set by hand" in stage
        assert "The rule says" in stage  # the rule still says trust


async def test_refund_the_selected_sale(app: RegularsApp, shop: Shop,
                                        people: dict[str, int]) -> None:
    sale = shop.sales.record(people["张三"], "30")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press(*"5678", "enter")
        await settle(pilot)
        screen = app.screen
        assert screen.check_action("refund", ()) is False  # nothing selected yet
        screen.query_one("#purchases", DataTable).focus()
        await settle(pilot)
        assert screen.check_action("refund", ()) is True
        await pilot.press("x")
        await settle(pilot)
        await pilot.press(*"坏了", "enter")
        await settle(pilot)
        assert shop.customers.get(people["张三"]).total_spend_fen == 0
        assert shop.sales.history(people["张三"])[1].refunded_by is not None
        assert sale.id == shop.sales.history(people["张三"])[1].id


async def test_tag_dialog_completes_from_shop_tags_and_refuses_sensitive(
        app: RegularsApp, shop: Shop, people: dict[str, int]) -> None:
    shop.customers.add_tag(people["王伟"], "宝妈")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"5678", "enter")
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        dialog = app.screen
        await pilot.press("宝", "right", "enter")  # → accepts the suggestion
        await settle(pilot)
        assert shop.customers.tags_of(people["张三"]) == ["宝妈"]
        await pilot.press(*"糖尿病", "enter")
        await settle(pilot)
        line = dialog.query_one("#tag-error", Static)
        assert line.display and "sensitive" in str(line.render())
        assert shop.customers.tags_of(people["张三"]) == ["宝妈"]
        box = dialog.query_one(".dialog")
        assert box.region.x > 0  # centred, not stuck to the left edge


async def test_purchase_list_pages_with_m(app: RegularsApp, shop: Shop,
                                          people: dict[str, int]) -> None:
    for day in range(1, 31):
        for hour in (9, 15):  # 60 sales, newest first on screen
            shop.sales.record(people["张三"], "10", when=f"2026-10-{day:02d} {hour}:00")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press(*"5678", "enter")
        await settle(pilot)
        screen = app.screen
        table = screen.query_one("#purchases", DataTable)
        title = str(screen.query_one("#purchases-title", Static).render())
        assert table.row_count == 50 and "50 of 60" in title
        assert "2026-10-30" in str(table.get_row_at(0)[1])
        await pilot.press("m")
        await settle(pilot)
        assert table.row_count == 60
        assert "of" not in str(screen.query_one("#purchases-title", Static).render())
        bar = str(screen.query_one("KeyBar").render())
        assert "More sales" not in bar  # nothing more to show


async def test_record_feedback_in_a_few_keys(app: RegularsApp, shop: Shop,
                                             people: dict[str, int]) -> None:
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press(*"5678", "enter")
        await settle(pilot)
        screen = app.screen
        assert "No feedback" in text_of(screen.query_one("#feedback", Static))
        keys = ["f", "3", "3", *"周二的面包又卖完了", "ctrl+s"]  # supply, complaint, words
        await pilot.press(*keys)
        await settle(pilot)
        assert app.screen is screen
        [item] = shop.feedback.of_customer(people["张三"])
        assert (item.category, item.sentiment, item.words) == (
            "supply", "complaint", "周二的面包又卖完了")
        assert len(keys) - len("周二的面包又卖完了") < 10  # under ten keys besides the words
        shown = text_of(screen.query_one("#feedback", Static))
        assert "supply and logistics" in shown and "new" in shown
        # no category chosen: refused beside the field, nothing saved
        await pilot.press("ctrl+f")  # from anywhere: someone not on file
        await settle(pilot)
        await pilot.press("tab", "tab", *"好吃", "ctrl+s")
        await settle(pilot)
        error = app.screen.query_one("#category-error", Static)
        assert error.display and "Choose a category" in str(error.render())
        await pilot.press("escape")
        await settle(pilot)
        assert len(shop.feedback.of_customer(people["张三"])) == 1


async def test_points_level_and_referral_on_the_customer_screen(
        app: RegularsApp, shop: Shop, people: dict[str, int]) -> None:
    """A new customer named with a referrer in the form; after their first sale the
    referrer shows the reward; j spends points; the referee's screen names the referrer."""
    referrer = shop.customers.get(people["张三"])
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("ctrl+n")
        await settle(pilot)
        form = app.screen
        form.query_one("#name", Input).value = "新朋友"
        form.query_one("#phone", Input).value = "139 8888 7777"
        form.query_one("#referred_by", Input).value = referrer.member_code
        await pilot.press("ctrl+s")
        await settle(pilot)
        new = shop.customers.find("13988887777")
        assert shop.rewards.referral_links(new.id)[0] is not None
        shop.sales.record(new.id, "1200", confirmed=True)  # first paid purchase: the reward
        await pilot.press("escape", *"5678", "enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CustomerScreen) and screen.customer_id == referrer.id
        rewards = text_of(screen.query_one("#rewards", Static))
        assert "200" in rewards and "新朋友 rewarded +200" in rewards
        assert "Silver" not in text_of(screen.query_one("#heading", Static))
        await pilot.press("j")
        await settle(pilot)
        await pilot.press("1", *"150", "tab", *"帆布袋", "enter")  # 1 spend, then 150
        await settle(pilot)
        assert shop.customers.get(referrer.id).points == 50
        await pilot.press("j")
        await settle(pilot)
        await pilot.press("tab", *"51", "tab", *"再来", "enter")  # Tab keeps spend; > balance
        await settle(pilot)
        notes = [str(n.message) for n in app._notifications]
        assert any("balance is 50" in n for n in notes), notes
        await pilot.press("escape", "escape")
        await settle(pilot)
    assert shop.customers.get(referrer.id).points == 50
    assert shop.rewards.level_of(shop.customers.get(new.id).total_spend_fen) == "silver"


async def test_tab_in_a_burst_moves_to_the_next_field_in_order(
        app: RegularsApp, shop: Shop, people: dict[str, int]) -> None:
    """"30⇥⇥⇥500⏎" from a fast hand: 30 yuan, 500 points, never a 30,500-yuan sale."""
    cid = people["张三"]
    shop.rewards.opening_points(cid, "600")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"5678", "enter")
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        burst(app, *"30", "tab", "tab", "tab", *"500", "enter")
        await settle(pilot)
    sales = shop.sales.history(cid)
    assert [s.amount_fen for s in sales] == [2500]  # 30 yuan less 500 points
    assert shop.customers.get(cid).points == 600 - 500 + 25
