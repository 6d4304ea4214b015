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


def make_private(path: Path) -> str | None:
    """Take the group's and others' permissions off an existing shop file and its -wal
    and -shm (``regulars init``). Returns the file's old mode (``0o666``) when it changed
    it, None when it was private already (or the system has no such modes); a
    ``StoreError`` says why it cannot: another user's file, a read-only disk."""
    import errno
    import stat

    from .errors import StoreError

    if os.name != "posix" or not path.is_file():
        return None
    old = stat.S_IMODE(path.stat().st_mode)
    if not old & 0o077:
        return None
    mode = f"{old:#o}"
    for one in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            if not one.exists():
                continue
            if one.stat().st_uid != os.geteuid():
                raise StoreError("init.not_yours", path=str(one), mode=mode)
            os.chmod(one, stat.S_IMODE(one.stat().st_mode) & ~0o077)
        except OSError as exc:
            if exc.errno == errno.EPERM:
                raise StoreError("init.not_yours", path=str(one), mode=mode) from None
            raise StoreError("init.cannot_tighten", path=str(one), mode=mode,
                             detail=exc.strerror or str(exc)) from None
    return mode
