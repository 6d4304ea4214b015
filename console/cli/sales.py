"""`regulars purchase …` (add, refund): the shop.sales area."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from db.errors import RegularsError

from ..i18n import stage_label, t
from ..terminal_text import safe_json
from .common import friendly_errors, opened, say, unusual_sale_guard
from .options import DbOpt, JsonOpt, LangOpt, StaffOpt, YesOpt

purchase_app = typer.Typer(help="Record sales and refunds.", no_args_is_help=True)


@purchase_app.command("add")
@friendly_errors
def purchase_add(
    customer: Annotated[str, typer.Option(help="Member code or phone.")],
    amount: Annotated[str, typer.Option(help="Amount in yuan, e.g. 58.50.")],
    at: Annotated[str, typer.Option(
        help="When, in the shop's time: YYYY-MM-DD [HH:MM] (default: now).")] = "",
    note: Annotated[str, typer.Option(help="Items or a note.")] = "",
    use_points: Annotated[str, typer.Option(
        "--points", help="Pay part with this many points (the sale records what is left).")
    ] = "",
    yes: YesOpt = False,
    db: DbOpt = None, staff: StaffOpt = None, lang: LangOpt = None, json_out: JsonOpt = False,
) -> None:
    """Record a sale. Lifetime spend, points and the stage move at once. A sale far above
    this shop's usual ones (setting sales.confirm_above_yuan) needs --yes."""
    from db.money import format_fen

    with opened(db, staff, lang, create=False) as shop:
        try:
            who = shop.customers.find(customer)
            sale = (shop.sales.record_with_points(who.id, amount, use_points, note, at,
                                                  confirmed=yes)
                    if use_points.strip() else shop.sales.record(who.id, amount, note, at,
                                                                 confirmed=yes))
            after = shop.customers.get(who.id)
        except RegularsError as exc:
            unusual_sale_guard(exc)
            raise
    if json_out:
        say(safe_json({**asdict(sale), "stage": after.stage,
                       "lifetime_spend_fen": after.total_spend_fen,
                       "points": after.points}))
    else:
        say(t("purchase.added", id=sale.id, amount=format_fen(sale.amount_fen),
              name=after.name, total=format_fen(after.total_spend_fen),
              stage=stage_label(after.stage)))


@purchase_app.command("refund")
@friendly_errors
def purchase_refund(
    purchase_id: Annotated[int, typer.Argument(help="The sale's number.")],
    reason: Annotated[str, typer.Option(help="Why (kept with the refund).")] = "",
    db: DbOpt = None, staff: StaffOpt = None, lang: LangOpt = None,
) -> None:
    """Refund a sale in full by appending its negative twin (nothing is deleted)."""
    from db.money import format_fen

    with opened(db, staff, lang, create=False) as shop:  # db/ refuses an id past int64
        r = shop.sales.refund(purchase_id, reason)
        after = shop.customers.get(r.customer_id)
    say(t("purchase.refunded", id=purchase_id, amount=format_fen(-r.amount_fen),
          total=format_fen(after.total_spend_fen), stage=stage_label(after.stage)))
