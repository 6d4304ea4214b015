"""Coupons: templates, issue, redeem exactly once (two real processes too), expiry at
the shop's midnight, and every refusal in words for the counter."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from db import codes, coupons
from db.customers import CustomerInput
from db.errors import RegularsError, ValidationError
from db.shop import Shop
from db.store import Store
from tests.conftest import HandClock

ROOT = Path(__file__).resolve().parent.parent
TZ = "Asia/Shanghai"
# 2026-03-02 15:00 in Shanghai (a Monday afternoon)
START = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


Clock = HandClock


@pytest.fixture
def clock() -> Clock:
    return HandClock(START)


def customer(shop: Shop, phone: str, name: str = "王芳") -> int:
    return shop.customers.add(CustomerInput(name=name, phone=phone)).id


def template(shop: Shop, name: str = "满50减10", **extra: object) -> coupons.Template:
    args: dict[str, Any] = {"kind": "amount", "value": "10", "min_spend": "50",
                            "valid_days": 7, **extra}
    with shop.store.write(shop.actor, "coupon.issue") as tx:
        return coupons.add_template(tx, name, **args)


def issue(shop: Shop, cid: int, name: str = "满50减10", batch: str | None = None
          ) -> coupons.Coupon | None:
    with shop.store.write(shop.actor, "coupon.issue") as tx:
        return coupons.issue(tx, name, cid, "manual", TZ, batch)


def redeem(shop: Shop, code: str, amount: str, cid: int | None = None) -> coupons.Coupon:
    return shop.coupons.redeem(code, amount, cid)[0]


def test_templates_refuse_what_makes_no_sense(shop: Shop) -> None:
    for bad, field in ((dict(kind="amount", value="0"), "value"),
                       (dict(kind="percent", value="150"), "value"),
                       (dict(kind="gift", value=""), "gift"),
                       (dict(valid_days=None), "valid"),
                       (dict(valid_days=0), "valid"),
                       (dict(valid_days=7, valid_until="2026-12-31"), "valid"),
                       (dict(kind="amount", value="10", valid_days=None,
                             valid_until="2026-13-01"), "valid")):
        with pytest.raises(ValidationError) as err:
            template(shop, "坏模板", **bad)
        assert field in err.value.fields, bad
    template(shop)
    with pytest.raises(ValidationError):
        template(shop)  # the same name twice


def test_expiry_is_the_end_of_the_shops_local_day(shop: Shop, clock: Clock) -> None:
    cid = customer(shop, "13911112222")
    template(shop)
    coupon = issue(shop, cid)
    second = issue(shop, customer(shop, "13933334444", "李雷"))
    assert coupon is not None and second is not None
    assert len(coupon.code) == 9 and codes.is_valid(coupon.code)
    # issued Monday 2026-03-02 15:00 local; 7 days: through Sunday 03-08, ends 03-09 00:00
    assert coupon.expires_at == "2026-03-08T16:00:00+00:00"
    clock.now = datetime(2026, 3, 8, 15, 59, 59, tzinfo=UTC)  # 23:59:59 local: still valid
    assert redeem(shop, coupon.code, "60").status == "redeemed"
    clock.now = datetime(2026, 3, 8, 16, 0, tzinfo=UTC)  # local midnight: expired
    with pytest.raises(RegularsError) as err:
        redeem(shop, second.code, "60")
    assert err.value.code == "coupon.expired" and err.value.params["date"] == "2026-03-08"


def test_redeem_once_and_every_refusal_says_why(shop: Shop, clock: Clock) -> None:
    wang = customer(shop, "13911112222")
    li = customer(shop, "13933334444", "李雷")
    template(shop)
    coupon = issue(shop, wang)
    assert coupon is not None
    typo = coupon.code[:3] + coupon.code[4] + coupon.code[3] + coupon.code[5:]
    if typo != coupon.code:
        with pytest.raises(ValidationError) as verr:
            redeem(shop, typo, "60")
        assert verr.value.fields["code"][0] == "coupon.typo"
    for amount, cid, code in (("40", wang, "coupon.min_spend"),
                              ("60", li, "coupon.other_customer")):
        with pytest.raises(RegularsError) as err:
            redeem(shop, coupon.code, amount, cid)
        assert err.value.code == code
    done = redeem(shop, coupon.code.lower(), "60", wang)  # typed in lower case: fine
    assert (done.status, done.discount_fen) == ("redeemed", 1000)
    assert shop.customers.get(wang).total_spend_fen == 5000  # paid 60 - 10
    clock.now += timedelta(minutes=5)
    with pytest.raises(RegularsError) as err:
        redeem(shop, coupon.code, "60", wang)
    assert err.value.code == "coupon.already_used"
    assert err.value.params["at"] == "2026-03-02 15:00" and err.value.params["by"]
    assert shop.customers.get(wang).orders == 1  # the refused attempt recorded no sale


def test_per_customer_limit_batches_and_void(shop: Shop) -> None:
    wang = customer(shop, "13911112222")
    template(shop, per_customer=2)
    assert issue(shop, wang) and issue(shop, wang)
    with pytest.raises(RegularsError) as err:
        issue(shop, wang)
    assert err.value.code == "coupon.limit"
    li = customer(shop, "13933334444", "李雷")
    made = [issue(shop, li, batch="winback-2026-03") for _ in range(3)]
    assert made[0] is not None and made[1:] == [None, None]  # idempotent batch
    with shop.store.write(shop.actor, "coupon.issue") as tx:
        voided = coupons.void(tx, made[0].code, "发错了")
    assert voided.status == "voided"
    with pytest.raises(RegularsError) as err:
        redeem(shop, made[0].code, "60")
    assert err.value.code == "coupon.voided" and "发错了" in err.value.params["reason"]


def test_percent_with_cap_and_gift() -> None:
    base: dict[str, Any] = dict(id=1, name="x", value_fen=0, gift="", min_spend_fen=0,
                                valid_days=1, valid_until=None, per_customer=1,
                                transferable=False, active=True)
    pct = coupons.Template(kind="percent", percent=20, cap_fen=1500, **base)
    assert coupons.discount_fen(pct, 5000) == 1000 and coupons.discount_fen(pct, 10000) == 1500
    gift = coupons.Template(kind="gift", percent=0, cap_fen=None, **base)
    assert coupons.discount_fen(gift, 5000) == 0


RACER = r"""
import json, sys
from db.errors import RegularsError, StoreError
from db.shop import Shop

import os, time
path, codes_file, rounds, offset = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
shop = Shop.open(path)
codes = json.load(open(codes_file))
print("ready", flush=True)
while not os.path.exists(codes_file + ".go"):  # both start together: a real race
    time.sleep(0.001)
won = refused = busy = 0
for i in range(rounds):
    code = codes[(i * 7 + offset) % len(codes)]  # each side in its own order, crossing
    try:
        shop.coupons.redeem(code, "60")
        won += 1
    except StoreError:
        busy += 1
    except RegularsError:
        refused += 1
    time.sleep(0.001)  # a breath between sales, so the two counters really interleave
print(json.dumps({"won": won, "refused": refused, "busy": busy}))
"""


def test_two_processes_redeem_each_coupon_exactly_once(tmp_path: Path) -> None:
    """1,000 attempts over 100 coupons from two real processes: exactly 100 succeed."""
    path = tmp_path / "race.db"
    store = Store(path)
    shop = Shop(store, store.actor())
    template(shop, valid_days=30)
    issued = []
    for n in range(100):
        coupon = issue(shop, customer(shop, f"1390000{n:04d}", "顾客"))
        assert coupon is not None
        issued.append(coupon.code)
    shop.close()
    codes_file = tmp_path / "codes.json"
    codes_file.write_text(json.dumps(issued))
    procs = [subprocess.Popen([sys.executable, "-c", RACER, str(path), str(codes_file), "500",
                               str(offset)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
             for offset in (0, 3)]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    Path(f"{codes_file}.go").touch()
    results = [json.loads(p.communicate(timeout=300)[0]) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    print("redemption race:", results)  # pytest -s shows the split between the processes
    assert sum(r["won"] for r in results) == 100, results
    assert sum(r["won"] + r["refused"] + r["busy"] for r in results) == 1000
    with closing(Store(path)) as store, store.read() as conn:
        assert conn.execute("SELECT count(*) FROM coupons WHERE status = 'redeemed'"
                            ).fetchone()[0] == 100
        assert conn.execute("SELECT count(*) FROM purchases").fetchone()[0] == 100


def test_coupon_codes_catch_every_typo_and_swap() -> None:
    """Exhaustive over the alphabet for sample 9-character coupon codes."""
    import random

    rng = random.Random(6)
    for _ in range(40):
        code = codes.new_code(coupons.CODE_BODY, rng)
        assert codes.is_valid(code)
        for i in range(len(code)):
            for ch in codes.ALPHABET:
                if ch != code[i]:
                    assert not codes.is_valid(code[:i] + ch + code[i + 1:]), (code, i, ch)
            if i + 1 < len(code) and code[i] != code[i + 1]:
                swapped = code[:i] + code[i + 1] + code[i] + code[i + 2:]
                assert not codes.is_valid(swapped), (code, i)
    assert len(codes.ALPHABET) ** coupons.CODE_BODY >= 2 ** 40


def test_a_code_clash_is_retried_not_saved_twice(shop: Shop, monkeypatch: pytest.MonkeyPatch
                                                 ) -> None:
    template(shop, per_customer=5)
    cid = customer(shop, "13911112222")
    first = issue(shop, cid)
    assert first is not None
    fresh = codes.new_code(coupons.CODE_BODY)
    drawn = iter([first.code, first.code, fresh])  # two clashes, then a new one
    monkeypatch.setattr(codes, "new_code", lambda *a, **k: next(drawn))
    second = issue(shop, cid)
    assert second is not None and second.code == fresh


@pytest.mark.slow  # 30 s of inserts: a stress test (the code space and clashes are unit-tested)
def test_a_million_codes_through_the_store_have_no_duplicates(tmp_path: Path) -> None:
    """1,000,000 coupons issued through the store's own insert (UNIQUE code, drawn again
    on a clash): all distinct, all well-formed, from a space of at least 2**40."""
    assert len(codes.ALPHABET) ** coupons.CODE_BODY >= 2**40
    store = Store(tmp_path / "million.db")
    shop = Shop(store, store.actor())
    owner = customer(shop, "13800138000", "王芳")
    made = shop.coupons.add_template("一元", "amount", value="1", valid_days=1)
    with store.write(shop.actor, "coupon.issue") as tx:
        for _ in range(1_000_000):
            coupons.insert(tx, made.id, owner, "manual", None, "2030-01-01T00:00:00+00:00")
        tx.audit("test.million", "coupon_template", made.id)
    with store.read() as conn:
        total, distinct = conn.execute("SELECT count(*), count(DISTINCT code) FROM coupons"
                                       ).fetchone()
        sample = [r[0] for r in conn.execute("SELECT code FROM coupons ORDER BY random()"
                                             " LIMIT 1000")]
    shop.close()
    assert total == distinct == 1_000_000
    assert all(len(c) == coupons.CODE_BODY + 1 and codes.is_valid(c) for c in sample)


def test_showing_or_voiding_a_mistyped_code_says_mistyped_not_missing(shop: Shop) -> None:
    template(shop)
    made = issue(shop, customer(shop, "13800138000"))
    assert made is not None
    typo = made.code[:-1] + next(c for c in codes.ALPHABET if c != made.code[-1])
    attempts: list[Callable[[], object]] = [lambda: shop.coupons.get(typo),
                                            lambda: shop.coupons.void(typo, "x")]
    for attempt in attempts:
        with pytest.raises(ValidationError) as refused:
            attempt()
        assert refused.value.code == "coupon.typo"
    assert shop.coupons.get(made.code.lower()).code == made.code  # typed in lower case is fine
