"""`regulars lifecycle …` (recompute, at-risk): the shop.lifecycle area."""

from __future__ import annotations

from typing import Annotated

import typer

from ..i18n import stage_label, t
from ..terminal_text import safe_json
from .common import check_limit, field, friendly_errors, opened, say, set_lang
from .customers import hit_json
from .options import DbOpt, JsonOpt, LangOpt, LimitOpt, StaffOpt

lifecycle_app = typer.Typer(help="Lifecycle stages: recompute, at risk.", no_args_is_help=True)


@lifecycle_app.command("recompute")
@friendly_errors
def lifecycle_recompute(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only show what would move.")
                       ] = False,
    db: DbOpt = None, staff: StaffOpt = None, lang: LangOpt = None, json_out: JsonOpt = False,
) -> None:
    """Let the clock move stages (the console also does this once a day on start)."""
    with opened(db, staff, lang, create=False) as shop:
        result = shop.lifecycle.recompute(dry_run=dry_run)
    moves = sorted(result.transitions.items(), key=lambda kv: -kv[1])
    if json_out:
        say(safe_json({"dry_run": dry_run, "changed": result.total, "transitions": [
            {"from": a, "to": b, "customers": n} for (a, b), n in moves]}))
        return
    say(t("lifecycle.dry_run" if dry_run else "lifecycle.done", count=result.total))
    for (old, new), n in moves:
        say(f"  {stage_label(old)} → {stage_label(new)}  {n:,}")


@lifecycle_app.command("at-risk")
@friendly_errors
def lifecycle_at_risk(
    limit: LimitOpt = 50,
    db: DbOpt = None, staff: StaffOpt = None, lang: LangOpt = None, json_out: JsonOpt = False,
) -> None:
    """Trust customers past their usual interval: the people to contact today."""
    from db.clock import local_date_text
    from db.money import format_fen
    from db.phones import mask

    set_lang(lang, None)
    check_limit(limit)
    with opened(db, staff, lang, create=False) as shop:
        hits = shop.lifecycle.at_risk(limit)
        median = shop.lifecycle.median_trust_period()
        tz = shop.timezone
    if json_out:
        say(safe_json([hit_json(h) for h in hits], indent=2))
        return
    for h in hits:
        say(f"{h.member_code}  {mask(h.phone, h.phone_rev):<13} "
            f"{format_fen(h.total_spend_fen):>12}  "
            f"{local_date_text(h.last_visit_at, tz):<10}  {field(h.name)}")
    say(t("at_risk.summary", count=len(hits),
          median=f"{median:.0f}" if median is not None else "—"), err=True)
