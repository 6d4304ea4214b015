"""Export -> import into an empty shop -> export again: the same CSV, byte for byte,
from a shop with every field set (Chinese names, emoji, tags, notes with newlines, a
referrer, a birthday without a year, consent, a seed user, stages, points, spend),
through CSV and through XLSX. Importing the export again into either shop changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from db.customers import CustomerInput
from db.shop import Shop
from db.store import Store
from tests.conftest import HandClock


@pytest.fixture
def full(shop: Shop) -> Shop:
    add = shop.customers.add
    wang = add(CustomerInput(name="王小明", phone="139 0013 8001", birthday="03-05",
                             gender="male", notes="爱喝拿铁\n少糖，不要冰", wechat_id="wxm_2024",
                             channel="wechat_group", marketing_consent=True))
    li = add(CustomerInput(name="李芳😀", phone="+44 7911 123456", birthday="1990-12-31",
                           gender="female", is_seed_user=True, channel="referral"))
    zhang = add(CustomerInput(name="Anna Lee", phone="137 0013 8000", notes="“引号”, 逗号"))
    shop.rewards.register_referral(li.id, wang.member_code)
    shop.customers.add_tag(wang.id, "常客")
    shop.customers.add_tag(wang.id, "团购")
    shop.customers.add_tag(li.id, "宝妈")
    shop.rewards.opening_points(zhang.id, "300")
    for amount, when in (("30.00", "2026-09-01 10:00"), ("45.50", "2026-10-01 18:30"),
                         ("12.00", "2026-11-20 09:15")):
        shop.sales.record(wang.id, amount, when=when)
    shop.sales.refund(shop.sales.record(li.id, "88.00", when="2026-11-01 12:00").id)
    shop.sales.record(li.id, "20.00", when="2026-11-02 12:00")
    shop.lifecycle.set_stage(zhang.id, "dormant", "搬家了")
    return shop


@pytest.fixture
def empty(tmp_path: Path, clock: HandClock) -> Iterator[Shop]:
    store = Store(tmp_path / "empty" / "shop.db", clock=clock)
    other = Shop(store, store.actor())
    yield other
    other.close()


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_import_export_gives_the_same_csv(full: Shop, empty: Shop, tmp_path: Path,
                                                 suffix: str) -> None:
    first_csv, carried = tmp_path / "first.csv", tmp_path / f"carried{suffix}"
    full.exports.customers(first_csv, full_phone=True)
    full.exports.customers(carried, full_phone=True)
    done = empty.imports.run("customers", carried)
    assert (done.counts.new, done.counts.refused) == (3, 0), done.refusals
    assert [r for r in done.refusals] == []
    second_csv = tmp_path / "second.csv"
    empty.exports.customers(second_csv, full_phone=True)
    assert second_csv.read_bytes() == first_csv.read_bytes()
    for shop in (empty, full):  # the same file again, into either shop: nothing changes
        again = shop.imports.run("customers", carried)
        assert (again.batch_id, again.counts.new, again.counts.updated) == (None, 0, 0)
    report = empty.doctor()
    assert report.ok, [c for c in report.checks if not c.ok]
