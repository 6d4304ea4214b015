"""Importing customers, the writing side (db/imports/plan.py, apply.py, shop.imports):
exact counts, a second run changes nothing, opening figures that later sales keep,
one transaction, owner only, and a healthy file afterwards. Rows come straight from
the model's dataclasses (tests/import_helpers.py), not from a file's reading."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from db.customers import CustomerInput
from db.errors import AccessDenied
from db.shop import Shop
from tests.cli_helpers import run_cli
from tests.import_helpers import dump, feed, one, person
from tests.test_access import AUDIT_TABLES

WANG = "+8613900138001"
LI = "+8613700138000"


def full_row() -> list[object]:
    return [
        person(2, "王小明", WANG, tags=("常客", "团购"), points=120, spend_fen=50_000, orders=4,
               first_visit="2025-01-01T02:00:00+00:00", last_visit="2026-11-01T02:00:00+00:00",
               notes="爱喝拿铁\n少糖", birthday="03-05", gender="male", member_code="ABCDEFG"),
        person(3, "李芳😀", LI, referrer="ABCDEFG", marketing_consent=True, seed_user=True,
               wechat_id="lifang_88"),
    ]


def test_new_updated_unchanged_are_counted_exactly_and_a_second_run_changes_nothing(
        shop: Shop, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    shop.customers.add(CustomerInput(name="张三", phone="135 1234 5678"))
    shop.customers.add(CustomerInput(name="王伟", phone="158 2222 3333", notes="老客"))
    rows = [*full_row(),
            person(4, "张三", "+8613512345678"),  # as stored: unchanged
            person(5, "", "+8615822223333", notes="老客", gender="male")]  # gender is new
    path = feed(monkeypatch, tmp_path, "customers", rows)
    preview = shop.imports.preview("customers", path)
    assert (preview.counts.new, preview.counts.updated, preview.counts.unchanged) == (2, 1, 1)
    assert preview.seen_before is None
    before = dump(shop)
    assert dump(shop) == before  # the preview wrote nothing
    done = shop.imports.run("customers", path)
    assert done.counts == preview.counts and done.batch_id is not None
    wang = shop.customers.find("ABCDEFG")
    assert (wang.name, wang.points, wang.total_spend_fen, wang.orders) == ("王小明", 120,
                                                                           50_000, 4)
    assert shop.customers.find("158 2222 3333").notes == "老客"  # not doubled
    again = shop.imports.run("customers", path)
    assert (again.batch_id, again.counts.new, again.counts.updated) == (None, 0, 0)
    assert again.counts.unchanged == 4
    assert [b.id for b in shop.imports.batches()] == [done.batch_id]
    assert shop.imports.preview("customers", path).seen_before is not None
    assert one(shop, "SELECT count(*) FROM audit_log WHERE action = 'import.customers'") == 1


def test_the_file_never_erases_and_unites_tags_and_notes(
        shop: Shop, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    c = shop.customers.add(CustomerInput(name="王伟", phone="158 2222 3333", notes="老客",
                                         birthday="1990-03-05", gender="female"))
    shop.customers.add_tag(c.id, "常客")
    path = feed(monkeypatch, tmp_path, "customers",
                [person(2, "", "+8615822223333", notes="爱喝拿铁", tags=("常客", "团购"))])
    assert shop.imports.run("customers", path).counts.updated == 1
    after = shop.customers.get(c.id)
    assert (after.name, after.birthday, after.gender) == ("王伟", "1990-03-05", "female")
    assert after.notes == "老客\n爱喝拿铁"
    with shop.store.read() as conn:
        tags = [r[0] for r in conn.execute(
            "SELECT t.name FROM customer_tags ct JOIN tags t ON t.id = ct.tag_id"
            " WHERE ct.customer_id = ? ORDER BY t.name", (c.id,))]
    assert tags == ["团购", "常客"]


def test_opening_figures_show_in_find_json_and_survive_a_sale_and_a_refund(
        shop: Shop, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    shop.imports.run("customers", feed(monkeypatch, tmp_path, "customers", full_row()))
    wang = shop.customers.find("ABCDEFG").id
    shop.sales.refund(shop.sales.record(wang, "30.00").id)
    shop.sales.record(wang, "12.00")
    after = shop.customers.get(wang)
    assert after.total_spend_fen == 50_000 + 1_200
    assert after.orders == 4 + 1
    assert after.first_purchase_at == "2025-01-01T02:00:00+00:00"
    found = run_cli(["--db", str(shop.path), "--lang", "en", "customer", "find", "王小明",
                     "--json"], tmp_path)
    assert found.code == 0, found.describe()
    hit = json.loads(found.out)[0]
    assert hit["lifetime_spend_fen"] == 51_200
    assert hit["points"] == 120 + 12  # the opening balance, and what the second sale earned


def test_ledgers_balance_and_doctor_is_healthy_after_an_import(
        shop: Shop, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    shop.imports.run("customers", feed(monkeypatch, tmp_path, "customers", full_row()))
    report = shop.doctor()
    assert report.ok, [c for c in report.checks if not c.ok]
    li = shop.customers.find(LI)
    assert shop.rewards.view(li.id) is not None
    with shop.store.read() as conn:
        assert conn.execute("SELECT referrer_id FROM referrals WHERE referee_id = ?",
                            (li.id,)).fetchone()[0] == shop.customers.find("ABCDEFG").id
        assert conn.execute(
            "SELECT count(*) FROM customers c WHERE points != (SELECT coalesce(sum(delta), 0)"
            " FROM points_ledger l WHERE l.customer_id = c.id)").fetchone()[0] == 0


def test_staff_are_refused_before_anything_is_read(
        shop: Shop, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = feed(monkeypatch, tmp_path, "customers", full_row())
    with shop.store.write(shop.actor, "setting.set") as tx:
        tx.execute("INSERT INTO staff(name, role, created_at) VALUES ('小李', 'staff', ?)",
                   (tx.now,))
        tx.audit("staff.add", "staff", None, name="小李")
    staff = Shop(shop.store, shop.store.actor("小李"))
    before = {k: v for k, v in dump(shop).items() if k not in AUDIT_TABLES}
    for kind in ("customers", "purchases"):
        with pytest.raises(AccessDenied):
            staff.imports.run(kind, path)
        with pytest.raises(AccessDenied):
            staff.imports.preview(kind, path)
    after = dump(shop)
    assert {k: v for k, v in after.items() if k not in AUDIT_TABLES} == before
    # each refusal is on the record, and nothing else is
    assert [r[3] for r in after["audit_log"]].count("access.denied") == 4


def test_a_failure_half_way_leaves_the_shop_exactly_as_it_was(
        shop: Shop, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    shop.customers.add(CustomerInput(name="张三", phone="135 1234 5678"))
    rows = [person(n, f"客人{n}", f"+86139{n:08d}", points=10, tags=("常客",))
            for n in range(2, 202)]
    path = feed(monkeypatch, tmp_path, "customers", rows)
    before = dump(shop)
    from db import search_keys

    real = search_keys.key_rows
    calls = {"n": 0}

    def breaks_half_way(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 100:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)  # type: ignore[arg-type]  # passed through as given

    monkeypatch.setattr(search_keys, "key_rows", breaks_half_way)
    with pytest.raises(OSError):
        shop.imports.run("customers", path)
    assert calls["n"] == 100
    assert dump(shop) == before
    monkeypatch.setattr(search_keys, "key_rows", real)
    assert shop.imports.run("customers", path).counts.new == 200


def test_progress_is_called_at_most_about_a_hundred_times(
        shop: Shop, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    rows = [person(n, f"客人{n}", f"+86139{n:08d}") for n in range(2, 1002)]
    seen: list[tuple[int, int]] = []
    shop.imports.run("customers", feed(monkeypatch, tmp_path, "customers", rows),
                     progress=lambda done, total: seen.append((done, total)))
    assert 1 <= len(seen) <= 101
    assert seen[-1] == (1000, 1000)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_an_opening_balance_is_never_rewritten(
        shop: Shop, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    shop.imports.run("customers", feed(monkeypatch, tmp_path, "customers", full_row()))
    other = feed(monkeypatch, tmp_path, "customers", [person(2, "王小明", WANG, points=999)],
                 name="other.csv")
    done = shop.imports.run("customers", other)
    assert [r.code for r in done.refusals] == ["import.opening_points_differ"]
    assert shop.customers.find(WANG).points == 120


def test_a_stage_from_the_file_comes_back_and_stays(
        shop: Shop, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    rows = [person(2, "王小明", WANG, stage="dormant", orders=1, spend_fen=100,
                   last_visit="2026-11-20T02:00:00+00:00"),  # the rule says otherwise
            person(3, "李芳", LI, stage="initial")]  # the rule agrees
    shop.imports.run("customers", feed(monkeypatch, tmp_path, "customers", rows))
    wang, li = shop.customers.find(WANG), shop.customers.find(LI)
    assert (wang.stage, wang.stage_source) == ("dormant", "manual")
    assert (li.stage, li.stage_source) == ("initial", "rule")
    shop.lifecycle.recompute()
    assert shop.customers.find(WANG).stage == "dormant"


@pytest.mark.parametrize("typed", ["138 0013 8000", "+44 7911 123456", "+39 06 1234 5678",
                                   "+1 202 555 0123", "+852 9123 4567", "0086 136 0013 8002"])
def test_splitting_a_stored_number_agrees_with_parsing_it(typed: str) -> None:
    from db.phones import from_e164, parse_phone

    parsed = parse_phone(typed)
    assert from_e164(parsed.e164) == parsed


def test_referrers_later_in_the_file_link_and_loops_and_self_referrals_are_refused(
        shop: Shop, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    rows = [person(2, "甲", "+8613900000002", member_code="AAAAAAA", referrer="BBBBBBB"),
            person(3, "乙", "+8613900000003", member_code="BBBBBBB", referrer="AAAAAAA"),
            person(4, "丙", "+8613900000004", member_code="CCCCCCC", referrer="CCCCCCC"),
            person(5, "丁", "+8613900000005", member_code="vip-01", referrer="NOBODY1"),
            person(6, "戊", "+8613900000006", member_code="AAAAAAA")]  # the code is 甲's
    done = shop.imports.run("customers", feed(monkeypatch, tmp_path, "customers", rows))
    assert done.counts.new == 5
    assert sorted((r.line, r.column, r.code) for r in done.refusals) == [
        (3, "referrer", "referral.cycle"), (4, "referrer", "referral.self"),
        (5, "member_code", "import.member_code_new"), (5, "referrer", "import.referrer_unknown"),
        (6, "member_code", "import.member_code_new")]
    assert shop.customers.find("AAAAAAA").name == "甲"
    assert shop.customers.find("+8613900000005").member_code != "vip-01"  # not typable
    with shop.store.read() as conn:
        links = conn.execute("SELECT a.name, b.name FROM referrals r"
                             " JOIN customers a ON a.id = r.referrer_id"
                             " JOIN customers b ON b.id = r.referee_id").fetchall()
    assert [tuple(x) for x in links] == [("乙", "甲")]  # the referrer came a line later


def test_a_referral_the_old_system_already_paid_for_is_not_rewarded_again(
        shop: Shop, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """甲 bought three times in the old system, brought there by 乙: the link comes in
    qualified, and 甲's first sale here earns 乙 nothing. 丙 never bought: still pending,
    so 丙's first sale here qualifies the referral and rewards 乙 as usual."""
    rows = [person(2, "乙", "+8613900000003", member_code="BBBBBBB"),
            person(3, "甲", "+8613900000002", referrer="BBBBBBB", orders=3, spend_fen=9000,
                   first_visit="2025-05-01T02:00:00+00:00"),
            person(4, "丙", "+8613900000004", referrer="BBBBBBB")]
    shop.imports.run("customers", feed(monkeypatch, tmp_path, "customers", rows))
    with shop.store.read() as conn:
        status = dict(conn.execute(
            "SELECT b.name, r.status || ' ' || coalesce(r.qualified_at, '') FROM referrals r"
            " JOIN customers b ON b.id = r.referee_id").fetchall())
    assert status == {"甲": "qualified 2025-05-01T02:00:00+00:00", "丙": "pending "}
    referrer = shop.customers.find("BBBBBBB")
    assert referrer.referrals_qualified == 1
    shop.sales.record(shop.customers.find("+8613900000002").id, "80.00", confirmed=True)
    assert shop.customers.get(referrer.id).points == referrer.points  # nothing twice
    shop.sales.record(shop.customers.find("+8613900000004").id, "80.00", confirmed=True)
    after = shop.customers.get(referrer.id)
    assert after.points > referrer.points and after.referrals_qualified == 2
    assert shop.doctor(quick=True).ok
