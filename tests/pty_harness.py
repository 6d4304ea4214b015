"""A real terminal for tests: the installed `regulars` console in a pseudo-terminal.

The console runs as its own process (the venv's `regulars` script) inside a pty of
a fixed size, with TERM=xterm-256color, exactly as a person runs it. A reader
thread feeds everything it prints into a pyte screen, so a test reads the screen as
text (``screen_text``, ``wait_for``) while it types: ``send`` puts bytes in ONE
write (what a paste, a keyboard wedge or a slow SSH link delivers), ``type_slowly``
one key per write at human pace. No tmux, so it runs in CI.

Keys as bytes (xterm): Tab ``\\t``, Shift+Tab ``\\x1b[Z``, Enter ``\\r``, Backspace
``\\x7f``, Esc ``\\x1b``, arrows ``\\x1b[A``-``\\x1b[D``, F1-F4 ``\\x1bOP``-``\\x1bOS``,
F5 ``\\x1b[15~``, F9 ``\\x1b[20~``, F12 ``\\x1b[24~``, Ctrl+<letter> the control byte (Ctrl+S
``\\x13``).

A lone Esc is ambiguous: it also starts every escape sequence. Textual waits
ESCDELAY (100 ms by default) for the byte after it; Esc followed by a letter in one
write is what a terminal sends for Alt+letter, and Esc followed by ``[`` starts a
sequence. The console binds no Alt keys, and its key gate (console/keys.py) splits
Alt+letter back into Esc, then the letter; before that gate, "Esc p" in one write
was Alt+p and the Esc was lost. Esc at the end of a write, or alone, is Esc
(test_pty_harness.py measures both). ``ESC_PAUSE`` is longer than ESCDELAY.

The database side: ``dump`` reads the rows that matter as plain, comparable data
(names instead of ids, no timestamps), so two runs can be compared for equality and
a run's changes (``changes``) checked against what the keys should have done.
"""

from __future__ import annotations

import codecs
import contextlib
import json
import os
import re
import signal
import sqlite3
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import pyte
from ptyprocess import PtyProcess

ESC_PAUSE = 0.25  # longer than Textual's ESCDELAY (100 ms): a lone Esc reads as Esc
HUMAN_GAP = 0.06  # 60 ms between keys: a quick typist


@dataclass(frozen=True)
class Keys:
    """xterm byte sequences of the keys the console uses."""

    tab: bytes = b"\t"
    shift_tab: bytes = b"\x1b[Z"
    enter: bytes = b"\r"
    escape: bytes = b"\x1b"
    backspace: bytes = b"\x7f"
    up: bytes = b"\x1b[A"
    down: bytes = b"\x1b[B"
    right: bytes = b"\x1b[C"
    left: bytes = b"\x1b[D"
    f1: bytes = b"\x1bOP"
    f2: bytes = b"\x1bOQ"
    f3: bytes = b"\x1bOR"
    f4: bytes = b"\x1bOS"
    f5: bytes = b"\x1b[15~"
    f6: bytes = b"\x1b[17~"
    f7: bytes = b"\x1b[18~"
    f8: bytes = b"\x1b[19~"
    f9: bytes = b"\x1b[20~"
    f12: bytes = b"\x1b[24~"

    @staticmethod
    def ctrl(letter: str) -> bytes:
        return bytes([ord(letter.lower()) - ord("a") + 1])


KEYS = Keys()


def key_units(data: bytes) -> list[bytes]:
    """Split bytes into keys: one escape sequence, one UTF-8 character or one byte each,
    so that typing them one per write never cuts a key in half."""
    units: list[bytes] = []
    i = 0
    while i < len(data):
        byte = data[i]
        if byte == 0x1B and i + 1 < len(data) and data[i + 1] in b"[O":
            j = i + 2
            if data[i + 1] == ord("O"):
                j += 1  # SS3: one final byte (F1-F4)
            else:
                while j < len(data) and not 0x40 <= data[j] <= 0x7E:
                    j += 1  # CSI parameters
                j += 1
            units.append(data[i:j])
            i = j
        elif byte >= 0xC0:  # the lead byte of a multi-byte UTF-8 character
            length = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            units.append(data[i:i + length])
            i += length
        else:
            units.append(data[i:i + 1])
            i += 1
    return units


def regulars_argv() -> list[str]:
    """The installed entry point of this venv: the `regulars` script beside the Python
    running the tests, or the same code through that Python."""
    script = Path(sys.executable).parent / ("regulars.exe" if os.name == "nt" else "regulars")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from console.cli import main; main()"]


class ConsoleTimeout(AssertionError):
    """The screen did not show what a test waited for; the message carries the screen."""


class Terminal:
    """Any program in a pty of a fixed size, its output read into a pyte screen. Use as
    a context manager: it always ends and reaps the child (Ctrl+Q, then SIGTERM, then
    SIGKILL). ``Console`` is the `regulars` console in one; bench/startup.py also runs a
    hello-world Textual app in one."""

    def __init__(self, argv: Sequence[str], env: dict[str, str],
                 size: tuple[int, int] = (80, 24)) -> None:
        self.columns, self.rows = size
        self.screen = pyte.Screen(self.columns, self.rows)
        self.stream = pyte.Stream(self.screen)
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._version = 0
        self._raw = bytearray()
        self.process = PtyProcess.spawn(list(argv), env=env,
                                        dimensions=(self.rows, self.columns))
        self._reader = threading.Thread(target=self._read, name="pty-reader", daemon=True)
        self._reader.start()

    # -- output -----------------------------------------------------------------------
    def _read(self) -> None:
        while True:
            try:
                chunk = self.process.read(65536)
            except EOFError:
                break
            except OSError:  # the pty closed under us (EIO on Linux): the child is gone
                break
            text = self._decoder.decode(chunk)
            with self._changed:
                self._raw += chunk
                self.stream.feed(text)
                self._version += 1
                self._changed.notify_all()
        with self._changed:
            self._version += 1
            self._changed.notify_all()

    def screen_text(self) -> str:
        """The screen as it is now, one line per row, trailing spaces kept off."""
        with self._lock:
            return "\n".join(line.rstrip() for line in self.screen.display)

    def wait_for(self, text: str | re.Pattern[str], timeout: float = 15.0) -> str:
        """Wait until ``text`` (or a match of a pattern) is on the screen; the screen
        then. Fails with the screen."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                shown = "\n".join(line.rstrip() for line in self.screen.display)
                if (text.search(shown) if isinstance(text, re.Pattern) else text in shown):
                    return shown
                left = deadline - time.monotonic()
                if left <= 0 or (not self.process.isalive() and not self._reader.is_alive()):
                    raise ConsoleTimeout(f"{text!r} not on screen after {timeout:.1f}s:\n"
                                         f"{shown}")
                self._changed.wait(min(left, 0.2))

    def wait_gone(self, text: str, timeout: float = 15.0) -> str:
        """Wait until ``text`` is no longer on the screen (a dialog closed)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                shown = "\n".join(line.rstrip() for line in self.screen.display)
                if text not in shown:
                    return shown
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ConsoleTimeout(f"{text!r} still on screen after {timeout:.1f}s:\n"
                                         f"{shown}")
                self._changed.wait(min(left, 0.2))

    def settle(self, quiet: float = 0.5, timeout: float = 15.0) -> str:
        """Wait until the screen's text has not changed for ``quiet`` seconds (the
        console has done what the keys asked and drawn it); the screen then."""
        deadline = time.monotonic() + timeout
        last = self.screen_text()
        since = time.monotonic()
        while True:
            time.sleep(0.05)
            now_text = self.screen_text()
            now = time.monotonic()
            if now_text != last:
                last, since = now_text, now
            elif now - since >= quiet:
                return now_text
            if now > deadline:
                raise ConsoleTimeout(f"the screen kept changing for {timeout:.1f}s:\n{now_text}")

    # -- input ------------------------------------------------------------------------
    def send(self, data: bytes, then_wait: float = 0.0) -> None:
        """All the bytes in ONE write to the terminal, as a paste or a burst delivers them."""
        written = 0
        while written < len(data):
            written += os.write(self.process.fd, data[written:])
        if then_wait:
            time.sleep(then_wait)

    def type_slowly(self, data: bytes, gap: float = HUMAN_GAP) -> None:
        """One key per write, ``gap`` seconds apart: a person typing."""
        for unit in key_units(data):
            self.send(unit)
            time.sleep(gap)

    def send_chunks(self, chunks: Sequence[bytes], gaps: Sequence[float]) -> None:
        """The bytes in the given writes, with the given pauses after each."""
        for chunk, gap in zip(chunks, gaps, strict=True):
            self.send(chunk)
            if gap:
                time.sleep(gap)

    # -- the end ----------------------------------------------------------------------
    def quit(self, timeout: float = 10.0) -> int | None:
        """Ctrl+Q and wait; SIGTERM, then SIGKILL if it does not end. Always reaps it.
        Returns the exit status (None when it had to be killed)."""
        proc = self.process
        if proc.isalive():
            with contextlib.suppress(OSError):
                self.send(KEYS.ctrl("q"))
            deadline = time.monotonic() + timeout
            while proc.isalive() and time.monotonic() < deadline:
                time.sleep(0.05)
        status: int | None = None
        if proc.isalive():
            for sig in (signal.SIGTERM, signal.SIGKILL):
                with contextlib.suppress(OSError):
                    proc.kill(sig)
                deadline = time.monotonic() + 3
                while proc.isalive() and time.monotonic() < deadline:
                    time.sleep(0.05)
                if not proc.isalive():
                    break
        else:
            status = proc.exitstatus
        with contextlib.suppress(Exception):  # reaping: whatever state the pty is in
            proc.close(force=True)
        self._reader.join(timeout=3)
        return status

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.quit()


class Console(Terminal):
    """One run of the installed `regulars` console in a pty, on ``db``, with HOME and
    the data folders beside it and no REGULARS_/TEXTUAL settings of the caller's."""

    def __init__(self, db: Path, *, lang: str = "en", size: tuple[int, int] = (80, 24),
                 home: Path | None = None, extra_args: Sequence[str] = (),
                 extra_env: dict[str, str] | None = None) -> None:
        self.db = db
        home = home or db.parent
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("TEXTUAL", "REGULARS", "TMUX", "COLUMNS", "LINES"))}
        env.update(TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8",
                   HOME=str(home), XDG_DATA_HOME=str(home / "data"),
                   XDG_CONFIG_HOME=str(home / "config"),
                   REGULARS_EXPORTS=str(home / "exports"))
        env.update(extra_env or {})  # a test's own REGULARS_ settings, named on purpose
        argv = [*regulars_argv(), "--db", str(db), "--lang", lang, *extra_args]
        super().__init__(argv, env, size)

    def __enter__(self) -> Console:
        return self


# -- the database side ------------------------------------------------------------------

Row = dict[str, object]

# What a run of keys can change, with names in place of ids and without times. Coupon
# codes are left out: a coupon given in a run gets a random one.
DUMP_QUERIES: dict[str, str] = {
    "customers": """
        SELECT name, phone, wechat_id, birth_month, birth_day, gender, channel, notes,
               is_seed_user, marketing_consent, stage, stage_source, total_spend_fen,
               orders, points
        FROM customers""",
    "purchases": """
        SELECT c.name AS customer, p.amount_fen, p.items,
               r.amount_fen AS refund_of_amount
        FROM purchases p JOIN customers c ON c.id = p.customer_id
        LEFT JOIN purchases r ON r.id = p.refund_of""",
    "points": """
        SELECT c.name AS customer, l.delta, l.kind, l.balance_after,
               CASE WHEN l.purchase_id IS NULL THEN l.reason ELSE '(a sale)' END AS reason,
               p.amount_fen AS sale_amount
        FROM points_ledger l JOIN customers c ON c.id = l.customer_id
        LEFT JOIN purchases p ON p.id = l.purchase_id""",
    "stages": """
        SELECT c.name AS customer, h.from_stage, h.to_stage, h.source, h.reason_code,
               h.reason_params
        FROM stage_history h JOIN customers c ON c.id = h.customer_id""",
    "tags": """
        SELECT c.name AS customer, t.name AS tag
        FROM customer_tags x JOIN customers c ON c.id = x.customer_id
        JOIN tags t ON t.id = x.tag_id""",
    "tag_names": "SELECT name FROM tags",
    "feedback": """
        SELECT c.name AS customer, f.category, f.sentiment, f.words, p.name AS product,
               s.name AS supplier, f.status, f.owner_note
        FROM feedback f LEFT JOIN customers c ON c.id = f.customer_id
        LEFT JOIN products p ON p.id = f.product_id
        LEFT JOIN suppliers s ON s.id = f.supplier_id""",
    "products": """
        SELECT p.name, p.category, s.name AS supplier, p.active
        FROM products p LEFT JOIN suppliers s ON s.id = p.supplier_id""",
    "templates": """
        SELECT name, kind, value_fen, percent, cap_fen, gift, min_spend_fen, valid_days,
               valid_until, per_customer, transferable, active
        FROM coupon_templates""",
    "coupons": """
        SELECT t.name AS template, c.name AS customer, k.reason, k.status,
               k.discount_fen, k.void_reason, r.name AS redeemed_for,
               p.amount_fen AS sale_amount
        FROM coupons k JOIN coupon_templates t ON t.id = k.template_id
        JOIN customers c ON c.id = k.customer_id
        LEFT JOIN customers r ON r.id = k.redeemed_for
        LEFT JOIN purchases p ON p.id = k.purchase_id""",
    "referrals": """
        SELECT a.name AS referrer, b.name AS referee, r.status
        FROM referrals r JOIN customers a ON a.id = r.referrer_id
        JOIN customers b ON b.id = r.referee_id""",
    "settings": """
        SELECT key, value FROM settings
        WHERE key != 'language' AND key NOT LIKE '%\\_at' ESCAPE '\\'""",
}


def dump(db: Path) -> dict[str, list[Row]]:
    """The rows that matter, each table sorted, so that equal databases dump equal."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        result: dict[str, list[Row]] = {}
        for table, query in DUMP_QUERIES.items():
            rows = [dict(row) for row in conn.execute(query)]
            result[table] = sorted(rows, key=_row_key)
        return result
    finally:
        conn.close()


def _row_key(row: Row) -> str:
    return json.dumps(row, sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True)
class Changes:
    """What a run did to the database: rows added and rows gone, per table (a changed
    row is one gone and one added)."""

    added: dict[str, list[Row]]
    removed: dict[str, list[Row]]

    def only(self, *tables: str) -> bool:
        touched = {t for t, rows in self.added.items() if rows} | {
            t for t, rows in self.removed.items() if rows}
        return touched <= set(tables)

    def __str__(self) -> str:
        lines = []
        for table in sorted(set(self.added) | set(self.removed)):
            for row in self.removed.get(table, []):
                lines.append(f"- {table} {_row_key(row)}")
            for row in self.added.get(table, []):
                lines.append(f"+ {table} {_row_key(row)}")
        return "\n".join(lines) or "(no change)"


def changes(before: dict[str, list[Row]], after: dict[str, list[Row]]) -> Changes:
    added: dict[str, list[Row]] = {}
    removed: dict[str, list[Row]] = {}
    for table in before.keys() | after.keys():
        old = Counter(_row_key(r) for r in before.get(table, []))
        new = Counter(_row_key(r) for r in after.get(table, []))
        plus, minus = new - old, old - new
        if plus:
            added[table] = [json.loads(k) for k in sorted(plus.elements())]
        if minus:
            removed[table] = [json.loads(k) for k in sorted(minus.elements())]
    return Changes(added, removed)


@contextlib.contextmanager
def console(db: Path, **options: Any) -> Iterator[Console]:
    """``with console(path) as c:`` — the console, always quit and reaped after."""
    run = Console(db, **options)
    try:
        yield run
    finally:
        run.quit()


# -- the seeded file -------------------------------------------------------------------


@dataclass(frozen=True)
class Seeded:
    """A small shop made through the real rules, to copy fresh for every run."""

    path: Path
    redeem_code: str  # 赵敏's unused 满50减10 coupon
    void_code: str  # 赵敏's unused 生日礼 coupon

    def copy_to(self, folder: Path) -> Path:
        """A fresh copy of the file (and of its WAL, if one was left)."""
        import shutil

        folder.mkdir(parents=True, exist_ok=True)
        target = folder / "shop.db"
        shutil.copyfile(self.path, target)
        wal = self.path.with_name(self.path.name + "-wal")
        if wal.exists():
            shutil.copyfile(wal, target.with_name(target.name + "-wal"))
        os.chmod(target, 0o600)
        return target


# name, phone, purchases (yuan), tags
CUSTOMERS = (
    ("王小明", "138 0013 8000", ("1000",), ("团购",)),  # 1,000 points to spend
    ("李娜", "137 0013 7001", (), ()),  # new, no purchase yet: can be referred
    ("赵敏", "136 0013 6002", ("88", "42.5"), ()),  # coupons to redeem and void
    ("欧阳娜娜", "135 0013 5003", ("19.9",), ("老客",)),
)


def seed_shop(path: Path) -> Seeded:
    """Build the small shop through db.shop.Shop (the rules the console uses): four
    customers with Chinese names and phones, sales, points, tags, two coupon
    templates and two issued coupons. The day's stage recompute is done here, so a
    console started on a copy has nothing of its own to change."""
    from db.customers import CustomerInput
    from db.shop import Shop

    shop = Shop.open(str(path))
    try:
        ids: dict[str, int] = {}
        for name, phone, sales, tags in CUSTOMERS:
            made = shop.customers.add(CustomerInput(name=name, phone=phone,
                                                   marketing_consent=True))
            ids[name] = made.id
            for amount in sales:
                shop.sales.record(made.id, amount, "")
            for tag in tags:
                shop.customers.add_tag(made.id, tag)
        shop.coupons.add_template("满50减10", "amount", value="10", min_spend="50",
                                 valid_days=30, per_customer=5)
        shop.coupons.add_template("生日礼", "gift", gift="蛋挞", valid_days=30)
        redeem = shop.coupons.issue("满50减10", ids["赵敏"], "manual")
        void = shop.coupons.issue("生日礼", ids["赵敏"], "birthday")
        assert redeem is not None and void is not None
        shop.lifecycle.recompute_if_due()
    finally:
        shop.close()
    return Seeded(path, redeem.code, void.code)
