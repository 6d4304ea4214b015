"""Deterministic demo data: the same ``--seed`` always gives the same shop.

Names come from Faker's zh_CN data (surnames with their real frequencies, given
names from its male and female lists), with a sprinkle of polyphonic and
compound surnames so lookup has the hard cases. Phones are plausible, unique
mainland mobile numbers.

Purchases follow the repeat-buying process behind BG/NBD: a fifth of the
people never buy; the others buy at their own rate (gamma-distributed, about
once in 20 days on average) and after each purchase may drop out for good
(beta-distributed, about 1 in 14). About 1 % of sales are refunded. Figures
come from db.purchases.figures_from_rows and stages from the lifecycle rule,
the same code the console uses. Purchases are drawn with numpy per chunk,
seeded by (seed, chunk), so the result is deterministic and fast.

Speed: one million customers in well under 3 minutes on 2 cores. Rows go in
with ``executemany`` in one transaction; the lookup index is staged unsorted
and then inserted in key order, since sorted appends are far cheaper than
random B-tree inserts.
"""

from __future__ import annotations

import multiprocessing
import random
import sqlite3
import time
from bisect import bisect
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate
from multiprocessing.queues import Queue
from typing import Any, Generic, TypeVar

from db import codes, lifecycle
from db.clock import from_iso, rank_of, to_iso
from db.errors import RegularsError
from db.pinyin import variants
from db.search_keys import key_rows, sort_name_for
from db.store import Actor, Store

CHUNK = 50_000
MOBILE_PREFIXES = tuple(str(p) for p in (
    *range(130, 140), 150, 151, 152, 153, 155, 156, 157, 158, 159, 166, 173, 175, 176, 177,
    178, *range(180, 190), 191, 198, 199))
CHANNEL_WEIGHTS = {"counter": 45, "wechat_group": 20, "official_account": 10,
                   "mini_program": 15, "referral": 7, "other": 3}
NOTES = ("偏爱低糖", "常带孩子来", "喜欢尝新品", "只在周末来", "公司团购联系人",
         "要发票", "喜欢无糖饮品", "住在附近小区", "生日前会来订蛋糕", "老顾客介绍来的")
EXTRA_SURNAMES = ("单", "曾", "解", "查", "仇", "欧阳", "司马", "诸葛", "长孙", "乐", "覃", "翟")

Progress = Callable[[int, int], None]
T = TypeVar("T")


@dataclass(frozen=True)
class SeedReport:
    customers: int
    seconds: float


class _Weighted(Generic[T]):
    """rng.choices() recomputes cumulative weights on every call; this does it once."""

    def __init__(self, rng: random.Random, weights: Mapping[T, float]) -> None:
        self.rng = rng
        self.items = list(weights)
        self.cum = list(accumulate(weights.values()))
        self.total = self.cum[-1]

    def pick(self) -> T:
        return self.items[bisect(self.cum, self.rng.random() * self.total)]


class _Names:
    def __init__(self, rng: random.Random) -> None:
        from faker.providers.person.zh_CN import Provider

        self.rng = rng
        self.surnames = _Weighted(rng, dict(Provider.last_names))
        self.male = list(Provider.first_names_male)
        self.female = list(Provider.first_names_female)
        self.male_chars = sorted({ch for n in self.male for ch in n})
        self.female_chars = sorted({ch for n in self.female for ch in n})

    def make(self, gender: str | None) -> str:
        rng = self.rng
        surname = rng.choice(EXTRA_SURNAMES) if rng.random() < 0.02 else self.surnames.pick()
        female = gender == "female" or (gender is None and rng.random() < 0.5)
        if rng.random() < 0.45:
            given = rng.choice(self.female if female else self.male)
        else:
            pool = self.female_chars if female else self.male_chars
            given = rng.choice(pool) + rng.choice(pool)
        return surname + given


CustomerRow = tuple[int, str, str, str, str | None, int | None, int | None, int | None,
                    str | None, str, str, int, int, str | None, str]


def _customers(n: int, seed: int, now: datetime) -> Iterator[CustomerRow]:
    rng = random.Random(seed)
    names = _Names(rng)
    phones: set[str] = set()
    member_codes: set[str] = set()
    wechats: set[str] = set()
    channels = _Weighted(rng, CHANNEL_WEIGHTS)
    genders: _Weighted[str | None] = _Weighted(rng, {"female": 45, "male": 35, None: 20})
    start = now - timedelta(days=3 * 365)
    span = (now - start).total_seconds()
    offsets = sorted(rng.random() * span for _ in range(n))  # ids follow join order
    for i in range(n):
        gender = genders.pick()
        name = names.make(gender)
        while True:
            national = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
            if national not in phones:
                phones.add(national)
                break
        while True:
            code = codes.from_number(rng.getrandbits(5 * codes.MEMBER_CODE_BODY))
            if code not in member_codes:
                member_codes.add(code)
                break
        wechat = None
        if rng.random() < 0.35:
            candidate = "wxid_" + codes.from_number(rng.getrandbits(60), 12, check=False).lower()
            if candidate not in wechats:
                wechats.add(candidate)
                wechat = candidate
        birth_year = birth_month = birth_day = None
        if rng.random() < 0.7:
            birth_month = rng.randint(1, 12)
            birth_day = rng.randint(1, 28)
            if rng.random() < 0.5:
                birth_year = rng.randint(1958, 2006)
        created = to_iso(start + timedelta(seconds=offsets[i]))
        consent = rng.random() < 0.6
        yield (
            i + 1, code, name, national, wechat, birth_year, birth_month, birth_day, gender,
            channels.pick(),
            rng.choice(NOTES) if rng.random() < 0.1 else "",
            int(rng.random() < 0.02), int(consent), created if consent else None, created,
        )


Sales = tuple[tuple[list[Any], ...], list[tuple[object, ...]]]
Chunk = tuple[list[tuple[object, ...]], list[tuple[str, int, int, str, int]], Sales]
ITEMS = ("拿铁", "美式", "吐司", "蛋挞 ×4", "牛角包 ×2", "生日蛋糕 6寸", "酸奶", "全麦面包",
         "抹茶蛋糕", "")
BUYER_SHARE = 0.86  # ≈10 purchases per customer on average, as in the benchmark spec
DAY = 86400


@dataclass(frozen=True)
class _Plan:
    """One chunk's purchases as rows, and each customer's figures (index = position)."""

    sales: tuple[list[Any], ...]  # columns: id, customer_id, amount_fen, items, at
    refunds: list[tuple[object, ...]]  # whole rows: the 1 % of sales taken back
    spend: list[int]
    orders: list[int]
    first: list[str | None]
    last: list[str | None]
    median_gap: list[int | None]


def _iso(seconds: Any) -> Any:
    import numpy as np

    return np.char.add(np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s"),
                       "+00:00")


def _purchase_plan(seed_value: int, chunk_no: int, first_id: int, customer_ids: list[int],
                   created: list[float], now: float, created_by: int) -> _Plan:
    """Draw a whole chunk's purchases with numpy and derive the figures the same way.

    The figures must equal db.purchases.figures_from_rows over the same rows (a test
    checks it on every seed it makes); this is its vectorised twin, for speed only.
    """
    import numpy as np

    gen = np.random.default_rng([seed_value, chunk_no])
    n = len(created)
    start = np.array(created)
    buyers = gen.random(n) < BUYER_SHARE
    rate = gen.gamma(2.0, 1 / (2 * 20), n)  # purchases per day; mean 1/20
    dropout = gen.beta(1.2, 15.6, n)  # chance of leaving after each purchase; mean ≈ 1/14
    count = np.where(buyers, np.minimum(gen.geometric(dropout), 300), 0)
    owner = np.repeat(np.arange(n), count)
    gaps = gen.exponential(1.0, owner.size) / rate[owner] * DAY
    cumulative = np.cumsum(gaps)
    first_of_group = np.r_[True, owner[1:] != owner[:-1]] if owner.size else owner.astype(bool)
    group_base = np.maximum.accumulate(np.where(first_of_group, cumulative - gaps, 0))
    at = start[owner] + (cumulative - group_base)
    at = (at - at % DAY + gen.integers(1, 13, owner.size) * 3600
          + gen.integers(0, 3600, owner.size)).astype(np.int64)  # open hours, in seconds
    fen = np.maximum(np.round(np.exp(gen.normal(3.6, 0.55, owner.size)) * 10), 10
                     ).astype(np.int64) * 10
    refunded = gen.random(owner.size) < 0.01
    keep = at <= int(now)
    owner, at, fen, refunded = owner[keep], at[keep], fen[keep], refunded[keep]
    order = np.lexsort((at, owner))  # by customer, then time: ids follow time
    owner, at, fen, refunded = owner[order], at[order], fen[order], refunded[order]

    # ledger rows, as columns (cheap to pass between processes): each sale, and right
    # after a refunded one its negative twin an hour later
    ids = first_id + np.arange(owner.size) + np.cumsum(refunded) - refunded
    cids = np.array(customer_ids)[owner]
    items = np.array(ITEMS, dtype=object)[(cids + np.arange(owner.size)) % len(ITEMS)]
    sales = (ids.tolist(), cids.tolist(), fen.tolist(), items.tolist(), _iso(at).tolist())
    refunds: list[tuple[object, ...]] = [
        (pid + 1, cid, -f, pid, "退货", back, back, created_by) for pid, cid, f, back in zip(
            ids[refunded].tolist(), cids[refunded].tolist(), fen[refunded].tolist(),
            _iso(at[refunded] + 3600).tolist(), strict=True)]

    # figures over live sales (refunded ones cancel out and are not orders)
    live = ~refunded
    lo, la, lf = owner[live], at[live], fen[live]
    spend = np.bincount(lo, weights=lf, minlength=n).astype(np.int64)
    orders = np.bincount(lo, minlength=n)
    first: list[str | None] = [None] * n
    last: list[str | None] = [None] * n
    median_gap: list[int | None] = [None] * n
    if lo.size:
        starts = np.flatnonzero(np.r_[True, lo[1:] != lo[:-1]])
        ends = np.r_[starts[1:], lo.size] - 1
        for who, a, b in zip(lo[starts].tolist(), _iso(la[starts]).tolist(),
                             _iso(la[ends]).tolist(), strict=True):
            first[who], last[who] = a, b
        same = lo[1:] == lo[:-1]
        gap_owner, gap = lo[1:][same], (la[1:] - la[:-1])[same]
        if gap.size:
            g = np.lexsort((gap, gap_owner))
            gap_owner, gap = gap_owner[g], gap[g]
            gstarts = np.flatnonzero(np.r_[True, gap_owner[1:] != gap_owner[:-1]])
            k = np.diff(np.r_[gstarts, gap.size])
            mid = (gap[gstarts + (k - 1) // 2] + gap[gstarts + k // 2]) / 2
            for who, m in zip(gap_owner[gstarts].tolist(), np.round(mid).tolist(),
                              strict=True):
                median_gap[who] = int(m)
    return _Plan(sales, refunds, spend.tolist(), orders.tolist(), first, last, median_gap)


@dataclass(frozen=True)
class _Part:
    """What the producer process makes: customer rows and name keys, not yet ranked."""

    chunk_no: int
    rows: list[tuple[object, ...]]  # customer columns up to updated_by
    created: list[float]
    keys: list[tuple[str, int, int, str, int]]  # rank 0 until the last visit is known


def _parts(customers: int, seed_value: int, now: datetime, created_by: int,
           chunk: int = CHUNK) -> Iterator[_Part]:
    rows = _customers(customers, seed_value, now)
    for chunk_no in range(0, (customers + chunk - 1) // chunk):
        part = [next(rows) for _ in range(min(chunk, customers - chunk_no * chunk))]
        batch: list[tuple[object, ...]] = []
        keys: list[tuple[str, int, int, str, int]] = []
        for (cid, code, name, national, wechat, birth_year, birth_month, birth_day, gender,
             channel, notes, seed_user, consent, consent_at, created) in part:
            spellings = variants(name)
            sort_name = sort_name_for(name, spellings)
            phone_rev = national[::-1]
            batch.append((cid, code, name, sort_name, " ".join(spellings), "+86" + national,
                          phone_rev, wechat, birth_year, birth_month, birth_day, gender,
                          channel, notes, seed_user, consent, consent_at, created, created,
                          created_by, created_by))
            keys.extend(key_rows(cid, name, spellings, phone_rev, None, sort_name))
        yield _Part(chunk_no, batch, [from_iso(r[14]).timestamp() for r in part], keys)


def _complete(part: _Part, seed_value: int, now: datetime, created_by: int,
              first_purchase: int) -> Chunk:
    """The consumer's half: purchases, figures, and lookup keys ranked by last visit."""
    plan = _purchase_plan(seed_value, part.chunk_no, first_purchase,
                          [int(str(r[0])) for r in part.rows], part.created, now.timestamp(),
                          created_by)
    base = int(str(part.rows[0][0])) if part.rows else 0
    batch = [(*row, plan.spend[i], plan.orders[i], plan.first[i], plan.last[i],
              plan.median_gap[i], row[17]) for i, row in enumerate(part.rows)]
    ranks = [rank_of(last) for last in plan.last]
    keys = [(k, tier, ranks[cid - base], sort, cid) for k, tier, _, sort, cid in part.keys]
    return batch, keys, (plan.sales, plan.refunds)


def _chunks(customers: int, seed_value: int, now: datetime, created_by: int,
            chunk: int = CHUNK) -> Iterator[Chunk]:
    """Everything in one process (small seeds, and the reference for the parallel path)."""
    first_purchase = 1
    for part in _parts(customers, seed_value, now, created_by, chunk):
        made = _complete(part, seed_value, now, created_by, first_purchase)
        first_purchase += len(made[2][0][0]) + len(made[2][1])
        yield made


def _produce(customers: int, seed_value: int, now_iso: str, created_by: int, chunk: int,
             out: Queue[_Part | None]) -> None:
    """Runs in a second process: customers and their keys, while the first one writes."""
    try:
        for part in _parts(customers, seed_value, datetime.fromisoformat(now_iso), created_by,
                           chunk):
            out.put(part)
    finally:
        out.put(None)


def _parallel_chunks(customers: int, seed_value: int, now: datetime, created_by: int,
                     chunk: int = CHUNK, min_parallel: int = 4 * CHUNK) -> Iterator[Chunk]:
    if customers < min_parallel:  # a small demo: a second process costs more than it saves
        yield from _chunks(customers, seed_value, now, created_by, chunk)
        return
    ctx = multiprocessing.get_context("spawn")  # same on Linux, macOS and Windows
    queue: Queue[_Part | None] = ctx.Queue(maxsize=3)
    producer = ctx.Process(target=_produce, daemon=True,
                           args=(customers, seed_value, now.isoformat(), created_by, chunk,
                                 queue))
    producer.start()
    first_purchase = 1
    try:
        while (part := queue.get()) is not None:
            made = _complete(part, seed_value, now, created_by, first_purchase)
            first_purchase += len(made[2][0][0]) + len(made[2][1])
            yield made
    finally:
        producer.join(timeout=5)
        if producer.is_alive():
            producer.terminate()
    if producer.exitcode not in (0, None):
        raise RuntimeError(f"seed producer failed with exit code {producer.exitcode}")


def seed(store: Store, actor: Actor, customers: int, seed: int = 1,
         progress: Progress | None = None) -> SeedReport:
    """Fill an empty shop with ``customers`` demo customers. Refuses a shop with data."""
    began = time.perf_counter()
    with store.read() as conn:
        existing = conn.execute("SELECT count(*) FROM customers").fetchone()[0]
    if existing:
        raise RegularsError("seed.not_empty", count=existing)
    now = store.clock()
    with store.write(actor, bulk=True) as tx:  # an empty demo file: nothing to lose yet
        conn = tx.conn
        conn.execute("CREATE TEMP TABLE stage_keys(key, tier, rank, sort_name, customer_id)")
        # Secondary indexes are built after the load, by one sort each, not row by row.
        deferred = conn.execute(
            "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL"
            " AND tbl_name IN ('customers', 'purchases')").fetchall()
        for name, _ in deferred:
            conn.execute(f'DROP INDEX "{name}"')
        done = 0
        for batch, keys, sales in _parallel_chunks(customers, seed, now, actor.id):
            _flush(conn, batch, keys, sales, actor.id)
            done += len(batch)
            if progress:
                progress(done, customers)
        for _, sql in deferred:
            conn.execute(sql)
        # Sorted appends into the clustered index are far cheaper than random inserts.
        conn.execute("INSERT OR IGNORE INTO search_keys SELECT * FROM stage_keys"
                     " ORDER BY key, tier, rank, sort_name, customer_id")
        conn.execute("DROP TABLE temp.stage_keys")
        lifecycle.recompute(tx)  # the same rule the console runs, set-based
        _date_the_stages(conn)
        _tag_some(conn, actor.id, tx.now)
        tx.audit("seed", "customer", None, customers=customers, seed=seed)
    with store.read() as conn:
        conn.execute("PRAGMA analysis_limit = 1000")  # sampled statistics: seconds, not minutes
        conn.execute("ANALYZE")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return SeedReport(customers=customers, seconds=time.perf_counter() - began)


DEMO_TAGS = (("附近小区", 18), ("上班族", 14), ("宝妈", 8), ("咖啡控", 10), ("爱甜品", 9),
             ("团购", 5), ("学生", 6), ("周末客", 7))


def _tag_some(conn: sqlite3.Connection, staff_id: int, now: str) -> None:
    """A share of customers per demo tag, chosen by a fixed hash of the id (deterministic)."""
    for position, (name, percent) in enumerate(DEMO_TAGS, 1):
        tag_id = conn.execute(
            "INSERT INTO tags(name, created_at, created_by) VALUES (?, ?, ?) RETURNING id",
            (name, now, staff_id)).fetchone()[0]
        conn.execute(
            "INSERT INTO customer_tags(customer_id, tag_id, added_at, added_by)"
            " SELECT id, ?, created_at, ? FROM customers WHERE (id * 2654435761 + ? * 40503)"
            " % 100 < ?", (tag_id, staff_id, position, percent))


def _date_the_stages(conn: sqlite3.Connection) -> None:
    """A demo shop has a past: each stage began when it plausibly would have.

    Trust from about the third purchase, decline when the window closed, dormant
    at the dormant threshold; the history row the recompute wrote gets that date.
    """
    r = lifecycle.Rules()
    iso = "strftime('%Y-%m-%dT%H:%M:%S', {}) || '+00:00'"
    rhythm = "coalesce(median_interval_s, 0) / 86400.0"
    conn.execute(f"""UPDATE customers SET stage_since = CASE stage
        WHEN 'trust' THEN min(last_visit_at,
            {iso.format(f"julianday(first_purchase_at) + 2 * {rhythm}")})
        WHEN 'decline' THEN {iso.format(
            f"julianday(last_visit_at) + max({r.window_min_days}, {r.window_factor} * {rhythm})")}
        WHEN 'dormant' THEN {iso.format(f"julianday(last_visit_at) + {r.dormant_days}")}
        ELSE created_at END""")
    conn.execute("UPDATE stage_history SET at = (SELECT stage_since FROM customers c"
                 " WHERE c.id = stage_history.customer_id)")


def _flush(conn: sqlite3.Connection, batch: list[tuple[object, ...]],
           keys: list[tuple[str, int, int, str, int]], sales: Sales, staff_id: int) -> None:
    conn.executemany(
        "INSERT INTO customers(id, member_code, name, sort_name, pinyin, phone, phone_rev,"
        " wechat_id, birth_year, birth_month, birth_day, gender, channel, notes, is_seed_user,"
        " marketing_consent, consent_at, created_at, updated_at, created_by, updated_by,"
        " total_spend_fen, orders, first_purchase_at, last_visit_at, median_interval_s,"
        " stage_since)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        batch)
    conn.executemany("INSERT INTO stage_keys VALUES (?, ?, ?, ?, ?)", keys)
    columns, refunds = sales
    conn.executemany(
        "INSERT INTO purchases(id, customer_id, amount_fen, items, at, recorded_at, staff_id)"
        f" VALUES (?, ?, ?, ?, ?, ?5, {int(staff_id)})", zip(*columns, strict=True))
    conn.executemany(
        "INSERT INTO purchases(id, customer_id, amount_fen, refund_of, items, at, recorded_at,"
        " staff_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", refunds)
