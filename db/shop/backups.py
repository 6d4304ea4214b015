"""Backups and restore (db/backup.py holds the file work; this area holds who may).

A backup holds every customer's data, so taking one on demand is the owner's
("shop.backup"). The console's automatic daily backup runs as whoever opened it
("shop.backup_auto", anyone): it only ever writes into the shop's own backups/ folder
beside the file, which that person can already read. Restoring is the owner's.
Each is audited in the shop file.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from threading import Event
from zoneinfo import ZoneInfo

from .. import backup, settings
from .base import Area, reads, writes

KEEP_DEFAULT = 7


class Backups(Area):
    def _local(self) -> datetime:
        return self._door.now().astimezone(ZoneInfo(self._door.timezone))

    def _take(self, dest: Path | None, stop: Event | None = None) -> Path:
        db = self._door.store.path
        name = backup.name_for(db, self._local())
        if dest is None:
            dest = backup.folder_for(db) / name
        elif dest.is_dir():
            dest = dest / name
        dest = dest.expanduser().resolve()
        backup.take(db, dest, stop)
        return dest

    @writes("shop.backup")
    def backup(self, dest: Path | None = None) -> Path:
        """A checked, private copy of the file now: at ``dest`` (a file or a folder),
        or in backups/ beside the shop file."""
        made = self._take(dest)
        if self._door.store.readonly is None:  # a read-only file can be copied, not noted
            with self._write() as tx:
                tx.audit("shop.backup", "shop", None, path=str(made))
        return made

    @writes("shop.backup_auto")
    def daily(self, stop: Event | None = None) -> Path | None:
        """The console's backup on start: one per shop day, keeping the last
        ``backup.keep``. None when today's is already there, or the file is read-only here.
        Setting ``stop`` (the console quitting) abandons it: ``backup.stopped``."""
        db = self._door.store.path
        if self._door.store.readonly is not None:  # a file opened to look at, not to keep
            return None
        last = self.last()
        if last is not None and last.date() >= self._local().date():
            return None
        made = self._take(None, stop)
        with self._read() as conn:
            keep = settings.whole_setting(conn, "backup.keep", KEEP_DEFAULT)
        pruned = backup.prune(db, keep)
        with self._write() as tx:
            tx.audit("shop.backup_auto", "shop", None, path=str(made), pruned=len(pruned))
        return made

    @reads
    def last(self) -> datetime | None:
        """When the newest backup in the shop's backups/ folder was taken (shop time)."""
        found = backup.listed(self._door.store.path)
        return backup.taken_at(found[-1]) if found else None

    @reads
    def cloud_folder(self) -> str | None:
        """The sync folder (Dropbox, OneDrive, 坚果云 …) the file lies in, if any."""
        return backup.cloud_folder(self._door.store.path)

    @writes("shop.restore")
    def restored(self, source: Path, aside: Path | None) -> None:
        """Record a restore in the restored file (``Shop.restore`` does the restore)."""
        with self._write() as tx:
            tx.audit("shop.restore", "shop", None, source=str(source),
                     aside=str(aside) if aside else "")
