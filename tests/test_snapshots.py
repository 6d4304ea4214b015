"""Snapshots of the main screens in both languages, on deterministic seeded data at 80x24."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

import seed
from console.app import RegularsApp
from console.i18n import set_language
from db.shop import Shop
from db.store import Store
from tests.conftest import fixed_clock


@pytest.fixture
def demo_shop(tmp_path: Path) -> Iterator[Shop]:
    store = Store(tmp_path / "demo.db", clock=fixed_clock)
    seed.seed(store, store.actor(), 40, seed=5)
    shop = Shop(store, store.actor())
    yield shop
    shop.close()


async def _steady(pilot: Pilot[None]) -> None:
    app = pilot.app
    for widget in app.screen.query(Input):
        widget.cursor_blink = False
    for _ in range(3):
        await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        await pilot.pause()


async def _typed_zh(pilot: Pilot[None]) -> None:
    await pilot.press(*"zh")
    await _steady(pilot)


async def _new_customer(pilot: Pilot[None]) -> None:
    await _steady(pilot)
    await pilot.press("ctrl+n")
    await _steady(pilot)


async def _inbox(pilot: Pilot[None]) -> None:
    await _steady(pilot)
    await pilot.press("f5")
    await _steady(pilot)


SCENES = {"lookup_screen": _steady, "lookup_with_query": _typed_zh,
          "customer_form": _new_customer, "feedback_inbox": _inbox}


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("scene", list(SCENES))
def test_screen(snap_compare: Callable[..., bool], demo_shop: Shop, scene: str,
                language: str) -> None:
    set_language(language)
    app = RegularsApp(demo_shop)
    assert snap_compare(app, terminal_size=(80, 24),
                        run_before=SCENES[scene])
