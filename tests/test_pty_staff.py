"""Staff at a real terminal (80x24): the console of a shop with PINs opens on the sign-in
screen; staff sign in and are refused settings with the reason; F12 and the owner's PIN
open them; left alone, the console locks. The lookup list shows no full phone number.

Keys go both in one write (a burst, as a paste or a quick typist over SSH sends them) and
at human pace. The idle limit comes from REGULARS_IDLE_SECONDS (read by the console
only: console/idle.py), as the setting's shortest, a minute, is too long for a test.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from db.shop import Shop
from db.values import CustomerInput
from tests.pty_harness import KEYS, Console

pytestmark = pytest.mark.skipif(not hasattr(os, "openpty"),
                                reason="needs a POSIX pseudo-terminal")

IDLE_SECONDS = 3  # longer than any step below takes on a busy machine; short to wait for
ASK = "Who is at the counter"


def squeezed(screen: str) -> str:
    """The screen's words run together: a toast wraps its sentence inside a border."""
    return re.sub(r"[\s▌▎▊]", "", screen)


def shop_with_staff(folder: Path) -> Path:
    path = folder / "shop.db"
    shop = Shop.open(path)
    try:
        for i, name in enumerate(("王伟", "张三", "李四")):
            shop.customers.add(CustomerInput(name=name, phone=f"1390000{i:04d}"))
        shop.settings.set("lock.idle_minutes", "1")  # the setting; the variable shortens it
        shop.staff.name_owner("老板", "2468")
        shop.staff.add("小李", "staff", "1357")
    finally:
        shop.close()
    return path


def test_staff_are_refused_settings_the_owner_opens_them_and_idle_locks(
        tmp_path: Path) -> None:
    db = shop_with_staff(tmp_path)
    with Console(db, extra_env={"REGULARS_IDLE_SECONDS": str(IDLE_SECONDS)}) as run:
        screen = run.wait_for(ASK)
        assert "王伟" not in screen  # nothing of the shop before someone signs in
        run.send("小李".encode() + KEYS.enter + b"1357" + KEYS.enter)  # one write
        run.wait_for("小李 (staff)")
        run.send(KEYS.f9)
        run.wait_for("Only the owner")
        assert "小李issignedinasstaff" in squeezed(run.settle())  # the toast wraps
        run.send(KEYS.f12)
        run.wait_for(ASK)
        run.type_slowly("老板".encode() + KEYS.enter + b"2468" + KEYS.enter)  # human pace
        run.wait_for("老板 (owner)")
        run.send(KEYS.f9)
        run.wait_for("Stage rules")  # the settings screen's tabs
        run.send(KEYS.escape)
        screen = run.wait_for("王伟")
        assert "139****0000" in screen
        assert not re.search(r"\d{11}", screen.replace(" ", "")), screen  # masked list
        screen = run.wait_for("nobody signed in", timeout=IDLE_SECONDS + 15)  # idle: locked
        assert ASK in screen and "王伟" not in screen
        assert run.quit() == 0
