"""The shop's settings: one table of kinds and ranges (db/settings.py SPECS)."""

from __future__ import annotations

from .. import settings
from .base import Area, reads, writes


class Settings(Area):
    @staticmethod
    @reads
    def hint(key: str) -> tuple[str, dict[str, str]]:
        """What a setting holds (its kind and range), as a message code and params."""
        return settings.hint(key)

    @reads
    def get(self, key: str) -> str:
        with self._read() as conn:
            return settings.get(conn, key)

    @writes("setting.set")
    def set(self, key: str, value: str) -> None:
        with self._write() as tx:
            settings.put(tx, key, value)
        if key == "timezone":
            self._door.timezone = value
        elif key == "region":
            self._door.region = value
