"""Staff: who works here, their PINs, and who is at the counter now (db/staff.py)."""

from __future__ import annotations

import builtins

from .. import staff
from ..staff import SIGNED_OUT, StaffMember
from ..store import Actor
from .base import Area, reads, signs_in, writes


class Staff(Area):
    @reads
    def list(self, include_inactive: bool = False) -> builtins.list[StaffMember]:
        with self._read() as conn:
            return staff.listed(conn, include_inactive)

    @reads
    def pins_in_use(self) -> bool:
        """Once anyone has a PIN, opening the shop needs a name and PIN."""
        with self._read() as conn:
            return staff.pins_in_use(conn)

    @writes("staff.add")
    def add(self, name: str, role: str, pin: str) -> StaffMember:
        staff.clean_name(name)  # every field checked before the PIN's slow hash
        staff.clean_role(role)
        stored = staff.new_pin(pin)
        with self._write() as tx:
            return staff.add(tx, name, role, stored)

    @writes("staff.pin")
    def set_pin(self, name: str, pin: str) -> StaffMember:
        stored = staff.new_pin(pin)
        with self._write() as tx:
            return staff.set_pin(tx, name, stored)

    @writes("staff.pin")
    def name_owner(self, name: str, pin: str) -> StaffMember:
        """``regulars init --owner NAME``: the owner of a shop without PINs takes a name
        and the first PIN (refused once any PIN exists)."""
        staff.clean_name(name)
        stored = staff.new_pin(pin)
        with self._write() as tx:
            return staff.name_owner(tx, name, stored)

    @writes("staff.deactivate")
    def deactivate(self, name: str) -> StaffMember:
        """They can no longer sign in; their name stays on everything they did. Never the
        last active owner (who could sign in)."""
        with self._write() as tx:
            return staff.deactivate(tx, name)

    @signs_in
    def switch(self, name: str, pin: str) -> Actor:
        """The named staff member takes over the whole shop (every area), if the PIN is
        theirs; after five wrong PINs in a row, each try waits longer. Audited either way.
        Works from a signed-out shop: the PIN is the check. In a shop without PINs, the
        name alone (as opening it does)."""
        who = staff.switch_to(self._door.store, name, pin)
        self._door.actor = who
        return who

    @reads
    def sign_out(self) -> None:
        """The console's lock: no one acts until someone signs in (nothing is written).
        A shop without PINs has no lock: it stays as it is."""
        if self.pins_in_use():
            self._door.actor = SIGNED_OUT
