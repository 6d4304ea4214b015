"""Errors a shopkeeper can act on.

Each error carries a message *code* and parameters rather than text, because
db/ knows nothing about languages: the console translates ``code`` through its
catalogs (console/i18n.py), so the CLI and the TUI say the same thing.
"""

from __future__ import annotations

from typing import Any


class RegularsError(Exception):
    """Base for every error meant to reach a person."""

    code = "error.unknown"

    def __init__(self, code: str | None = None, **params: Any) -> None:
        self.code = code or self.code
        self.params = params
        super().__init__(f"{self.code} {params}" if params else self.code)


class NotFound(RegularsError):
    code = "error.not_found"


class StoreError(RegularsError):
    """The file itself: locked, full, read-only, too new, corrupt."""

    code = "error.store"


class ValidationError(RegularsError):
    """One or more fields are wrong. ``fields`` maps field name -> (code, params)."""

    code = "error.validation"

    def __init__(self, fields: dict[str, tuple[str, dict[str, Any]]]) -> None:
        self.fields = fields
        first = next(iter(fields.items()))
        super().__init__(first[1][0], field=first[0], **first[1][1])


class DuplicatePhone(ValidationError):
    """The phone already belongs to someone; the UI offers to open them."""

    def __init__(self, existing_id: int, existing_name: str, existing_code: str) -> None:
        self.existing_id = existing_id
        super().__init__(
            {"phone": ("phone.duplicate", {"name": existing_name, "member_code": existing_code})}
        )


class AccessDenied(RegularsError):
    """The acting staff member's role may not do this (db/access.py). Params: ``action``,
    the role ``needed``, and who tried (``name``, ``role``)."""

    code = "access.denied"


class SignInRefused(RegularsError):
    """A name and PIN that do not open the shop (db/staff.py). Codes and params:
    ``staff.name_needed`` (known: the active staff), ``staff.pin_needed`` (name),
    ``staff.pin_wrong`` (name, left: wrong PINs before attempts wait),
    ``staff.pin_wait`` (name, seconds), ``staff.no_pin`` (name: the owner must set one).
    Never the PIN."""

    code = "staff.pin_wrong"


class ImportRefused(RegularsError):
    """A file that cannot be imported as a whole: its encoding, its shape, its headers, or a
    column mapping that does not fit. Params name the file, column or field to fix."""

    code = "import.refused"
