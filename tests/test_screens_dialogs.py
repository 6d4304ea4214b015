"""Issue 11, screens: the feedback dialog asks before dropping words and shows its
messages at 80x24; the void dialog needs a reason and says so beside the field."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static, TextArea

from console.app import RegularsApp
from console.i18n import set_language
from db.shop import Shop
from screens.customer import CustomerScreen
from screens.feedback_dialog import FeedbackDialog
from tests.screens_helpers import screen_text, settle


async def test_esc_in_feedback_asks_once_before_dropping_the_words(
        app: RegularsApp, shop: Shop, people: dict[str, int]) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"5678", "enter")
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        await pilot.press("1", "3", *"太甜", "escape")
        await settle(pilot)
        assert isinstance(app.screen, FeedbackDialog)  # asked, not dropped
        assert "Esc again" in screen_text(pilot)
        await pilot.press(*"了")  # typing on: the next Esc asks again
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, FeedbackDialog)
        assert app.screen.query_one("#words", TextArea).text == "太甜了"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        await pilot.press("f")  # nothing typed: Esc closes at once
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
    assert shop.feedback.of_customer(people["张三"]) == []


@pytest.mark.parametrize("language", ["en", "zh"])
async def test_feedback_messages_fit_80x24(app: RegularsApp, language: str) -> None:
    """No category and too many words: both messages and the keys line are on screen."""
    set_language(language)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"5678", "enter")
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        app.screen.query_one("#words", TextArea).text = "太甜了" * 1500
        await pilot.press("ctrl+s")
        await settle(pilot)
        shown = screen_text(pilot)
        too_long, pick, keys = {"en": ("At most 4000", "Choose a category", "Ctrl+S saves"),
                                "zh": ("最多 4000", "请选择类别", "Ctrl+S 保存")}[language]
        assert too_long in shown and pick in shown and keys in shown, shown
        assert "Supplier" in shown or "供应商" in shown


async def test_void_needs_a_reason_said_beside_the_field(
        app: RegularsApp, shop: Shop, people: dict[str, int]) -> None:
    cid = people["张三"]
    shop.coupons.add_template("满50减10", "amount", value="10", min_spend="50", valid_days=30)
    issued = shop.coupons.issue("满50减10", cid)
    assert issued is not None
    code = issued.code
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"5678", "enter")
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        assert "required" in app.screen.query_one("#reason", Input).placeholder
        await pilot.press(*code, "tab", " ", "enter")
        await settle(pilot)
        error = app.screen.query_one("#reason-error", Static)
        assert error.display and "why" in str(error.render())
        assert shop.coupons.get(code).status == "issued"
        await pilot.press(*"发重了", "enter")
        await settle(pilot)
    assert shop.coupons.get(code).status == "voided"
