"""Helpers for the Pilot tests of the screens (no sleeping: wait for workers)."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from textual import events
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable, Static


async def settle(pilot: Pilot[Any], timers: float = 0.05) -> None:
    """Let timers fire and workers finish, then let their messages land."""
    for _ in range(3):
        await pilot.pause(timers)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def text_of(widget: Static, width: int = 120) -> str:
    """What a Static shows, as plain text (its content may be a rich Table)."""
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


def screen_text(pilot: Pilot[Any]) -> str:
    """The whole screen as the person sees it, one line per row."""
    strips = pilot.app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


def rows(app: App[Any]) -> list[str]:
    """The names in the lookup's result table, top to bottom."""
    table = app.screen.query_one("#results", DataTable)
    return [str(table.get_row_at(i)[1]) for i in range(table.row_count)]


def burst(app: App[Any], *keys: str) -> None:
    """Keys as a fast typist (or a scanner) sends them: all queued before any is handled.

    Pilot's press() waits for the app between keys, which hides type-ahead bugs.
    """
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))
