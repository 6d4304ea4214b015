"""Rows of one person folded into one: a WeCom contact added by three staff members is
three lines, a member list may repeat a line. Rows are the same person when they share
an E.164 phone, a WeCom id, a WeChat id or a member code.

Lines and tags are united (first seen first), notes joined by a newline without
repeats, a later value fills an empty one; times keep the earliest (created, first
visit) or the latest (last visit). Any other later value that differs from the one kept
is refused as "import.fold.conflict", and a key that already names another person as
"import.fold.key_elsewhere": the error file shows both, nothing is dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .. import customers
from .model import CustomerRow

KEYS = ("phone", "external_id", "wechat_id", "member_code")  # fold on any of these
_UNSET = ("", None)
_EARLIEST = ("created", "first_visit")
_LATEST = ("last_visit",)

# (line, field, code, params, value as shown): the caller turns it into a Refusal.
Refuse = Callable[[int, str, str, Mapping[str, Any], str], None]


class _Person:
    __slots__ = ("lines", "notes", "tags", "values")

    def __init__(self, line: int, values: dict[str, Any]) -> None:
        self.lines = [line]
        self.tags: list[str] = values.pop("tags")
        values.pop("name_from")
        notes = values.pop("notes")
        self.notes: list[str] = [notes] if notes else []
        self.values = values


class Folder:
    """People by any of their keys; a row whose key is known folds into that person."""

    def __init__(self, refuse: Refuse) -> None:
        self.refuse = refuse
        self.people: list[_Person] = []
        self.by_key: dict[tuple[str, str], _Person] = {}
        self.folded = 0

    def add(self, line: int, values: dict[str, Any]) -> None:
        person = next((self.by_key[(k, values[k])] for k in KEYS
                       if values.get(k) is not None and (k, values[k]) in self.by_key), None)
        if person is None:
            person = _Person(line, values)
            self.people.append(person)
        else:
            self.folded += 1
            self._fold(person, line, values)
        for key in KEYS:
            value = person.values.get(key)
            if value is not None:
                self.by_key.setdefault((key, value), person)

    def _fold(self, person: _Person, line: int, values: dict[str, Any]) -> None:
        person.lines.append(line)
        for name in values.pop("tags"):
            if name not in person.tags:
                person.tags.append(name)
        notes = values.pop("notes")
        name_from = values.pop("name_from")
        if notes and notes not in person.notes:
            if len("\n".join([*person.notes, notes])) > customers.NOTES_MAX:
                self.refuse(line, "notes", "import.fold.notes_long",
                            {"max": customers.NOTES_MAX}, notes)
            else:
                person.notes.append(notes)
        for field, value in values.items():
            if value in _UNSET:
                continue
            kept = person.values.get(field)
            owner = self.by_key.get((field, value)) if field in KEYS else None
            if owner is not None and owner is not person:  # another person's key
                self.refuse(line, field, "import.fold.key_elsewhere",
                            {"line": owner.lines[0]}, str(value))
            elif kept in _UNSET:
                person.values[field] = value
            elif field in _EARLIEST or field in _LATEST:  # ISO UTC text sorts as time
                later = value > kept
                if later == (field in _LATEST):
                    person.values[field] = value
            elif kept != value:
                column = name_from if field == "name" else field
                self.refuse(line, column, "import.fold.conflict", {"kept": _shown(kept)},
                            _shown(value))

    def rows(self) -> list[CustomerRow]:
        return [_customer_row(p) for p in self.people]


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _customer_row(p: _Person) -> CustomerRow:
    v = p.values
    return CustomerRow(
        line=p.lines[0], lines=tuple(p.lines), name=v["name"], phone=v.get("phone"),
        wechat_id=v.get("wechat_id"), external_id=v.get("external_id"),
        member_code=v.get("member_code"), birthday=v["birthday"] or "", gender=v["gender"],
        channel=v["channel"], stage=v["stage"], tags=tuple(p.tags), notes="\n".join(p.notes),
        marketing_consent=v["marketing_consent"], seed_user=v["seed_user"],
        referrer=v["referrer"], points=v["points"], spend_fen=v["spend"], orders=v["orders"],
        first_visit=v["first_visit"], last_visit=v["last_visit"], created=v["created"])
