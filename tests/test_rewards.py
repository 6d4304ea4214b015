"""Points, member levels and referrals: every rule the issue names, on a real file."""

from __future__ import annotations

from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from db import points
from db.customers import CustomerInput
from db.errors import RegularsError, ValidationError
from db.shop import Shop
from db.store import Store
from tests.conftest import HandClock

START = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # 15:00 in Shanghai


@pytest.fixture
def clock() -> HandClock:
    return HandClock(START)


def counter_staff(shop: Shop) -> Shop:
    with shop.store.write(shop.actor, "points.adjust") as tx:
        tx.execute("INSERT INTO staff(name, role, created_at) VALUES ('小李', 'staff', ?)",
                   (tx.now,))
        tx.audit("staff.add", "staff", None, name="小李")
    return Shop(shop.store, shop.store.actor("小李"))


def add(shop: Shop, name: str, phone: str, referred_by: str = "") -> int:
    return shop.customers.add(CustomerInput(name=name, phone=phone), referred_by).id


def assert_ledger_whole(shop: Shop) -> None:
    """Every balance equals its ledger's sum, every ledger row's balance_after is the
    running sum, and no balance is negative."""
    with shop.store.read() as conn:
        for cid, stored in conn.execute("SELECT id, points FROM customers"):
            running = 0
            for delta, after in conn.execute("SELECT delta, balance_after FROM points_ledger"
                                             " WHERE customer_id = ? ORDER BY id", (cid,)):
                running += delta
                assert after == running >= 0
            assert stored == running == points.ledger_sum(conn, cid)


# -- points ---------------------------------------------------------------------------------
def test_a_sale_earns_points_at_the_shop_rate_and_a_refund_takes_them_back(shop: Shop) -> None:
    cid = add(shop, "王芳", "13800138000")
    sale = shop.sales.record(cid, "58.90")
    assert shop.customers.get(cid).points == 58  # 1 point per whole yuan paid
    shop.settings.set("points.per_yuan", "2")
    shop.sales.record(cid, "10")
    assert shop.customers.get(cid).points == 78
    shop.sales.refund(sale.id)
    assert shop.customers.get(cid).points == 20
    kinds = [e.kind for e in shop.rewards.points_history(cid)]
    assert kinds == ["reversal", "earn", "earn"]
    assert_ledger_whole(shop)


def test_spending_is_refused_not_clipped_and_a_refund_after_spending_takes_what_is_left(
        shop: Shop) -> None:
    cid = add(shop, "王芳", "13800138000")
    sale = shop.sales.record(cid, "100")
    with pytest.raises(RegularsError) as refused:
        shop.rewards.spend_points(cid, "101", "gift mug")
    assert refused.value.code == "points.not_enough" and refused.value.params["have"] == 100
    assert shop.customers.get(cid).points == 100  # nothing moved
    shop.rewards.spend_points(cid, "80", "gift mug")
    shop.sales.refund(sale.id)  # earned 100, only 20 left to take back
    assert shop.customers.get(cid).points == 0
    last = shop.rewards.points_history(cid)[0]
    assert last.kind == "reversal" and last.delta == -20 and "80 already spent" in last.reason
    assert_ledger_whole(shop)


def test_a_sale_part_paid_with_points_records_the_discounted_sale_and_the_spend_together(
        shop: Shop) -> None:
    cid = add(shop, "王芳", "13800138000")
    shop.rewards.opening_points(cid, "500", "old till")
    sale = shop.sales.record_with_points(cid, "30", "500")  # 500 points = 5 yuan
    assert sale.amount_fen == 2500
    entries = shop.rewards.points_history(cid)
    assert [(e.kind, e.delta) for e in entries] == [("spend", -500), ("earn", 25),
                                                    ("opening", 500)]
    assert entries[0].purchase_id == sale.id
    with pytest.raises(RegularsError):  # 25 points left: not enough for 100
        shop.sales.record_with_points(cid, "30", "100")
    with pytest.raises(ValidationError):  # the points would pay for everything
        shop.sales.record_with_points(cid, "0.10", "20")
    assert shop.sales.count(cid) == 1  # the refused sales left nothing behind
    assert_ledger_whole(shop)


def test_adjustments_and_opening_balances_are_the_owners_and_an_opening_happens_once(
        shop: Shop) -> None:
    cid = add(shop, "王芳", "13800138000")
    staff = counter_staff(shop)
    with pytest.raises(RegularsError) as refused:
        staff.rewards.adjust_points(cid, "50", "goodwill")
    assert (refused.value.code, refused.value.params["needed"]) == ("access.denied", "owner")
    with pytest.raises(ValidationError):
        shop.rewards.adjust_points(cid, "50", "  ")  # a reason is required
    shop.rewards.opening_points(cid, "300")
    with pytest.raises(RegularsError) as again:
        shop.rewards.opening_points(cid, "300")
    assert again.value.code == "points.opening_exists"
    shop.rewards.adjust_points(cid, "-100", "typo on import")
    with pytest.raises(RegularsError):
        shop.rewards.adjust_points(cid, "-201", "more than there is")
    assert shop.customers.get(cid).points == 200
    assert_ledger_whole(shop)


def test_the_database_itself_refuses_a_negative_balance(shop: Shop) -> None:
    cid = add(shop, "王芳", "13800138000")
    with (pytest.raises(Exception, match="CHECK"),
          shop.store.write(shop.actor, "points.adjust") as tx):
        tx.execute("UPDATE customers SET points = -1 WHERE id = ?", (cid,))


# -- levels ---------------------------------------------------------------------------------
def test_levels_follow_lifetime_spend_and_the_thresholds_in_settings(shop: Shop) -> None:
    cid = add(shop, "王芳", "13800138000")
    assert shop.rewards.level_of(shop.customers.get(cid).total_spend_fen) == "regular"
    big = shop.sales.record(cid, "1000")
    assert shop.rewards.level_of(shop.customers.get(cid).total_spend_fen) == "silver"
    shop.sales.record(cid, "4000", confirmed=True)
    assert shop.rewards.level_of(shop.customers.get(cid).total_spend_fen) == "gold"
    shop.sales.refund(big.id)  # net spend 4000: back to silver
    assert shop.rewards.level_of(shop.customers.get(cid).total_spend_fen) == "silver"
    shop.settings.set("levels.silver", "3999")  # the owner lowers gold's neighbour
    assert shop.rewards.level_of(shop.customers.get(cid).total_spend_fen) == "silver"
    shop.settings.set("levels.gold", "4000")
    assert shop.rewards.level_of(shop.customers.get(cid).total_spend_fen) == "gold"


def test_level_thresholds_must_rise(shop: Shop) -> None:
    with pytest.raises(ValidationError) as refused:
        shop.settings.set("levels.gold", "900")  # below silver's 1000
    assert refused.value.code == "setting.levels_order"
    shop.settings.set("levels.gold", "3000")
    assert shop.rewards.level_of(300000) == "gold"


# -- referrals --------------------------------------------------------------------------------
def test_a_customer_cannot_refer_themselves(shop: Shop) -> None:
    a = add(shop, "王芳", "13800138000")
    code = shop.customers.get(a).member_code
    with pytest.raises(RegularsError) as by_id:
        shop.rewards.register_referral(a, code)
    assert by_id.value.code == "referral.self"
    with pytest.raises(RegularsError) as by_phone:  # a new record with the referrer's phone
        shop.customers.add(CustomerInput(name="王芳二号", phone="138 0013 8000"), code)
    assert by_phone.value.code == "referral.self"
    with shop.store.read() as conn:
        assert conn.execute("SELECT count(*) FROM customers").fetchone()[0] == 1


def test_the_referral_graph_stays_acyclic(shop: Shop) -> None:
    a = add(shop, "甲", "13800138001")
    b = add(shop, "乙", "13800138002", referred_by="13800138001")  # a → b
    c = add(shop, "丙", "13800138003", referred_by="13800138002")  # b → c
    with pytest.raises(RegularsError) as refused:  # c → a would close the loop
        shop.rewards.register_referral(a, shop.customers.get(c).member_code)
    assert refused.value.code == "referral.cycle"
    with pytest.raises(RegularsError) as twice:
        shop.rewards.register_referral(c, shop.customers.get(a).member_code)
    assert twice.value.code == "referral.already" and twice.value.params["name"] == "乙"
    assert shop.rewards.referral_links(b)[0] is not None
    assert [link.customer_id for link in shop.rewards.referral_links(b)[1]] == [c]


def test_a_referee_must_be_new(shop: Shop) -> None:
    a = add(shop, "甲", "13800138001")
    b = add(shop, "乙", "13800138002")
    shop.sales.record(b, "20")
    with pytest.raises(RegularsError) as refused:
        shop.rewards.register_referral(b, "13800138001")
    assert refused.value.code == "referral.not_new" and refused.value.params["orders"] == 1
    assert shop.rewards.referral_links(a) == (None, [])


def test_the_reward_waits_for_the_first_paid_purchase_and_comes_once(
        shop: Shop, clock: HandClock) -> None:
    a = add(shop, "甲", "13800138001")
    b = add(shop, "乙", "13800138002", referred_by="13800138001")
    link = shop.rewards.referral_links(a)[1][0]
    assert link.status == "pending" and shop.customers.get(a).points == 0  # nothing yet
    assert shop.customers.get(a).referrals_qualified == 0
    clock.now += timedelta(days=2)
    shop.sales.record(b, "30")
    link = shop.rewards.referral_links(a)[1][0]
    assert link.status == "qualified" and link.reward_points == 200
    assert shop.customers.get(a).points == 200 and shop.customers.get(a).referrals_qualified == 1
    shop.sales.record(b, "30")  # a second sale earns the referrer nothing more
    assert shop.customers.get(a).points == 200
    assert_ledger_whole(shop)


def test_a_referral_counts_toward_trust(shop: Shop, clock: HandClock) -> None:
    a = add(shop, "甲", "13800138001")
    shop.sales.record(a, "20")
    clock.now += timedelta(days=3)
    shop.sales.record(a, "20")
    assert shop.customers.get(a).stage == "initial"  # 2 orders, no referral yet
    b = add(shop, "乙", "13800138002", referred_by="13800138001")
    shop.sales.record(b, "20")
    assert shop.customers.get(a).stage == "trust"  # 2 orders + 1 qualified referral


def test_refunding_the_qualifying_purchase_in_time_claws_back_every_reward(
        shop: Shop, clock: HandClock) -> None:
    shop.coupons.add_template("推荐礼", "amount", value="10", valid_days=30)
    shop.coupons.add_template("新人券", "amount", value="5", valid_days=30)
    shop.settings.set("referral.reward_template", "推荐礼")
    shop.settings.set("referral.welcome_template", "新人券")
    shop.settings.set("referral.second_level_points", "50")
    grand = add(shop, "甲", "13800138001")
    a = add(shop, "乙", "13800138002", referred_by="13800138001")
    b = add(shop, "丙", "13800138003", referred_by="13800138002")
    with shop.store.read() as conn:
        welcome = conn.execute("SELECT count(*) FROM coupons WHERE customer_id = ?",
                               (b,)).fetchone()[0]
    assert welcome == 1  # the referee's welcome coupon came with the referral
    sale = shop.sales.record(b, "100")
    assert shop.customers.get(a).points == 200 and shop.customers.get(grand).points == 50
    reward = shop.rewards.referral_links(a)[1][0].reward_coupon
    assert reward is not None and shop.coupons.get(reward).status == "issued"
    clock.now += timedelta(days=29)
    shop.sales.refund(sale.id)
    assert shop.customers.get(a).points == 0 and shop.customers.get(grand).points == 0
    assert shop.coupons.get(reward).status == "voided"
    assert shop.rewards.referral_links(a)[1][0].status == "clawed_back"
    assert shop.customers.get(a).referrals_qualified == 0
    assert shop.customers.get(b).points == 0  # the referee's own earned points reversed too
    assert_ledger_whole(shop)


def test_a_late_refund_leaves_the_referral_standing(shop: Shop, clock: HandClock) -> None:
    a = add(shop, "甲", "13800138001")
    b = add(shop, "乙", "13800138002", referred_by="13800138001")
    sale = shop.sales.record(b, "100")
    clock.now += timedelta(days=31)  # default window: 30 days
    shop.sales.refund(sale.id)
    assert shop.rewards.referral_links(a)[1][0].status == "qualified"
    assert shop.customers.get(a).points == 200


def test_the_leaderboard_ranks_by_qualified_referrals_and_by_referees_spend(
        shop: Shop, clock: HandClock) -> None:
    a = add(shop, "甲", "13800138001")
    b = add(shop, "乙", "13800138002")
    for i in range(3):
        r = add(shop, f"甲友{i}", f"1390013900{i}", referred_by="13800138001")
        shop.sales.record(r, "10")
    big = add(shop, "乙友", "13700137000", referred_by="13800138002")
    shop.sales.record(big, "900")
    add(shop, "未买", "13600136000", referred_by="13800138002")  # pending: not counted
    by_count = shop.rewards.leaderboard("this_month", "qualified")
    assert [(x.customer_id, x.qualified) for x in by_count] == [(a, 3), (b, 1)]
    by_spend = shop.rewards.leaderboard("all", "spend")
    assert [(x.customer_id, x.referees_spend_fen) for x in by_spend] == [(b, 90000), (a, 3000)]
    assert shop.rewards.leaderboard("last_month") == []
    clock.now += timedelta(days=31)  # April: March's referrals are last month's now
    assert [x.customer_id for x in shop.rewards.leaderboard("last_month")] == [a, b]
    assert shop.rewards.leaderboard("this_month") == []


POINTS_RACER = r"""
import json, os, sys, time
from db.errors import RegularsError, StoreError
from db.shop import Shop

path, ids_file, rounds, offset = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
shop = Shop.open(path)
ids = json.load(open(ids_file))
print("ready", flush=True)
while not os.path.exists(ids_file + ".go"):  # both start together: a real race
    time.sleep(0.001)
won, refused, busy = {}, 0, 0
for i in range(rounds):
    cid = ids[(i * 7 + offset) % len(ids)]
    try:
        shop.rewards.spend_points(cid, "30", "race")
        won[cid] = won.get(cid, 0) + 1
    except StoreError:
        busy += 1
    except RegularsError:
        refused += 1
    time.sleep(0.0005)
print(json.dumps({"won": won, "refused": refused, "busy": busy}))
"""


def test_two_processes_spending_points_never_overspend(tmp_path: Path) -> None:
    """1,000 spends of 30 points from two real processes over 20 customers holding
    1,000 points each (room for 33 spends each): no balance goes negative, and every
    balance equals its ledger's sum and the spends that won."""
    import json
    import subprocess
    import sys

    path = tmp_path / "points-race.db"
    store = Store(path)
    shop = Shop(store, store.actor())
    ids = [add(shop, f"顾客{n}", f"1390000{n:04d}") for n in range(20)]
    for cid in ids:
        shop.rewards.opening_points(cid, "1000")
    shop.close()
    ids_file = tmp_path / "ids.json"
    ids_file.write_text(json.dumps(ids))
    root = Path(__file__).resolve().parent.parent
    procs = [subprocess.Popen([sys.executable, "-c", POINTS_RACER, str(path), str(ids_file),
                               "500", str(offset)], cwd=root, stdout=subprocess.PIPE, text=True)
             for offset in (0, 3)]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    Path(f"{ids_file}.go").touch()
    results = [json.loads(p.communicate(timeout=300)[0]) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    won = {cid: sum(r["won"].get(str(cid), 0) for r in results) for cid in ids}
    print("points race:", [(sum(r["won"].values()), r["refused"], r["busy"]) for r in results])
    assert sum(won.values()) + sum(r["refused"] + r["busy"] for r in results) == 1000
    assert all(n == 33 for n in won.values()), won  # each balance spent down to 10, no further
    with closing(Shop.open(path)) as check:
        assert_ledger_whole(check)
        for cid in ids:
            assert check.customers.get(cid).points == 1000 - 30 * won[cid] == 10


def test_templates_and_voids_are_the_owners(shop: Shop) -> None:
    staff = counter_staff(shop)
    with pytest.raises(RegularsError) as refused:
        staff.coupons.add_template("员工券", "amount", value="5", valid_days=3)
    assert (refused.value.code, refused.value.params["needed"]) == ("access.denied", "owner")
    shop.coupons.add_template("店主券", "amount", value="5", valid_days=3)
    with pytest.raises(RegularsError):
        staff.coupons.set_template_active("店主券", False)
    made = shop.coupons.issue("店主券", add(shop, "王芳", "13800138000"))
    assert made is not None
    with pytest.raises(RegularsError) as void:
        staff.coupons.void(made.code, "mistake")
    assert (void.value.code, void.value.params["needed"]) == ("access.denied", "owner")
    assert shop.coupons.void(made.code, "given twice").status == "voided"


def test_a_reward_coupon_that_cannot_be_issued_is_skipped_on_record(shop: Shop) -> None:
    shop.coupons.add_template("新人券", "amount", value="5", valid_days=14)
    shop.settings.set("referral.welcome_template", "新人券")
    shop.coupons.set_template_active("新人券", False)  # switched off after it was named
    add(shop, "甲", "13800138001")
    b = add(shop, "乙", "13800138002", referred_by="13800138001")
    assert shop.rewards.referral_links(b)[0] is not None  # the referral stands
    with shop.store.read() as conn:
        why = conn.execute("SELECT detail FROM audit_log WHERE action ="
                           " 'referral.coupon_skipped'").fetchone()
        assert conn.execute("SELECT count(*) FROM coupons").fetchone()[0] == 0
    assert why is not None and "coupon.template_inactive" in why[0]
