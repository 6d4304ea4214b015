"""Hypothesis over every new staff field: names, roles and PINs (any text, digits,
full-width digits, huge, control characters, lone surrogates) through ``shop.staff.add``
and ``set_pin``, and the `staff add` command's values (in process, as typer hands them
over). Each is saved whole or refused with one sentence, never a traceback, and a refusal
leaves the staff table as it was. Examples per run: ADD_EXAMPLES + PIN_EXAMPLES +
CLI_EXAMPLES (270)."""

from __future__ import annotations

import sqlite3
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from console.cli import app
from console.i18n import error_text
from db.errors import NotFound, ValidationError
from db.shop import Shop
from db.staff import NAME_MAX, PIN_MAX, PIN_MIN
from tests.cli_helpers import PYTHON_ERROR

ADD_EXAMPLES, PIN_EXAMPLES, CLI_EXAMPLES = 140, 100, 30
OWNER_PIN = "80468213"
ANY_CHAR = st.characters(codec=None, exclude_categories=())  # surrogates and controls too
HOSTILE = ["", " ", "\x00", "a\x00b", "\ud800", "x\udfffy", "\u202e", "\u200b", "\n", "\t",
           "9" * 10_000, "١٢٣٤", "①②③④", "12 34", "-1234", "+1234", "1e10", "１２３４"]
NAMES = st.one_of(st.text(ANY_CHAR, max_size=30), st.text(min_size=1, max_size=NAME_MAX + 2),
                  st.sampled_from([*HOSTILE, "owner", "OWNER", " 小李 ", "x" * NAME_MAX]))
ROLES = st.one_of(st.sampled_from(["staff", "owner", "Owner", " staff ", "manager", "", "\x00"]),
                  st.text(ANY_CHAR, max_size=8))
PINS = st.one_of(st.text("0123456789", min_size=PIN_MIN - 1, max_size=PIN_MAX + 1),
                 st.text("０１２３４５６７８９", min_size=PIN_MIN, max_size=PIN_MAX),
                 st.text(ANY_CHAR, max_size=12), st.sampled_from(HOSTILE))
def fuzz(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, suppress_health_check=[
        HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def staff_table(path: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [tuple(r) for r in conn.execute("SELECT * FROM staff ORDER BY id")]
    finally:
        conn.close()


def one_sentence(exc: Exception) -> str:
    assert isinstance(exc, (ValidationError, NotFound)), repr(exc)
    text = error_text(exc)
    assert text.strip() and "\n" not in text and not PYTHON_ERROR.search(text), text
    return text


@pytest.fixture
def owned(shop: Shop) -> Shop:
    """The shop's owner, 老王, with a PIN (giving others PINs needs one)."""
    shop.staff.name_owner("老王", OWNER_PIN)
    return shop


@fuzz(ADD_EXAMPLES)
@given(name=NAMES, role=ROLES, pin=PINS)
def test_adding_staff_is_whole_or_one_sentence(owned: Shop, name: str, role: str,
                                               pin: str) -> None:
    before = staff_table(owned.path)
    try:
        added = owned.staff.add(name, role, pin)
    except (ValidationError, NotFound) as exc:
        text = one_sentence(exc)
        if exc.fields.get("pin") if isinstance(exc, ValidationError) else False:
            assert pin.strip() not in text or len(pin.strip()) < 2  # never repeated
        assert staff_table(owned.path) == before
        return
    clean = " ".join(unicodedata.normalize("NFC", name).split())
    assert (added.name, added.role, added.has_pin) == (clean, role.strip().lower(), True)
    assert staff_table(owned.path)[:-1] == before


@fuzz(PIN_EXAMPLES)
@given(name=st.one_of(st.sampled_from(["老王", "小李", "小李 ", "nobody"]), NAMES), pin=PINS)
def test_setting_a_pin_is_whole_or_one_sentence(owned: Shop, name: str, pin: str) -> None:
    if len(owned.staff.list()) == 1:
        owned.staff.add("小李", "staff", "2468")
    before = staff_table(owned.path)
    try:
        done = owned.staff.set_pin(name, pin)
    except (ValidationError, NotFound) as exc:
        one_sentence(exc)
        assert staff_table(owned.path) == before
        return
    assert done.has_pin and done.name in ("老王", "小李")


@fuzz(CLI_EXAMPLES)
@given(name=NAMES, role=ROLES,
       pin=PINS.filter(lambda p: "\x00" not in p and not any(
           unicodedata.category(c) == "Cs" for c in p)))  # an environment cannot carry these
def test_the_staff_add_command_is_whole_or_one_sentence(owned: Shop, tmp_path: Path,
                                                        name: str, role: str,
                                                        pin: str) -> None:
    before = staff_table(owned.path)
    result = CliRunner().invoke(
        app, ["staff", "add", name, "--role", role, "--db", str(owned.path),
              "--staff", "老王", "--lang", "en"],
        env={"REGULARS_PIN": OWNER_PIN, "REGULARS_NEW_PIN": pin})
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert result.exit_code in (0, 1, 2), result.exit_code
    assert not PYTHON_ERROR.search(result.stderr + result.stdout), result.stderr
    if result.exit_code:
        assert result.stderr.strip(), "refused without a sentence"
        assert staff_table(owned.path) == before
    else:
        assert len(staff_table(owned.path)) == len(before) + 1
    # (a name or role is repeated in its refusal; a PIN never is)
    if len(pin.strip()) >= PIN_MIN and pin.strip() not in name + role:
        assert pin.strip() not in result.stdout + result.stderr
