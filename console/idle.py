"""The idle lock: after ``lock.idle_minutes`` with no key or mouse input the console
signs out and asks who is at the counter (console/app.py). 0 minutes is never.

The setting is in minutes; a test of the real console cannot wait one, so the
environment variable ``REGULARS_IDLE_SECONDS``, read by the console only (never by the
command line or db/), gives the limit in seconds instead. ``check_seconds`` is how often
the console looks: small enough that the lock comes at most that late.
"""

from __future__ import annotations

import os
import time

IDLE_SECONDS_ENV = "REGULARS_IDLE_SECONDS"
CHECK_SECONDS = 5.0


def idle_seconds_override() -> float | None:
    """The seconds from ``REGULARS_IDLE_SECONDS``, or None when unset or not a number."""
    raw = os.environ.get(IDLE_SECONDS_ENV, "").strip()
    try:
        seconds = float(raw)
    except ValueError:
        return None
    return seconds if seconds > 0 else None  # (0 would mean "never": not the override's to say)


class IdleLock:
    """When the last input came, and whether the counter has been idle too long."""

    def __init__(self, override_seconds: float | None = None,
                 check_seconds: float = CHECK_SECONDS) -> None:
        self.override = override_seconds
        self.minutes = 0  # the shop's setting, read in a worker after each sign-in
        self.pins: bool | None = None  # None until read: no lock without PINs
        self.check_seconds = (min(check_seconds, max(override_seconds / 4, 0.05))
                              if override_seconds else check_seconds)
        self.last_input = time.monotonic()

    @property
    def limit_seconds(self) -> float:
        """The owner's setting; the override can only make the lock come sooner (whoever
        starts the console cannot switch the owner's lock off with it)."""
        setting = self.minutes * 60.0
        if self.override is None:
            return setting
        return min(self.override, setting) if setting > 0 else self.override

    def touched(self) -> None:
        self.last_input = time.monotonic()

    def due(self) -> bool:
        """Idle past the limit, with PINs in use and a limit set."""
        limit = self.limit_seconds
        return bool(self.pins) and limit > 0 and time.monotonic() - self.last_input >= limit
