"""Shared fixtures: a real SQLite file per test, a clock the test can move, a Shop acting as
the owner (closed after the test), Stores opened by path (closed after it), the console over
the shop, and a guard that fails any test which leaves a Store open (tests/store_guard.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from console.app import RegularsApp
from console.i18n import set_language
from db.clock import Clock
from db.customers import CustomerInput
from db.shop import Shop
from db.store import Store
from tests.store_guard import watching_stores

FIXED_NOW = datetime(2026, 11, 24, 2, 30, tzinfo=UTC)  # 10:30 in Shanghai


def fixed_clock() -> datetime:
    return FIXED_NOW


class HandClock:
    """A clock the test sets or moves by hand (``clock.now = …``, ``clock.advance(days=1)``)."""

    def __init__(self, now: datetime = FIXED_NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language("en")


@pytest.fixture(autouse=True)
def store_guard(request: pytest.FixtureRequest) -> Iterator[None]:
    with watching_stores(request.node.nodeid):
        yield


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "shop.db"


@pytest.fixture
def clock() -> HandClock:
    """The shop's clock; a test file overrides it to start elsewhere."""
    return HandClock(FIXED_NOW)


@pytest.fixture
def shop(db_path: Path, clock: HandClock) -> Iterator[Shop]:
    store = Store(db_path, clock=clock)
    s = Shop(store, store.actor())
    yield s
    s.close()


class Stores:
    """Stores a test opens by path, each closed after the test."""

    def __init__(self) -> None:
        self.made: list[Store] = []

    def open(self, path: Path, clock: Clock = fixed_clock, *, create: bool = True) -> Store:
        store = Store(path, clock, create=create)
        self.made.append(store)
        return store

    def close_all(self) -> None:
        for store in self.made:
            store.close()


@pytest.fixture
def stores() -> Iterator[Stores]:
    made = Stores()
    yield made
    made.close_all()


PEOPLE = [
    ("单田芳", "138 0013 8000"),
    ("王小明", "+86 139-0013-8001"),
    ("李王芳", "137 0013 8000"),
    ("曾国藩", "0086 136 0013 8002"),
    ("张三", "135 1234 5678"),
    ("张三丰", "135 8765 8000"),
    ("欧阳娜娜", "186 0000 1111"),
    ("王伟", "158 2222 3333"),
]


@pytest.fixture
def people(shop: Shop) -> dict[str, int]:
    """A small shop with the hard cases: polyphonic and compound surnames, shared tails."""
    ids = {}
    for name, phone in PEOPLE:
        ids[name] = shop.customers.add(CustomerInput(name=name, phone=phone)).id
    return ids


@pytest.fixture
def app(shop: Shop, people: dict[str, int]) -> RegularsApp:
    """The console over the small shop of ``people`` (the shop fixture closes the file)."""
    return RegularsApp(shop)
