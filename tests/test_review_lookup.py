"""Found in review: after Enter in the lookup box, a search that fails (a locked or
full disk) must not keep the key gate (console/keys.py) waiting for a customer that
will never open: the keys typed next go through at once, and the reason is said."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from console.app import RegularsApp
from db.errors import StoreError
from db.search import SearchResult
from db.shop import Shop
from screens.lookup import DEBOUNCE_SECONDS, LookupScreen


async def _answered(pilot: Pilot[None]) -> None:
    await pilot.pause(DEBOUNCE_SECONDS * 4)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_a_failed_search_after_enter_lets_the_next_keys_through(
        app: RegularsApp, shop: Shop, monkeypatch: pytest.MonkeyPatch) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await _answered(pilot)
        screen = app.screen
        assert isinstance(screen, LookupScreen)

        def locked(query: str, limit: int = 50) -> SearchResult:
            raise StoreError("store.locked")

        monkeypatch.setattr(shop.customers, "search", locked)
        await pilot.press(*"5678", "enter")
        await _answered(pilot)
        assert not screen.keys_held  # nothing will arrive to open: keys are not held
        assert any("busy" in str(n.message) for n in app._notifications)
