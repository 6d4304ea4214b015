"""Pilot tests: the counter flow as a person does it, waiting for workers, never sleeping."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, Static

from console.app import RegularsApp
from console.i18n import set_language
from db.shop import Shop
from screens.customer import CustomerScreen
from screens.customer_form import CustomerFormScreen
from screens.help import HelpScreen
from screens.lookup import LookupScreen


async def settle(pilot: object, timers: float = 0.05) -> None:
    """Let timers fire and workers finish, then let their messages land."""
    app = pilot.app  # type: ignore[attr-defined]
    for _ in range(3):
        await pilot.pause(timers)  # type: ignore[attr-defined]
        await app.workers.wait_for_complete()
        await pilot.pause()  # type: ignore[attr-defined]


def text_of(widget: Static) -> str:
    """What a Static shows, as plain text (its content may be a rich Table)."""
    import io

    from rich.console import Console

    console = Console(width=120, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


def rows(app: RegularsApp) -> list[str]:
    table = app.screen.query_one("#results", DataTable)
    return [str(table.get_row_at(i)[1]) for i in range(table.row_count)]


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


async def test_no_match_prefills_the_form(app: RegularsApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"赵敏")
        await settle(pilot)
        status = str(app.screen.query_one("#status", Static).render())
        assert "No match" in status and "Ctrl+N" in status
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert app.screen.query_one("#name", Input).value == "赵敏"


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


async def test_at_risk_screen_lists_and_opens(app: RegularsApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        from screens.at_risk import AtRiskScreen

        assert isinstance(app.screen, AtRiskScreen)
        assert "Nobody is at risk" in str(app.screen.query_one("#status", Static).render())
        await pilot.press("escape")
        assert isinstance(app.screen, LookupScreen)


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


def burst(app: RegularsApp, *keys: str) -> None:
    """Keys as a fast typist (or a scanner) sends them: all queued before any is handled.

    Pilot's press() waits for the app between keys, which hides type-ahead bugs.
    """
    from textual import events

    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


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


async def test_issue_a_coupon_then_redeem_it_once(app: RegularsApp, shop: Shop,
                                                  people: dict[str, int]) -> None:
    from db import coupons

    with shop.store.write(shop.actor, "customer.edit") as tx:
        coupons.add_template(tx, "满50减10", "amount", value="10", min_spend="50", valid_days=7)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press(*"5678", "enter")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press(*"满50", "right", "tab", "2", "enter")  # → completes; 2 = win-back
        await settle(pilot)
        with shop.store.read() as conn:
            row = conn.execute("SELECT code, reason FROM coupons").fetchone()
        assert row["reason"] == "winback"
        await pilot.press("escape")  # back to lookup: the quick redeem action
        await settle(pilot)
        await pilot.press("ctrl+r", *row["code"].lower(), "tab", *"58", "enter")
        await settle(pilot)
        assert shop.customers.get(people["张三"]).total_spend_fen == 4800
        await pilot.press("ctrl+r", *row["code"], "tab", *"58", "enter")
        await settle(pilot)
        said = str(app.screen.query_one("#coupon-preview", Static).render())
        assert said.startswith("Already used on 20"), said  # said once, under the code
        assert shop.customers.get(people["张三"]).orders == 1


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


async def test_batch_coupons_preview_confirm_progress_and_export(
        app: RegularsApp, shop: Shop, people: dict[str, int], tmp_path: object,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGULARS_EXPORTS", str(tmp_path))
    shop.coupons.add_template("感恩券", "amount", value="5", valid_days=7)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f7")
        await settle(pilot, 0.4)
        await pilot.press(*"感恩券")
        await settle(pilot, 0.4)
        preview = text_of(app.screen.query_one("#preview", Static))
        assert f"{len(people)} match, {len(people)} to issue" in preview, preview
        await pilot.press("ctrl+s")  # the first press asks, with the count
        await settle(pilot)
        assert "Ctrl+S again" in text_of(app.screen.query_one("#batch-status", Static))
        with shop.store.read() as conn:
            assert conn.execute("SELECT count(*) FROM coupons").fetchone()[0] == 0
        await pilot.press("ctrl+s")
        await settle(pilot, 0.4)
        status = text_of(app.screen.query_one("#batch-status", Static))
        assert f"Issued {len(people)} coupons" in status
        from textual.widgets import ProgressBar

        bar = app.screen.query_one("#progress", ProgressBar)
        assert bar.progress == bar.total == len(people)
        preview = text_of(app.screen.query_one("#preview", Static))
        assert "0 to issue" in preview and f"{len(people)} already" in preview
        await pilot.press("f8")  # the codes, to send through WeCom
        await settle(pilot)
        status = text_of(app.screen.query_one("#batch-status", Static))
        assert f"{len(people)} rows written to" in status, status
        await pilot.press("escape")
        await settle(pilot)
    with shop.store.read() as conn:
        assert conn.execute("SELECT count(DISTINCT customer_id) FROM coupons").fetchone()[0] \
            == len(people)
    from pathlib import Path

    from openpyxl import load_workbook

    [saved] = Path(str(tmp_path)).glob("coupons-*.xlsx")
    sheet = load_workbook(saved).active
    assert sheet is not None and sheet.max_row == len(people) + 1


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


async def test_redeem_shows_the_coupon_before_it_is_used(
        app: RegularsApp, shop: Shop, people: dict[str, int]) -> None:
    shop.coupons.add_template("满50减10", "amount", value="10", min_spend="50", valid_days=7)
    made = shop.coupons.issue("满50减10", people["张三"])
    assert made is not None
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+r", *made.code)
        await settle(pilot)
        shown = text_of(app.screen.query_one("#coupon-preview", Static))
        assert "满50减10 · 张三 · until" in shown, shown
        await pilot.press("escape")
        await settle(pilot)


async def test_the_owner_voids_a_coupon_from_the_customer_screen(
        app: RegularsApp, shop: Shop, people: dict[str, int]) -> None:
    shop.coupons.add_template("满50减10", "amount", value="10", min_spend="50", valid_days=7)
    made = shop.coupons.issue("满50减10", people["张三"])
    assert made is not None
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"5678", "enter")
        await settle(pilot)
        assert made.code in text_of(app.screen.query_one("#rewards", Static))
        await pilot.press("v")
        await settle(pilot)
        await pilot.press(*made.code, "tab", *"发重了", "enter")
        await settle(pilot)
        assert made.code not in text_of(app.screen.query_one("#rewards", Static))
    assert shop.coupons.get(made.code).status == "voided"


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
