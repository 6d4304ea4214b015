"""Start-up (issue 12; bench/startup.py measures it through a real terminal).

The lookup is the app's one screen at start (not pushed over an empty one), and its
first rows are read once, while Textual starts, and are in the list when the app is
ready. The harness the benchmark uses runs any program in a pseudo-terminal.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from console.app import RegularsApp
from db.search import SearchResult
from db.shop import Shop
from screens.lookup import DEBOUNCE_SECONDS, LookupScreen
from tests.pty_harness import Terminal

HELLO_APP = Path(__file__).resolve().parent.parent / "bench" / "hello_app.py"


@pytest.fixture
def app(shop: Shop, people: dict[str, int]) -> Iterator[RegularsApp]:
    yield RegularsApp(shop)


async def _answered(pilot: Pilot[None]) -> None:
    await pilot.pause(DEBOUNCE_SECONDS * 4)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_start_reads_the_first_rows_once_into_the_only_screen(
        app: RegularsApp, shop: Shop, people: dict[str, int],
        monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    search = shop.customers.search

    def counted(query: str, limit: int = 50) -> SearchResult:
        asked.append(query)
        return search(query, limit)

    monkeypatch.setattr(shop.customers, "search", counted)
    async with app.run_test(size=(80, 24)) as pilot:
        await _answered(pilot)
        assert len(app.screen_stack) == 1
        screen = app.screen
        assert isinstance(screen, LookupScreen)
        assert screen.query_one("#results", DataTable).row_count == len(people)
        assert asked == [""]  # once: not again for the box's own "changed", nor on resume
        assert app.take_first_rows() is None  # the read-ahead was taken by the lookup


async def test_the_lookup_still_searches_again_when_a_customer_screen_closes(
        app: RegularsApp, shop: Shop, people: dict[str, int],
        monkeypatch: pytest.MonkeyPatch) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await _answered(pilot)
        asked: list[str] = []
        search = shop.customers.search

        def counted(query: str, limit: int = 50) -> SearchResult:
            asked.append(query)
            return search(query, limit)

        monkeypatch.setattr(shop.customers, "search", counted)
        await pilot.press("enter")  # opens the top row
        await _answered(pilot)
        assert not isinstance(app.screen, LookupScreen)
        await pilot.press("escape")
        await _answered(pilot)
        assert isinstance(app.screen, LookupScreen)
        assert asked == [""]  # figures may have changed there: read again


def test_the_terminal_harness_runs_any_program() -> None:
    """What bench/startup.py does with the hello-world app: spawn it in a pty, wait
    for a pattern on the pyte screen, quit it with Ctrl+Q."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("TEXTUAL")}
    env.update(TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8")
    term = Terminal([sys.executable, str(HELLO_APP)], env, (60, 10))
    try:
        shown = term.wait_for(re.compile(r"Hello, \w+"), timeout=30)
        assert "Hello, world" in shown
    finally:
        status = term.quit()
    assert status == 0
