"""Staff and PINs through the real `regulars` (subprocesses): init --owner, the staff
commands, every command needing a name and PIN once PINs exist, and each owner-only
command refused to staff (role named, exit 1, an access.denied row) and done by the
owner (its own audit row). No PIN ever shows in what a command prints or in the file."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from db.audience import Audience
from db.customers import CustomerInput
from db.shop import Shop
from tests.cli_helpers import Result, build_shop, digest, run_cli

OWNER_PIN = "80468213"
STAFF_PIN = "59317046"
NEW_PIN = "31975024"
ALL_PINS = (OWNER_PIN, STAFF_PIN, NEW_PIN)
OWNER = {"REGULARS_PIN": OWNER_PIN, "REGULARS_NEW_PIN": NEW_PIN}
STAFF = {"REGULARS_PIN": STAFF_PIN, "REGULARS_NEW_PIN": NEW_PIN}


def no_pin_shown(*results: Result) -> None:
    for result in results:
        for pin in ALL_PINS:
            assert pin.encode() not in result.out + result.err, result.describe()


def rows_after(db: Path, after: int) -> list[tuple[int, str, str]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return [tuple(r) for r in conn.execute(
            "SELECT staff_id, action, detail FROM audit_log WHERE id > ? ORDER BY id", (after,))]
    finally:
        conn.close()


def last_id(db: Path) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT coalesce(max(id), 0) FROM audit_log").fetchone()[0])
    finally:
        conn.close()


# -- one shop for every owner-only command ------------------------------------------------
@pytest.fixture(scope="module")
def pinned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The small CLI shop, with PINs: 老王 (owner, id 1), 小李 (staff, id 2), and 小赵 and
    小钱 (staff) for the owner to deactivate and re-PIN; a third customer, a batch and a
    file to import."""
    folder = tmp_path_factory.mktemp("staff-cli")
    small = build_shop(folder)
    shop = Shop.open(small.path)
    try:
        shop.staff.name_owner("老王", OWNER_PIN)
        for name in ("小李", "小赵", "小钱"):
            shop.staff.add(name, "staff", STAFF_PIN)
        third = shop.customers.add(CustomerInput(name="赵六", phone="13911114444"))
        shop.campaigns.issue_batch(small.template, Audience(tag=small.tag), "winback", "b1")
    finally:
        shop.close()
    (folder / "new.csv").write_text("姓名,手机\n孙七,13911115555\n", encoding="utf-8")
    return small.path, {"member": small.member, "other": small.other, "third": third.member_code,
                        "coupon": small.coupon, "template": small.template,
                        "csv": str(folder / "new.csv")}


# Every owner-only command of the CLI, with what makes the owner's run succeed; each
# touches something no other one does, so they pass in any order on the one shop.
COMMANDS: dict[str, list[str]] = {
    "staff.add": ["staff", "add", "小王", "--role", "staff"],
    "staff.pin": ["staff", "pin", "小钱"],
    "staff.deactivate": ["staff", "deactivate", "小赵"],
    "setting.set": ["settings", "set", "points.per_yuan", "2"],
    "points.adjust": ["points", "adjust", "{member}", "--points", "50", "--reason", "goodwill"],
    "points.opening": ["points", "opening", "{third}", "--points", "300"],
    "export.customers": ["export", "customers", "-o", "c.csv"],
    "export.purchases": ["export", "purchases", "-o", "p.csv"],
    "export.coupons": ["export", "coupons", "-o", "k.csv"],
    "feedback.export": ["feedback", "export", "-o", "f.csv"],
    "import.customers": ["import", "customers", "{csv}"],
    "shop.backup": ["backup"],
    "customer.merge": ["customer", "merge", "{member}", "{other}", "--yes"],
    "tag.rename": ["tag", "rename", "团购", "老顾客"],
    "coupon.void": ["coupon", "void", "{coupon}", "--reason", "given twice"],
    "coupon.template": ["coupon", "template", "add", "--name", "员工券", "--kind", "amount",
                        "--value", "5", "--valid-days", "3"],
    "coupon.issue_batch": ["coupon", "issue", "--template", "{template}", "--tag", "团购",
                           "--batch-id", "b2"],
    "coupon.export": ["coupon", "export", "--batch-id", "b1", "-o", "b1.csv"],
}


@pytest.mark.parametrize("action", sorted(COMMANDS))
def test_each_owner_only_command_is_refused_to_staff_and_done_by_the_owner(
        pinned: tuple[Path, dict[str, str]], tmp_path: Path, action: str) -> None:
    db, names = pinned
    args = [a.format(**names) for a in COMMANDS[action]]
    start = last_id(db)
    refused = run_cli([*args, "--db", str(db), "--staff", "小李", "--lang", "en"], tmp_path,
                      env_extra=STAFF)
    assert refused.code == 1, refused.describe()
    assert "Only the owner may" in refused.err_text and "小李 is signed in as staff" in \
        refused.err_text, refused.describe()
    assert rows_after(db, start) == [(2, "access.denied", json.dumps({"refused": action}))]
    middle = last_id(db)
    done = run_cli([*args, "--db", str(db), "--staff", "老王", "--lang", "en"], tmp_path,
                   env_extra=OWNER)
    assert done.code == 0, done.describe()
    assert (1, action) in [(r[0], r[1]) for r in rows_after(db, middle)]
    no_pin_shown(refused, done)


# -- opening: a name and a PIN, once any PIN exists -----------------------------------------
def test_every_command_needs_a_name_and_its_pin(pinned: tuple[Path, dict[str, str]],
                                                tmp_path: Path) -> None:
    db, _ = pinned
    before = digest(db, skip=("audit_log", "audit_head", "staff"))
    nameless = run_cli(["settings", "show", "--db", str(db), "--lang", "en"], tmp_path,
                       env_extra=OWNER)
    assert nameless.code == 1 and "say who you are with --staff NAME" in nameless.err_text
    pinless = run_cli(["customer", "find", "王", "--db", str(db), "--staff", "小李",
                       "--lang", "en"], tmp_path)
    assert pinless.code == 1 and "set REGULARS_PIN" in pinless.err_text, pinless.describe()
    wrong = run_cli(["--staff", "小李", "tag", "list", "--db", str(db), "--lang", "en"],
                    tmp_path, env_extra={"REGULARS_PIN": "11112222"})
    assert wrong.code == 1 and "Wrong PIN for 小李" in wrong.err_text, wrong.describe()
    console = run_cli(["--db", str(db), "--staff", "小李", "--lang", "en"], tmp_path,
                      env_extra={"REGULARS_PIN": "11112222"})  # the console line, too
    assert console.code == 1 and "Wrong PIN for 小李" in console.err_text, console.describe()
    shown = run_cli(["staff", "list", "--db", str(db), "--staff", "小李", "--lang", "en"],
                    tmp_path, env_extra=STAFF)
    assert shown.code == 0 and "老王" in shown.out.decode() and "PIN set" in shown.out.decode()
    ok = run_cli(["doctor", "--quick", "--db", str(db), "--staff", "小李", "--lang", "en"],
                 tmp_path, env_extra=STAFF)
    assert "[ok ] staff PINs:" in ok.out.decode(), ok.describe()
    assert digest(db, skip=("audit_log", "audit_head", "staff")) == before
    no_pin_shown(nameless, pinless, wrong, console, shown, ok)


# -- init --owner, and a new shop's PINs ------------------------------------------------------
def test_init_owner_names_the_owner_and_then_every_command_needs_the_pin(tmp_path: Path) -> None:
    db = tmp_path / "shop.db"
    made = run_cli(["init", "--db", str(db), "--lang", "en"], tmp_path)
    assert made.code == 0, made.describe()
    doctor = run_cli(["doctor", "--quick", "--db", str(db), "--lang", "en"], tmp_path)
    assert doctor.code == 0 and "[!! ] staff PINs: no one has a PIN" in doctor.out.decode()
    no_pin = run_cli(["init", "--owner", "老王", "--db", str(db), "--lang", "en"], tmp_path)
    assert no_pin.code == 1 and "REGULARS_NEW_PIN" in no_pin.err_text, no_pin.describe()
    bad_pin = run_cli(["init", "--owner", "老王", "--db", str(db), "--lang", "en"], tmp_path,
                      env_extra={"REGULARS_PIN": "12ab"})
    assert bad_pin.code == 1 and bad_pin.err_text.startswith("PIN: A PIN is 4 to 8 digits")
    named = run_cli(["init", "--owner", "老王", "--db", str(db), "--lang", "en"], tmp_path,
                    env_extra={"REGULARS_PIN": OWNER_PIN})
    assert named.code == 0 and "老王 is the owner" in named.out.decode(), named.describe()
    again = run_cli(["init", "--owner", "老李", "--db", str(db), "--lang", "en"], tmp_path,
                    env_extra={"REGULARS_PIN": OWNER_PIN})
    assert again.code == 1 and "already uses PINs" in again.err_text, again.describe()
    added = run_cli(["staff", "add", "小李", "--db", str(db), "--staff", "老王", "--lang", "en"],
                    tmp_path, env_extra=OWNER)
    assert added.code == 0 and "小李 added as staff" in added.out.decode(), added.describe()
    missing = run_cli(["staff", "add", "小张", "--db", str(db), "--staff", "老王",
                       "--lang", "en"], tmp_path, env_extra={"REGULARS_PIN": OWNER_PIN})
    assert missing.code == 1 and "set REGULARS_NEW_PIN" in missing.err_text
    zh = run_cli(["staff", "list", "--db", str(db), "--lang", "zh"], tmp_path,
                 env_extra={"REGULARS_PIN": OWNER_PIN})
    assert zh.code == 1 and "请用 --staff 姓名 说明您是谁（在职店员：老王, 小李）" in zh.err_text
    no_pin_shown(made, doctor, no_pin, bad_pin, named, again, added, missing, zh)
    with sqlite3.connect(db) as conn:  # the log in the file, then every byte of it
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        staff = conn.execute("SELECT name, role, pin_hash FROM staff ORDER BY id").fetchall()
    conn.close()
    assert [(n, r) for n, r, _ in staff] == [("老王", "owner"), ("小李", "staff")]
    assert all(h.startswith("scrypt$") for _, _, h in staff)
    for suffix in ("", "-wal"):
        path = Path(f"{db}{suffix}")
        data = path.read_bytes() if path.exists() else b""
        assert not [pin for pin in ALL_PINS if pin.encode() in data]


@pytest.mark.skipif(os.name != "posix", reason="no permission bits")
def test_init_makes_a_file_others_may_read_private(tmp_path: Path) -> None:
    db = tmp_path / "shop.db"
    assert run_cli(["init", "--db", str(db)], tmp_path).code == 0
    os.chmod(db, 0o666)
    tightened = run_cli(["init", "--db", str(db), "--lang", "en"], tmp_path)
    assert tightened.code == 0, tightened.describe()
    assert "could be read by others (0o666): now only you can read it" in tightened.err_text
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
