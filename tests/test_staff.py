"""Staff and PINs through the Shop: the PIN's rules and its hash, the growing wait after
five wrong PINs (on a HandClock), who a shop opens as, the console's switch and lock, the
owner's changes, and refusals of a real staff member leaving an audit row."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.i18n import error_text
from db.customers import CustomerInput
from db.errors import AccessDenied, NotFound, SignInRefused, StoreError, ValidationError
from db.shop import Shop
from db.staff import (
    FREE_TRIES,
    WAIT_CAP,
    WAIT_FIRST,
    clean_pin,
    hash_pin,
    pin_matches,
    wait_seconds,
)
from tests.conftest import HandClock

OWNER_PIN = "80468213"  # long enough that finding it in the file's bytes is no accident
STAFF_PIN = "59317046"


def audit(path: Path, after: int = 0) -> list[tuple[int, str, int | None, str]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [tuple(r) for r in conn.execute(
            "SELECT staff_id, action, entity_id, detail FROM audit_log WHERE id > ?"
            " ORDER BY id", (after,))]
    finally:
        conn.close()


def last_id(path: Path) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT coalesce(max(id), 0) FROM audit_log").fetchone()[0])
    finally:
        conn.close()


@pytest.fixture
def pinned(shop: Shop) -> Iterator[Path]:
    """A shop whose owner (renamed 老王) and 小李 (staff) have PINs; closed, by path."""
    shop.staff.name_owner("老王", OWNER_PIN)
    shop.staff.add("小李", "staff", STAFF_PIN)
    yield shop.path


def opened(path: Path, clock: HandClock, name: str | None = None,
           pin: str | None = None, **options: bool) -> Shop:
    return Shop.open(path, name, pin=pin, clock=clock, **options)


# -- the PIN itself ------------------------------------------------------------------------------
@pytest.mark.parametrize("typed, clean", [("1234", "1234"), ("１２３４５", "12345"),
                                         (" 12345678 ", "12345678")])
def test_a_pin_is_four_to_eight_digits_full_width_too(typed: str, clean: str) -> None:
    assert clean_pin(typed) == clean


@pytest.mark.parametrize("typed", ["", "123", "123456789", "12a4", "١٢٣٤", "12 34", "-1234",
                                   "12\n34", "9" * 10_000])
def test_anything_else_is_refused_with_a_sentence_that_does_not_repeat_it(typed: str) -> None:
    with pytest.raises(ValidationError) as refused:
        clean_pin(typed)
    text = error_text(refused.value)
    assert text == "PIN: A PIN is 4 to 8 digits (0-9) and nothing else: type it again."
    assert refused.value.code == "staff.pin_invalid"


def test_the_stored_value_is_a_salted_scrypt_hash_never_the_pin() -> None:
    one, two = hash_pin("2468"), hash_pin("2468")
    assert one != two  # two equal PINs, two different stored values: a random salt
    for stored in (one, two):
        scheme, n, _, _, salt, digest = stored.split("$")
        assert (scheme, len(bytes.fromhex(salt)), len(bytes.fromhex(digest))) == ("scrypt", 16, 32)
        assert int(n) >= 2**14 and "2468" not in stored.replace(salt, "").replace(digest, "")
        assert pin_matches("2468", stored) and pin_matches("２４６８", stored)
        assert not pin_matches("2469", stored) and not pin_matches("", stored)


def test_a_damaged_or_costly_stored_value_matches_nothing_at_once() -> None:
    good = hash_pin("2468")
    _, n, r, p, salt, digest = good.split("$")
    for bad in ("", "plain", good.replace("scrypt", "md5"),
                f"scrypt${2**30}${r}${p}${salt}${digest}",  # would take minutes
                f"scrypt$1000${r}${p}${salt}${digest}", f"scrypt${n}${r}${p}$zz${digest}"):
        assert not pin_matches("2468", bad)


def test_the_wait_starts_after_five_and_doubles_up_to_an_hour() -> None:
    assert [wait_seconds(n) for n in range(FREE_TRIES)] == [0] * FREE_TRIES
    assert [wait_seconds(n) for n in (5, 6, 7)] == [WAIT_FIRST, 2 * WAIT_FIRST, 4 * WAIT_FIRST]
    assert wait_seconds(40) == wait_seconds(10_000) == WAIT_CAP


# -- signing in, and the wait --------------------------------------------------------------------
def test_wrong_pins_wait_growing_and_a_right_pin_during_the_wait_is_still_refused(
        pinned: Path, clock: HandClock) -> None:
    start = last_id(pinned)
    for left in (4, 3, 2, 1):
        with pytest.raises(SignInRefused) as wrong:
            opened(pinned, clock, "小李", "00000000")
        assert (wrong.value.code, wrong.value.params) == ("staff.pin_wrong",
                                                          {"name": "小李", "left": left})
    with pytest.raises(SignInRefused) as fifth:
        opened(pinned, clock, "小李", "00000000")
    assert (fifth.value.code, fifth.value.params["seconds"]) == ("staff.pin_wait", 30)
    clock.advance(seconds=10)
    with pytest.raises(SignInRefused) as waiting:  # the right PIN, but during the wait
        opened(pinned, clock, "小李", STAFF_PIN)
    assert waiting.value.params == {"name": "小李", "seconds": 20}
    assert "wait 20 seconds" in error_text(waiting.value)
    clock.advance(seconds=21)
    with pytest.raises(SignInRefused) as sixth:  # after the wait: wrong again, waits longer
        opened(pinned, clock, "小李", "00000000")
    assert sixth.value.params["seconds"] == 60
    clock.advance(seconds=61)
    shop = opened(pinned, clock, "小李", STAFF_PIN)
    try:
        assert (shop.actor.name, shop.actor.role) == ("小李", "staff")
        assert [s.name for s in shop.staff.list()] == ["老王", "小李"]
    finally:
        shop.close()
    rows = audit(pinned, start)
    li = rows[0][0]
    assert [(r[1], json.loads(r[3])) for r in rows] == [
        ("staff.pin_failed", {"count": 1, "wait": 0}),
        ("staff.pin_failed", {"count": 2, "wait": 0}),
        ("staff.pin_failed", {"count": 3, "wait": 0}),
        ("staff.pin_failed", {"count": 4, "wait": 0}),
        ("staff.pin_failed", {"count": 5, "wait": 30}),
        ("staff.pin_failed", {"count": 5, "wait": 20}),  # refused without looking at it
        ("staff.pin_failed", {"count": 6, "wait": 60}),
        ("staff.sign_in", {}),  # the count is reset
    ]
    assert {r[0] for r in rows} == {li} and {r[2] for r in rows} == {li}
    # the count is gone: five more wrong PINs before anyone waits again
    with pytest.raises(SignInRefused) as again:
        opened(pinned, clock, "小李", "00000000")
    assert again.value.params["left"] == 4


def test_tries_at_the_same_moment_take_turns_so_the_wait_cannot_be_outrun(
        pinned: Path, clock: HandClock) -> None:
    """Twelve wrong PINs at once (a script with many processes): the wait is checked and
    each wrong PIN counted in one write transaction, so only FREE_TRIES are compared."""
    from concurrent.futures import ThreadPoolExecutor

    def attempt(n: int) -> str:
        try:
            opened(pinned, clock, "小李", f"{1000 + n}").close()
        except SignInRefused as refused:
            return refused.code
        return "signed in"

    with ThreadPoolExecutor(12) as pool:
        codes = list(pool.map(attempt, range(12)))
    assert "signed in" not in codes
    shop = opened(pinned, clock, "老王", OWNER_PIN)
    try:
        with shop.store.read() as conn:
            failed = conn.execute("SELECT failed_pins FROM staff WHERE name = '小李'"
                                  ).fetchone()[0]
    finally:
        shop.close()
    assert failed == FREE_TRIES  # the other seven met the wait without a comparison
    assert codes.count("staff.pin_wait") == 12 - FREE_TRIES + 1  # the fifth starts it


def test_the_wait_holds_for_one_person_only(pinned: Path, clock: HandClock) -> None:
    for _ in range(FREE_TRIES):
        with pytest.raises(SignInRefused):
            opened(pinned, clock, "小李", "00000000")
    shop = opened(pinned, clock, "老王", OWNER_PIN)
    shop.close()


def test_without_pins_a_shop_opens_as_it_always_did(db_path: Path, clock: HandClock) -> None:
    asked: list[str] = []

    def ask(name: str) -> str:
        asked.append(name)
        return "1234"

    first = Shop.open(db_path, clock=clock, pin=ask)
    try:
        assert (first.actor.name, first.actor.role, first.signed_in) == ("owner", "owner", True)
        assert not first.staff.pins_in_use()
        first.settings.set("points.per_yuan", "2")
    finally:
        first.close()
    shop = Shop.open(db_path, "OWNER", clock=clock, sign_in=False)  # no PINs: no sign-in screen
    try:
        assert shop.signed_in and shop.actor.name == "owner"
    finally:
        shop.close()
    assert asked == []  # no PIN is asked for where none exists


def test_once_pins_exist_a_name_and_its_pin_are_needed(pinned: Path, clock: HandClock) -> None:
    with pytest.raises(SignInRefused) as nameless:
        opened(pinned, clock)
    assert nameless.value.code == "staff.name_needed"
    assert "--staff NAME (active staff: 老王, 小李)" in error_text(nameless.value)
    with pytest.raises(SignInRefused) as pinless:
        opened(pinned, clock, "小李")
    assert pinless.value.code == "staff.pin_needed" and "REGULARS_PIN" in error_text(
        pinless.value)
    with pytest.raises(NotFound, match=r"staff\.unknown"):
        opened(pinned, clock, "小张", STAFF_PIN)
    asked: list[str] = []

    def ask(name: str) -> str:
        asked.append(name)
        return OWNER_PIN

    shop = Shop.open(pinned, " 老王 ", pin=ask, clock=clock)
    try:
        assert asked == ["老王"] and shop.actor.role == "owner"
    finally:
        shop.close()


def test_a_staff_member_without_a_pin_is_told_to_ask_the_owner(
        pinned: Path, clock: HandClock) -> None:
    shop = opened(pinned, clock, "老王", OWNER_PIN)
    try:
        with shop.store.write(shop.actor, "staff.add") as tx:  # as a shop made before PINs
            tx.execute("INSERT INTO staff(name, role, created_at) VALUES ('阿May', 'staff', ?)",
                       (tx.now,))
            tx.audit("staff.add", "staff", None)
    finally:
        shop.close()
    with pytest.raises(SignInRefused) as refused:
        opened(pinned, clock, "阿may", "1234")
    assert refused.value.code == "staff.no_pin"
    assert "`regulars staff pin 阿May`" in error_text(refused.value)


def test_a_deactivated_staff_member_can_no_longer_sign_in(pinned: Path, clock: HandClock) -> None:
    shop = opened(pinned, clock, "老王", OWNER_PIN)
    try:
        gone = shop.staff.deactivate("小李")
        assert not gone.active and [m.name for m in shop.staff.list()] == ["老王"]
        assert [m.name for m in shop.staff.list(include_inactive=True)] == ["老王", "小李"]
    finally:
        shop.close()
    with pytest.raises(NotFound, match=r"staff\.unknown"):
        opened(pinned, clock, "小李", STAFF_PIN)


# -- the console: signed out, switch, lock -------------------------------------------------------
def test_signed_out_the_shop_reads_but_writes_nothing_until_someone_switches_in(
        pinned: Path, clock: HandClock) -> None:
    shop = opened(pinned, clock, sign_in=False)
    try:
        sales = shop.sales  # an area made before the switch acts as whoever is in now
        assert not shop.signed_in and shop.actor.id == 0
        assert not shop.may("customer.add")
        assert shop.rerank_pending() == 0  # the console's upkeep waits for someone
        before = last_id(pinned)
        with pytest.raises(AccessDenied) as refused:
            shop.settings.set("points.per_yuan", "2")
        assert error_text(refused.value) == (
            "No one is signed in: sign in with your name and PIN to change a setting.")
        assert last_id(pinned) == before  # no one to record it against
        with pytest.raises(SignInRefused):
            shop.staff.switch("小李", "00000000")
        assert not shop.signed_in
        who = shop.staff.switch("小李", STAFF_PIN)
        assert shop.actor == who and sales.actor == who and shop.signed_in
        assert shop.may("purchase.add") and not shop.may("setting.set")
        shop.staff.switch("老王", OWNER_PIN)
        shop.settings.set("points.per_yuan", "2")
        shop.staff.sign_out()
        assert not shop.signed_in and not shop.may("purchase.add")
    finally:
        shop.close()
    rows = [(r[1], r[0]) for r in audit(pinned, before)]
    assert rows == [("staff.pin_failed", 2), ("staff.sign_in", 2), ("staff.sign_in", 1),
                    ("setting.set", 1)]


def test_switch_and_lock_in_a_shop_without_pins(shop: Shop) -> None:
    with shop.store.write(shop.actor, "staff.add") as tx:
        tx.execute("INSERT INTO staff(name, role, created_at) VALUES ('小李', 'staff', ?)",
                   (tx.now,))
        tx.audit("staff.add", "staff", None)
    assert shop.staff.switch("小李", "").role == "staff"
    shop.staff.sign_out()  # no PINs: nothing to lock with, so no lock
    assert shop.signed_in and shop.actor.name == "小李"


# -- the owner's changes --------------------------------------------------------------------------
def test_names_are_checked_trimmed_and_unique_ignoring_case(shop: Shop) -> None:
    shop.staff.set_pin("owner", OWNER_PIN)
    added = shop.staff.add("  Amy  Li ", "STAFF", "1234")
    assert (added.name, added.role, added.has_pin) == ("Amy Li", "staff", True)
    cases = {"amy li": "staff.name_taken", "": "staff.name_blank", "x" * 21: "gate.text.too_long",
             "a\x07b": "gate.text.control", "a\u202eb": "gate.text.hidden"}
    for name, code in cases.items():
        with pytest.raises(ValidationError) as refused:
            shop.staff.add(name, "staff", "1234")
        assert refused.value.code == code, name
    with pytest.raises(ValidationError, match=r"staff\.role_unknown"):
        shop.staff.add("Bo", "manager", "1234")
    assert [m.name for m in shop.staff.list()] == ["owner", "Amy Li"]


def test_an_owner_without_a_pin_sets_their_own_first(shop: Shop) -> None:
    """Giving someone a PIN makes PINs required: an owner without one would be locked out."""
    with pytest.raises(ValidationError) as refused:
        shop.staff.add("小李", "staff", "1234")
    assert "`regulars staff pin owner`" in error_text(refused.value)
    assert not shop.staff.pins_in_use() and len(shop.staff.list()) == 1


def test_the_last_owner_who_can_sign_in_stays(pinned: Path, clock: HandClock) -> None:
    shop = opened(pinned, clock, "老王", OWNER_PIN)
    try:
        with pytest.raises(ValidationError, match=r"staff\.last_owner"):
            shop.staff.deactivate("老王")
        shop.staff.add("老板娘", "owner", "13572468")
        shop.staff.deactivate("老王")  # another owner can sign in now
        # 老王 is no longer active: his open session can do nothing more
        with pytest.raises(SignInRefused, match=r"staff\.session_ended"):
            shop.staff.deactivate("老板娘")
    finally:
        shop.close()
    other = opened(pinned, clock, "老板娘", "13572468")
    try:
        with pytest.raises(ValidationError, match=r"staff\.last_owner"):
            other.staff.deactivate("老板娘")
    finally:
        other.close()


def test_a_console_left_open_is_refused_once_its_person_is_deactivated(
        pinned: Path, clock: HandClock) -> None:
    """The owner deactivates 小李 (or changes her role) elsewhere: her open session can
    neither write nor read what is guarded, and no row is written as her."""
    owner = opened(pinned, clock, "老王", OWNER_PIN)
    li = opened(pinned, clock, "小李", STAFF_PIN)
    try:
        wang = li.customers.add(CustomerInput(name="王芳", phone="13911112222"))
        owner.staff.deactivate("小李")
        with pytest.raises(SignInRefused, match=r"staff\.session_ended"):
            li.customers.full_phone(wang.id)
        with pytest.raises(SignInRefused, match=r"staff\.session_ended"):
            li.sales.record(wang.id, "30.00")
        with owner.store.read() as conn:
            last = conn.execute("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1"
                                ).fetchone()[0]
        assert last == "staff.deactivate"
    finally:
        li.close()
        owner.close()


def test_a_new_pin_clears_the_wrong_ones(pinned: Path, clock: HandClock) -> None:
    for _ in range(FREE_TRIES):
        with pytest.raises(SignInRefused):
            opened(pinned, clock, "小李", "00000000")
    owner = opened(pinned, clock, "老王", OWNER_PIN)
    try:
        owner.staff.set_pin("小李", "24681357")
    finally:
        owner.close()
    opened(pinned, clock, "小李", "24681357").close()


def test_init_owner_names_the_first_owner_once(shop: Shop) -> None:
    named = shop.staff.name_owner(" 老王 ", "１３５７")
    assert (named.id, named.name, named.has_pin) == (1, "老王", True)
    with pytest.raises(ValidationError, match=r"staff\.owner_has_pin"):
        shop.staff.name_owner("老李", "1357")


# -- refusals leave a trace ---------------------------------------------------------------------
def test_a_refused_staff_member_leaves_one_access_denied_row(
        pinned: Path, clock: HandClock, monkeypatch: pytest.MonkeyPatch) -> None:
    shop = opened(pinned, clock, "小李", STAFF_PIN)
    try:
        before = last_id(pinned)
        assert not shop.may("staff.add")
        with pytest.raises(AccessDenied):
            shop.check("audit.read")
        with pytest.raises(AccessDenied):
            shop.staff.add("小张", "staff", "1234")
        rows = audit(pinned, before)
        assert [(r[1], json.loads(r[3])) for r in rows] == [
            ("access.denied", {"refused": "audit.read"}),
            ("access.denied", {"refused": "staff.add"})]
        assert {r[0] for r in rows} == {shop.actor.id}

        def cannot_write(*args: object, **kwargs: object) -> None:
            raise StoreError("store.full", path=str(pinned))

        monkeypatch.setattr(shop.store, "write", cannot_write)
        with pytest.raises(AccessDenied):  # the record failed; the refusal still stands
            shop.settings.set("points.per_yuan", "2")
    finally:
        monkeypatch.undo()
        shop.close()


def test_no_pin_reaches_the_file_or_the_audit_log(pinned: Path, clock: HandClock) -> None:
    with pytest.raises(SignInRefused):
        opened(pinned, clock, "小李", "24680135")
    shop = opened(pinned, clock, "老王", OWNER_PIN, sign_in=False)
    try:
        shop.staff.switch("老王", OWNER_PIN)
        shop.staff.set_pin("小李", "97531864")
        with shop.store.read() as conn:
            details = " ".join(r[0] for r in conn.execute("SELECT detail FROM audit_log"))
        for pin in (OWNER_PIN, STAFF_PIN, "24680135", "97531864"):
            assert pin not in details
            for suffix in ("", "-wal"):
                data = Path(f"{pinned}{suffix}").read_bytes()
                assert pin.encode() not in data and pin.encode("utf-16-le") not in data
    finally:
        shop.close()


# -- settings, doctor, the file's permissions -------------------------------------------------
def test_the_idle_lock_setting(shop: Shop) -> None:
    assert shop.settings.get("lock.idle_minutes") == "10"
    shop.settings.set("lock.idle_minutes", "0")
    assert shop.settings.get("lock.idle_minutes") == "0"
    with pytest.raises(ValidationError):
        shop.settings.set("lock.idle_minutes", "241")


def test_doctor_urges_a_pin_without_failing(shop: Shop) -> None:
    report = shop.doctor(quick=True)
    pins = next(c for c in report.checks if c.name == "pins_none")
    assert pins.ok and pins.warn
    shop.staff.set_pin("owner", OWNER_PIN)
    report = shop.doctor(quick=True)
    assert next(c for c in report.checks if c.name == "pins").params == {"count": 1}


@pytest.mark.skipif(os.name != "posix", reason="no permission bits")
def test_a_file_others_may_read_is_made_private(shop: Shop) -> None:
    os.chmod(shop.path, 0o666)
    assert Shop.make_private(shop.path) == "0o666"
    assert stat.S_IMODE(shop.path.stat().st_mode) == 0o600
    assert Shop.make_private(shop.path) is None


def test_a_restore_is_the_owners_and_asks_for_the_pin_once(tmp_path: Path,
                                                           clock: HandClock) -> None:
    path = tmp_path / "own.db"  # (the other tests' shop stays open: a restore needs it not)
    shop = Shop.open(path, clock=clock)
    try:
        shop.staff.name_owner("老王", OWNER_PIN)
        shop.staff.add("小李", "staff", STAFF_PIN)
        saved = shop.backups.backup()
    finally:
        shop.close()
    with pytest.raises(AccessDenied):
        Shop.restore(path, saved, "小李", pin=STAFF_PIN, clock=clock)
    asked: list[str] = []

    def ask(name: str) -> str:
        asked.append(name)
        return OWNER_PIN

    Shop.restore(path, saved, "老王", pin=ask, clock=clock)  # opens the file twice
    assert asked == ["老王"]


def test_a_malformed_pin_is_explained_and_not_counted(pinned: Path, clock: HandClock) -> None:
    """A tired hand typing letters, or three digits, is told what a PIN is; no try is used."""
    for typed in ("abcd", "12", "１２ab"):
        with pytest.raises(ValidationError, match=r"staff\.pin_invalid"):
            opened(pinned, clock, "小李", typed)
    shop = opened(pinned, clock, "小李", STAFF_PIN)
    try:
        with shop.store.read() as conn:
            assert conn.execute("SELECT failed_pins FROM staff WHERE name = '小李'"
                                ).fetchone()[0] == 0
    finally:
        shop.close()
