"""Files the shop owns: created private (0600) before SQLite, or anything else, opens them.

Its own module so that both the store and the migrations (whose backups hold the same
people) can use it without importing each other.
"""

from __future__ import annotations

import os
from pathlib import Path


def create_private_file(path: Path) -> None:
    """Create an empty file readable only by its owner, before SQLite opens it (a folder
    made for it, such as backups/, is its owner's alone too)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    os.close(fd)
