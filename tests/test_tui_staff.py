"""Pilot tests of who is at the counter: signing in, a wrong PIN, switching staff (F12),
locking (Ctrl+L and idle), the owner's screens refused to staff as they open, and the
notice of a shop without PINs. Each PIN check costs a real scrypt hash: few per test."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.widgets import DataTable, Input, Static

from console.app import RegularsApp
from console.widgets import TitleBar
from db.shop import Shop
from screens.help import HelpScreen
from screens.lookup import LookupScreen
from screens.sign_in import SignInScreen
from tests.screens_helpers import burst, screen_text, settle, text_of

OWNER, OWNER_PIN = "老板", "2468"
STAFF, STAFF_PIN = "小李", "1357"
ODD, ODD_PIN = "[/b]阿明", "8642"  # a name that is markup to Textual: shown as typed


@pytest.fixture
def pins(shop: Shop, people: dict[str, int]) -> Shop:
    """The small shop with an owner and one staff member, both with PINs, signed out (as
    the console opens such a shop when no REGULARS_PIN was given)."""
    shop.staff.name_owner(OWNER, OWNER_PIN)
    shop.staff.add(STAFF, "staff", STAFF_PIN)
    shop.staff.add(ODD, "staff", ODD_PIN)
    shop.staff.sign_out()
    return shop


@pytest.fixture
def counter(pins: Shop) -> Iterator[RegularsApp]:
    yield RegularsApp(pins)


def audit_actions(db_path: Path) -> list[str]:
    with sqlite3.connect(db_path) as conn:
        return [row[0] for row in conn.execute("SELECT action FROM audit_log ORDER BY id")]


def title(app: RegularsApp) -> str:
    return text_of(app.screen.query_one(TitleBar))


def told(app: RegularsApp) -> list[str]:
    """The notifications on screen now."""
    return [str(n.message) for n in app._notifications]


def error_line(app: RegularsApp) -> str:
    return text_of(app.screen.query_one("#signin-error", Static))


async def sign_in(pilot: object, name: str, pin: str) -> None:
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    await pilot.press(*name, "enter", *pin, "enter")
    await settle(pilot)


async def test_sign_in_refuses_a_wrong_pin_and_lets_nothing_through(
        counter: RegularsApp, pins: Shop, db_path: Path, people: dict[str, int]) -> None:
    async with counter.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(counter.screen, SignInScreen)
        assert "nobody signed in" in title(counter)
        # nothing behind it: not the owner's screens, the palette, the lock or feedback
        await pilot.press("f9", "ctrl+p", "ctrl+f", "f12", "f5", "escape")
        await settle(pilot)
        assert isinstance(counter.screen, SignInScreen) and len(counter.screen_stack) == 2
        counter.push_screen(HelpScreen([], "late"))  # as a worker finishing late might
        await settle(pilot)
        assert isinstance(counter.screen, SignInScreen) and len(counter.screen_stack) == 2
        await pilot.press(*"李")  # typing filters the names: Enter takes the one left
        await pilot.press("enter", *"9999", "enter")
        await settle(pilot)
        assert isinstance(counter.screen, SignInScreen)
        assert "PIN" in error_line(counter) and not pins.signed_in
        assert counter.screen.query_one("#signin-pin", Input).value == ""  # not kept
        await pilot.press(*STAFF_PIN, "enter")
        await settle(pilot)
        assert isinstance(counter.screen, LookupScreen)
        assert pins.actor.name == STAFF
        assert f"{STAFF} (staff)" in title(counter)
        assert counter.screen.query_one("#results", DataTable).row_count == len(people)
    actions = audit_actions(db_path)
    assert actions.count("staff.pin_failed") == 1 and "staff.sign_in" in actions


async def test_owner_screens_refuse_staff_as_they_open(pins: Shop, db_path: Path) -> None:
    counter = RegularsApp(pins, STAFF)  # --staff 小李: the name is filled in
    async with counter.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert counter.screen.query_one("#signin-name", Input).value == STAFF
        await pilot.press(*STAFF_PIN, "enter")  # the PIN box has the focus
        await settle(pilot)
        assert pins.actor.name == STAFF
        counter.clear_notifications()
        for key in ("f9", "f7", "f8", "ctrl+o"):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(counter.screen, LookupScreen), key
        notes = told(counter)
    assert len(notes) == 4 and all("Only the owner" in n and "staff" in n for n in notes)
    assert audit_actions(db_path).count("access.denied") == 4


async def test_a_name_with_brackets_is_shown_as_typed(counter: RegularsApp,
                                                      pins: Shop) -> None:
    async with counter.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert ODD in screen_text(pilot)  # in the list of names
        await sign_in(pilot, "阿明", "0000")  # wrong: the sentence may name them
        assert "PIN" in error_line(counter)
        await pilot.press(*ODD_PIN, "enter")
        await settle(pilot)
        assert pins.actor.name == ODD and f"{ODD} (staff)" in title(counter)
        await pilot.press("f9")  # the refusal names them: a sentence, not a crash
        await settle(pilot)
        assert isinstance(counter.screen, LookupScreen) and counter.return_code is None
        assert any(ODD in note for note in told(counter))


async def test_f12_switches_and_escape_keeps_the_person(
        counter: RegularsApp, pins: Shop) -> None:
    from screens.settings import SettingsScreen

    async with counter.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, STAFF, STAFF_PIN)
        await pilot.press("f12")
        await settle(pilot)
        assert isinstance(counter.screen, SignInScreen)
        await pilot.press("escape")  # no change: the same person, the same screen
        await settle(pilot)
        assert isinstance(counter.screen, LookupScreen) and pins.actor.name == STAFF
        await pilot.press("f12")
        await settle(pilot)
        await sign_in(pilot, OWNER, OWNER_PIN)
        assert pins.actor.name == OWNER and f"{OWNER} (owner)" in title(counter)
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(counter.screen, SettingsScreen)
        await pilot.press("f12")  # the owner leaves settings to staff: back to the lookup
        await settle(pilot)
        await sign_in(pilot, STAFF, STAFF_PIN)
        assert isinstance(counter.screen, LookupScreen) and len(counter.screen_stack) == 1


async def test_ctrl_l_locks(counter: RegularsApp, pins: Shop) -> None:
    async with counter.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, STAFF, STAFF_PIN)
        assert isinstance(counter.screen, LookupScreen)
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert isinstance(counter.screen, SignInScreen) and not pins.signed_in
        assert "nobody signed in" in title(counter)
        await pilot.press("escape")  # locked: Esc does not give the counter back
        await settle(pilot)
        assert isinstance(counter.screen, SignInScreen)
        language = pins.settings.get("language")
        await pilot.press("f2")  # the language switches; nothing is written signed out
        await settle(pilot)
        assert isinstance(counter.screen, SignInScreen) and "谁在收银" in screen_text(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert pins.settings.get("language") == language
        await sign_in(pilot, STAFF, STAFF_PIN)
        assert isinstance(counter.screen, LookupScreen) and pins.signed_in


async def test_idle_locks_even_while_switching(counter: RegularsApp, pins: Shop) -> None:
    idle = 0.8  # seconds: longer than a sign-in with its hash takes on a busy machine
    counter.idle.override = idle  # as REGULARS_IDLE_SECONDS would (console/idle.py)
    async with counter.run_test(size=(80, 24)) as pilot:
        counter.set_interval(0.1, counter._idle_check)  # and look often
        await sign_in(pilot, STAFF, STAFF_PIN)
        assert isinstance(counter.screen, LookupScreen) and pins.signed_in
        for key in ("张", "backspace"):  # input keeps it unlocked
            await pilot.press(key)
            await pilot.pause(idle / 2)
        assert isinstance(counter.screen, LookupScreen)
        await pilot.pause(idle + 0.3)  # no input past the limit: locked
        await settle(pilot)
        assert isinstance(counter.screen, SignInScreen) and not pins.signed_in
        await sign_in(pilot, STAFF, STAFF_PIN)
        await pilot.press("f12")  # switching, then left alone: locked, Esc gives nothing back
        await pilot.pause(idle + 0.3)
        await settle(pilot)
        assert not pins.signed_in
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(counter.screen, SignInScreen) and not pins.signed_in


async def test_a_shop_without_pins_urges_the_owner_once(shop: Shop,
                                                        people: dict[str, int]) -> None:
    app = RegularsApp(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LookupScreen)
        status = text_of(app.screen.query_one("#status", Static))
        assert "No PIN is set" in status and f"regulars staff pin {shop.actor.name}" in status
        await pilot.press("f12", "ctrl+l")  # no PINs: nobody to switch to, nothing to lock
        await settle(pilot)
        assert isinstance(app.screen, LookupScreen) and shop.signed_in
        await pilot.press(*"张")  # once the counter is at work, the list's own status
        await settle(pilot)
        assert "No PIN" not in text_of(app.screen.query_one("#status", Static))
        await pilot.press("backspace")
        await settle(pilot)
        assert "No PIN" not in text_of(app.screen.query_one("#status", Static))


# -- fuzz: whatever is typed into the sign-in fields, nothing breaks and nothing is written
FUZZ_EXAMPLES = 3  # apps started; each takes up to 4 attempts
TYPED = st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")),
                max_size=10)
ATTEMPTS = st.lists(st.tuples(TYPED, TYPED, st.booleans()), min_size=1, max_size=4)


def kept_tables(db_path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table but the audit's, and the staff without their failure count (a wrong
    PIN is recorded there and in the audit, on purpose)."""
    with sqlite3.connect(db_path) as conn:
        names = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN "
            "('audit_log', 'audit_head', 'staff', 'sqlite_sequence')")]
        tables = {name: conn.execute(f"SELECT * FROM {name}").fetchall() for name in names}
        tables["staff"] = conn.execute(
            "SELECT id, name, role, active, pin_hash FROM staff").fetchall()
    return tables


async def type_sign_ins(app: RegularsApp, attempts: list[tuple[str, str, bool]]) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for name, pin, fast in attempts:
            screen = app.screen
            assert isinstance(screen, SignInScreen)
            screen.query_one("#signin-name", Input).value = ""
            screen.query_one("#signin-name", Input).focus()
            keys = [*name, "enter", *pin, "enter", "tab", *pin, "enter"]
            if fast:
                burst(app, *keys)
            else:
                await pilot.press(*keys)
            await settle(pilot)
            assert app.return_code is None  # still running: no traceback
            if not isinstance(app.screen, SignInScreen):
                break  # a random PIN that was right (derandomized: never)


def check_sign_ins(pins: Shop, db_path: Path, attempts: list[tuple[str, str, bool]]) -> None:
    before = kept_tables(db_path)
    audited = len(audit_actions(db_path))
    asyncio.run(type_sign_ins(RegularsApp(pins), attempts))
    if pins.signed_in:
        assert pins.actor.name in (OWNER, STAFF)
        pins.staff.sign_out()
    assert kept_tables(db_path) == before
    assert set(audit_actions(db_path)[audited:]) <= {"staff.pin_failed", "staff.sign_in"}


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(attempts=ATTEMPTS)
def test_fuzz_the_sign_in_fields(pins: Shop, db_path: Path,
                                 attempts: list[tuple[str, str, bool]]) -> None:
    check_sign_ins(pins, db_path, attempts)


@pytest.mark.slow
@settings(max_examples=FUZZ_EXAMPLES * 10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(attempts=ATTEMPTS)
def test_fuzz_the_sign_in_fields_more(pins: Shop, db_path: Path,
                                      attempts: list[tuple[str, str, bool]]) -> None:
    check_sign_ins(pins, db_path, attempts)
