"""Demo data: the same seed gives the same shop; phones are real-looking and valid."""

from __future__ import annotations

from pathlib import Path

import pytest

import seed
from db.errors import RegularsError
from db.phones import parse_phone
from db.search_keys import rows_for_record
from db.store import Store
from db.vocab import COUPON_STATUSES, FEEDBACK_STATUSES, STAGES
from tests.conftest import Stores


def seeded(stores: Stores, path: Path, n: int, s: int) -> Store:
    store = stores.open(path)
    seed.seed(store, store.actor(), n, seed=s)
    return store


def dump(store: Store) -> list[tuple[object, ...]]:
    with store.read() as conn:
        return [tuple(r) for r in conn.execute("SELECT * FROM customers ORDER BY id")]


def test_same_seed_same_shop(tmp_path: Path, stores: Stores) -> None:
    a, b = seeded(stores, tmp_path / "a.db", 500, 9), seeded(stores, tmp_path / "b.db", 500, 9)
    assert dump(a) == dump(b)
    c = seeded(stores, tmp_path / "c.db", 500, 10)
    assert dump(a) != dump(c)


def test_seeded_rows_are_valid_and_indexed(tmp_path: Path, stores: Stores) -> None:
    store = seeded(stores, tmp_path / "s.db", 2000, 1)
    with store.read() as conn:
        rows = conn.execute("SELECT * FROM customers").fetchall()
        stored = [tuple(r) for r in conn.execute("SELECT * FROM search_keys")]
    assert len(rows) == 2000
    assert len({r["phone"] for r in rows}) == 2000
    assert len({r["member_code"] for r in rows}) == 2000
    for row in rows[:300]:
        assert parse_phone(row["phone"]).e164 == row["phone"]
    # exactly the keys the console would write for each row, in the index's own order
    assert stored == sorted({k for r in rows for k in rows_for_record(r)})
    channels = {r["channel"] for r in rows}
    assert {"counter", "wechat_group", "referral"} <= channels
    assert any(r["name"].startswith(("单", "曾", "欧阳")) for r in rows)


def test_seed_refuses_a_shop_with_customers(tmp_path: Path, stores: Stores) -> None:
    store = seeded(stores, tmp_path / "s.db", 10, 1)
    with pytest.raises(RegularsError) as err:
        seed.seed(store, store.actor(), 10)
    assert err.value.code == "seed.not_empty"


def test_seeded_figures_equal_the_ledger_and_stages_follow_the_rule(tmp_path: Path,
                                                                    stores: Stores) -> None:
    """The seed's vectorised figures must be exactly what the console computes."""
    from db import lifecycle
    from db.purchases import ledger_figures

    store = seeded(stores, tmp_path / "f.db", 1500, 4)
    with store.read() as conn:
        rows = conn.execute("SELECT * FROM customers").fetchall()
        for row in rows:
            f = ledger_figures(conn, row["id"])
            assert (row["total_spend_fen"], row["orders"], row["first_purchase_at"],
                    row["last_visit_at"], row["median_interval_s"]) == (
                f.spend_fen, f.orders, f.first_at, f.last_at, f.median_interval_s), row["id"]
        assert lifecycle.plan(conn, store.now()).total == 0  # every stage is the rule's
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1  # back on after bulk
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type='index'")}
        assert {"customers_phone_rev", "customers_wechat", "customers_stage_spend",
                "purchases_customer_at", "purchases_one_refund"} <= indexes
        stages = {r["stage"] for r in rows}
        refunds = conn.execute("SELECT count(*) FROM purchases WHERE refund_of IS NOT NULL")
        assert refunds.fetchone()[0] > 0
    assert stages == set(STAGES)
    from db.shop import Shop

    shop = Shop(store, store.actor())
    assert shop.lifecycle.at_risk(), "a fresh demo has people to contact today"
    assert {t.name for t in shop.customers.all_tags()} >= {"团购", "宝妈"}
    assert shop.customers.search("#团购").hits


def test_the_two_process_path_makes_the_same_shop(tmp_path: Path, stores: Stores) -> None:
    """Producer process + staging file gives exactly the shop one process gives."""
    def everything(store: Store) -> dict[str, list[tuple[object, ...]]]:
        with store.read() as conn:
            return {t: [tuple(r) for r in conn.execute(f"SELECT * FROM {t}")] for t in (
                "customers", "purchases", "search_keys", "stage_history", "customer_tags")}

    alone = stores.open(tmp_path / "one.db")
    seed.seed(alone, alone.actor(), 3000, seed=11, chunk=500)
    both = stores.open(tmp_path / "two.db")
    seed.seed(both, both.actor(), 3000, seed=11, chunk=500, min_parallel=0)
    made = everything(both)
    assert made == everything(alone)
    assert len(made["customers"]) == 3000 and len(made["search_keys"]) > 30_000
    assert not list(tmp_path.glob("*.seed-keys*")), "the staging file is cleaned up"


def test_a_producer_that_dies_is_reported_and_nothing_half_made_is_kept(tmp_path: Path) -> None:
    class Garbled:  # the producer cannot parse this time, so it dies before sending a row
        def isoformat(self) -> str:
            return "not a time"

    dying = seed._TwoProcesses(100, 1, Garbled(), 1, 50, tmp_path / "k",  # type: ignore[arg-type]  # on purpose
                               "CREATE TABLE search_keys(x)")
    with pytest.raises(RegularsError) as err:
        list(dying.rows())
    dying.close()
    assert err.value.code == "seed.producer_failed" and err.value.params["exit_code"] != 0


def test_a_lookup_index_that_cannot_be_built_is_reported(tmp_path: Path, stores: Stores) -> None:
    from datetime import UTC, datetime

    store = stores.open(tmp_path / "s.db")
    broken = seed._TwoProcesses(100, 1, datetime(2026, 11, 24, tzinfo=UTC), 1, 50,
                                tmp_path / "k", "CREATE TABLE nonsense")
    assert sum(len(batch) for batch, _ in broken.rows()) == 100
    with pytest.raises(RegularsError) as err:
        broken.write_lookup(store, store.actor())
    broken.close()
    assert err.value.code == "seed.producer_failed"
    assert not (tmp_path / "k").exists()


def test_the_demo_has_feedback_in_every_state(tmp_path: Path, stores: Stores) -> None:
    from db import feedback

    store = seeded(stores, tmp_path / "fb.db", 2000, 1)
    with store.read() as conn:
        rows = conn.execute("SELECT * FROM feedback").fetchall()
        told = conn.execute("SELECT count(*) FROM feedback_told").fetchone()[0]
        summary = feedback.summary(conn, store.now())
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert len(rows) == 80
    assert {r["category"] for r in rows} >= {"quality", "supply", "assortment", "service"}
    assert {r["status"] for r in rows} == set(FEEDBACK_STATUSES)
    assert any(r["group_id"] for r in rows) and told > 0
    assert all(r["done_at"] for r in rows if r["status"] == "done")
    linked = [r for r in rows if r["group_id"]]
    heads = {r["id"]: r for r in rows}
    assert all(r["status"] == heads[r["group_id"]]["status"] for r in linked)
    assert summary.open_by_category and summary.products[90]
    assert summary.median_days_to_done is not None


def test_the_demo_rewards_obey_the_rules(tmp_path: Path, stores: Stores) -> None:
    """Coupons in every state, a referral forest with chains, points whose balances are
    their ledgers: everything the live rules would have allowed."""
    store = seeded(stores, tmp_path / "rw.db", 3000, 2)
    with store.read() as conn:
        def one(sql: str) -> object:
            return conn.execute(sql).fetchone()[0]

        statuses = dict(conn.execute("SELECT status, count(*) FROM coupons GROUP BY 1").fetchall())
        assert set(COUPON_STATUSES) <= set(statuses)
        assert one(f"SELECT count(*) FROM coupons WHERE status = 'issued'"
                   f" AND expires_at < '{store.now()}'")  # some expired unused
        assert one("SELECT count(*) FROM coupons k JOIN purchases p ON p.id = k.purchase_id"
                   " WHERE k.status = 'redeemed' AND (p.customer_id != k.customer_id"
                   " OR k.redeemed_at >= k.expires_at OR k.redeemed_at < k.issued_at)") == 0
        assert one("SELECT count(*) FROM referrals WHERE referrer_id >= referee_id") == 0
        assert one("SELECT count(*) FROM referrals r WHERE r.referrer_id IN"
                   " (SELECT referee_id FROM referrals)")  # chains
        assert one("SELECT count(*) FROM referrals r JOIN purchases p"
                   " ON p.customer_id = r.referee_id AND p.at < r.at") == 0  # referees new
        assert one("SELECT count(*) FROM customers c WHERE referrals_qualified !="
                   " (SELECT count(*) FROM referrals r WHERE r.referrer_id = c.id"
                   " AND r.status = 'qualified')") == 0
        assert one("SELECT min(balance_after) FROM points_ledger") >= 0  # type: ignore[operator]  # one() is untyped SQL
        kinds = {r[0] for r in conn.execute("SELECT DISTINCT kind FROM points_ledger")}
        assert {"opening", "referral", "spend"} <= kinds
    from db.doctor import examine

    report = examine(store, quick=True)
    assert report.ok, [c for c in report.checks if not c.ok]
