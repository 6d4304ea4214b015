"""Staff and their PINs: who may sign in, how a PIN is kept, and the wait after wrong ones.

* A PIN is 4-8 digits after NFKC (full-width digits from a Chinese IME are the same
  digits). It is stored only as ``scrypt$n$r$p$salt$hash`` (a random 16-byte salt, so two
  equal PINs never look alike) and compared in constant time. It never goes into an
  error, an audit row or a log.
* After ``FREE_TRIES`` wrong PINs in a row every further attempt waits, longer after each
  failure (``wait_seconds``). The count and the time of the last failure live in the
  staff row, so the wait holds across CLI runs; an attempt during the wait is refused
  without the PIN being checked. Wrong PINs and refused waits are audited
  ("staff.pin_failed", by the staff member named); a right PIN resets the count.
* A shop in which no one has a PIN (made before PINs, or by ``init`` without --owner)
  opens as the owner, as it always did; once any PIN exists, a name and PIN are needed.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import re
import sqlite3
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from . import gate
from .clock import from_iso
from .errors import NotFound, SignInRefused, ValidationError
from .store import Actor, Store, Tx
from .vocab import ROLES

PIN_MIN, PIN_MAX = 4, 8
NAME_MAX = 20
FREE_TRIES = 5  # wrong PINs in a row before attempts have to wait
WAIT_FIRST = 30  # seconds, after the fifth wrong PIN; doubled after each further one
WAIT_CAP = 3600  # an hour at most: the owner is never locked out for days
# scrypt's cost: 16 MiB and ≈50 ms per PIN here. Stored with each hash, so raising it
# later leaves old hashes readable; a stored cost above these bounds is refused, so an
# edited row cannot make a sign-in take minutes or all the memory.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
_MAX_N, _MAX_R, _MAX_P = 2**17, 16, 4
_PIN = re.compile(f"[0-9]{{{PIN_MIN},{PIN_MAX}}}")

# Who a shop is when PINs are in use and no one has signed in yet (the console's own
# sign-in screen, or its lock): no role, so the policy refuses every write.
SIGNED_OUT = Actor(id=0, name="", role="")
# A PIN, or a function that asks for one (given the staff member's name) when needed.
Pin = str | Callable[[str], str | None] | None


@dataclass(frozen=True, slots=True)
class StaffMember:
    id: int
    name: str
    role: str
    active: bool
    has_pin: bool
    created_at: str


# -- PINs ------------------------------------------------------------------------------------
def clean_pin(pin: str, field: str = "pin") -> str:
    """The PIN's ASCII digits, or a ValidationError that says what a PIN is (and never
    repeats what was typed: it may be someone's real PIN with a typo)."""
    text = str(pin)
    if len(text) <= 4 * PIN_MAX:  # NFKC of a huge paste is pointless work
        text = unicodedata.normalize("NFKC", text).strip()
    if _PIN.fullmatch(text) is None:
        raise ValidationError({field: ("staff.pin_invalid", {"low": PIN_MIN, "high": PIN_MAX})})
    return text


def hash_pin(pin: str) -> str:
    """``scrypt$n$r$p$salt$hash`` for a PIN already through ``clean_pin``."""
    salt = os.urandom(16)
    digest = hashlib.scrypt(pin.encode("ascii"), salt=salt, n=SCRYPT_N, r=SCRYPT_R,
                            p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def pin_matches(pin: str, stored: str) -> bool:
    """Constant-time comparison; a malformed stored value matches nothing."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        cost = int(n), int(r), int(p)
        salt_bytes, expected = bytes.fromhex(salt), bytes.fromhex(digest)
    except ValueError:
        return False
    if (scheme != "scrypt" or not 2 <= cost[0] <= _MAX_N or cost[0] & (cost[0] - 1)
            or not 1 <= cost[1] <= _MAX_R or not 1 <= cost[2] <= _MAX_P or not expected):
        return False
    try:
        typed = clean_pin(pin)
    except ValidationError:
        typed = ""  # still hash something, so a malformed PIN takes as long as a wrong one
    found = hashlib.scrypt(typed.encode("ascii"), salt=salt_bytes, n=cost[0], r=cost[1],
                           p=cost[2], maxmem=256 * cost[1] * cost[0] * cost[2] + 2**20,
                           dklen=len(expected))
    return hmac.compare_digest(found, expected) and bool(typed)


def wait_seconds(failures: int) -> int:
    """How long an attempt must wait after ``failures`` wrong PINs in a row."""
    if failures < FREE_TRIES:
        return 0
    return min(WAIT_FIRST << min(failures - FREE_TRIES, 20), WAIT_CAP)


# -- names and roles ---------------------------------------------------------------------------
def clean_name(name: str) -> str:
    return gate.line(name, "staff_name", NAME_MAX, required="staff.name_blank")


def clean_role(role: str) -> str:
    text = str(role).strip().lower()
    if text not in ROLES:
        raise ValidationError({"role": ("staff.role_unknown", {
            "value": gate.shown(role), "known": ", ".join(ROLES)})})
    return text


# -- reading -----------------------------------------------------------------------------------
def _member(row: sqlite3.Row) -> StaffMember:
    return StaffMember(id=row["id"], name=row["name"], role=row["role"],
                       active=bool(row["active"]), has_pin=row["pin_hash"] is not None,
                       created_at=row["created_at"])


def listed(conn: sqlite3.Connection, include_inactive: bool = False) -> list[StaffMember]:
    where = "" if include_inactive else " WHERE active"
    return [_member(r) for r in conn.execute(
        f"SELECT id, name, role, active, pin_hash, created_at FROM staff{where} ORDER BY id")]


def pins_in_use(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM staff WHERE pin_hash IS NOT NULL LIMIT 1"
                        ).fetchone() is not None


def active_names(conn: sqlite3.Connection) -> str:
    return ", ".join(r[0] for r in conn.execute("SELECT name FROM staff WHERE active ORDER BY id"))


def _row(conn: sqlite3.Connection, name: str, *, active_only: bool = True) -> sqlite3.Row:
    """The staff row by name (ignoring case), or NotFound naming who is known."""
    try:  # as names are stored; one that could not be stored is no one's
        clean: str | None = gate.line(name, "staff_name", 4 * NAME_MAX)
    except ValidationError:
        clean = None
    row = None if not clean else conn.execute(
        "SELECT * FROM staff WHERE name = ? COLLATE NOCASE"
        + (" AND active" if active_only else ""), (clean,)).fetchone()
    if row is None:
        raise NotFound("staff.unknown", name=gate.shown(name), known=active_names(conn))
    return row  # type: ignore[no-any-return]  # sqlite3's fetchone is typed Any


def _actor(row: sqlite3.Row) -> Actor:
    return Actor(id=row["id"], name=row["name"], role=row["role"])


def _by_name(store: Store, name: str | None) -> Actor:
    """Without PINs: the named active staff member, or the first owner (Store.actor)."""
    if not name or not name.strip():
        return store.actor(None)
    with store.read() as conn:
        return _actor(_row(conn, name))


# -- signing in ------------------------------------------------------------------------------
def sign_in(store: Store, name: str, pin: str, *, audit_success: bool) -> Actor:
    """The named active staff member, if ``pin`` is theirs and no wait is running.

    The wait is checked, the PIN compared and a wrong one counted in ONE write
    transaction: tries made at the same moment (30 processes at once) take turns, so
    none is compared while a wait is due. A sale waits for it at most one PIN's hash.

    ``audit_success``: record "staff.sign_in" (the console's switch); a command opening
    the file leaves its trace in what it writes instead.
    """
    with store.read() as conn:
        row = _row(conn, name)
    who = _actor(row)
    if row["pin_hash"] is None:
        raise SignInRefused("staff.no_pin", name=who.name)
    clean_pin(pin)  # letters, or too few digits, can be no one's PIN: said, never counted
    if store.readonly is not None:  # nothing can be counted: the PIN is still checked
        problem = _refusal(store, who, row, pin, None)
        if problem is not None:
            raise problem
        return who
    refused: list[SignInRefused] = []
    with store.write(who, "staff.sign_in") as tx:
        now = tx.execute("SELECT pin_hash, failed_pins, failed_at FROM staff WHERE id = ?",
                         (who.id,)).fetchone()
        problem = _refusal(store, who, now, pin, tx)
        if problem is not None:
            refused.append(problem)
        elif now["failed_pins"] or audit_success:
            tx.execute("UPDATE staff SET failed_pins = 0, failed_at = NULL WHERE id = ?",
                       (who.id,))
            tx.audit("staff.sign_in", "staff", who.id)
    if refused:
        raise refused[0]
    return who


def _refusal(store: Store, who: Actor, row: sqlite3.Row, pin: str, tx: Tx | None
             ) -> SignInRefused | None:
    """Why this try does not sign in (a wait running, or a wrong PIN, counted and audited
    in ``tx``), or None. During a wait the PIN is not even compared."""
    failures = int(row["failed_pins"])
    if failures >= FREE_TRIES and row["failed_at"]:
        ends = from_iso(row["failed_at"]) + timedelta(seconds=wait_seconds(failures))
        left = math.ceil((ends - store.clock()).total_seconds())
        if left > 0:
            if tx is not None:
                tx.audit("staff.pin_failed", "staff", who.id, count=failures, wait=left)
            return SignInRefused("staff.pin_wait", name=who.name, seconds=left)
    if pin_matches(pin, row["pin_hash"]):
        return None
    if tx is None:  # a read-only file: the count cannot grow
        return SignInRefused("staff.pin_wrong", name=who.name,
                             left=max(FREE_TRIES - failures - 1, 0))
    failures = int(tx.execute("UPDATE staff SET failed_pins = failed_pins + 1, failed_at = ?"
                              " WHERE id = ? RETURNING failed_pins",
                              (tx.now, who.id)).fetchone()[0])
    wait = wait_seconds(failures)
    tx.audit("staff.pin_failed", "staff", who.id, count=failures, wait=wait)
    if wait:
        return SignInRefused("staff.pin_wait", name=who.name, seconds=wait)
    return SignInRefused("staff.pin_wrong", name=who.name, left=FREE_TRIES - failures)


def switch_to(store: Store, name: str, pin: str) -> Actor:
    """The console's switch (audited "staff.sign_in"): with the PIN once PINs are in use;
    in a shop without PINs, by name, as opening it is."""
    with store.read() as conn:
        pins = pins_in_use(conn)
    if pins:
        return sign_in(store, name, pin, audit_success=True)
    who = _by_name(store, name)
    _record(store, who, lambda tx: tx.audit("staff.sign_in", "staff", who.id),
            action="staff.sign_in")
    return who


def _record(store: Store, who: Actor, write: Callable[[Tx], None],
            action: str = "staff.pin_failed") -> None:
    """A short write of its own, as the staff member named; skipped on a read-only file."""
    if store.readonly is not None:
        return
    with store.write(who, action) as tx:
        write(tx)


def opening_actor(store: Store, name: str | None, pin: Pin, *, sign_in_now: bool) -> Actor:
    """Who a newly opened shop acts as (Shop.open): without PINs, the named staff member
    or the first owner, as before PINs; with them, the name and PIN (or ``SIGNED_OUT``
    when the caller asks for them itself). ``pin`` may be a function, asked (with the
    staff member's name) only when a PIN is needed and could open the shop."""
    with store.read() as conn:
        if not pins_in_use(conn):
            return _by_name(store, name)
        known = active_names(conn)
        if sign_in_now and name and name.strip():
            row = _row(conn, name)
    if not sign_in_now:
        return SIGNED_OUT
    if not name or not name.strip():
        raise SignInRefused("staff.name_needed", known=known)
    if row["pin_hash"] is None:
        raise SignInRefused("staff.no_pin", name=row["name"])
    typed = pin(row["name"]) if callable(pin) else pin
    if typed is None or not typed.strip():
        raise SignInRefused("staff.pin_needed", name=row["name"])
    return sign_in(store, name, typed, audit_success=False)


# -- the owner's changes -----------------------------------------------------------------------
# Each takes the PIN already hashed (``new_pin``): hashing takes ≈50 ms, done before the
# write begins, so no one else's sale waits behind it.
def new_pin(pin: str) -> str:
    return hash_pin(clean_pin(pin))


def add(tx: Tx, name: str, role: str, stored: str) -> StaffMember:
    """``name`` and ``role`` through ``clean_name`` and ``clean_role``."""
    clean = clean_name(name)
    role = clean_role(role)
    _own_pin_first(tx)
    if tx.execute("SELECT 1 FROM staff WHERE name = ? COLLATE NOCASE", (clean,)).fetchone():
        raise ValidationError({"staff_name": ("staff.name_taken", {"name": clean})})
    new_id = int(tx.execute(
        "INSERT INTO staff(name, role, created_at, pin_hash) VALUES (?, ?, ?, ?) RETURNING id",
        (clean, role, tx.now, stored)).fetchone()[0])
    tx.audit("staff.add", "staff", new_id, role=role)
    return member(tx.conn, new_id)


def set_pin(tx: Tx, name: str, stored: str) -> StaffMember:
    row = _row(tx.conn, name)
    if row["id"] != tx.actor.id:
        _own_pin_first(tx)
    tx.execute("UPDATE staff SET pin_hash = ?, failed_pins = 0, failed_at = NULL WHERE id = ?",
               (stored, row["id"]))
    tx.audit("staff.pin", "staff", row["id"], fields=["pin"])
    return member(tx.conn, row["id"])


def name_owner(tx: Tx, name: str, stored: str) -> StaffMember:
    """``init --owner``: the acting owner takes a name and the shop's first PIN."""
    clean = clean_name(name)
    if pins_in_use(tx.conn):
        raise ValidationError({"pin": ("staff.owner_has_pin", {})})
    if tx.execute("SELECT 1 FROM staff WHERE name = ? COLLATE NOCASE AND id != ?",
                  (clean, tx.actor.id)).fetchone():
        raise ValidationError({"staff_name": ("staff.name_taken", {"name": clean})})
    tx.execute("UPDATE staff SET name = ?, pin_hash = ?, failed_pins = 0, failed_at = NULL"
               " WHERE id = ?", (clean, stored, tx.actor.id))
    tx.audit("staff.pin", "staff", tx.actor.id, fields=["name", "pin"])
    return member(tx.conn, tx.actor.id)


def deactivate(tx: Tx, name: str) -> StaffMember:
    row = _row(tx.conn, name)
    if row["role"] == "owner":
        pins = pins_in_use(tx.conn)
        # another active owner who can still sign in (with a PIN, once PINs are in use)
        others = tx.execute("SELECT count(*) FROM staff WHERE role = 'owner' AND active"
                            " AND id != ?" + (" AND pin_hash IS NOT NULL" if pins else ""),
                            (row["id"],)).fetchone()[0]
        if not others:
            raise ValidationError({"staff_name": ("staff.last_owner", {"name": row["name"]})})
    tx.execute("UPDATE staff SET active = 0 WHERE id = ?", (row["id"],))
    tx.audit("staff.deactivate", "staff", row["id"])
    return member(tx.conn, row["id"])


def member(conn: sqlite3.Connection, staff_id: int) -> StaffMember:
    row = conn.execute("SELECT id, name, role, active, pin_hash, created_at FROM staff"
                       " WHERE id = ?", (staff_id,)).fetchone()
    return _member(row)


def _own_pin_first(tx: Tx) -> None:
    """A PIN for someone else makes PINs required: the owner giving it needs one first,
    or they could not sign in again."""
    if tx.actor.id and tx.execute("SELECT pin_hash IS NULL FROM staff WHERE id = ?",
                                  (tx.actor.id,)).fetchone()[0]:
        raise ValidationError({"pin": ("staff.own_pin_first", {"name": tx.actor.name})})
