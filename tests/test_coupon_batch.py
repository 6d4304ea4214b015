"""Batch issue: the filter, the preview, skipping, progress, and running it again."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from db.audience import Audience, birthday_days, parse_spend_between
from db.customers import CustomerInput
from db.errors import NotFound, RegularsError, ValidationError
from db.shop import Shop
from tests.conftest import HandClock

START = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # 15:00 on Monday 2 March in Shanghai


@pytest.fixture
def clock() -> HandClock:
    return HandClock(START)


@pytest.fixture
def shop(shop: Shop) -> Shop:
    shop.coupons.add_template("回头券", "amount", value="10", valid_days=14, per_customer=2)
    return shop


def people(shop: Shop, n: int, consent: bool = True) -> list[int]:
    """n new customers: 顾客<k> with phone 1390000<k>, k counting from 0 across calls."""
    made = []
    for _ in range(n):
        k = len(made_ids(shop))
        data = CustomerInput(name=f"顾客{k}", phone=f"1390000{k:04d}", marketing_consent=consent)
        made.append(shop.customers.add(data).id)
    return made


def made_ids(shop: Shop) -> list[int]:
    with shop.store.read() as conn:
        return [r[0] for r in conn.execute("SELECT id FROM customers")]


def coupons_of(shop: Shop) -> dict[int, int]:
    with shop.store.read() as conn:
        return dict(conn.execute("SELECT customer_id, count(*) FROM coupons GROUP BY 1"))


def test_the_same_batch_issued_three_times_gives_one_coupon_per_customer(shop: Shop) -> None:
    ids = people(shop, 7)
    first = shop.campaigns.issue_batch("回头券", Audience(), "manual", "spring-1")
    assert first[0].to_issue == 7 and len(first[1]) == 7
    for _ in range(2):
        again_plan, again = shop.campaigns.issue_batch("回头券", Audience(), "manual", "spring-1")
        assert again == [] and again_plan.already == 7 and again_plan.to_issue == 0
    assert coupons_of(shop) == dict.fromkeys(ids, 1)
    # a different batch of the same template is a second campaign: the limit (2) allows it
    assert len(shop.campaigns.issue_batch("回头券", Audience(), "manual", "spring-2")[1]) == 7
    # and a third is refused by the limit, customer by customer
    third = shop.campaigns.issue_batch("回头券", Audience(), "manual", "spring-3")
    assert third[0].at_limit == 7 and third[1] == []


def test_without_a_batch_id_the_same_command_on_the_same_day_is_the_same_batch(
        shop: Shop, clock: HandClock) -> None:
    people(shop, 3)
    assert len(shop.campaigns.issue_batch("回头券", Audience(), "manual")[1]) == 3
    assert shop.campaigns.issue_batch("回头券", Audience(), "manual")[1] == []
    clock.now += timedelta(days=1)  # tomorrow it is a new batch
    assert len(shop.campaigns.issue_batch("回头券", Audience(), "manual")[1]) == 3


def test_marketing_reasons_skip_customers_without_consent(shop: Shop) -> None:
    yes = people(shop, 2, consent=True)
    people(shop, 3, consent=False)
    plan = shop.campaigns.plan("回头券", Audience(), "winback", "w1")
    assert (plan.matched, plan.no_consent, plan.to_issue) == (5, 3, 2)
    assert sorted(i.customer_id for i in shop.campaigns.issue_batch("回头券", Audience(), "winback",
                                                          "w1")[1]) == yes
    apology = shop.campaigns.plan("回头券", Audience(), "apology", "a1")  # service, not marketing
    assert apology.no_consent == 0 and apology.to_issue == 5


def test_progress_is_reported_chunk_by_chunk_up_to_the_matched_count(
        shop: Shop, monkeypatch: pytest.MonkeyPatch) -> None:
    from db import coupon_batch

    monkeypatch.setattr(coupon_batch, "CHUNK", 3)
    people(shop, 8)
    heard: list[tuple[int, int]] = []
    plan, made = shop.campaigns.issue_batch("回头券", Audience(), "manual", "p1",
                                  progress=lambda done, total: heard.append((done, total)))
    assert len(made) == 8 and plan.matched == 8
    assert heard == [(3, 8), (6, 8), (8, 8), (8, 8)]
    assert len({m.code for m in made}) == 8


def test_each_filter_part_selects_what_it_says(shop: Shop, clock: HandClock) -> None:
    a, b, c, d = people(shop, 4)
    shop.customers.add_tag(a, "老街坊")
    shop.sales.record(b, "800")
    shop.customers.update(c, CustomerInput(name="顾客2", phone="13900000002",
                                          birthday="03-05", is_seed_user=True,
                                          marketing_consent=True))

    shop.coupons.add_template("大促", "percent", value="10", valid_days=3, per_customer=99)

    def who(f: Audience) -> set[int]:
        plan, made = shop.campaigns.issue_batch("大促", f, "manual", f"t-{hash(f)}")
        assert plan.to_issue == len(made)
        return {m.customer_id for m in made}

    assert who(Audience(tag="#老街坊")) == {a}
    assert who(Audience(spend_min_fen=50000)) == {b}
    assert who(Audience(spend_min_fen=0, spend_max_fen=0)) == {a, c, d}
    assert who(Audience(birthday_within=2)) == set()  # 2, 3, 4 March
    assert who(Audience(birthday_within=3)) == {c}  # 5 March is within 3 days
    assert who(Audience(seed_users=True)) == {c}
    assert who(Audience(stage="initial", seed_users=True)) == {c}
    assert who(Audience(stage="trust")) == set()
    with pytest.raises(NotFound):
        shop.campaigns.plan("回头券", Audience(tag="没有这个"), "manual", "x")
    with pytest.raises(ValidationError):
        shop.campaigns.plan("回头券", Audience(stage="vip"), "manual", "x")


def test_at_risk_customers_are_trust_customers_past_their_own_rhythm(
        shop: Shop, clock: HandClock) -> None:
    regular, other = people(shop, 2)
    for _ in range(4):
        shop.sales.record(regular, "30")
        shop.sales.record(other, "30")
        clock.now += timedelta(days=7)
    assert shop.customers.get(regular).stage == "trust"
    clock.now += timedelta(days=9)
    shop.sales.record(other, "30")  # other came yesterday; regular stays away
    clock.now += timedelta(days=1)  # regular: 17 days since the last visit, rhythm 7
    plan, made = shop.campaigns.issue_batch("回头券", Audience(at_risk=True), "winback", "r")
    assert [m.customer_id for m in made] == [regular] and plan.matched == 1


def test_birthdays_wrap_the_year_and_29_february_counts_on_the_28th() -> None:
    assert birthday_days(date(2026, 12, 30), 3) == [101, 102, 1230, 1231]
    assert 229 in birthday_days(date(2027, 2, 27), 1)  # 2027 has no 29 February
    assert 229 not in birthday_days(date(2028, 2, 27), 1)  # 2028 has one, not yet reached
    assert birthday_days(date(2026, 5, 1), 0) == [501]
    with pytest.raises(ValidationError):
        birthday_days(date(2026, 5, 1), 400)


def test_spend_ranges_parse_in_yuan() -> None:
    assert parse_spend_between("100,500") == (10000, 50000)
    assert parse_spend_between("100-500.5") == (10000, 50050)
    assert parse_spend_between("1000,") == (100000, None)
    assert parse_spend_between("，200") == (None, 20000)
    for bad in ("", ",", "500,100", "abc,1"):
        with pytest.raises(ValidationError):
            parse_spend_between(bad)


def test_an_inactive_template_or_a_bad_reason_issues_nothing(shop: Shop) -> None:
    people(shop, 2)
    with shop.store.write(shop.actor, "coupon.issue_batch") as tx:
        tx.execute("UPDATE coupon_templates SET active = 0")
        tx.audit("test.switch_off", "coupon_template", None)
    with pytest.raises(RegularsError):
        shop.campaigns.issue_batch("回头券", Audience(), "manual", "z")
    with pytest.raises(ValidationError):
        shop.campaigns.plan("回头券", Audience(), "party", "z")
    assert coupons_of(shop) == {}
