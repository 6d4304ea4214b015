"""The one door to the shop's rules: a ``Shop`` composed of small areas.

The CLI and every screen hold a ``Shop`` and call its areas (from thread workers in
the TUI): ``shop.customers``, ``shop.sales``, ``shop.rewards``, ``shop.coupons``,
``shop.campaigns``, ``shop.lifecycle``, ``shop.feedback``, ``shop.exports``,
``shop.backups``, ``shop.imports``, ``shop.settings``, ``shop.staff``. Each
method opens its own read or write, so the caller never touches SQL or transactions;
every write names who acted and passes the access policy (db/access.py). The surface is
also a typed Protocol, ``ShopDoor`` (db/shop/door.py), for a second backend.
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import search_keys
from ..clock import Clock, system_clock
from ..errors import StoreError
from ..store import Actor, Store
from .base import Door
from .door import ShopDoor

if TYPE_CHECKING:
    from ..doctor import Report
    from ..staff import Pin
    from .backups import Backups
    from .campaigns import Campaigns
    from .coupons import Coupons
    from .customers import Customers
    from .exports import Exports
    from .feedback import Feedback
    from .imports import Imports
    from .lifecycle import Lifecycle, StageView
    from .rewards import Rewards, RewardsView
    from .sales import Sales
    from .settings import Settings
    from .staff import Staff
    from .story import CustomerStory

__all__ = ["CustomerStory", "RewardsView", "Shop", "ShopDoor", "StageView"]

_VIEWS = {"CustomerStory": "story", "RewardsView": "rewards", "StageView": "lifecycle"}


def __getattr__(name: str) -> Any:
    """The areas' composite views, imported with their area on first use."""
    if name in _VIEWS:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_VIEWS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class Shop:
    """One store, one acting staff member, and the areas that work on them."""

    def __init__(self, store: Store, actor: Actor) -> None:
        self._door = Door(store, actor)

    # -- the areas, each made (and its rules imported) when first used: the console's
    # first screen needs only customers and settings, and starts that much sooner
    @cached_property
    def customers(self) -> Customers:
        from .customers import Customers

        return Customers(self._door)

    @cached_property
    def sales(self) -> Sales:
        from .sales import Sales

        return Sales(self._door)

    @cached_property
    def rewards(self) -> Rewards:
        from .rewards import Rewards

        return Rewards(self._door)

    @cached_property
    def coupons(self) -> Coupons:
        from .coupons import Coupons

        return Coupons(self._door)

    @cached_property
    def campaigns(self) -> Campaigns:
        from .campaigns import Campaigns

        return Campaigns(self._door)

    @cached_property
    def lifecycle(self) -> Lifecycle:
        from .lifecycle import Lifecycle

        return Lifecycle(self._door)

    @cached_property
    def feedback(self) -> Feedback:
        from .feedback import Feedback

        return Feedback(self._door)

    @cached_property
    def exports(self) -> Exports:
        from .exports import Exports

        return Exports(self._door)

    @cached_property
    def imports(self) -> Imports:
        from .imports import Imports

        return Imports(self._door)

    @cached_property
    def settings(self) -> Settings:
        from .settings import Settings

        return Settings(self._door)

    @cached_property
    def backups(self) -> Backups:
        from .backups import Backups

        return Backups(self._door)

    @cached_property
    def staff(self) -> Staff:
        from .staff import Staff

        return Staff(self._door)

    @classmethod
    def restore(cls, path: str | Path, backup_file: str | Path, staff: str | None = None, *,
                pin: Pin = None, clock: Clock = system_clock) -> Path | None:
        """Put a backup in place of the shop file (owner only; db/backup.py: restore).
        Returns where the file that was there went, or None.

        The role is checked against the current file (signed in with ``pin`` when it
        uses PINs); a file too damaged to open has no one to ask, so then the restored
        file's own staff list decides, before the restore is recorded in it."""
        from zoneinfo import ZoneInfo

        from .. import backup

        path = Path(path).expanduser().resolve()
        local = clock().astimezone(ZoneInfo("UTC"))
        pin = _asked_once(pin)  # the file is opened twice: a prompt should ask once
        if path.exists():
            try:
                current = cls.open(path, staff, pin=pin, clock=clock, create=False)
            except StoreError as exc:
                if exc.code != "store.corrupt":
                    raise
            else:
                try:
                    current.check("shop.restore")
                    local = current.now().astimezone(ZoneInfo(current.timezone))
                finally:
                    current.close()
        source = Path(backup_file).expanduser().resolve()
        aside = backup.restore(path, source, local)
        restored = cls.open(path, staff, pin=pin, clock=clock, create=False)
        try:
            restored.backups.restored(source, aside)
        finally:
            restored.close()
        return aside

    @classmethod
    def open(cls, path: str | Path, staff: str | None = None, *, pin: Pin = None,
             clock: Clock = system_clock, create: bool = True, sign_in: bool = True) -> Shop:
        """The shop at ``path``, acting as ``staff``.

        In a shop where no one has a PIN (made before PINs, or by ``init`` without
        --owner) the name alone, and no name is the first owner, as it always was. Once
        any PIN exists, a name and its PIN (``pin``: the PIN, or a function asked for it
        with the name) are needed: refusals are ``errors.SignInRefused``, a wrong PIN is
        counted and audited (db/staff.py). ``sign_in=False`` (the console, which asks on
        its own screen) opens such a shop signed out: reads work, every write is
        refused until ``shop.staff.switch``."""
        from ..staff import opening_actor

        store = Store(path, clock, create=create)
        try:
            actor = opening_actor(store, staff, pin, sign_in_now=sign_in)
        except BaseException:
            store.close()  # an unknown name or a wrong PIN must not leave the file open
            raise
        return cls(store, actor)

    @staticmethod
    def make_private(path: str | Path) -> str | None:
        """``regulars init`` on an existing file others may read: only its owner may now
        (db/files.py). The old mode when it changed, else None; a StoreError says why not."""
        from ..files import make_private

        return make_private(Path(path).expanduser().resolve())

    def close(self) -> None:
        with contextlib.suppress(StoreError):  # busy or read-only: the next opener catches up
            self.rerank_pending()
        self._door.store.close()

    # -- who, where and when -------------------------------------------------------------
    @property
    def store(self) -> Store:
        """The file itself: for tests, the seeder and benchmarks, never for the UI."""
        return self._door.store

    @property
    def actor(self) -> Actor:
        return self._door.actor

    @property
    def signed_in(self) -> bool:
        """False while the console is locked or no one has signed in yet (PINs in use)."""
        return bool(self._door.actor.role)

    def may(self, action: str) -> bool:
        """Whether the one acting now may do ``action`` (a screen offering a key)."""
        from .. import access

        return access.allowed(action, self._door.actor.role)

    def check(self, action: str) -> None:
        """``AccessDenied`` (naming the role needed, and audited) unless the one acting
        now may do ``action``: a screen about to open an owner-only screen."""
        self._door.check(action)

    @property
    def timezone(self) -> str:
        return self._door.timezone

    @property
    def region(self) -> str:
        return self._door.region

    @property
    def path(self) -> Path:
        return self._door.store.path

    def today(self) -> date:
        """The shop's local calendar day: birthdays and expiry count in it."""
        return self._door.today()

    def now(self) -> datetime:
        return self._door.now()

    def staff_name(self, staff_id: int) -> str:
        """Who that was (for "added by"); a staff row is never deleted."""
        with self._door.store.read() as conn:
            row = conn.execute("SELECT name FROM staff WHERE id = ?", (staff_id,)).fetchone()
        return str(row[0]) if row is not None else f"#{staff_id}"

    # -- upkeep --------------------------------------------------------------------------
    def rerank_pending(self, batch: int = 2) -> int:
        """Bring lookup ranks up to date after sales (db/search_keys.py: visit_changed).

        A read first, so an idle console never opens a write transaction for nothing;
        then small transactions, so a sale at another counter waits a few ms at most.
        """
        store = self._door.store
        if not self.signed_in:  # the console's lock: no one may write; it waits for them
            return 0
        with store.read() as conn:
            if not search_keys.pending(conn):
                return 0
        total = 0
        while True:
            with store.write(self.actor, "search.rerank") as tx:
                done = search_keys.rerank_pending(tx.conn, batch)
                tx.audit("search.rerank", "customer", None, customers=done)
            total += done
            if done < batch:
                return total

    def checkpoint(self) -> None:
        """Copy the write-ahead log into the file, without blocking anyone."""
        self._door.store.checkpoint()

    def doctor(self, quick: bool = False) -> Report:
        """Is the file whole, current and consistent? (``regulars doctor``)"""
        from ..doctor import examine  # only when asked: it loads sqlite_utils

        return examine(self._door.store, quick=quick)


def _asked_once(pin: Pin) -> Pin:
    if not callable(pin):
        return pin
    ask, said = pin, {}

    def once(name: str) -> str | None:
        if name not in said:
            said[name] = ask(name)
        return said[name]
    return once


def _conforms(shop: Shop) -> ShopDoor:
    return shop  # mypy fails here if Shop drifts from the door
