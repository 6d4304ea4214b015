"""Helpers for the screens tests of issue 11 (Pilot, no sleeping: wait for workers)."""

from __future__ import annotations

import io

from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Static


async def settle(pilot: Pilot[object], timers: float = 0.05) -> None:
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


def screen_text(pilot: Pilot[object]) -> str:
    """The whole screen as the person sees it, one line per row."""
    strips = pilot.app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)
