"""The bulk twins an import uses agree with the one-customer rules: purchases.refresh_many
with ledger_figures (opening figures included), lifecycle.settle with apply_rule, and
search_keys.rerank_all with rerank_pending."""

from __future__ import annotations

import random

from db import lifecycle, purchases, search_keys
from db.customers import CustomerInput
from db.shop import Shop

OPENINGS = [(0, 0, None, None), (50_000, 4, "2024-01-01T02:00:00+00:00",
                                  "2026-11-23T02:00:00+00:00"),
            (1_000, 1, "2026-06-01T02:00:00+00:00", "2026-06-01T02:00:00+00:00")]


def test_bulk_refresh_settle_and_rerank_equal_the_one_customer_rules(shop: Shop) -> None:
    rng = random.Random(13)
    ids = [shop.customers.add(CustomerInput(name=f"客{n}", phone=f"139{n:08d}")).id
           for n in range(12)]
    for cid in ids:
        for _ in range(rng.randint(0, 4)):
            day = rng.randint(1, 28)
            sale = shop.sales.record(cid, f"{rng.randint(1, 300)}.00",
                                     when=f"2026-{rng.randint(1, 10):02d}-{day:02d} 10:00")
            if rng.random() < 0.3:
                shop.sales.refund(sale.id)
    with shop.store.write(shop.actor, "lifecycle.recompute") as tx:
        for cid in ids:  # as an import leaves them: new opening figures, stale stored ones
            spend, orders, first, last = rng.choice(OPENINGS)
            tx.execute("UPDATE customers SET opening_spend_fen = ?, opening_orders = ?,"
                       " opening_first_at = ?, opening_last_at = ? WHERE id = ?",
                       (spend, orders, first, last, cid))
        purchases.refresh_many(tx, ids)
        bulk = [tuple(tx.execute(
            "SELECT total_spend_fen, orders, first_purchase_at, last_visit_at,"
            " median_interval_s, stage FROM customers WHERE id = ?", (cid,)).fetchone())
            for cid in ids]
        for cid, got in zip(ids, bulk, strict=True):
            f = purchases.ledger_figures(tx.conn, cid)
            assert got[:5] == (f.spend_fen, f.orders, f.first_at, f.last_at,
                               f.median_interval_s)
            assert got[5] == lifecycle.suggest(tx.conn, cid, tx.now).stage
        assert lifecycle.settle(tx, ids) == 0  # settled already: the rule agrees
        queued = search_keys.pending(tx.conn)
        assert queued > 0
        assert search_keys.rerank_all(tx.conn) == queued
        for row in tx.execute("SELECT * FROM customers").fetchall():
            have = sorted(tuple(r) for r in tx.execute(
                "SELECT key, tier, rank, sort_name, customer_id FROM search_keys"
                " WHERE customer_id = ?", (row["id"],)))
            assert have == sorted(search_keys.rows_for_record(row))
        tx.audit("lifecycle.recompute", "customer", None)
