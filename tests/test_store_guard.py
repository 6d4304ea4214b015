"""The guard in conftest really fails a test that leaves a Store open, and only then."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import pytest

from db.shop import Shop
from db.store import Store
from tests.store_guard import is_open, watching_stores


def test_a_store_left_open_fails_and_is_closed_for_the_next_test(tmp_path: Path) -> None:
    with pytest.raises(pytest.fail.Exception) as failed, watching_stores("leaky"):
        left = Store(tmp_path / "left.db")
        with left.read() as conn:
            assert is_open(conn)
    assert "leaky left a Store open: left.db (1 connection(s))" in str(failed.value)
    assert not is_open(conn)


def test_a_store_dropped_without_close_still_fails(tmp_path: Path) -> None:
    """Dropping the last reference is not closing: the guard holds the connections."""
    with pytest.raises(pytest.fail.Exception), watching_stores():
        Shop.open(tmp_path / "dropped.db").customers.search("")


def test_closed_stores_pass(tmp_path: Path) -> None:
    with watching_stores():
        with closing(Shop.open(tmp_path / "a.db")) as shop:
            shop.customers.search("")
        Store(tmp_path / "b.db").close()


def test_a_store_opened_before_the_watch_is_not_its_business(tmp_path: Path) -> None:
    """Module-scoped fixtures open their store before a test's guard starts."""
    earlier = Store(tmp_path / "earlier.db")
    try:
        with watching_stores(), earlier.read(), earlier.read():
            pass  # the second read opens a new pooled connection inside the watch
    finally:
        earlier.close()


def test_every_test_runs_under_the_guard(request: pytest.FixtureRequest) -> None:
    assert "store_guard" in request.fixturenames  # autouse in tests/conftest.py
