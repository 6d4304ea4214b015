"""`regulars customer edit | consent | show | export-personal | erase`, and masked phones
in `customer find`, through the real command in a subprocess on a copy of a small shop."""

from __future__ import annotations

import json
import re
import sqlite3
import stat
from pathlib import Path

import pytest

from db.shop import Shop
from tests.cli_helpers import Result, Shop0, build_shop, digest, fresh_copy, run_cli


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Shop0:
    small = build_shop(tmp_path_factory.mktemp("privacy-cli"))
    shop = Shop.open(small.path)
    try:
        with shop.store.write(shop.actor, "customer.edit") as tx:
            tx.execute("INSERT INTO staff(name, role, created_at) VALUES ('小李', 'staff', ?)",
                       (tx.now,))
            tx.audit("staff.add", "staff", None, name="小李")
    finally:
        shop.close()
    return small


@pytest.fixture
def db(base: Shop0, tmp_path: Path) -> Path:
    return fresh_copy(base.path, tmp_path / "shop")


def cli(db: Path, *args: str, lang: str = "en") -> Result:
    return run_cli(["--db", str(db), "--lang", lang, *args], db.parent)


def audit_count(db: Path, action: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT count(*) FROM audit_log WHERE action = ?",
                                (action,)).fetchone()[0])
    finally:
        conn.close()


def row(db: Path, member: str) -> sqlite3.Row:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        found: sqlite3.Row = conn.execute("SELECT * FROM customers WHERE member_code = ?",
                                          (member,)).fetchone()
        return found
    finally:
        conn.close()


def test_edit_corrects_through_the_forms_checks_and_says_what_changed(base: Shop0, db: Path
                                                                     ) -> None:
    done = cli(db, "customer", "edit", base.member, "--name", "王小芳", "--wechat", "wang_fang",
               "--notes", "", "--birthday", "03-05")
    assert done.code == 0, done.describe()
    assert done.out.decode().strip() == (
        f"Changed for {base.member}: Name, WeChat, Birthday.")  # the notes were empty already
    stored = row(db, base.member)
    assert (stored["name"], stored["wechat_id"], stored["birth_month"], stored["phone"]) == (
        "王小芳", "wang_fang", 3, "+8613911112222")
    same = cli(db, "customer", "edit", base.member, "--name", "王小芳")
    assert same.code == 0 and "Nothing changed" in same.out.decode()
    before = digest(db)
    for args, code in ((("--phone", "12345"), 1), (("--gender", "other"), 1),
                       (("--phone", "139 1111 3333"), 1),  # 李娜's number: refused, named
                       (("--phone", "", "--wechat", ""), 1), ((), 2)):
        refused = cli(db, "customer", "edit", base.member, *args)
        assert refused.code == code, refused.describe()
        assert refused.err_text.strip()
        assert digest(db) == before
    assert "李娜" in cli(db, "customer", "edit", base.member, "--phone", "13911113333").err_text


def test_consent_is_given_or_withdrawn_with_a_source_and_show_says_so(base: Shop0, db: Path
                                                                     ) -> None:
    done = cli(db, "customer", "consent", base.other, "--given", "--source", "paper_form")
    assert done.code == 0, done.describe()
    assert done.out.decode().strip() == (
        f"Marketing consent recorded for {base.other}: agreed (paper form).")
    shown = cli(db, "customer", "show", base.other)
    assert re.search(r"\n  Marketing +yes · \d{4}-\d\d-\d\d \d\d:\d\d · paper form\n",
                     shown.out.decode()), shown.describe()
    zh = cli(db, "customer", "consent", base.other, "--withdrawn", "--source", "wechat",
             lang="zh")
    assert zh.code == 0 and "撤回（微信）" in zh.out.decode()
    assert row(db, base.other)["marketing_consent"] == 0
    before = digest(db)
    refused = cli(db, "customer", "consent", base.other, "--given", "--source", "fax")
    assert refused.code == 1 and "paper_form" in refused.err_text, refused.describe()
    asked = cli(db, "customer", "consent", base.other)  # neither: what is on record
    assert asked.code == 0 and re.match(
        rf"Marketing consent of {base.other}: no · [-0-9: ]+ · WeChat\.", asked.out.decode())
    assert digest(db) == before


def test_show_is_audited_and_find_prints_masked_phones(base: Shop0, db: Path) -> None:
    assert cli(db, "customer", "show", base.member).code == 0
    assert audit_count(db, "customer.show") == 1
    found = cli(db, "customer", "find", "2222")
    assert found.code == 0
    assert "139****2222" in found.out.decode() and b"13911112222" not in found.out
    assert b"1111 2222" not in found.out
    listed = cli(db, "customer", "find", "2222", "--json")
    assert json.loads(listed.out)[0]["phone"] == "139****2222"


def test_export_personal_writes_a_private_json_and_is_the_owners(base: Shop0, db: Path
                                                                ) -> None:
    out = db.parent / "wang.json"
    refused = run_cli(["--db", str(db), "--staff", "小李", "--lang", "en", "customer",
                       "export-personal", base.member, "-o", str(out)], db.parent)
    assert refused.code == 1 and "Only the owner may" in refused.err_text
    assert not out.exists()
    done = cli(db, "customer", "export-personal", base.member, "-o", str(out))
    assert done.code == 0, done.describe()
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["profile"]["member_code"] == base.member and doc["tags"] == ["团购"]
    assert audit_count(db, "customer.export_personal") == 1
    assert str(out) in done.out.decode()


def test_erase_shows_the_plan_then_needs_yes(base: Shop0, db: Path) -> None:
    before = digest(db)
    asked = cli(db, "customer", "erase", base.member)
    assert asked.code == 1, asked.describe()
    lines = asked.out.decode().splitlines()
    assert lines[0] == f"Erasing {base.member} removes:"
    assert "Name, Phone, Marketing" in lines[1] and "1 tag(s)" in lines[2]
    assert "the words of 1 feedback item(s)" in lines[3]
    assert "1 purchase(s)" in lines[-1] and "1 coupon(s)" in lines[-1]
    assert "--yes" in asked.err_text and digest(db) == before
    staff = run_cli(["--db", str(db), "--staff", "小李", "--lang", "en", "customer", "erase",
                     base.member, "--yes"], db.parent)
    assert staff.code == 1 and "Only the owner may erase a customer" in staff.err_text
    assert digest(db) == before
    done = cli(db, "customer", "erase", base.member, "--yes")
    assert done.code == 0, done.describe()
    assert done.out.decode().startswith(f"Erased {base.member}:")
    assert "Backups made before now" in done.err_text
    assert "Another program" not in done.err_text  # nothing else had the file open
    assert row(db, base.member)["erased_at"] is not None
    for ref in (base.member, "13911112222"):
        gone = cli(db, "customer", "show", ref)
        assert gone.code == 1 and "No customer" in gone.err_text
    assert cli(db, "customer", "find", "王芳").code == 1
