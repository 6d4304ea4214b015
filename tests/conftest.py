"""Shared fixtures: a real SQLite file per test, a fixed clock, a Shop acting as the owner."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from console.i18n import set_language
from db.customers import CustomerInput
from db.shop import Shop
from db.store import Store

FIXED_NOW = datetime(2026, 11, 24, 2, 30, tzinfo=UTC)  # 10:30 in Shanghai


def fixed_clock() -> datetime:
    return FIXED_NOW


class HandClock:
    """A clock the test sets or moves by hand (``clock.now = …``)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language("en")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "shop.db"


@pytest.fixture
def shop(db_path: Path) -> Iterator[Shop]:
    store = Store(db_path, clock=fixed_clock)
    s = Shop(store, store.actor())
    yield s
    s.close()


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
