"""Pilot tests of coupons at the counter: issue, redeem, batch issue, void."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from console.app import RegularsApp
from db.shop import Shop
from tests.screens_helpers import settle, text_of


async def test_issue_a_coupon_then_redeem_it_once(app: RegularsApp, shop: Shop,
                                                  people: dict[str, int]) -> None:
    from db import coupons

    with shop.store.write(shop.actor, "customer.edit") as tx:
        coupons.add_template(tx, "满50减10", "amount", value="10", min_spend="50", valid_days=7)
    shop.customers.set_consent(people["张三"], True, "counter")  # win-back is marketing
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
