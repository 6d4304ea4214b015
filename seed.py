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

What follows a sale is written set-based, but by the shop's rules and settings,
not restated here: points earned and reversed (db.points.earned and its SQL twin,
at points.per_yuan), referral rewards, second level and clawback window
(db.referrals.terms), coupons within each template's per-customer limit, valid in
the shop's time zone, redeemed one per sale at coupons.discount_for, and stage
dates from the shop's stage rules. tests/test_seed_replay.py replays a seeded
shop's operations through Shop and gets the same shop.

Speed: one million customers with their 10 M purchases in about two minutes on 2
cores (the budget is 3). A second process makes the rows while the first writes
them with ``executemany``; it then sorts the 16 M lookup keys with numpy into a
staging file, which the shop copies in whole (see _TwoProcesses).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import random
import sqlite3
import sys
import time
from bisect import bisect
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate
from multiprocessing.queues import Queue
from pathlib import Path
from typing import Any, Generic, TypeVar

from db import codes, lifecycle, points, referrals, settings
from db.clock import Clock, from_iso, system_clock, to_iso
from db.errors import RegularsError, StoreError
from db.files import create_private_file
from db.pinyin import variants
from db.search_keys import INSERT_SQL, key_tiers, sort_name_for
from db.store import Actor, Store, Tx

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
# The audit rows a seed writes: the rows, then the lookup keys. `regulars demo` knows a
# finished demo by both being there (a seed of an older Regulars could stop between).
AUDIT_ROWS = "seed"
AUDIT_LOOKUP = "seed.lookup"
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
    rank: Any  # np.int64 per customer: db.clock.rank_of(last purchase), 0 for none


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
    rank = np.zeros(n, np.int64)
    if lo.size:
        starts = np.flatnonzero(np.r_[True, lo[1:] != lo[:-1]])
        ends = np.r_[starts[1:], lo.size] - 1
        for who, a, b in zip(lo[starts].tolist(), _iso(la[starts]).tolist(),
                             _iso(la[ends]).tolist(), strict=True):
            first[who], last[who] = a, b
        rank[lo[starts]] = -la[ends]
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
    return _Plan(sales, refunds, spend.tolist(), orders.tolist(), first, last, median_gap,
                 rank)


@dataclass(frozen=True)
class _Keys:
    """One chunk's lookup keys as compact columns; a key's text travels once, when new."""

    new_texts: list[str]  # keys first seen in this chunk; their ids follow on from before
    key_id: Any  # np.int32 per row
    tier: Any  # np.int8 per row
    customer_id: Any  # np.int32 per row

    def flat(self) -> tuple[object, ...]:
        return (self.new_texts, self.key_id.tolist(), self.tier.tolist(),
                self.customer_id.tolist())


@dataclass(frozen=True)
class _Made:
    """One chunk: customers with their figures, their sales, lookup keys and ranks."""

    customers: list[tuple[object, ...]]
    sales: Sales
    keys: _Keys
    rank: Any  # np.int64 per customer of the chunk

    def flat(self) -> tuple[object, ...]:
        return self.customers, self.sales, self.keys.flat(), self.rank.tolist()


def _chunks(customers: int, seed_value: int, now: datetime, created_by: int,
            chunk: int = CHUNK) -> Iterator[_Made]:
    """Everything the shop will hold, chunk by chunk, in the order it is written."""
    import numpy as np

    rows = _customers(customers, seed_value, now)
    key_ids: dict[str, int] = {}
    first_purchase = 1
    for chunk_no in range(0, (customers + chunk - 1) // chunk):
        part = [next(rows) for _ in range(min(chunk, customers - chunk_no * chunk))]
        batch: list[tuple[object, ...]] = []
        new_texts: list[str] = []
        ids: list[int] = []
        tiers: list[int] = []
        owners: list[int] = []
        for (cid, code, name, national, wechat, birth_year, birth_month, birth_day, gender,
             channel, notes, seed_user, consent, consent_at, created) in part:
            spellings = variants(name)
            sort_name = sort_name_for(name, spellings)
            phone_rev = national[::-1]
            batch.append((cid, code, name, sort_name, " ".join(spellings), "+86" + national,
                          phone_rev, wechat, birth_year, birth_month, birth_day, gender,
                          channel, notes, seed_user, consent, consent_at,
                          "counter" if consent else None, created, created,
                          created_by, created_by))
            for key, tier in key_tiers(name, spellings, phone_rev):
                key_id = key_ids.get(key)
                if key_id is None:
                    key_id = key_ids[key] = len(key_ids)
                    new_texts.append(key)
                ids.append(key_id)
                tiers.append(tier)
                owners.append(cid)
        plan = _purchase_plan(seed_value, chunk_no, first_purchase, [r[0] for r in part],
                              [from_iso(r[14]).timestamp() for r in part], now.timestamp(),
                              created_by)
        first_purchase += len(plan.sales[0]) + len(plan.refunds)
        keys = _Keys(new_texts, np.array(ids, np.int32), np.array(tiers, np.int8),
                     np.array(owners, np.int32))
        yield _Made([(*row, plan.spend[i], plan.orders[i], plan.first[i], plan.last[i],
                      plan.median_gap[i], row[18]) for i, row in enumerate(batch)],
                    (plan.sales, plan.refunds), keys, plan.rank)


class _InProcess:
    """A small seed: one process makes the rows, writes them, then the lookup keys."""

    def __init__(self, customers: int, seed_value: int, now: datetime, created_by: int,
                 chunk: int) -> None:
        self.args = (customers, seed_value, now, created_by, chunk)
        self.lookup = _LookupIndex()

    def rows(self) -> Iterator[tuple[list[tuple[object, ...]], Sales]]:
        for made in _chunks(*self.args):
            self.lookup.add(made)
            yield made.customers, made.sales

    def write_lookup(self, store: Store, actor: Actor) -> None:
        with store.write(actor, "shop.seed", bulk=True) as tx:
            self.lookup.write(tx.conn)
            tx.audit(AUDIT_LOOKUP, "customer", None)


class _TwoProcesses:
    """A big seed: a second process makes everything and then the lookup keys, in order,
    into a staging file beside the shop, while this one writes rows into the shop.

    The 16 M key rows of a million customers are the costliest part of a seed; built
    in parallel and copied in at the end (SQLite moves whole records when an empty
    table is filled from an identical one), they cost the writer seconds, not a minute.
    """

    def __init__(self, customers: int, seed_value: int, now: datetime, created_by: int,
                 chunk: int, staging: Path, table_sql: str) -> None:
        self.staging = staging
        ctx = multiprocessing.get_context("spawn")  # same on Linux, macOS and Windows
        self.queue: Queue[tuple[list[tuple[object, ...]], Sales] | None] = ctx.Queue(maxsize=3)
        self.process = ctx.Process(
            target=_produce, daemon=True,
            args=(os.getpid(), customers, seed_value, now.isoformat(), created_by, chunk,
                  self.queue, str(staging), table_sql))
        self.process.start()

    def rows(self) -> Iterator[tuple[list[tuple[object, ...]], Sales]]:
        while True:
            try:
                item = self.queue.get(timeout=1)
            except queue.Empty:  # a producer that died (say, out of memory) sends nothing
                if not self.process.is_alive():
                    raise RegularsError("seed.producer_failed",
                                        exit_code=self.process.exitcode) from None
                continue
            if item is None:
                return
            yield item

    def write_lookup(self, store: Store, actor: Actor) -> None:
        self.process.join()
        if self.process.exitcode != 0:
            raise RegularsError("seed.producer_failed", exit_code=self.process.exitcode)
        with store.write(actor, "shop.seed", bulk=True, staging=self.staging) as tx:
            tx.execute("INSERT INTO search_keys SELECT * FROM staging.search_keys")
            tx.audit(AUDIT_LOOKUP, "customer", None)

    def close(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=5)
        for suffix in ("", "-journal"):
            Path(str(self.staging) + suffix).unlink(missing_ok=True)


def _die_with_parent(parent_pid: int) -> None:
    """A helper must not outlive the seed that started it, even one killed with -9
    (it would go on holding a gigabyte and its staging file). On Linux the kernel
    kills it when its parent ends (PR_SET_PDEATHSIG); elsewhere the writer's end of
    the queue going away stops it at its next put (see _produce)."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        pr_set_pdeathsig = 1
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent ended before the line above took effect
        os._exit(1)


def _produce(parent_pid: int, customers: int, seed_value: int, now_iso: str,
             created_by: int, chunk: int,
             out: Queue[tuple[list[tuple[object, ...]], Sales] | None], staging: str,
             table_sql: str) -> None:
    """The second process: rows for the writer, then the whole lookup index, sorted."""
    _die_with_parent(parent_pid)
    lookup = _LookupIndex()
    for made in _chunks(customers, seed_value, datetime.fromisoformat(now_iso), created_by,
                        chunk):
        lookup.add(made)
        while True:  # the writer may be gone (killed): then so is this helper
            try:
                out.put((made.customers, made.sales), timeout=5)
                break
            except queue.Full:
                if os.getppid() != parent_pid:
                    os._exit(1)
    out.put(None)  # only when all is sent: a failure above must not look like the end
    conn = sqlite3.connect(staging, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = OFF")  # a scratch file, deleted afterwards
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("BEGIN")
        conn.execute(table_sql)
        lookup.write(conn)
        conn.execute("COMMIT")
    finally:
        conn.close()


def seed(store: Store, actor: Actor, customers: int, seed: int = 1,
         progress: Progress | None = None, *, chunk: int = CHUNK,
         min_parallel: int = 4 * CHUNK) -> SeedReport:
    """Fill an empty shop with ``customers`` demo customers. Refuses a shop with data.

    Two transactions: the shop's rows, then its lookup keys (which a second process
    may still be sorting while the first one commits).
    """
    began = time.perf_counter()
    with store.read() as conn:
        existing = conn.execute("SELECT count(*) FROM customers").fetchone()[0]
        table_sql = conn.execute(
            "SELECT sql FROM sqlite_schema WHERE name = 'search_keys'").fetchone()[0]
    if existing:
        raise RegularsError("seed.not_empty", count=existing)
    now = store.clock()
    source: _InProcess | _TwoProcesses
    if customers < min_parallel:  # a small demo: a second process costs more than it saves
        source = _InProcess(customers, seed, now, actor.id, chunk)
    else:
        staging = store.path.with_name(store.path.name + ".seed-keys")
        staging.unlink(missing_ok=True)  # left by a seed that was killed
        create_private_file(staging)  # names and phone tails: the shop file's privacy
        source = _TwoProcesses(customers, seed, now, actor.id, chunk, staging, table_sql)
    try:
        # an empty demo file: nothing to lose yet
        with store.write(actor, "shop.seed", bulk=True) as tx:
            conn = tx.conn
            # Secondary indexes are built at the end, by one sort each, not row by row
            # (and the stage updates below need not touch them).
            deferred = conn.execute(
                "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL"
                " AND tbl_name IN ('customers', 'purchases')").fetchall()
            for name, _ in deferred:
                conn.execute(f'DROP INDEX "{name}"')
            done = 0
            for batch, sales in source.rows():
                _flush(conn, batch, sales, actor.id)
                done += len(batch)
                if progress:
                    progress(done, customers)
            for _, sql in deferred:  # purchases' indexes now: the rewards below look sales up
                if " ON purchases" in sql:
                    conn.execute(sql)
            _referrals(tx, customers, seed)  # before the stages: a referral counts to trust
            lifecycle.recompute(tx)  # the same rule the console runs, set-based
            _date_the_stages(conn)
            _tag_some(conn, actor.id, tx.now)
            _feedback(tx, customers, seed)
            _coupons(tx, customers, seed)  # before the points: a coupon lowers what was paid
            _points(tx)
            for _, sql in deferred:
                if " ON purchases" not in sql:
                    conn.execute(sql)
            tx.audit(AUDIT_ROWS, "customer", None, customers=customers, seed=seed)
        try:
            source.write_lookup(store, actor)
        except RegularsError as exc:
            raise RegularsError("seed.lookup_failed", path=str(store.path)) from exc
    finally:
        if isinstance(source, _TwoProcesses):
            source.close()
    with store.read() as conn:
        conn.execute("PRAGMA analysis_limit = 1000")  # sampled statistics: seconds, not minutes
        conn.execute("ANALYZE")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return SeedReport(customers=customers, seconds=time.perf_counter() - began)


SEEDING_SUFFIX = ".seeding"  # the file a seed builds beside its target
PAUSE_ENV = "REGULARS_SEED_TEST_PAUSE"  # tests only: "before-rename" or "after-rename"


def seed_file(path: Path, customers: int, seed_value: int = 1,
              progress: Progress | None = None, *, clock: Clock = system_clock,
              started: Callable[[], None] | None = None, chunk: int = CHUNK,
              min_parallel: int = 4 * CHUNK) -> SeedReport:
    """Seed ``path`` all or nothing: afterwards it holds the whole demo, or it is as
    it was before (absent, or the same empty shop), whenever the process is killed.

    The shop is built under a temporary name beside the target (``<name>.seeding``,
    where the fast bulk settings cannot hurt anything), made durable (fsync), and
    renamed onto the target in one step, then the folder is made durable too. An
    existing empty shop is copied in first, so its staff and settings are kept.
    ``started`` is called once every check has passed, just before the work begins.
    """
    if customers < 0:
        raise RegularsError("seed.negative")
    path = Path(path).expanduser().resolve()
    if path.is_dir():
        raise StoreError("store.is_folder", path=str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(path.name + SEEDING_SUFFIX)
    with _only_seed_in(path):
        _remove_files(staging)  # a seed killed before: nobody else can be using these now
        existing = path.exists()
        if existing:
            _copy_empty_shop(path, staging, clock)
        if started is not None:
            started()
        store = Store(staging, clock)
        try:
            report = seed(store, store.actor(), customers, seed_value, progress,
                          chunk=chunk, min_parallel=min_parallel)
        finally:
            store.close()
        _fsync(staging)
        _pause_for_tests("before-rename")
        if existing:
            _copy_empty_shop(path, None, clock)  # still empty: nobody added anyone meanwhile
        os.replace(staging, path)
        _fsync(path.parent)
        _pause_for_tests("after-rename")
        _remove_files(staging)  # its -shm, if SQLite left one
    return report


@contextlib.contextmanager
def _only_seed_in(path: Path) -> Iterator[None]:
    """One seed at a time per folder (an advisory lock on the folder, which the OS
    lets go of when the process ends, however it ends)."""
    try:
        import fcntl
    except ImportError:  # Windows: no flock; seeding twice at once is on the person
        yield
        return
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RegularsError("seed.busy", path=str(path)) from None
        yield
    finally:
        os.close(fd)  # closing lets go of the lock


def _remove_files(staging: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal", ".seed-keys", ".seed-keys-journal"):
        Path(f"{staging}{suffix}").unlink(missing_ok=True)


def _copy_empty_shop(path: Path, staging: Path | None, clock: Clock) -> None:
    """Refuse a shop that has customers; else copy it to ``staging`` (when given)."""
    store = Store(path, clock)
    try:
        with store.read() as conn:
            existing = conn.execute("SELECT count(*) FROM customers").fetchone()[0]
            if existing:
                raise RegularsError("seed.not_empty", count=existing)
            if staging is not None:
                create_private_file(staging)
                target = sqlite3.connect(staging)
                try:
                    conn.backup(target)
                finally:
                    target.close()
            else:  # about to be replaced: what it logged is in the file, no -wal is left
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()
    if staging is None and Path(f"{path}-wal").exists():
        # SQLite removes the log when the last connection closes: someone else has the
        # shop open, and what they write would go to the file being replaced.
        raise StoreError("store.busy_for_bulk", path=str(path))


def _fsync(path: Path) -> None:
    """Make a file's contents (or a folder's entries) durable."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # Windows cannot open a folder; its rename is durable on its own
        return
    try:
        os.fsync(fd)
    except OSError:
        if path.is_file():
            raise
    finally:
        os.close(fd)


def _pause_for_tests(point: str) -> None:
    """Lets a test kill the seed at an exact point (the crash test does)."""
    if os.environ.get(PAUSE_ENV) == point:
        sys.stderr.write(f"paused {point}\n")
        sys.stderr.flush()
        time.sleep(120)


CATALOGUE = (("全麦面包", "城东面粉厂"), ("牛角包", "城东面粉厂"), ("蛋挞", "南城蛋品"),
             ("拿铁", "云岭咖啡合作社"), ("美式", "云岭咖啡合作社"), ("酸奶", "北郊牧场"),
             ("生日蛋糕", "本店烘焙"), ("抹茶蛋糕", "本店烘焙"), ("外卖包装", "宏达包装"))
SAYINGS: dict[str, list[tuple[str, int | None, str]]] = {  # sentiment, product, words
    "supply": [("complaint", 0, "周二下午去全麦面包就卖完了，能不能多做一些？"),
               ("complaint", 8, "外卖送到的时候盒子压扁了，蛋糕也歪了。"),
               ("complaint", 3, "早上八点来买拿铁说豆子还没到货。"),
               ("neutral", 5, "酸奶最近两次都是快到期的。"),
               ("complaint", 8, "每家店包装都不一样，送得慢，能不能统一打包？")],
    "quality": [("complaint", 1, "牛角包今天有点硬，没有以前酥。"),
                ("praise", 2, "蛋挞刚出炉的时候特别好吃，孩子很喜欢！"),
                ("complaint", 6, "生日蛋糕奶油太甜了，老人吃不了。"),
                ("praise", 7, "抹茶蛋糕味道很正，不太甜，推荐朋友来买了。")],
    "assortment": [("neutral", None, "希望能有无糖的面包，家里有人在控糖。"),
                   ("neutral", None, "能不能出小份的蛋糕，一个人吃不完。"),
                   ("praise", 4, "美式很好喝，要是有燕麦奶可选就更好了。")],
    "price": [("complaint", 3, "拿铁涨价了两块，有点贵。"),
              ("neutral", None, "会员能不能有积分或者第二杯半价？")],
    "service": [("praise", None, "店员记得我的口味，很贴心。"),
                ("complaint", None, "周末排队太久了，收银只有一个人。")],
    "other": [("neutral", None, "门口能不能放个停自行车的地方？")],
}
FEEDBACK_STATUS_WEIGHTS = {"new": 40, "reviewing": 15, "planned": 15, "done": 20, "declined": 10}
OWNER_NOTES = {"supply": "周二加烤一炉，下午三点前补货", "quality": "已和师傅确认配方和烘烤时间",
               "assortment": "下月试做无糖款和小份款", "price": "会员第二杯半价，下周开始",
               "service": "周末加一个收银", "other": "已放置自行车架"}


def _feedback(tx: Tx, customers: int, seed_value: int) -> None:
    """Feedback a real shop would have: mostly new, some in hand, some done and told.

    Written with the same catalogue helpers as the console; times spread over the
    last half year; same-saying complaints about one product are linked.
    """
    from db import feedback

    rng = random.Random(seed_value * 7919 + 17)
    suppliers = [feedback.supplier_id(tx, supplier) for _, supplier in CATALOGUE]
    products = [feedback.product_id(tx, name, supplier)
                for (name, _), supplier in zip(CATALOGUE, suppliers, strict=True)]
    sayings = [(category, *saying) for category, options in SAYINGS.items()
               for saying in options]
    statuses = _Weighted(rng, FEEDBACK_STATUS_WEIGHTS)
    now = from_iso(tx.now)
    seed_users = {r[0] for r in tx.execute("SELECT id FROM customers WHERE is_seed_user")}
    first_by_saying: dict[int, int] = {}
    for _ in range(min(max(customers // 25, 12 if customers else 0), 3000)):
        which = rng.randrange(len(sayings))
        category, sentiment, product, words = sayings[which]
        customer = rng.randint(1, customers) if rng.random() < 0.85 else None
        at = now - timedelta(days=rng.random() * 180)
        status = statuses.pick() if sentiment != "praise" else "done"
        done_at = at + timedelta(days=rng.random() * 20) if status == "done" else None
        if done_at and done_at > now:
            done_at = now
        product_ref = products[product] if product is not None else None
        supplier = suppliers[product] if product is not None else None
        item = tx.execute(
            "INSERT INTO feedback(customer_id, category, product_id, supplier_id, words,"
            " sentiment, seed_user, at, staff_id, status, status_at, done_at, owner_note)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (customer, category, product_ref, supplier, words, sentiment,
             int(customer in seed_users), to_iso(at), tx.actor.id, status,
             to_iso(done_at or at), to_iso(done_at) if done_at else None,
             OWNER_NOTES[category] if status in ("planned", "done") else "")).fetchone()[0]
        if sentiment == "complaint" and which in first_by_saying and rng.random() < 0.5:
            head = first_by_saying[which]  # the same complaint again: one issue, counted
            tx.execute("UPDATE feedback SET group_id = ?, status = f.status, status_at ="
                       " f.status_at, done_at = f.done_at, owner_note = f.owner_note"
                       " FROM (SELECT status, status_at, done_at, owner_note FROM feedback"
                       " WHERE id = ?) AS f WHERE feedback.id IN (?, ?)",
                       (head, head, head, item))
        first_by_saying.setdefault(which, item)
        if status == "done" and customer is not None and rng.random() < 0.5:
            tx.execute("INSERT OR IGNORE INTO feedback_told VALUES (?, ?, ?, ?)",
                       (item, customer, to_iso(done_at or at), tx.actor.id))


REFERRED_SHARE = 0.04  # of customers came through someone they know
KOC_EVERY = 499  # one customer in this many refers far more than the rest


def _referrals(tx: Tx, customers: int, seed_value: int) -> None:
    """A referral forest: each referee joined after their referrer (so no cycles), some
    referrers were referred themselves (chains), a few KOCs bring many. A referral
    qualified at the referee's first purchase and earned what the shop's referral terms
    give (db/referrals.py: on_paid_sale); one whose qualifying sale was refunded within
    the terms' window was clawed back (on_refund). Set-based, from the same terms."""
    rng = random.Random(seed_value * 104729 + 3)
    pairs: list[tuple[int, int]] = []
    for referee in range(2, customers + 1):
        if rng.random() < REFERRED_SHARE:
            kocs = (referee - 1) // KOC_EVERY
            draw = rng.random()
            if kocs and draw < 0.3:
                referrer = rng.randint(1, kocs) * KOC_EVERY
            elif pairs and draw < 0.5:  # someone who was referred passes it on: a chain
                referrer = pairs[rng.randrange(max(0, len(pairs) - 50), len(pairs))][1]
            else:
                referrer = rng.randint(max(1, referee - 3000), referee - 1)
            pairs.append((referrer, referee))
    terms = referrals.terms(tx.conn)
    conn = tx.conn
    conn.executemany(
        "INSERT INTO referrals(referrer_id, referee_id, at, staff_id)"
        # registered when they joined, or at their first sale if the till had it earlier
        f" SELECT ?, id, min(created_at, coalesce(first_purchase_at, created_at)),"
        f" {tx.actor.id} FROM customers WHERE id = ?", pairs)
    conn.execute("UPDATE customers SET channel = 'referral'"
                 " WHERE id IN (SELECT referee_id FROM referrals)")
    # the first sale qualifies, even one refunded later (its refund may claw back)
    conn.execute("""UPDATE referrals SET status = 'qualified', purchase_id = p.id,
        qualified_at = p.at FROM (SELECT customer_id, id, min(at) AS at FROM purchases
        WHERE refund_of IS NULL AND customer_id IN (SELECT referee_id FROM referrals)
        GROUP BY customer_id) AS p WHERE p.customer_id = referrals.referee_id""")
    conn.execute("""INSERT INTO referral_rewards(referral_id, customer_id, tier, points, at)
        SELECT id, referrer_id, 1, ?, qualified_at FROM referrals
        WHERE status = 'qualified'""", (max(terms.reward_points, 0),))
    if terms.second_level_points > 0:  # the referrer's referrer, when there is one
        conn.execute("""INSERT INTO referral_rewards(referral_id, customer_id, tier, points, at)
            SELECT r.id, up.referrer_id, 2, ?, r.qualified_at FROM referrals r
            JOIN referrals up ON up.referee_id = r.referrer_id
            WHERE r.status = 'qualified'""", (terms.second_level_points,))
    within = referrals.in_clawback_window_sql("referrals.qualified_at", "r.at",
                                              terms.clawback_days)
    conn.execute(f"""UPDATE referrals SET status = 'clawed_back', clawed_back_at = r.at
        FROM purchases r WHERE r.refund_of = referrals.purchase_id AND {within}""")
    conn.execute("""UPDATE referral_rewards SET clawed_back_at = r.clawed_back_at
        FROM referrals r WHERE r.id = referral_rewards.referral_id
        AND r.status = 'clawed_back'""")
    conn.execute("""UPDATE customers SET referrals_qualified = q.n FROM (SELECT referrer_id,
        count(*) AS n FROM referrals WHERE status = 'qualified' GROUP BY referrer_id) AS q
        WHERE customers.id = q.referrer_id""")


TOTE_POINTS = 200  # a tote bag, for those whose old card held at least TOTE_NEEDS
TOTE_NEEDS = 300


def _points(tx: Tx) -> None:
    """The points ledger the rules would have written (db/points.py): every sale earned
    at the shop's rate and its refund took that back, referrals earned and clawbacks
    took back what db/referrals.py gives. Besides the rules, a third of the customers
    brought an old member card's points (its spend at the shop's rate) and some swapped
    200 of them for a tote bag. Balances are the ledger's running sums: they never dip
    below zero, as each take-back follows what it takes back and the bag needs 300 on
    the card, so the rules' "take what is left" never has to cut (a replay test checks).

    One statement: a running sum over every customer's rows in time order, which is
    also the order they go in (ids follow each customer's time, as history expects).
    """
    conn = tx.conn
    rate = points.rates(conn).per_yuan
    earn, took, card = (points.earned_sql(column, rate) for column in (
        "amount_fen", "s.amount_fen", "total_spend_fen"))  # took: what the refunded sale earned
    opening = f"min({card}, {points.POINTS_MAX})"  # the most points.opening takes
    rows = f"""
        SELECT id AS customer_id, {opening} AS delta, 'opening' AS kind, NULL AS purchase_id,
            NULL AS referral_id, '旧会员卡积分结转' AS reason, created_at AS at
        FROM customers WHERE id % 3 = 0 AND {opening} > 0
        UNION ALL SELECT customer_id, {earn}, 'earn', id, NULL, '', at FROM purchases
        WHERE refund_of IS NULL AND {earn} > 0
        UNION ALL SELECT r.customer_id, -{took}, 'reversal', r.id, NULL,
            'refund of sale ' || s.id, r.at
        FROM purchases r JOIN purchases s ON s.id = r.refund_of WHERE {took} > 0
        UNION ALL SELECT customer_id, points, 'referral', NULL, referral_id,
            'referral ' || referral_id, at FROM referral_rewards WHERE points > 0
        UNION ALL SELECT customer_id, -points, 'clawback', NULL, referral_id,
            'referral ' || referral_id || ' refunded', clawed_back_at
        FROM referral_rewards WHERE clawed_back_at IS NOT NULL AND points > 0
        UNION ALL SELECT id, -{TOTE_POINTS}, 'spend', NULL, NULL, '兑换帆布袋',
            max(last_visit_at, created_at) FROM customers WHERE id % 3 = 0 AND id % 7 = 0
            AND {opening} >= {TOTE_NEEDS} AND last_visit_at IS NOT NULL"""
    # Like the shop's own indexes, the ledger's are built once, after its rows.
    deferred = conn.execute("SELECT name, sql FROM sqlite_schema WHERE type = 'index'"
                            " AND sql IS NOT NULL AND tbl_name = 'points_ledger'").fetchall()
    for name, _ in deferred:
        conn.execute(f'DROP INDEX "{name}"')
    conn.execute(f"""INSERT INTO points_ledger(customer_id, delta, kind, balance_after,
        purchase_id, referral_id, reason, at, staff_id)
        SELECT customer_id, delta, kind, sum(delta) OVER running, purchase_id, referral_id,
            reason, at, {tx.actor.id} FROM ({rows})
        WINDOW running AS (PARTITION BY customer_id ORDER BY at, delta DESC
                           ROWS UNBOUNDED PRECEDING)
        ORDER BY customer_id, at, delta DESC""")
    for _, sql in deferred:
        conn.execute(sql)
    conn.execute("""UPDATE customers SET points = l.balance_after
        FROM (SELECT customer_id, max(id) AS id FROM points_ledger GROUP BY customer_id) AS m
        JOIN points_ledger l ON l.id = m.id WHERE customers.id = m.customer_id""")


COUPON_TEMPLATES = (  # name, kind, value, cap, gift, min spend, days, per customer
    ("满50减10", "amount", "10", "", "", "50", 14, 2),
    ("老客9折", "percent", "10", "20", "", "", 30, 1),
    ("生日蛋挞", "gift", "", "", "蛋挞 ×2", "", 7, 1),
    ("推荐有礼", "amount", "15", "", "", "30", 30, 5),
    ("新人券", "amount", "5", "", "", "20", 14, 1))
COUPON_REASON_OF = {"满50减10": "winback", "老客9折": "manual", "生日蛋挞": "birthday",
                    "推荐有礼": "referral", "新人券": "referral"}
VOID_REASON = "重复发放"


def _coupons(tx: Tx, customers: int, seed_value: int) -> None:
    """Templates, and coupons issued over the last 60 days as db/coupons.py would: in
    time order, within each template's per-customer limit, valid to the end of the
    last day in the shop's time zone. Seven in ten were used at the customer's first
    sale inside the validity that the coupon fits (worth less than the sale, its
    minimum spend met: coupons.discount_for), one coupon a sale: that sale becomes what
    was paid after the discount, noted as the console notes it. A few unused ones were
    voided."""
    from db import coupons

    rng = random.Random(seed_value * 7 + 11)
    conn = tx.conn
    made = [coupons.add_template(tx, name, kind, value=value, cap=cap, gift=gift,
                                 min_spend=least, valid_days=days, per_customer=limit)
            for name, kind, value, cap, gift, least, days, limit in COUPON_TEMPLATES]
    now = from_iso(tx.now)
    tz = settings.get(conn, "timezone", "Asia/Shanghai")
    seen: set[str] = set()
    drawn = []
    recent = [r[0] for r in tx.execute(  # campaigns go to people who still come by
        "SELECT id FROM customers WHERE last_visit_at > ?",
        (to_iso(now - timedelta(days=120)),))] or list(range(1, customers + 1))
    # a marketing coupon only to those who agreed to marketing (coupons.issue refuses it)
    agreed = [r[0] for r in tx.execute(
        "SELECT id FROM customers WHERE last_visit_at > ? AND marketing_consent = 1",
        (to_iso(now - timedelta(days=120)),))] or recent
    for _ in range(min(customers // 10, 50_000)):
        t = made[rng.randrange(len(made))]
        issued = to_iso(now - timedelta(days=rng.random() * 60))
        code = codes.new_code(coupons.CODE_BODY, rng)
        while code in seen:
            code = codes.new_code(coupons.CODE_BODY, rng)
        seen.add(code)
        marketing = COUPON_REASON_OF[t.name] in coupons.MARKETING_REASONS
        drawn.append((issued, code, t, rng.choice(agreed if marketing else recent)))
    held: dict[tuple[int, int], int] = {}
    rows = []
    for issued, code, t, who in sorted(drawn, key=lambda d: (d[0], d[1])):
        if held.get((who, t.id), 0) >= t.per_customer:
            continue  # coupons.issue refuses one past the limit
        held[who, t.id] = held.get((who, t.id), 0) + 1
        rows.append((code, t.id, who, COUPON_REASON_OF[t.name], issued, tx.actor.id,
                     coupons.expires_at(t, issued, tz)))
    first = int(conn.execute("SELECT coalesce(max(id), 0) + 1 FROM coupons").fetchone()[0])
    conn.executemany(
        "INSERT INTO coupons(id, code, template_id, customer_id, reason, issued_at,"
        " issued_by, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(first + i, *row) for i, row in enumerate(rows)])
    by_id = {t.id: t for t in made}
    used: set[int] = set()
    redeemed = []
    for i, (code, template_id, who, _, issued, _, expires) in enumerate(rows):
        if (first + i) % 10 >= 7:
            continue
        t = by_id[template_id]
        for sale, amount, at in conn.execute(  # the sales it could have been used on
                "SELECT p.id, p.amount_fen, p.at FROM purchases p WHERE p.customer_id = ?"
                " AND p.at >= ? AND p.at < ? AND p.refund_of IS NULL"
                " AND NOT EXISTS (SELECT 1 FROM purchases r WHERE r.refund_of = p.id)"
                " ORDER BY p.at, p.id", (who, issued, expires)):
            if sale in used:
                continue  # one coupon a sale
            try:
                off = coupons.discount_for(t, amount)  # refuses a sale it does not fit
            except RegularsError:
                continue
            used.add(sale)
            note = coupons.sale_note(coupons.Claim(first + i, code, who, t))
            redeemed.append((at, tx.actor.id, who, sale, off, first + i, note))
            break
    conn.executemany("UPDATE coupons SET status = 'redeemed', redeemed_at = ?, redeemed_by = ?,"
                     " redeemed_for = ?, purchase_id = ?, discount_fen = ? WHERE id = ?",
                     [r[:6] for r in redeemed])
    # the sale was what was paid after the discount, and says so (db/sales.redeem_coupon)
    conn.executemany("UPDATE purchases SET amount_fen = amount_fen - ?, items = ? WHERE id = ?",
                     [(off, note, sale) for _, _, _, sale, off, _, note in redeemed])
    conn.executemany("UPDATE customers SET total_spend_fen = total_spend_fen - ? WHERE id = ?",
                     [(off, who) for _, _, who, _, off, _, _ in redeemed if off])
    settings.put(tx, "referral.welcome_template", "新人券")  # new referees get one from now on
    conn.execute("UPDATE coupons SET status = 'voided', voided_at = issued_at, voided_by ="
                 " issued_by, void_reason = ? WHERE status = 'issued' AND id % 97 = 0",
                 (VOID_REASON,))


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
    r = lifecycle.rules(conn)  # the shop's stage rules, as the recompute above used them
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


class _LookupIndex:
    """Gathers every chunk's keys, then fills search_keys in its own order, by appends.

    SQLite took most of a minute to sort 16 M key rows of a million customers. Here
    each sort column is an integer (a key's place among all key texts; a customer's
    place by rank, name and id), so numpy orders the rows in seconds.
    """

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.chunks: list[_Keys] = []
        self.ranks: list[Any] = []
        self.sort_names: list[str] = []

    def add(self, made: _Made) -> None:
        self.texts.extend(made.keys.new_texts)
        self.chunks.append(made.keys)
        self.ranks.append(made.rank)
        self.sort_names.extend(str(row[3]) for row in made.customers)

    def write(self, conn: sqlite3.Connection, batch: int = 100_000) -> None:
        import numpy as np

        if not self.chunks:
            return
        key_id = np.concatenate([c.key_id for c in self.chunks])
        tier = np.concatenate([c.tier for c in self.chunks])
        owner = np.concatenate([c.customer_id for c in self.chunks]) - 1  # ids run from 1
        rank = np.concatenate(self.ranks)
        names = np.array(self.sort_names)
        # Python's str order and numpy's are code-point order, which is SQLite's BINARY
        # order on UTF-8, so the rows arrive exactly in the clustered key's order.
        key_place = _places(np.array(sorted(range(len(self.texts)), key=self.texts.__getitem__),
                                     dtype=np.int64))
        customer_place = _places(np.lexsort((np.arange(names.size), names, rank)))
        order = np.lexsort((customer_place[owner], tier, key_place[key_id]))
        texts = np.array(self.texts, dtype=object)
        sort_names = np.array(self.sort_names, dtype=object)
        for start in range(0, order.size, batch):
            rows = order[start:start + batch]
            who = owner[rows]
            conn.executemany(INSERT_SQL, zip(
                texts[key_id[rows]].tolist(), tier[rows].tolist(), rank[who].tolist(),
                sort_names[who].tolist(), (who + 1).tolist(), strict=True))


def _places(order: Any) -> Any:
    """The inverse of a sort order: each item's position in it."""
    import numpy as np

    place = np.empty_like(order)
    place[order] = np.arange(order.size)
    return place


def _flush(conn: sqlite3.Connection, batch: list[tuple[object, ...]], sales: Sales,
           staff_id: int) -> None:
    conn.executemany(
        "INSERT INTO customers(id, member_code, name, sort_name, pinyin, phone, phone_rev,"
        " wechat_id, birth_year, birth_month, birth_day, gender, channel, notes, is_seed_user,"
        " marketing_consent, consent_at, consent_source, created_at, updated_at, created_by,"
        " updated_by, total_spend_fen, orders, first_purchase_at, last_visit_at,"
        " median_interval_s, stage_since)"
        f" VALUES ({', '.join('?' * 28)})",
        batch)
    columns, refunds = sales
    conn.executemany(
        "INSERT INTO purchases(id, customer_id, amount_fen, items, at, recorded_at, staff_id)"
        f" VALUES (?, ?, ?, ?, ?, ?5, {int(staff_id)})", zip(*columns, strict=True))
    conn.executemany(
        "INSERT INTO purchases(id, customer_id, amount_fen, refund_of, items, at, recorded_at,"
        " staff_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", refunds)
