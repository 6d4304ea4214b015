"""Pilot tests of privacy on the customer screen: the phone masked until `d` (audited),
the edit form's full phone asked of the shop too, consent changed with `k`, and erasing
with Ctrl+D: the owner only, and only with the member code typed after the plan showed."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.widgets import Input, Static

from console.app import RegularsApp
from db.shop import Shop
from screens.customer import CustomerScreen
from screens.customer_form import CustomerFormScreen
from screens.lookup import LookupScreen
from screens.privacy_dialogs import ConsentDialog, EraseDialog
from tests.screens_helpers import burst, rows, screen_text, settle, text_of

FULL, MASKED = "158 2222 3333", "158****3333"  # 王伟's phone (tests/conftest.py)


def audit_actions(db_path: Path) -> list[str]:
    with sqlite3.connect(db_path) as conn:
        return [row[0] for row in conn.execute("SELECT action FROM audit_log ORDER BY id")]


async def open_wang(pilot: object) -> None:
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    await settle(pilot)
    await pilot.press(*"王伟", "enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CustomerScreen)


def details(app: RegularsApp) -> str:
    return text_of(app.screen.query_one("#details", Static))


async def test_the_phone_is_masked_until_revealed_and_the_reveal_is_audited(
        app: RegularsApp, db_path: Path) -> None:
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        assert not re.search(r"\d{11}", screen_text(pilot).replace(" ", ""))  # the list
        await open_wang(pilot)
        assert MASKED in details(app) and FULL not in screen_text(pilot)
        assert "customer.reveal_phone" not in audit_actions(db_path)
        await pilot.press("d")
        await settle(pilot)
        assert FULL in details(app)
        assert audit_actions(db_path).count("customer.reveal_phone") == 1
        await pilot.press("f1")  # the new keys are in the help, in words
        await settle(pilot)
        shown = screen_text(pilot)
        assert "Consent" in shown and "Erase customer" in shown
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("escape")  # this visit only: back again, masked again
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert MASKED in details(app)


async def test_the_edit_form_gets_its_full_phone_as_a_reveal(
        app: RegularsApp, db_path: Path) -> None:
    async with app.run_test(size=(100, 40)) as pilot:
        await open_wang(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, CustomerFormScreen)
        assert app.screen.query_one("#phone", Input).value.replace(" ", "").endswith(
            "15822223333")
    assert audit_actions(db_path).count("customer.reveal_phone") == 1


async def test_consent_is_changed_with_k_and_needs_an_answer(
        app: RegularsApp, shop: Shop, people: dict[str, int]) -> None:
    wang = people["王伟"]
    async with app.run_test(size=(100, 40)) as pilot:
        await open_wang(pilot)
        await pilot.press("k")
        await settle(pilot)
        assert isinstance(app.screen, ConsentDialog)
        await pilot.press("enter")  # no answer picked: nothing changes
        await settle(pilot)
        assert isinstance(app.screen, ConsentDialog)
        assert "Pick 1" in text_of(app.screen.query_one("#consent_answer-error", Static))
        await pilot.press("1", "2", "enter")  # given, on a paper form
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        assert "given" in details(app) and "paper form" in details(app)
        customer = shop.customers.get(wang)
        assert customer.marketing_consent and customer.consent_source == "paper_form"
        await pilot.press("k", "2", "1", "enter")  # withdrawn, at the counter
        await settle(pilot)
        assert "withdrawn" in details(app) and "at the counter" in details(app)
    customer = shop.customers.get(wang)
    assert not customer.marketing_consent and customer.consent_source == "counter"


async def test_erase_needs_the_member_code_typed_after_the_plan(
        app: RegularsApp, shop: Shop, people: dict[str, int]) -> None:
    wang = people["王伟"]
    code = shop.customers.get(wang).member_code
    async with app.run_test(size=(100, 40)) as pilot:
        await open_wang(pilot)
        burst(app, "ctrl+d", *code, "enter")  # a burst, typed before the plan showed
        await settle(pilot)
        assert isinstance(app.screen, EraseDialog)
        assert shop.customers.get(wang).erased_at is None
        shown = text_of(app.screen.query_one("#erase_code-error", Static))
        assert f"type the member code {code}" in shown
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert isinstance(app.screen, EraseDialog)
        plan = " ".join(text_of(part) for part in app.screen.query(Static))
        assert "Removed: Name, Phone" in plan and "Kept without a name" in plan
        await pilot.press(*"M9999", "enter")  # not this customer's code
        await settle(pilot)
        assert isinstance(app.screen, EraseDialog) and shop.customers.get(wang).erased_at is None
        await pilot.press(*["backspace"] * 5, *code.lower(), "enter")
        await settle(pilot)
        assert isinstance(app.screen, LookupScreen)
        assert any(f"Customer {code} erased" in str(n.message) for n in app._notifications)
        await pilot.press(*"王伟")
        await settle(pilot)
        assert "王伟" not in rows(app)
        app.push_screen(CustomerScreen(wang))  # if ever shown: no name, no phone
        await settle(pilot)
        assert "erased customer" in text_of(app.screen.query_one("#heading", Static))
        assert "158" not in details(app)
    assert shop.customers.get(wang).erased_at is not None


async def test_staff_are_refused_erasing_with_the_reason(
        app: RegularsApp, shop: Shop, people: dict[str, int], db_path: Path) -> None:
    shop.staff.name_owner("老板", "2468")
    shop.staff.add("小李", "staff", "1357")
    shop.staff.switch("小李", "1357")
    async with app.run_test(size=(100, 40)) as pilot:
        await open_wang(pilot)
        app.clear_notifications()
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        notes = [str(n.message) for n in app._notifications]
    assert any("Only the owner" in n and "staff" in n for n in notes)
    assert shop.customers.get(people["王伟"]).erased_at is None
    assert "access.denied" in audit_actions(db_path)


# -- fuzz: whatever is typed into the consent dialog, no crash, and without Enter nothing
FUZZ_EXAMPLES = 2  # apps started; each opens the dialog up to twice
TYPED = st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")),
                max_size=12)
ROUNDS = st.lists(st.tuples(TYPED, TYPED, st.booleans()), min_size=1, max_size=2)


async def type_consent(app: RegularsApp, rounds: list[tuple[str, str, bool]]) -> None:
    async with app.run_test(size=(100, 40)) as pilot:
        await open_wang(pilot)
        for first, second, fast in rounds:
            await pilot.press("k")
            await settle(pilot)
            keys = [*first, "tab", *second, "shift+tab", *first]
            if fast:
                burst(app, *keys)
            else:
                await pilot.press(*keys)
            await settle(pilot)
            assert isinstance(app.screen, ConsentDialog)  # typing alone never saves
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, CustomerScreen)
            assert app.return_code is None


def check_consent(shop: Shop, wang: int, rounds: list[tuple[str, str, bool]]) -> None:
    before = shop.customers.get(wang)
    asyncio.run(type_consent(RegularsApp(shop), rounds))
    after = shop.customers.get(wang)
    assert (after.marketing_consent, after.consent_at, after.consent_source) == (
        before.marketing_consent, before.consent_at, before.consent_source)


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rounds=ROUNDS)
def test_fuzz_the_consent_dialog(shop: Shop, people: dict[str, int],
                                 rounds: list[tuple[str, str, bool]]) -> None:
    check_consent(shop, people["王伟"], rounds)


@pytest.mark.slow
@settings(max_examples=FUZZ_EXAMPLES * 10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rounds=ROUNDS)
def test_fuzz_the_consent_dialog_more(shop: Shop, people: dict[str, int],
                                      rounds: list[tuple[str, str, bool]]) -> None:
    check_consent(shop, people["王伟"], rounds)
