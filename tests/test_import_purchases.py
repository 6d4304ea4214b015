"""Importing purchase history, the writing side (db/imports/history.py): customers named
by phone or member code (an unknown phone adds one), re-imports add nothing, refunds
name their order, no points or referral rewards, figures recomputed once."""

from __future__ import annotations

from pathlib import Path

import pytest

from db.customers import CustomerInput
from db.shop import Shop
from tests.import_helpers import dump, feed, one, sale

ZHANG = "+8613512345678"
NEW = "+8618600001111"


@pytest.fixture
def zhang(shop: Shop) -> str:
    return shop.customers.add(CustomerInput(name="张三", phone="135 1234 5678")).member_code


def history(zhang: str) -> list[object]:
    return [
        sale(2, "2026-01-05T04:00:00+00:00", 3000, ZHANG, order_id="A1", items="拿铁"),
        sale(3, "2026-02-05T04:00:00+00:00", 4500, None, member_code=zhang, order_id="A2"),
        sale(4, "2026-02-06T04:00:00+00:00", -4500, ZHANG, order_id="R1", refund_of="A2"),
        sale(5, "2026-03-01T04:00:00+00:00", 2000, ZHANG),  # no order id: by time and amount
        sale(6, "2026-03-01T04:00:00+00:00", 2000, ZHANG),  # the same row again: folded
        sale(7, "2026-04-01T04:00:00+00:00", 1800, NEW, name="新客"),
        sale(8, "2026-04-02T04:00:00+00:00", 900, None, member_code="ZZZZZZZ"),  # unknown
        sale(9, "2026-04-03T04:00:00+00:00", -100, ZHANG, refund_of="NOPE"),
    ]


def test_history_comes_in_once_with_its_refunds_and_new_customers(
        shop: Shop, zhang: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = feed(monkeypatch, tmp_path, "purchases", history(zhang))
    preview = shop.imports.preview("purchases", path)
    done = shop.imports.run("purchases", path)
    assert preview.counts == done.counts
    assert (done.counts.new, done.counts.unchanged, done.counts.folded,
            done.counts.refused) == (5, 0, 1, 2)
    assert sorted(r.code for r in done.refusals) == [
        "import.customer_added", "import.customer_unknown", "import.refund_of_unknown"]
    c = shop.customers.find(ZHANG)
    assert (c.total_spend_fen, c.orders) == (5000, 2)  # the refunded sale is no order
    assert c.last_visit_at == "2026-03-01T04:00:00+00:00"
    assert c.points == 0  # imported history earns nothing
    new = shop.customers.find(NEW)
    assert (new.name, new.total_spend_fen, new.orders) == ("新客", 1800, 1)
    before = dump(shop)
    again = shop.imports.run("purchases", path)
    assert (again.batch_id, again.counts.new, again.counts.unchanged) == (None, 0, 5)
    assert dump(shop) == before
    assert one(shop, "SELECT count(*) FROM points_ledger") == 0
    assert one(shop, "SELECT count(*) FROM purchases WHERE import_batch_id = ?",
               done.batch_id) == 5
    report = shop.doctor()
    assert report.ok, [ch for ch in report.checks if not ch.ok]
    assert one(shop, "SELECT count(*) FROM rerank_queue") == 0  # ranks brought up to date


def test_opening_figures_and_history_add_up(
        shop: Shop, zhang: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with shop.store.write(shop.actor, "setting.set") as tx:  # as a customer import leaves it
        tx.execute("UPDATE customers SET opening_spend_fen = 10000, opening_orders = 3,"
                   " opening_first_at = '2024-05-01T00:00:00+00:00' WHERE phone = ?", (ZHANG,))
        tx.audit("setting.set", "customer", None)
    shop.imports.run("purchases", feed(monkeypatch, tmp_path, "purchases", history(zhang)))
    c = shop.customers.find(ZHANG)
    assert (c.total_spend_fen, c.orders) == (15000, 5)
    assert c.first_purchase_at == "2024-05-01T00:00:00+00:00"


def test_a_refund_of_a_stored_order_and_a_second_refund_refused(
        shop: Shop, zhang: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    shop.imports.run("purchases", feed(monkeypatch, tmp_path, "purchases", history(zhang)))
    later = [sale(2, "2026-05-01T04:00:00+00:00", -3000, ZHANG, order_id="R2", refund_of="A1"),
             sale(3, "2026-05-02T04:00:00+00:00", -4500, ZHANG, order_id="R3", refund_of="A2")]
    done = shop.imports.run("purchases", feed(monkeypatch, tmp_path, "purchases", later,
                                              name="later.csv"))
    assert (done.counts.new, done.counts.refused) == (1, 1)
    assert [r.code for r in done.refusals] == ["import.refund_already"]
    assert shop.customers.find(ZHANG).total_spend_fen == 2000


def test_a_failure_half_way_leaves_the_shop_exactly_as_it_was(
        shop: Shop, zhang: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    rows = [sale(n, f"2026-01-{n % 28 + 1:02d}T04:00:00+00:00", 100 + n, ZHANG,
                 order_id=f"B{n}") for n in range(2, 1002)]
    path = feed(monkeypatch, tmp_path, "purchases", rows)
    before = dump(shop)
    from db import purchases

    def breaks(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(purchases, "refresh_many", breaks)
    with pytest.raises(OSError):
        shop.imports.run("purchases", path)
    assert dump(shop) == before


def test_every_lookup_key_carries_the_new_last_visit(
        shop: Shop, zhang: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from db.search_keys import rows_for_record

    shop.imports.run("purchases", feed(monkeypatch, tmp_path, "purchases", history(zhang)))
    with shop.store.read() as conn:
        for row in conn.execute("SELECT * FROM customers").fetchall():
            want = sorted(rows_for_record(row))
            have = sorted(tuple(r) for r in conn.execute(
                "SELECT key, tier, rank, sort_name, customer_id FROM search_keys"
                " WHERE customer_id = ?", (row["id"],)))
            assert have == want and want
            assert all(rank != 0 for _, _, rank, _, _ in have)  # every one has a visit now
