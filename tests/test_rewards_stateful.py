"""Coupon and points life cycles against a simple model (hypothesis, stateful).

The machine issues, redeems and voids coupons, sells, refunds, spends and adjusts
points, and moves an injected clock, often to a second either side of midnight in
Asia/Shanghai, where expiry happens. After every step it checks that:

* a coupon is redeemed at most once, and never at or after its expiry;
* coupon states only move issued → redeemed or issued → voided;
* each points balance equals its ledger sum and the model, and is never negative.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    multiple,
    rule,
)

from db.customers import CustomerInput
from db.errors import RegularsError
from db.shop import Shop
from db.store import Store
from tests.conftest import HandClock

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 15, 30, tzinfo=SHANGHAI)
UNTIL = date(2026, 3, 4)  # the fixed-date template's last valid day


def next_midnight(moment: datetime) -> datetime:
    local = moment.astimezone(SHANGHAI)
    return datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=SHANGHAI)


class CouponsAndPoints(RuleBasedStateMachine):
    coupons = Bundle("coupons")
    sales = Bundle("sales")

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="regulars-model-"))
        self.clock = HandClock(START.astimezone(UTC))
        store = Store(self.folder / "m.db", clock=self.clock)
        self.shop = Shop(store, store.actor())
        self.shop.coupons.add_template("当天券", "amount", value="5", valid_days=1,
                                      per_customer=999)
        self.shop.coupons.add_template("到期券", "percent", value="20", valid_until=str(UNTIL),
                                      per_customer=999)
        self.people = [self.shop.customers.add(CustomerInput(name=n, phone=p)).id
                       for n, p in (("王芳", "13800138000"), ("李娜", "13900139000"))]
        self.status: dict[str, str] = {}  # code -> issued / redeemed / voided (the model)
        self.expires: dict[str, datetime] = {}
        self.balance = dict.fromkeys(self.people, 0)
        self.earned: dict[int, tuple[int, int]] = {}  # sale id -> (customer, points earned)

    def teardown(self) -> None:
        self.shop.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # -- the clock ----------------------------------------------------------------------
    @rule(minutes=st.integers(1, 60 * 30))
    def wait(self, minutes: int) -> None:
        self.clock.now += timedelta(minutes=minutes)

    @rule(second=st.sampled_from([-1, 0, 0, 1]))
    def to_midnight(self, second: int) -> None:
        """Right up to (or just past) the next midnight in Shanghai."""
        target = next_midnight(self.clock.now) + timedelta(seconds=second)
        if target > self.clock.now:
            self.clock.now = target.astimezone(UTC)

    # -- coupons ------------------------------------------------------------------------
    @rule(target=coupons, who=st.integers(0, 1), daily=st.booleans())
    def issue(self, who: int, daily: bool) -> Any:
        if not daily and self.clock.now.astimezone(SHANGHAI).date() > UNTIL:
            try:  # the template has ended: it hands out nothing (issue 11, item 10)
                self.shop.coupons.issue("到期券", self.people[who])
            except RegularsError as refused:
                assert refused.code == "gate.coupon.template_ended"
                return multiple()
            raise AssertionError("an ended template issued a coupon")
        made = self.shop.coupons.issue("当天券" if daily else "到期券", self.people[who])
        assert made is not None
        self.status[made.code] = "issued"
        self.expires[made.code] = (next_midnight(self.clock.now) if daily else
                                   datetime.combine(UNTIL + timedelta(days=1), time(0),
                                                    tzinfo=SHANGHAI))
        assert datetime.fromisoformat(made.expires_at) == self.expires[made.code]
        return made.code

    @rule(code=coupons, amount=st.sampled_from(["30", "58.50", "100"]))
    def redeem(self, code: str, amount: str) -> None:
        usable = self.status[code] == "issued" and self.clock.now < self.expires[code]
        try:
            _, sale = self.shop.coupons.redeem(code, amount)
        except RegularsError as refused:
            assert not usable, refused.code
            expected = {"redeemed": "coupon.already_used", "voided": "coupon.voided"}.get(
                self.status[code], "coupon.expired")
            assert refused.code == expected
            return
        assert usable
        self.status[code] = "redeemed"
        earned = sale.amount_fen // 100  # one point per whole yuan paid
        self.balance[sale.customer_id] += earned
        self.earned[sale.id] = (sale.customer_id, earned)

    @rule(code=coupons)
    def void(self, code: str) -> None:
        try:
            self.shop.coupons.void(code, "model")  # the shop acts as its owner here
        except RegularsError as refused:
            assert self.status[code] != "issued" and refused.code == "coupon.not_voidable"
            return
        assert self.status[code] == "issued"
        self.status[code] = "voided"

    # -- points -------------------------------------------------------------------------
    @rule(target=sales, who=st.integers(0, 1), yuan=st.integers(1, 300))
    def sell(self, who: int, yuan: int) -> int:
        sale = self.shop.sales.record(self.people[who], str(yuan))
        self.balance[self.people[who]] += yuan
        self.earned[sale.id] = (self.people[who], yuan)
        return sale.id

    @rule(sale=consumes(sales))
    def refund(self, sale: int) -> None:
        self.shop.sales.refund(sale)
        who, earned = self.earned[sale]
        self.balance[who] -= min(earned, self.balance[who])

    @rule(who=st.integers(0, 1), amount=st.integers(1, 400))
    def spend(self, who: int, amount: int) -> None:
        cid = self.people[who]
        try:
            self.shop.rewards.spend_points(cid, str(amount), "gift")
        except RegularsError as refused:
            assert refused.code == "points.not_enough" and amount > self.balance[cid]
            return
        assert amount <= self.balance[cid]
        self.balance[cid] -= amount

    @rule(who=st.integers(0, 1), delta=st.integers(-200, 200).filter(bool))
    def adjust(self, who: int, delta: int) -> None:
        cid = self.people[who]
        try:
            self.shop.rewards.adjust_points(cid, str(delta), "model")
        except RegularsError:
            assert self.balance[cid] + delta < 0
            return
        self.balance[cid] += delta

    # -- what must always hold --------------------------------------------------------------
    @invariant()
    def coupons_match_the_model(self) -> None:
        with self.shop.store.read() as conn:
            rows = conn.execute("SELECT code, status, redeemed_at, expires_at, purchase_id"
                                " FROM coupons").fetchall()
            for code, status, redeemed_at, expires_at, _ in rows:
                assert status == self.status[code]
                if status == "redeemed":
                    assert redeemed_at < expires_at  # ISO-8601 UTC sorts as time
            sales = [r[4] for r in rows if r[4] is not None]
            assert len(sales) == len(set(sales))  # one sale per redemption, one per coupon

    @invariant()
    def balances_are_their_ledgers(self) -> None:
        with self.shop.store.read() as conn:
            for cid in self.people:
                stored, total = conn.execute(
                    "SELECT points, (SELECT coalesce(sum(delta), 0) FROM points_ledger"
                    " WHERE customer_id = ?) FROM customers WHERE id = ?", (cid, cid)).fetchone()
                assert stored == total == self.balance[cid] >= 0


CouponsAndPoints.TestCase.settings = settings(
    max_examples=100, stateful_step_count=40, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
TestCouponsAndPoints = CouponsAndPoints.TestCase
