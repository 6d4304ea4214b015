"""Issue 11, screens (item 18): the referrer field reads a reference like the search box;
labels are whole at 80x24 in both languages; the purchase list shows each sale's number."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Static

from console.app import RegularsApp
from console.i18n import set_language
from db.customers import CustomerInput
from db.errors import NotFound, RegularsError
from db.shop import Shop
from tests.screens_helpers import screen_text, settle


def referrer_of(shop: Shop, cid: int) -> str | None:
    referrer = shop.rewards.view(cid).referrer
    return referrer.name if referrer else None


def test_a_referrer_by_phone_tail_code_or_whole_phone(shop: Shop,
                                                      people: dict[str, int]) -> None:
    shop.rewards.register_referral(people["王伟"], "5678")  # one phone ends so: 张三
    assert referrer_of(shop, people["王伟"]) == "张三"
    with pytest.raises(RegularsError) as several:
        shop.rewards.register_referral(people["欧阳娜娜"], "8000")
    assert several.value.code == "screens.several_match"
    assert several.value.params == {"count": "3", "ref": "8000"}
    with pytest.raises(NotFound):
        shop.rewards.register_referral(people["欧阳娜娜"], "4444")
    code = shop.customers.get(people["王小明"]).member_code
    shop.rewards.register_referral(people["欧阳娜娜"], code.lower())
    made = shop.customers.add(CustomerInput(name="新朋友", phone="139 7777 0001"), "5678")
    assert referrer_of(shop, made.id) == "张三"


async def test_referrer_dialog_says_several_match_beside_the_field(
        app: RegularsApp, shop: Shop, people: dict[str, int]) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"3333", "enter")  # 王伟, no purchases yet
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        await pilot.press(*"8000", "enter")
        await settle(pilot)
        error = app.screen.query_one("#referred_by-error", Static)
        assert error.display and "3 customers match" in str(error.render())
        await pilot.press("ctrl+u", *"5678", "enter")
        await settle(pilot)
    assert referrer_of(shop, people["王伟"]) == "张三"


async def test_purchase_list_shows_the_sale_number(app: RegularsApp, shop: Shop,
                                                   people: dict[str, int]) -> None:
    sale = shop.sales.record(people["张三"], "58.50")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"5678", "enter")
        await settle(pilot)
        table = app.screen.query_one("#purchases", DataTable)
        assert str(table.get_row_at(0)[0]) == f"#{sale.id}"


@pytest.mark.parametrize("language", ["en", "zh"])
async def test_labels_are_whole_at_80x24(app: RegularsApp, shop: Shop,
                                         people: dict[str, int], language: str) -> None:
    set_language(language)
    shop.coupons.add_template("满50减10", "amount", value="10", valid_until="2026-12-31")
    shop.feedback.add(people["王伟"], "quality", "蛋挞太甜", "complaint", "蛋挞")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")  # the leaderboard, empty
        await settle(pilot)
        empty = {"en": "No qualified referrals in this period.",
                 "zh": str(app.screen.query_one("#board-filter", Static).render())
                 .split()[-1]}[language]
        assert empty in screen_text(pilot)
        await pilot.press("escape", "f9", "right", "right", "right")  # settings → coupons
        await settle(pilot)
        until = {"en": "until 2026-12-31", "zh": "有效至 2026-12-31"}[language]
        assert until in screen_text(pilot)
        await pilot.press("escape", "f5")
        await settle(pilot)
        quality = {"en": "quality", "zh": "质量"}[language]
        row = next(line for line in screen_text(pilot).splitlines() if "蛋挞太甜" in line)
        assert f" {quality} " in row, row
