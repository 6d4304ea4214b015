"""`regulars settings …` (show, set): the shop.settings area, and a stage rule's
preview through shop.lifecycle."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from ..i18n import stage_label, t
from .common import fail, friendly_errors, opened, say
from .options import DbOpt, LangOpt, StaffOpt

if TYPE_CHECKING:
    from db.shop import Shop

settings_app = typer.Typer(help="Show or change shop settings.", no_args_is_help=True)


@settings_app.command("show")
@friendly_errors
def settings_show(db: DbOpt = None, staff: StaffOpt = None, lang: LangOpt = None) -> None:
    """Print every shop setting."""
    from db.values import SETTING_KEYS

    with opened(db, staff, lang) as shop:
        for key in sorted(SETTING_KEYS):
            say(f"{key:<10} {shop.settings.get(key)}")


@settings_app.command("set", context_settings={"ignore_unknown_options": True})
@friendly_errors
def settings_set(key: str, value: str, db: DbOpt = None, staff: StaffOpt = None,
                 lang: LangOpt = None,
                 yes: Annotated[bool, typer.Option(
                     "--yes", help="Apply a stage rule (lifecycle.*) after its preview.")
                 ] = False) -> None:
    """Change a setting: timezone (e.g. Asia/Shanghai), region (CN), language (zh, en).
    A value that starts with a minus ("-3") is a value, and the range check answers it.
    A stage rule (lifecycle.*) first prints how many customers would move, from which
    stage to which, and changes nothing without --yes."""
    from db.values import STAGE_RULE_KEYS

    with opened(db, staff, lang) as shop:
        if key in STAGE_RULE_KEYS:
            _set_stage_rule(shop, key, value, yes)
            return
        shop.settings.set(key, value)
    say(f"{key} = {value}")


def _set_stage_rule(shop: Shop, key: str, value: str, yes: bool) -> None:
    from ..moves import moves_text

    preview = shop.lifecycle.preview_rule(key, value)
    if not yes:
        raise fail(t("screens.rule_preview_cli", count=f"{preview.total:,}",
                     moves=moves_text(preview)) if preview.total
                   else t("screens.rule_preview_none_cli"))
    done = shop.lifecycle.set_rule(key, value)
    say(t("screens.rule_applied", key=key, value=value.strip(),
          count=f"{done.total:,}"))
    for (old, new), n in sorted(done.transitions.items(), key=lambda kv: -kv[1]):
        say(f"  {stage_label(old)} → {stage_label(new)}  {n:,}")
