"""The real-terminal harness itself (tests/pty_harness.py): key splitting, the screen at
both sizes and in both languages, what a lone Esc is, and a clean end of the child."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.pty_harness import ESC_PAUSE, KEYS, Console, Seeded, changes, dump, key_units, seed_shop

pytestmark = pytest.mark.skipif(not hasattr(os, "openpty"),
                                reason="needs a POSIX pseudo-terminal")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    return seed_shop(tmp_path_factory.mktemp("pty-seed") / "seed.db")


def test_key_units_keep_sequences_and_characters_whole() -> None:
    keys = b"p30\t" + KEYS.shift_tab + KEYS.f9 + KEYS.f1 + "蛋挞".encode() + KEYS.escape + b"x"
    assert key_units(keys) == [b"p", b"3", b"0", b"\t", b"\x1b[Z", b"\x1b[20~", b"\x1bOP",
                               "蛋".encode(), "挞".encode(), b"\x1b", b"x"]
    assert b"".join(key_units(keys)) == keys


def test_the_seed_is_what_the_burst_tests_expect(seeded: Seeded) -> None:
    rows = dump(seeded.path)
    assert [(c["name"], c["points"]) for c in rows["customers"]] == [
        ("李娜", 0), ("欧阳娜娜", 19), ("王小明", 1000), ("赵敏", 130)]
    assert sorted((c["template"], c["status"]) for c in rows["coupons"]) == [
        ("满50减10", "issued"), ("生日礼", "issued")]
    assert len(seeded.redeem_code) == len(seeded.void_code) == 9


def test_the_console_at_120x40_in_chinese_quits_on_ctrl_q(seeded: Seeded,
                                                          tmp_path: Path) -> None:
    db = seeded.copy_to(tmp_path)
    run = Console(db, lang="zh", size=(120, 40), home=tmp_path)
    try:
        screen = run.wait_for("欧阳娜娜")
        assert "手机" in screen  # the lookup's column heading, in Chinese
        assert len(screen.split("\n")) == 40
        assert max(len(line) for line in screen.split("\n")) <= 120
        run.type_slowly(b"13800138000\r")
        assert "王小明" in run.wait_for("累计消费（单客价）")
    finally:
        status = run.quit()
    assert status == 0  # Ctrl+Q ended it by itself, no signal needed
    assert not run.process.isalive()


def test_esc_alone_and_esc_then_a_key_in_one_write_are_both_esc(
        seeded: Seeded, tmp_path: Path) -> None:
    """What a terminal's Esc is, measured. Esc is also the first byte of every escape
    sequence, so Textual waits ESCDELAY (100 ms) after it; Esc and a letter in one
    write is what a terminal sends for Alt+letter. The console binds no Alt keys and
    its key gate (console/keys.py) splits that back into Esc, then the letter: in one
    write, "Esc p" on a customer goes back to lookup and types p into the search box,
    never a sale. Esc last in a write (or alone) is Esc."""
    db = seeded.copy_to(tmp_path)
    before = dump(db)
    with Console(db, home=tmp_path) as run:
        run.wait_for("Phone")
        run.type_slowly(b"13800138000\r")
        run.wait_for("Lifetime spend")
        run.send(KEYS.escape + b"p")  # one write
        screen = run.wait_for("13800138000p")  # lookup, the p in the search box
        assert "Lifetime spend" not in screen and "Sale for" not in screen
        run.send(KEYS.escape, then_wait=ESC_PAUSE)  # Esc alone: clears the search
        run.wait_gone("13800138000p")
    assert not changes(before, dump(db)).added


def test_a_console_that_will_not_quit_is_killed_and_reaped(seeded: Seeded,
                                                           tmp_path: Path) -> None:
    db = seeded.copy_to(tmp_path)
    run = Console(db, home=tmp_path)
    run.wait_for("Phone")
    os.kill(run.process.pid, 19)  # SIGSTOP: Ctrl+Q can no longer be read
    started = time.monotonic()
    assert run.quit(timeout=1.0) is None  # it had to be killed
    assert time.monotonic() - started < 8
    assert not run.process.isalive()
    with pytest.raises(ChildProcessError):
        os.waitpid(run.process.pid, os.WNOHANG)  # already reaped: no zombie left
