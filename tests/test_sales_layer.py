"""Sales above the ledgers: db/sales.py records a sale with what follows it; purchases,
points, referrals and coupons never import one another in a circle, nor sales; money
crosses every call as fen (int); and the balances a day at the counter leaves are
the ones the rules have always given."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import grimp
import pytest

from db import purchases
from db.customers import CustomerInput
from db.errors import RegularsError, ValidationError
from db.shop import Shop
from tests.conftest import HandClock

LEDGERS = ("db.purchases", "db.points", "db.referrals", "db.coupons")
START = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # a Monday, 15:00 in Shanghai


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("db")


def test_only_the_shop_imports_sales(graph: grimp.ImportGraph) -> None:
    importers = graph.find_modules_that_directly_import("db.sales")
    assert importers, "db.sales has no importer: the Shop no longer records sales through it"
    assert {m for m in importers if not m.startswith("db.shop.")} == set()


def test_the_ledgers_import_neither_one_another_in_a_circle_nor_sales(
        graph: grimp.ImportGraph) -> None:
    for ledger in LEDGERS:
        assert not graph.chain_exists(importer=ledger, imported="db.sales"), ledger
        for other in LEDGERS:
            if other != ledger and graph.chain_exists(importer=ledger, imported=other):
                assert not graph.chain_exists(importer=other, imported=ledger), (ledger, other)
    # what the cycle used to run through: a coupon no longer reaches the purchases ledger
    assert not graph.chain_exists(importer="db.coupons", imported="db.purchases")


# -- fen across every call -------------------------------------------------------------------
@pytest.fixture
def clock() -> HandClock:
    return HandClock(START)


def add(shop: Shop, name: str, phone: str, referred_by: str = "") -> int:
    return shop.customers.add(CustomerInput(name=name, phone=phone), referred_by).id


def purchase_rows(shop: Shop) -> int:
    with shop.store.read() as conn:
        return int(conn.execute("SELECT count(*) FROM purchases").fetchone()[0])


@pytest.mark.parametrize("amount", ["58.50", 58.5, Decimal("58.50"), True, None])
def test_the_purchases_ledger_takes_fen_only(shop: Shop, amount: object) -> None:
    cid = add(shop, "王芳", "13800138000")
    with pytest.raises(TypeError, match="fen"), \
            shop.store.write(shop.actor, "purchase.add") as tx:
        purchases.record(tx, cid, amount, "面包")  # type: ignore[arg-type]  # a non-int on purpose
    assert purchase_rows(shop) == 0


def test_the_purchases_ledger_refuses_nothing_or_less_in_its_own_words(shop: Shop) -> None:
    cid = add(shop, "王芳", "13800138000")
    for fen in (0, -500):
        with pytest.raises(ValidationError) as caught, \
                shop.store.write(shop.actor, "purchase.add") as tx:
            purchases.record(tx, cid, fen)
        assert caught.value.fields == {"amount": ("amount.not_positive", {})}
    assert purchase_rows(shop) == 0


# -- the door reads the typed yuan, with the same refusals as ever --------------------------
def test_a_bad_amount_is_refused_at_the_door_with_the_same_keys(shop: Shop) -> None:
    cid = add(shop, "王芳", "13800138000")
    with pytest.raises(ValidationError) as caught:
        shop.sales.record(cid, "12.345", "x" * (purchases.ITEMS_MAX + 1))
    assert {f: code for f, (code, _) in caught.value.fields.items()} == {
        "amount": "money.decimals", "items": "gate.text.too_long"}
    with pytest.raises(ValidationError) as caught:
        shop.sales.record(cid, "0")
    assert caught.value.fields == {"amount": ("amount.not_positive", {})}
    with pytest.raises(ValidationError) as caught:
        shop.sales.record_with_points(cid, "abc", "10")
    assert [(f, code) for f, (code, _) in caught.value.fields.items()] == [
        ("amount", "money.invalid")]
    assert purchase_rows(shop) == 0


def test_a_coupon_speaks_before_the_amount_typed_beside_it(shop: Shop,
                                                       clock: HandClock) -> None:
    cid = add(shop, "王芳", "13800138000")
    shop.coupons.add_template("满50减10", "amount", value="10", min_spend="50",
                                 valid_days=7)
    coupon = shop.coupons.issue("满50减10", cid)
    assert coupon is not None
    with pytest.raises(ValidationError) as caught:
        shop.coupons.redeem(coupon.code, "abc")
    assert caught.value.fields["amount"][0] == "money.invalid"
    clock.now = START + timedelta(days=30)
    with pytest.raises(RegularsError) as expired:
        shop.coupons.redeem(coupon.code, "abc")
    assert expired.value.code == "coupon.expired"


# -- a day at the counter: the balances the rules have always given --------------------------
def points_of(shop: Shop, cid: int) -> int:
    return shop.customers.get(cid).points


def drift_from_ledgers(conn: sqlite3.Connection) -> dict[int, tuple[int, int]]:
    """Each customer's stored points and spend less what their ledgers add up to."""
    return {cid: (points, spend) for cid, points, spend in conn.execute(
        "SELECT c.id, c.points - coalesce((SELECT sum(delta) FROM points_ledger p"
        " WHERE p.customer_id = c.id), 0), c.total_spend_fen - coalesce((SELECT"
        " sum(amount_fen) FROM purchases s WHERE s.customer_id = c.id), 0) FROM customers c")}


def test_a_sale_with_points_a_coupon_and_a_refund_leave_the_same_balances(
        shop: Shop) -> None:
    shop.settings.set("referral.reward_points", "50")
    wang = add(shop, "王芳", "13800138000")
    li = add(shop, "李雷", "13900139000", referred_by="13800138000")

    first = shop.sales.record(li, "100")  # earns 100; qualifies the referral: 王芳 +50
    assert (first.amount_fen, points_of(shop, li), points_of(shop, wang)) == (
        10000, 100, 50)

    part = shop.sales.record_with_points(li, "58.50", "30", "蛋挞")
    assert part.amount_fen == 5820  # ¥58.50 less 30 points at 1 fen each
    assert points_of(shop, li) == 100 - 30 + 58  # earned on what was paid in money
    spent = shop.rewards.points_history(li, 1)[0]
    assert (spent.kind, spent.delta, spent.purchase_id) == ("spend", -30, part.id)

    shop.coupons.add_template("八折", "percent", value="20", cap="15", valid_days=7)
    code = shop.coupons.issue("八折", li)
    assert code is not None
    used, sale = shop.coupons.redeem(code.code, "123.45")
    assert (used.status, used.discount_fen, used.purchase_id) == ("redeemed", 1500, sale.id)
    assert sale.amount_fen == 10845 and sale.items == f"八折 {code.code}"  # capped at ¥15
    assert points_of(shop, li) == 128 + 108

    back = shop.sales.refund(first.id, "退货")
    assert (back.amount_fen, back.refund_of) == (-10000, first.id)
    assert points_of(shop, li) == 236 - 100  # what the refunded sale earned
    assert points_of(shop, wang) == 0  # refunded within 30 days: the reward clawed back
    link = shop.rewards.referral_links(li)[0]
    assert link is not None and link.status == "clawed_back"

    buyer = shop.customers.get(li)
    assert (buyer.total_spend_fen, buyer.orders) == (5820 + 10845, 2)
    with shop.store.read() as conn:
        assert set(drift_from_ledgers(conn).values()) == {(0, 0)}  # stored figures = ledgers
