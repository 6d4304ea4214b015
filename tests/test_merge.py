"""Merge KEEP OTHER: every row that points at OTHER moves to KEEP, the ledgers still
balance, OTHER can no longer be found, the file stays healthy; a self-merge, a referral
loop and staff are refused or handled. And every customer column in the schema is
named in db/merge.py's MOVES."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from console.cli import app, merges
from db import merge
from db.customers import CustomerInput
from db.errors import AccessDenied, NotFound, RegularsError
from db.shop import Shop


def add(shop: Shop, name: str, phone: str = "", referred_by: str = "", **extra: Any) -> int:
    return shop.customers.add(CustomerInput(name=name, phone=phone, **extra), referred_by).id


def customer_rows(shop: Shop, customer_id: int) -> dict[tuple[str, str], int]:
    """Rows in each (table, column) of MOVES that hold this customer."""
    out = {}
    with shop.store.read() as conn:
        for table, columns in merge.MOVES.items():
            for column in columns:
                out[(table, column)] = conn.execute(
                    f"SELECT count(*) FROM {table} WHERE {column} = ?",
                    (customer_id,)).fetchone()[0]
    return out


@dataclass
class Pair:
    keep: int
    other: int
    referrer: int  # referred OTHER
    referee: int  # referred by OTHER, qualified
    item: int  # OTHER's feedback


@pytest.fixture
def pair(shop: Shop) -> Pair:
    """KEEP and OTHER, one person written twice, OTHER with something of every kind."""
    keep = add(shop, "王芳", "139 1111 2222", notes="喜欢蛋挞")
    referrer = add(shop, "李娜", "139 1111 3333")
    other = add(shop, "王芳", "137 2222 4444", referrer_code(shop, referrer),
                wechat_id="wangfang88", birthday="1990-03-05", gender="female",
                notes="周末来")
    referee = add(shop, "张三", "135 1234 5678", referrer_code(shop, other))
    shop.sales.record(keep, "50.00", "面包")
    shop.rewards.opening_points(keep, "100")
    shop.rewards.opening_points(other, "30")  # both had an old system's balance
    first = shop.sales.record(other, "120.00", "蛋挞")
    refunded = shop.sales.record(other, "80.00", "蛋糕")
    shop.sales.refund(refunded.id, "坏了")
    shop.sales.record(referee, "60.00")  # OTHER's referral qualifies: OTHER gets points
    shop.rewards.spend_points(other, "40", "换礼品")
    shop.rewards.adjust_points(other, "15", "补偿")
    template = shop.coupons.add_template("满50减10", "amount", value="10", min_spend="50",
                                         valid_days=30, per_customer=5)
    used = shop.coupons.issue(template.name, other)
    kept = shop.coupons.issue(template.name, other)
    shop.coupons.issue(template.name, keep)
    assert used is not None and kept is not None
    shop.coupons.redeem(used.code, "70.00", other)
    item = shop.feedback.add(other, "quality", "蛋挞偏甜", "complaint", "蛋挞")
    shop.feedback.mark_told(item.id, other)
    for cid, tag in ((keep, "熟客"), (other, "熟客"), (other, "团购")):
        shop.customers.add_tag(cid, tag)
    shop.lifecycle.set_stage(other, "trust", "老顾客")
    shop.customers.record_view(other)
    assert first.customer_id == other
    return Pair(keep, other, referrer, referee, item.id)


def referrer_code(shop: Shop, customer_id: int) -> str:
    return shop.customers.get(customer_id).member_code


def test_every_row_of_other_moves_to_keep_and_the_figures_follow(
        shop: Shop, pair: Pair) -> None:
    before_keep = customer_rows(shop, pair.keep)
    before_other = customer_rows(shop, pair.other)
    other = shop.customers.get(pair.other)
    points_before = shop.customers.get(pair.keep).points + other.points
    plan = shop.customers.merge_plan(pair.keep, pair.other)
    assert plan["purchases"] == 4 and plan["coupons"] == 2 and plan["customer_tags"] == 2

    done = shop.customers.merge(pair.keep, pair.other)

    after_other = customer_rows(shop, pair.other)
    assert {k: v for k, v in after_other.items() if v} == {}  # nothing points at OTHER
    after_keep = customer_rows(shop, pair.keep)
    for table in ("purchases", "feedback", "feedback_told", "points_ledger",
                  "stage_history", "customer_views", "referral_rewards"):
        assert after_keep[(table, "customer_id")] >= (
            before_keep[(table, "customer_id")] + before_other[(table, "customer_id")]
            - (1 if table == "stage_history" else 0)), table  # (a stage change may follow)
    assert after_keep[("purchases", "customer_id")] == 5
    assert after_keep[("coupons", "customer_id")] == 3
    assert after_keep[("coupons", "redeemed_for")] == 1
    assert shop.customers.tags_of(pair.keep) == ["团购", "熟客"]  # united, once each
    assert [i.id for i in shop.feedback.of_customer(pair.keep)] == [pair.item]
    assert done.moved["purchases"] == 4 and done.dropped_referrals == ()

    keep = shop.customers.get(pair.keep)
    assert keep.total_spend_fen == 5000 + 12000 + 6000  # the refunded sale nets out
    assert keep.orders == 3
    assert keep.wechat_id == "wangfang88" and keep.birthday == "1990-03-05"
    assert keep.gender == "female" and keep.notes == "喜欢蛋挞\n周末来"
    assert keep.phone == "+8613911112222"  # KEEP's own stays
    assert set(done.filled) == {"wechat_id", "birthday", "gender", "notes"}

    # the referrals: OTHER's referrer now refers KEEP, OTHER's referee is KEEP's
    keep_up, keep_down = shop.rewards.referral_links(pair.keep)
    assert keep_up is not None and keep_up.customer_id == pair.referrer
    assert [link.customer_id for link in keep_down] == [pair.referee]
    assert keep.referrals_qualified == 1

    # the points: one ledger, summing to the balance, every running balance >= 0
    with shop.store.read() as conn:
        ledger = conn.execute("SELECT delta, balance_after, kind FROM points_ledger"
                              " WHERE customer_id = ? ORDER BY id", (pair.keep,)).fetchall()
        audit = conn.execute("SELECT entity_id, detail FROM audit_log"
                             " WHERE action = 'customer.merge'").fetchall()
    assert sum(r[0] for r in ledger) == keep.points == ledger[-1][1]
    assert all(r[1] >= 0 for r in ledger)
    assert [r[2] for r in ledger].count("opening") == 1  # OTHER's became an adjustment
    running = 0
    for delta, after, _ in ledger:
        running += delta
        assert after == running
    assert keep.points == points_before

    assert len(audit) == 1 and audit[0][0] == pair.keep
    detail = json.loads(audit[0][1])
    assert detail["keep_code"] == keep.member_code
    assert detail["other_code"] == other.member_code and detail["other"] == pair.other
    assert detail["moved"]["purchases"] == 4


def test_other_can_no_longer_be_found_and_the_file_is_healthy(shop: Shop, pair: Pair) -> None:
    other = shop.customers.get(pair.other)
    shop.customers.merge(pair.keep, pair.other)
    with pytest.raises(NotFound):
        shop.customers.get(pair.other)
    with pytest.raises(NotFound) as gone:
        shop.customers.find(other.member_code.lower())
    assert gone.value.code == "customer.merged"  # the old card still leads somewhere
    assert gone.value.params["keep_code"] == shop.customers.get(pair.keep).member_code
    with pytest.raises(NotFound):
        shop.customers.find("137 2222 4444")
    assert [h.id for h in shop.customers.search("王芳").hits] == [pair.keep]
    assert [h.id for h in shop.customers.search("4444").hits] == []  # OTHER's phone tail
    assert [h.id for h in shop.customers.search("2222").hits] == [pair.keep]
    assert [h.id for h in shop.customers.search("wf").hits] == [pair.keep]
    shop.rerank_pending()
    report = shop.doctor()
    assert report.ok, [c for c in report.checks if not c.ok]


def test_a_customer_cannot_be_merged_with_themselves(shop: Shop, pair: Pair) -> None:
    with pytest.raises(RegularsError) as refused:
        shop.customers.merge(pair.keep, pair.keep)
    assert refused.value.code == "merge.self"
    with pytest.raises(NotFound):
        shop.customers.merge(pair.keep, 9999)


def test_staff_are_refused_before_anything_is_read_or_written(shop: Shop, pair: Pair) -> None:
    with shop.store.write(shop.actor, "customer.edit") as tx:
        tx.execute("INSERT INTO staff(name, role, created_at) VALUES ('小李', 'staff', ?)",
                   (tx.now,))
        tx.audit("staff.add", "staff", None, name="小李")
    staff = Shop(shop.store, shop.store.actor("小李"))
    with pytest.raises(AccessDenied):
        staff.customers.merge_plan(pair.keep, pair.other)
    with pytest.raises(AccessDenied):
        staff.customers.merge(pair.keep, pair.other)
    assert shop.customers.get(pair.other).id == pair.other


def links(shop: Shop) -> set[tuple[int, int]]:
    with shop.store.read() as conn:
        return {(r[0], r[1]) for r in conn.execute(
            "SELECT referrer_id, referee_id FROM referrals")}


def test_a_link_between_the_two_is_dropped_not_made_a_self_referral(shop: Shop) -> None:
    keep = add(shop, "王芳", "139 1111 2222")
    other = add(shop, "王芳", "137 2222 4444", referrer_code(shop, keep))
    shop.sales.record(other, "60.00")  # qualifies: KEEP earned referral points
    points = shop.customers.get(keep).points + shop.customers.get(other).points
    done = shop.customers.merge(keep, other)
    assert links(shop) == set() and len(done.dropped_referrals) == 1
    after = shop.customers.get(keep)
    assert after.points == points and after.referrals_qualified == 0  # points stay
    assert shop.doctor(quick=True).ok


def test_a_code_merged_twice_leads_to_where_it_lives_now(shop: Shop) -> None:
    first = add(shop, "王芳", "139 1111 2222")
    second = add(shop, "王芳", "137 2222 4444")
    third = add(shop, "王芳", "136 3333 5555")
    gone = referrer_code(shop, third)
    shop.customers.merge(second, third)
    shop.customers.merge(first, second)
    with pytest.raises(NotFound) as found:
        shop.customers.find(gone)
    assert found.value.params["keep_code"] == referrer_code(shop, first)
    with pytest.raises(NotFound) as never:
        shop.customers.find("AAAAAAA")
    assert never.value.code == "customer.not_found"


def test_others_referrer_below_keep_would_loop_and_is_dropped(shop: Shop) -> None:
    keep = add(shop, "王芳", "139 1111 2222")
    middle = add(shop, "李娜", "139 1111 3333", referrer_code(shop, keep))
    other = add(shop, "王芳", "137 2222 4444", referrer_code(shop, middle))
    shop.customers.merge(keep, other)
    assert links(shop) == {(keep, middle)}


def test_others_referee_above_keep_would_loop_and_is_dropped(shop: Shop) -> None:
    other = add(shop, "王芳", "137 2222 4444")
    top = add(shop, "李娜", "139 1111 3333", referrer_code(shop, other))
    keep = add(shop, "王芳", "139 1111 2222", referrer_code(shop, top))
    shop.customers.merge(keep, other)
    assert links(shop) == {(top, keep)}


def test_keep_keeps_its_own_referrer(shop: Shop) -> None:
    mine = add(shop, "李娜", "139 1111 3333")
    theirs = add(shop, "张三", "135 1234 5678")
    keep = add(shop, "王芳", "139 1111 2222", referrer_code(shop, mine))
    other = add(shop, "王芳", "137 2222 4444", referrer_code(shop, theirs))
    done = shop.customers.merge(keep, other)
    assert links(shop) == {(mine, keep)} and len(done.dropped_referrals) == 1


def test_a_campaign_coupon_both_got_stays_with_keep_outside_the_batch(shop: Shop) -> None:
    from db.values import Audience

    keep = add(shop, "王芳", "139 1111 2222", marketing_consent=True)
    other = add(shop, "王芳", "137 2222 4444", marketing_consent=True)
    for cid in (keep, other):
        shop.customers.add_tag(cid, "团购")
    shop.coupons.add_template("满50减10", "amount", value="10", valid_days=30)
    _, issued = shop.campaigns.issue_batch("满50减10", Audience(tag="团购"), "winback", "b1")
    assert len(issued) == 2
    shop.customers.merge(keep, other)
    with shop.store.read() as conn:
        rows = conn.execute("SELECT batch_id FROM coupons WHERE customer_id = ?"
                            " ORDER BY id", (keep,)).fetchall()
    assert sorted((r[0] or "") for r in rows) == ["", "b1"]


def test_every_customer_column_in_the_schema_is_handled(shop: Shop) -> None:
    """A table added later with a customer column fails here until db/merge.py moves it."""
    found = set()
    with shop.store.read() as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        for table in tables:
            if table in ("customers", "audit_log"):  # audit rows are chained: never moved
                continue
            for fk in conn.execute(f"PRAGMA foreign_key_list({table})"):
                if fk["table"] == "customers":
                    found.add((table, fk["from"]))
            for col in conn.execute(f"PRAGMA table_info({table})"):
                if col["name"] == "customer_id" or col["name"].endswith("_customer_id"):
                    found.add((table, col["name"]))
    handled = {(t, c) for t, cols in merge.MOVES.items() for c in cols}
    assert found - handled == set()
    assert handled - found == set()  # no stale names either


# -- possible duplicates ----------------------------------------------------------------------
def test_duplicates_finds_the_three_kinds_with_their_reasons(shop: Shop) -> None:
    phone = add(shop, "王芳", "138 0013 8000")
    wechat = add(shop, "小芳", wechat_id="13800138000")  # her number, typed as WeChat
    anna = add(shop, "Anna Li", "139 1111 3333", birthday="1990-03-05")
    anna2 = add(shop, "ＡＮＮＡ  li", "137 2222 5555", birthday="03-05")  # full-width, no year
    anna91 = add(shop, "Anna Li", "136 3333 6666", birthday="1991-03-05")  # not anna's year
    add(shop, "Anna Li", "135 4444 7777", birthday="03-06")
    zhang = add(shop, "张伟", "139 0000 1234")
    zhang2 = add(shop, "张伟", "137 5555 1234")  # same tail, a changed number
    add(shop, "张伟", "136 6666 4321")
    found = shop.customers.duplicates()
    got = {(p.first.id, p.second.id): p.reasons for p in found}
    assert got == {
        (phone, wechat): ("phone_wechat",),
        (anna, anna2): ("name_birthday",),
        (anna2, anna91): ("name_birthday",),  # no year on one side: either may be her
        (zhang, zhang2): ("name_phone_tail",),
    }
    assert [(p.first.id, p.second.id) for p in found] == sorted(got)  # paged in id order
    page = shop.customers.duplicates(limit=1, offset=1)
    assert [(p.first.id, p.second.id) for p in page] == [sorted(got)[1]]
    assert (anna, anna91) not in got


def test_a_pair_found_twice_is_listed_once_with_both_reasons(shop: Shop) -> None:
    a = add(shop, "王芳", "139 1111 2222", birthday="03-05")
    b = add(shop, "王芳", "137 2222 2222", birthday="03-05")
    [pair] = shop.customers.duplicates()
    assert (pair.first.id, pair.second.id) == (a, b)
    assert pair.reasons == ("name_birthday", "name_phone_tail")
    shop.customers.merge(a, b)
    assert shop.customers.duplicates() == []


# -- the CLI ------------------------------------------------------------------------------------
runner = CliRunner()


def cli(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def two(shop: Shop) -> tuple[str, str, str]:
    """A file with a pair on it, closed so the CLI can open it; (path, KEEP, OTHER)."""
    keep = add(shop, "王芳", "139 1111 2222", birthday="03-05")
    other = add(shop, "王芳", "137 2222 4444", birthday="03-05")
    shop.sales.record(other, "30.00")
    return (str(shop.path), shop.customers.get(keep).member_code,
            shop.customers.get(other).member_code)


def test_cli_lists_duplicates_with_masked_phones(two: tuple[str, str, str]) -> None:
    db, keep, other = two
    code, out, err = cli("customer", "duplicates", "--db", db)
    assert code == 0, err
    assert "same name and birthday" in out and keep in out and other in out
    assert "139****2222" in out and "13911112222" not in out
    code, out, err = cli("customer", "duplicates", "--db", db, "--json", "--lang", "zh")
    assert code == 0, err
    [row] = json.loads(out)
    assert row["reasons"] == ["name_birthday"]
    assert [c["member_code"] for c in row["customers"]] == [keep, other]
    assert row["customers"][0]["phone"] == "139****2222"


def test_cli_merge_refuses_without_a_terminal_or_yes_and_asks_once_on_one(
        two: tuple[str, str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    db, keep, other = two
    code, out, err = cli("customer", "merge", keep, other, "--db", db)
    assert code == 1 and "--yes" in err
    assert "137****4444" in out and "1 sales and refunds" in out  # shown before refusing
    monkeypatch.setattr(merges, "can_ask", lambda: True)
    result = runner.invoke(app, ["customer", "merge", keep, other, "--db", db], input="n\n")
    assert result.exit_code == 1 and "Nothing was merged" in result.stderr
    code, out, err = cli("customer", "find", other, "--db", db)
    assert code == 0, err  # still there
    result = runner.invoke(app, ["customer", "merge", keep, other, "--db", db], input="y\n")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("Merge them now?") == 1 and f"{other} is merged" in result.stdout
    code, out, err = cli("customer", "show", other, "--db", db)
    assert code == 1 and f"{other} was merged into {keep}" in err


def test_cli_merge_refuses_self_and_names_it_in_both_languages(
        two: tuple[str, str, str]) -> None:
    db, keep, _ = two
    code, _, err = cli("customer", "merge", keep, keep, "--yes", "--db", db)
    assert code == 1 and "themselves" in err
    code, _, err = cli("customer", "merge", keep, "139 1111 2222", "--yes", "--db", db,
                       "--lang", "zh")
    assert code == 1 and "不能把顾客和自己合并" in err


def test_cli_merge_with_yes_prints_what_moved(two: tuple[str, str, str]) -> None:
    db, keep, other = two
    code, out, err = cli("customer", "merge", keep, "137 2222 4444", "--yes", "--db", db,
                         "--json")
    assert code == 0, err
    done = json.loads(out)
    assert done["keep"]["member_code"] == keep and done["other"]["member_code"] == other
    assert done["moved"]["purchases"] == 1


def test_figures_brought_from_an_old_system_join_keep(shop: Shop, tmp_path: Path) -> None:
    """Imported opening spend, orders and visits live on the customer row: a merge adds
    OTHER's to KEEP's before OTHER's row goes, so the shop's totals do not shrink."""
    sheet = tmp_path / "old.csv"
    sheet.write_text("姓名,手机号,累计消费,消费次数,最近消费\n"
                     "王芳,13911112222,100.50,2,2025-03-01\n"
                     "王芳,13722224444,20.25,1,2025-06-01\n", encoding="utf-8")
    assert shop.imports.run("customers", sheet).counts.new == 2
    keep = shop.customers.find("13911112222")
    other = shop.customers.find("13722224444")
    shop.sales.record(other.id, "9.00")
    before = keep.total_spend_fen + shop.customers.get(other.id).total_spend_fen
    shop.customers.merge(keep.id, other.id)
    after = shop.customers.get(keep.id)
    assert after.total_spend_fen == before == 10050 + 2025 + 900
    assert after.orders == 4
    assert shop.doctor(quick=True).ok
