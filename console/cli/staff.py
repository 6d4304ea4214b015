"""`regulars staff …` (add, list, pin, deactivate): the shop.staff area. Adding, PINs and
deactivating are the owner's; a PIN comes from $REGULARS_NEW_PIN or is typed twice."""

from __future__ import annotations

from typing import Annotated

import typer

from ..i18n import t
from .common import NEW_PIN_ENV, aligned, field, friendly_errors, new_pin, opened, say
from .options import DbOpt, JsonOpt, LangOpt, StaffOpt

staff_app = typer.Typer(help="Staff: add, list, set PINs, deactivate (owner).",
                        no_args_is_help=True)

NameArg = Annotated[str, typer.Argument(help="The staff member's name.")]


@staff_app.command("add")
@friendly_errors
def staff_add(name: NameArg,
              role: Annotated[str, typer.Option(help="staff or owner.")] = "staff",
              db: DbOpt = None, staff: StaffOpt = None, lang: LangOpt = None) -> None:
    """Add a staff member with their own PIN (owner)."""
    with opened(db, staff, lang, create=False) as shop:
        shop.check("staff.add")  # refused before anyone is asked for a PIN
        added = shop.staff.add(name, role, new_pin(name.strip(), NEW_PIN_ENV))
    say(t("staff.added", name=added.name, role=t(f"role.{added.role}")))


@staff_app.command("list")
@friendly_errors
def staff_list(include_inactive: Annotated[bool, typer.Option(
                   "--all", help="Also those who have left.")] = False,
               json_out: JsonOpt = False, db: DbOpt = None, staff: StaffOpt = None,
               lang: LangOpt = None) -> None:
    """Everyone who works here: name, role, whether they have a PIN."""
    from ..terminal_text import safe_json

    with opened(db, staff, lang, create=False) as shop:
        members = shop.staff.list(include_inactive)
    if json_out:
        say(safe_json([{"name": m.name, "role": m.role, "active": m.active,
                        "has_pin": m.has_pin, "created_at": m.created_at} for m in members],
                      indent=2))
        return
    if not members:
        say(t("staff.none"))
    for line in aligned([[field(m.name), t(f"role.{m.role}"),
                          t("staff.active") if m.active else t("staff.inactive"),
                          t("staff.has_pin") if m.has_pin else t("staff.no_pin_yet")]
                         for m in members]):
        say(line)


@staff_app.command("pin")
@friendly_errors
def staff_pin(name: NameArg, db: DbOpt = None, staff: StaffOpt = None,
              lang: LangOpt = None) -> None:
    """Set or change a staff member's PIN (owner); wrong PINs counted so far are cleared."""
    with opened(db, staff, lang, create=False) as shop:
        shop.check("staff.pin")
        done = shop.staff.set_pin(name, new_pin(name.strip(), NEW_PIN_ENV))
    say(t("staff.pin_set", name=done.name))


@staff_app.command("deactivate")
@friendly_errors
def staff_deactivate(name: NameArg, db: DbOpt = None, staff: StaffOpt = None,
                     lang: LangOpt = None) -> None:
    """They can no longer sign in; what they did keeps their name (owner). Never the last
    active owner."""
    with opened(db, staff, lang, create=False) as shop:
        done = shop.staff.deactivate(name)
    say(t("staff.deactivated", name=done.name))
