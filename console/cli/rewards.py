"""`regulars points …` (show, spend, adjust, opening) and `regulars referral …` (add,
show, leaderboard): the shop.rewards area."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from ..i18n import level_label, t
from ..terminal_text import safe_json
from .common import (
    check_limit,
    fail,
    field,
    friendly_errors,
    local_minute,
    opened,
    say,
    set_lang,
)
from .options import LIMIT_MAX, DbOpt, JsonOpt, LangOpt, LimitOpt, StaffOpt

points_app = typer.Typer(help="Points: balance and ledger, spend, adjust, opening balance.",
                         no_args_is_help=True)
referral_app = typer.Typer(help="Referrals: register, show, leaderboard.", no_args_is_help=True)

PointsOpt = Annotated[str, typer.Option("--points", help="How many points.")]
ReasonOpt = Annotated[str, typer.Option(help="Why, in a few words (kept in the ledger).")]


@points_app.command("show")
@friendly_errors
def points_show(
    customer: Annotated[str, typer.Argument(help="Member code or phone.")],
    limit: Annotated[int, typer.Option(
        help=f"Ledger rows, newest first (1 to {LIMIT_MAX:,}).")] = 20,
    db: DbOpt = None, staff: StaffOpt = None, lang: LangOpt = None, json_out: JsonOpt = False,
) -> None:
    """Balance, member level and the latest ledger rows (times in the shop's timezone)."""
    set_lang(lang, None)
    check_limit(limit)
    with opened(db, staff, lang, create=False) as shop:
        who = shop.customers.find(customer)
        rows = shop.rewards.points_history(who.id, limit)
        level = shop.rewards.level_of(who.total_spend_fen)
        tz = shop.timezone
    if json_out:
        say(safe_json({"customer_id": who.id, "points": who.points, "level": level,
                       "ledger": [asdict(r) for r in rows]}))
        return
    say(t("points.summary", name=field(who.name), points=who.points,
          level=level_label(level)))
    for r in rows:
        say(f"{local_minute(r.at, tz)}  {r.delta:>+7}  {r.balance_after:>7}  "
            f"{t(f'points.kind.{r.kind}'):<9} {field(r.reason)}")


def _points_change(action: str, customer: str, amount: str, reason: str, db: Path | None,
                   staff: str | None, lang: str | None) -> None:
    with opened(db, staff, lang, create=False) as shop:
        who = shop.customers.find(customer)
        entry = {"spend": shop.rewards.spend_points, "adjust": shop.rewards.adjust_points,
                 "opening": shop.rewards.opening_points}[action](who.id, amount, reason)
    say(t("points.posted", delta=f"{entry.delta:+d}", balance=entry.balance_after,
          name=who.name))


@points_app.command("spend")
@friendly_errors
def points_spend(customer: Annotated[str, typer.Argument(help="Member code or phone.")],
                 amount: PointsOpt, reason: ReasonOpt, db: DbOpt = None,
                 staff: StaffOpt = None, lang: LangOpt = None) -> None:
    """Spend points on a gift or a favour; refused (exit 1) when the balance is short."""
    _points_change("spend", customer, amount, reason, db, staff, lang)


@points_app.command("adjust")
@friendly_errors
def points_adjust(customer: Annotated[str, typer.Argument(help="Member code or phone.")],
                  amount: Annotated[str, typer.Option(
                      "--points", help="Points to add, or take with a minus: -50.")],
                  reason: ReasonOpt, db: DbOpt = None, staff: StaffOpt = None,
                  lang: LangOpt = None) -> None:
    """The owner's correction, with a reason."""
    _points_change("adjust", customer, amount, reason, db, staff, lang)


@points_app.command("opening")
@friendly_errors
def points_opening(customer: Annotated[str, typer.Argument(help="Member code or phone.")],
                   amount: PointsOpt, reason: ReasonOpt = "", db: DbOpt = None,
                   staff: StaffOpt = None, lang: LangOpt = None) -> None:
    """The balance a customer brings from the old system (once per customer, owner)."""
    _points_change("opening", customer, amount, reason, db, staff, lang)


# -- referrals ------------------------------------------------------------------------------

@referral_app.command("add")
@friendly_errors
def referral_add(
    customer: Annotated[str, typer.Argument(help="The new customer (member code or phone).")],
    by: Annotated[str, typer.Option("--by", help="Who referred them: member code or phone.")],
    db: DbOpt = None, staff: StaffOpt = None, lang: LangOpt = None,
) -> None:
    """Record who referred a customer who has not bought anything yet."""
    with opened(db, staff, lang, create=False) as shop:
        who = shop.customers.find(customer)
        shop.rewards.register_referral(who.id, by)
        referrer, _ = shop.rewards.referral_links(who.id)
    assert referrer is not None
    say(t("referral.added", name=who.name, referrer=referrer.name))


@referral_app.command("show")
@friendly_errors
def referral_show(
    customer: Annotated[str, typer.Argument(help="Member code or phone.")],
    db: DbOpt = None, staff: StaffOpt = None, lang: LangOpt = None, json_out: JsonOpt = False,
) -> None:
    """Who referred this customer, and whom they referred, with each reward's status."""
    with opened(db, staff, lang, create=False) as shop:
        who = shop.customers.find(customer)
        referrer, referees = shop.rewards.referral_links(who.id)
    if json_out:
        say(safe_json({"referred_by": asdict(referrer) if referrer else None,
                       "referred": [asdict(x) for x in referees]}))
        return
    if referrer is None and not referees:
        say(t("cli.no_referrals", name=field(who.name)), err=True)
    if referrer is not None:
        say(t("referral.by", name=field(referrer.name), code=referrer.member_code))
    for x in referees:
        say(f"{x.member_code}  {t(f'referral.status.{x.status}'):<10} "
            f"{x.reward_points:>6}  {field(x.name)}")


@referral_app.command("leaderboard")
@friendly_errors
def referral_leaderboard(
    period: Annotated[str, typer.Option(help="this_month, last_month or all.")] = "all",
    by: Annotated[str, typer.Option(help="qualified (referrals) or spend (referees').")
                  ] = "qualified",
    limit: LimitOpt = 20,
    db: DbOpt = None, staff: StaffOpt = None, lang: LangOpt = None, json_out: JsonOpt = False,
) -> None:
    """Top referrers: the candidates for seed users and KOCs."""
    from db.money import format_fen

    set_lang(lang, None)
    check_limit(limit)
    if period not in ("this_month", "last_month", "all") or by not in ("qualified", "spend"):
        raise fail(t("referral.board_options"), 2)
    with opened(db, staff, lang, create=False) as shop:
        rows = shop.rewards.leaderboard(period, by, limit)
    if json_out:
        say(safe_json([asdict(r) for r in rows]))
        return
    if not rows:
        say(t("leaderboard.empty"), err=True)
    for rank, r in enumerate(rows, 1):
        say(f"{rank:>3}. {r.member_code}  {r.qualified:>4}  "
            f"{format_fen(r.referees_spend_fen):>12}  {field(r.name)}")
