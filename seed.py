"""Deterministic demo data: the same ``--seed`` always gives the same shop.

Names come from Faker's zh_CN data (surnames with their real frequencies, given
names from its male and female lists), with a sprinkle of polyphonic and
compound surnames so lookup has the hard cases. Phones are plausible, unique
mainland mobile numbers.

Purchases are not written yet: the purchases issue adds them with a
repeat-buying process (each customer buys at their own rate until they stop).

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
from typing import Generic, TypeVar

from db import codes
from db.clock import to_iso
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


Chunk = tuple[list[tuple[object, ...]], list[tuple[str, int, int, str, int]]]


def _chunks(customers: int, seed_value: int, now: datetime, created_by: int
            ) -> Iterator[Chunk]:
    """Customer rows and their lookup keys, CHUNK customers at a time."""
    batch: list[tuple[object, ...]] = []
    keys: list[tuple[str, int, int, str, int]] = []
    for row in _customers(customers, seed_value, now):
        (cid, code, name, national, wechat, birth_year, birth_month, birth_day, gender,
         channel, notes, seed_user, consent, consent_at, created) = row
        spellings = variants(name)
        sort_name = sort_name_for(name, spellings)
        phone_rev = national[::-1]
        batch.append((cid, code, name, sort_name, " ".join(spellings), "+86" + national,
                      phone_rev, wechat, birth_year, birth_month, birth_day, gender,
                      channel, notes, seed_user, consent, consent_at, created, created,
                      created_by, created_by))
        keys.extend(key_rows(cid, name, spellings, phone_rev, None, sort_name))
        if len(batch) == CHUNK:
            yield batch, keys
            batch, keys = [], []
    if batch:
        yield batch, keys


def _produce(customers: int, seed_value: int, now_iso: str, created_by: int,
             out: Queue[Chunk | None]) -> None:
    """Runs in a second process: Python makes rows while SQLite writes the last chunk."""
    try:
        for chunk in _chunks(customers, seed_value, datetime.fromisoformat(now_iso),
                             created_by):
            out.put(chunk)
    finally:
        out.put(None)


def _parallel_chunks(customers: int, seed_value: int, now: datetime, created_by: int
                     ) -> Iterator[Chunk]:
    if customers < 4 * CHUNK:  # a small demo: a second process costs more than it saves
        yield from _chunks(customers, seed_value, now, created_by)
        return
    ctx = multiprocessing.get_context("spawn")  # same on Linux, macOS and Windows
    queue: Queue[Chunk | None] = ctx.Queue(maxsize=3)
    producer = ctx.Process(target=_produce, daemon=True,
                           args=(customers, seed_value, now.isoformat(), created_by, queue))
    producer.start()
    try:
        while (chunk := queue.get()) is not None:
            yield chunk
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
        done = 0
        for batch, keys in _parallel_chunks(customers, seed, now, actor.id):
            _flush(conn, batch, keys)
            done += len(batch)
            if progress:
                progress(done, customers)
        # Sorted appends into the clustered index are far cheaper than random inserts.
        conn.execute("INSERT OR IGNORE INTO search_keys SELECT * FROM stage_keys"
                     " ORDER BY key, tier, rank, sort_name, customer_id")
        conn.execute("DROP TABLE temp.stage_keys")
        tx.audit("seed", "customer", None, customers=customers, seed=seed)
    with store.read() as conn:
        conn.execute("PRAGMA analysis_limit = 1000")  # sampled statistics: seconds, not minutes
        conn.execute("ANALYZE")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return SeedReport(customers=customers, seconds=time.perf_counter() - began)


def _flush(conn: sqlite3.Connection, batch: list[tuple[object, ...]],
           keys: list[tuple[str, int, int, str, int]]) -> None:
    conn.executemany(
        "INSERT INTO customers(id, member_code, name, sort_name, pinyin, phone, phone_rev,"
        " wechat_id, birth_year, birth_month, birth_day, gender, channel, notes, is_seed_user,"
        " marketing_consent, consent_at, created_at, updated_at, created_by, updated_by)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", batch)
    conn.executemany("INSERT INTO stage_keys VALUES (?, ?, ?, ?, ?)", keys)
