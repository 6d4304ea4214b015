"""Issue 11, screens: confirm what is unusual, not what is routine.

A sale far above this shop's usual sales asks once more (Enter again in the dialog,
--yes in the CLI); a routine sale is never asked twice."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import Input, Static
from typer.testing import CliRunner

from console.app import RegularsApp
from console.cli import app as cli
from db.customers import CustomerInput
from db.errors import ValidationError
from db.shop import Shop
from db.store import Store
from tests.screens_helpers import settle


def sales_of(shop: Shop, cid: int) -> list[int]:
    return [p.amount_fen for p in shop.sales.history(cid)]


def test_a_young_shop_asks_above_1000_yuan(shop: Shop, people: dict[str, int]) -> None:
    cid = people["张三"]
    shop.sales.record(cid, "1000")  # at the bar: routine, never asked
    with pytest.raises(ValidationError) as refused:
        shop.sales.record(cid, "1000.01")
    assert refused.value.fields["amount"][0] == "sale.unusual_limit"
    assert sales_of(shop, cid) == [100_000]  # nothing recorded by the refusal
    shop.sales.record(cid, "1000.01", confirmed=True)
    assert sales_of(shop, cid) == [100_001, 100_000]


def test_the_bar_follows_the_shops_own_sales(shop: Shop, people: dict[str, int]) -> None:
    cid = people["王伟"]
    for n in range(40):  # a shop whose sales are ¥500-¥600
        shop.sales.record(cid, f"{500 + n * 2.5:.2f}")
    bar = shop.sales.unusual_bar()
    assert bar.usual_fen == 59_250 and bar.above_fen == 3 * 59_250  # 95% at or under
    shop.sales.record(cid, "1500")  # above ¥1,000 but usual enough here
    with pytest.raises(ValidationError) as refused:
        shop.sales.record(cid, "1800")
    # the ¥1,500 sale counts too
    code, params = refused.value.fields["amount"]
    assert code == "sale.unusual" and params == {"amount": "¥1,800.00", "usual": "¥595.00"}
    with pytest.raises(ValidationError):  # part paid with points: the same question
        shop.sales.record_with_points(cid, "1800", "10")


def test_the_owner_sets_the_bar(shop: Shop, people: dict[str, int]) -> None:
    cid = people["张三"]
    shop.settings.set("sales.confirm_above_yuan", "200")
    shop.sales.record(cid, "200")
    with pytest.raises(ValidationError):
        shop.sales.record(cid, "250")
    for bad in ("-5", "0", "abc"):
        with pytest.raises(ValidationError):
            shop.settings.set("sales.confirm_above_yuan", bad)
    shop.settings.set("sales.confirm_above_yuan", "")  # back to the shop's own sales
    shop.sales.record(cid, "250")
    assert sales_of(shop, cid) == [25_000, 20_000]


async def test_the_sale_dialog_asks_once_more_for_a_big_sale(
        app: RegularsApp, shop: Shop, people: dict[str, int]) -> None:
    cid = people["张三"]
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"5678", "enter")
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press(*"58.5", "enter")  # routine: recorded at the first Enter
        await settle(pilot)
        assert sales_of(shop, cid) == [5850]
        await pilot.press("p")
        await settle(pilot)
        await pilot.press(*"5000", "enter")
        await settle(pilot)
        error = app.screen.query_one("#amount-error", Static)
        assert error.display and "Enter again" in str(error.render())
        assert sales_of(shop, cid) == [5850]
        await pilot.press("ctrl+u", *"6000", "enter")  # another amount: asked afresh
        await settle(pilot)
        assert sales_of(shop, cid) == [5850]
        assert app.screen.query_one("#amount", Input).value == "6000"
        await pilot.press("enter")
        await settle(pilot)
    assert sales_of(shop, cid) == [600_000, 5850]


async def test_the_redeem_dialog_asks_once_more_and_says_an_error_once(
        app: RegularsApp, shop: Shop, people: dict[str, int]) -> None:
    """A mistyped code: said once (not in the preview and a toast); corrected, the old
    message goes; a big sale then asks once more."""
    cid = people["张三"]
    shop.coupons.add_template("满50减10", "amount", value="10", min_spend="50", valid_days=30)
    issued = shop.coupons.issue("满50减10", cid)
    assert issued is not None
    code = issued.code
    typo = code[:-1] + ("A" if code[-1] != "A" else "B")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+r")
        await settle(pilot)
        await pilot.press(*typo, "tab", *"5000", "enter")
        await settle(pilot)
        screen = app.screen
        shown = [str(screen.query_one("#coupon-preview", Static).render()),
                 str(screen.query_one("#code-error", Static).render())
                 if screen.query_one("#code-error", Static).display else "",
                 *(str(n.message) for n in app._notifications)]
        assert sum(bool(text.strip()) for text in shown) == 1, shown
        await pilot.press("shift+tab", "end", "backspace", code[-1])
        await settle(pilot)
        assert not screen.query_one("#code-error", Static).display
        assert "满50减10" in str(screen.query_one("#coupon-preview", Static).render())
        await pilot.press("enter")
        await settle(pilot)
        assert "Enter again" in str(screen.query_one("#amount-error", Static).render())
        assert shop.coupons.get(code).status == "issued"
        await pilot.press("enter")
        await settle(pilot)
    assert shop.coupons.get(code).status == "redeemed"
    assert sales_of(shop, cid) == [499_000]


def test_cli_purchase_and_redeem_need_yes(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    store = Store(path)
    shop = Shop(store, store.actor())
    shop.customers.add(CustomerInput(name="张三", phone="135 1234 5678"))
    shop.coupons.add_template("满50减10", "amount", value="10", valid_days=30)
    issued = shop.coupons.issue("满50减10", shop.customers.find("13512345678").id)
    assert issued is not None
    code = issued.code
    shop.close()
    runner = CliRunner()
    db = ["--db", str(path)]
    sale = ["purchase", "add", *db, "--customer", "13512345678", "--amount", "3000"]
    refused = runner.invoke(cli, sale)
    assert refused.exit_code == 1 and "--yes" in refused.stderr
    assert "Traceback" not in refused.stderr
    redeem = ["coupon", "redeem", code, *db, "--amount", "3000"]
    assert runner.invoke(cli, redeem).exit_code == 1
    again = Shop.open(path)
    try:
        assert again.sales.count(again.customers.find("13512345678").id) == 0
    finally:
        again.close()
    assert runner.invoke(cli, [*sale, "--yes"]).exit_code == 0
    done = runner.invoke(cli, [*redeem, "--yes"])
    assert done.exit_code == 0, done.stderr


# -- stage rules: preview, then apply on confirm ---------------------------------------------
def regulars(shop: Shop, people: dict[str, int]) -> list[int]:
    """Two customers in trust: three sales each within the last weeks."""
    ids = [people["张三"], people["王伟"]]
    for cid in ids:
        for day in ("2026-11-10", "2026-11-17", "2026-11-20"):
            shop.sales.record(cid, "30", when=day)
    assert {shop.customers.get(cid).stage for cid in ids} == {"trust"}
    return ids


def test_a_stage_rule_preview_changes_nothing(shop: Shop, people: dict[str, int]) -> None:
    ids = regulars(shop, people)
    preview = shop.lifecycle.preview_rule("lifecycle.trust_orders", "100")
    assert preview.transitions == {("trust", "initial"): 2}
    assert shop.lifecycle.settings()["lifecycle.trust_orders"] == "3"
    assert {shop.customers.get(cid).stage for cid in ids} == {"trust"}
    with pytest.raises(ValidationError):
        shop.lifecycle.preview_rule("lifecycle.window_min_days", "nan")
    moved = shop.lifecycle.set_rule("lifecycle.trust_orders", "100")
    assert moved.transitions == preview.transitions
    assert {shop.customers.get(cid).stage for cid in ids} == {"initial"}


async def test_stage_rules_dialog_previews_then_applies(
        app: RegularsApp, shop: Shop, people: dict[str, int]) -> None:
    ids = regulars(shop, people)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("right")  # tags → stage rules; the first row: trust orders
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+u", *"100", "enter")
        await settle(pilot)
        preview = str(app.screen.query_one("#rule-preview", Static).render())
        assert "Customers who would move: 2" in preview and "Trust → Initial 2" in preview
        assert shop.lifecycle.settings()["lifecycle.trust_orders"] == "3"
        assert {shop.customers.get(cid).stage for cid in ids} == {"trust"}
        await pilot.press("backspace", "0")  # changed and back: asked afresh
        await pilot.press("enter")
        await settle(pilot)
        assert shop.lifecycle.settings()["lifecycle.trust_orders"] == "3"
        await pilot.press("enter")
        await settle(pilot)
    assert shop.lifecycle.settings()["lifecycle.trust_orders"] == "100"
    assert {shop.customers.get(cid).stage for cid in ids} == {"initial"}


def test_cli_stage_rule_prints_the_preview_and_needs_yes(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    store = Store(path)
    shop = Shop(store, store.actor())
    cid = shop.customers.add(CustomerInput(name="张三", phone="135 1234 5678")).id
    today = shop.today()
    for back in (14, 7, 4):  # the real clock here: three sales in the last two weeks
        shop.sales.record(cid, "30", when=(today - timedelta(days=back)).isoformat())
    shop.close()
    runner = CliRunner()
    change = ["settings", "set", "lifecycle.trust_orders", "100", "--db", str(path)]
    asked = runner.invoke(cli, change)
    assert asked.exit_code == 1 and "--yes" in asked.stderr
    assert "Customers who would move: 1 (" in asked.stderr
    again = Shop.open(path)
    try:
        assert again.lifecycle.settings()["lifecycle.trust_orders"] == "3"
    finally:
        again.close()
    done = runner.invoke(cli, [*change, "--yes"])
    assert done.exit_code == 0, done.stderr
    assert "1 customers moved" in done.stdout


async def test_the_owner_sets_the_bar_in_settings(app: RegularsApp, shop: Shop) -> None:
    rows = list(shop.rewards.settings())
    assert rows[-1] == "sales.confirm_above_yuan"
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press(*["right"] * 4)  # tags → … → rewards
        await settle(pilot)
        await pilot.press(*["down"] * (len(rows) - 1), "enter")
        await settle(pilot)
        await pilot.press("ctrl+u", *"800", "enter")
        await settle(pilot)
    assert shop.sales.unusual_bar().above_fen == 80_000


async def test_a_minimum_spend_refusal_goes_when_the_amount_changes(
        app: RegularsApp, shop: Shop, people: dict[str, int]) -> None:
    """'The minimum spend is ¥50.00; this sale is ¥30.00' stayed on screen after the
    amount was corrected, beside the next message (seen in the trial)."""
    cid = people["张三"]
    shop.coupons.add_template("满50减10", "amount", value="10", min_spend="50", valid_days=30)
    issued = shop.coupons.issue("满50减10", cid)
    assert issued is not None
    code = issued.code
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+r")
        await settle(pilot)
        await pilot.press(*code, "tab", *"30", "enter")
        await settle(pilot)
        preview = app.screen.query_one("#coupon-preview", Static)
        assert "minimum spend" in str(preview.render())
        await pilot.press("ctrl+u", *"60")
        await settle(pilot)
        assert "minimum spend" not in str(preview.render())
        assert "满50减10" in str(preview.render())


async def test_each_setting_says_its_own_range(app: RegularsApp) -> None:
    """Every settings box said "A number above zero. Days can have decimals.", even
    for purchase counts (1–100) and amounts: each now says what it holds."""
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("right", "enter")  # stage rules: trust orders
        await settle(pilot)
        shown = " ".join(str(s.render()) for s in app.screen.query(Static))
        assert "A whole number from 1 to 100." in shown
        assert "above zero" not in shown
