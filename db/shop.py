"""The shop as the console sees it: one store, one acting staff member.

The CLI and every screen hold a ``Shop`` and call these methods (from thread
workers in the TUI). Each method opens its own read or write, so the caller
never touches SQL or transactions, and every write names who acted.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from . import customers, settings
from .customers import Customer, CustomerInput
from .search import DEFAULT_LIMIT, SearchResult, search
from .store import Actor, Store


class Shop:
    def __init__(self, store: Store, actor: Actor) -> None:
        self.store = store
        self.actor = actor
        with store.read() as conn:
            self.timezone = settings.get(conn, "timezone", "Asia/Shanghai")
            self.region = settings.get(conn, "region", "CN")

    @classmethod
    def open(cls, path: str, staff: str | None = None, **store_args: object) -> Shop:
        store = Store(path, **store_args)  # type: ignore[arg-type]
        return cls(store, store.actor(staff))

    def close(self) -> None:
        self.store.close()

    def today(self) -> date:
        """The shop's local calendar day: birthdays and expiry count in it."""
        return self.store.clock().astimezone(ZoneInfo(self.timezone)).date()

    # -- reading -----------------------------------------------------------------
    def search(self, query: str, limit: int = DEFAULT_LIMIT) -> SearchResult:
        with self.store.read() as conn:
            return search(conn, query, limit, self.region)

    def customer(self, customer_id: int) -> Customer:
        with self.store.read() as conn:
            return customers.get(conn, customer_id)

    def find_customer(self, ref: str) -> Customer:
        with self.store.read() as conn:
            return customers.find_one(conn, ref, self.region)

    def phone_owner(self, phone: str, exclude_id: int | None = None) -> Customer | None:
        with self.store.read() as conn:
            return customers.phone_owner(conn, phone, self.region, exclude_id)

    def setting(self, key: str) -> str:
        with self.store.read() as conn:
            return settings.get(conn, key)

    # -- writing -----------------------------------------------------------------
    def add_customer(self, data: CustomerInput) -> Customer:
        clean = customers.validate(data, self.today(), self.region)
        with self.store.write(self.actor) as tx:
            return customers.add(tx, clean)

    def update_customer(self, customer_id: int, data: CustomerInput) -> Customer:
        clean = customers.validate(data, self.today(), self.region)
        with self.store.write(self.actor) as tx:
            return customers.update(tx, customer_id, clean)

    def record_view(self, customer_id: int) -> None:
        with self.store.write(self.actor) as tx:
            customers.record_view(tx, customer_id)

    def set_setting(self, key: str, value: str) -> None:
        with self.store.write(self.actor) as tx:
            settings.put(tx, key, value)
        if key == "timezone":
            self.timezone = value
        elif key == "region":
            self.region = value
