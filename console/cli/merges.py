"""`regulars customer duplicates` and `regulars customer merge KEEP OTHER`: the
shop.customers area's possible duplicates and its merge (owner only)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from ..i18n import t
from ..terminal_text import safe_json
from .common import check_limit, fail, friendly_errors, opened, say
from .customers import customer_app
from .options import CUSTOMERS_MAX, DbOpt, JsonOpt, LangOpt, LimitOpt, StaffOpt

if TYPE_CHECKING:
    from db.values import Customer

MergeYesOpt = Annotated[bool, typer.Option(
    "--yes", help="Merge without asking (needed when no terminal can ask).")]


def _who(c: Customer) -> str:
    from db.money import format_fen
    from db.phones import mask

    return (f"{c.member_code}  {c.name}  {mask(c.phone, c.phone_rev) or c.wechat_id or ''}"
            f"  {format_fen(c.total_spend_fen)}")


def can_ask() -> bool:
    """A person at a terminal can answer y/N (a script or a pipe cannot)."""
    return sys.stdin.isatty()


def what_moves(plan: dict[str, int]) -> str:
    """'3 purchases, 1 coupons, …' in the reader's language."""
    return ", ".join(f"{n} {t(f'merge.rows.{table}')}" for table, n in plan.items())


@customer_app.command("duplicates")
@friendly_errors
def customer_duplicates(
    limit: LimitOpt = 50,
    offset: Annotated[int, typer.Option(min=0, max=CUSTOMERS_MAX,
                                        help="Skip this many pairs (the next page).")
                      ] = 0,
    db: DbOpt = None, staff: StaffOpt = None, lang: LangOpt = None, json_out: JsonOpt = False,
) -> None:
    """Pairs of customers that look like one person written twice, with the reasons.
    `customer merge KEEP OTHER` makes them one."""
    from db.phones import mask

    check_limit(limit)
    with opened(db, staff, lang, create=False) as shop:
        found = shop.customers.duplicates(limit, offset)
    if json_out:
        say(safe_json([{"reasons": list(p.reasons), "customers": [
            {"id": c.id, "member_code": c.member_code, "name": c.name,
             "phone": mask(c.phone, c.phone_rev), "wechat_id": c.wechat_id,
             "birthday": c.birthday} for c in (p.first, p.second)]} for p in found],
            indent=2))
        return
    if not found:
        say(t("duplicates.none"))
        return
    for p in found:
        say("; ".join(t(f"duplicates.reason.{r}") for r in p.reasons))
        say("  " + _who(p.first))
        say("  " + _who(p.second))


@customer_app.command("merge")
@friendly_errors
def customer_merge(
    keep: Annotated[str, typer.Argument(help="The customer who stays: member code or phone.")],
    other: Annotated[str, typer.Argument(
        help="The customer merged into KEEP and then gone: member code or phone.")],
    yes: MergeYesOpt = False,
    db: DbOpt = None, staff: StaffOpt = None, lang: LangOpt = None, json_out: JsonOpt = False,
) -> None:
    """Make two customers one (owner only): OTHER's purchases, points, coupons, feedback,
    referrals, tags and history move to KEEP, and OTHER is gone. Asks once, or --yes."""
    with opened(db, staff, lang, create=False) as shop:
        k, o = shop.customers.find(keep), shop.customers.find(other)
        plan = shop.customers.merge_plan(k.id, o.id)  # refuses staff and a self-merge
        if not yes:
            say(t("merge.heading", other=o.member_code, keep=k.member_code))
            say(f"  {t('merge.keep')}: {_who(k)}")
            say(f"  {t('merge.other')}: {_who(o)}")
            say("  " + (t("merge.moves", member_code=k.member_code, what=what_moves(plan))
                        if plan else t("merge.nothing_moves", member_code=o.member_code)))
            if not can_ask():
                raise fail(t("merge.needs_yes"))
            if not typer.confirm(t("merge.ask"), default=False):
                raise fail(t("merge.cancelled"))
        done = shop.customers.merge(k.id, o.id)
    if json_out:
        say(safe_json({"keep": {"id": done.keep_id, "member_code": done.keep_code},
                       "other": {"id": done.other_id, "member_code": done.other_code},
                       "moved": done.moved, "dropped_referrals": list(done.dropped_referrals),
                       "filled": list(done.filled)}, indent=2))
        return
    say(t("merge.done", other_code=done.other_code, keep_code=done.keep_code, name=k.name))
    if done.moved:
        say("  " + what_moves(done.moved))
    if done.dropped_referrals:
        say("  " + t("merge.dropped", count=len(done.dropped_referrals)))
