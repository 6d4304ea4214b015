"""`regulars coupon …`: templates, issue (to one customer, or a batch to a filter),
redeem, export a batch, void, show: the shop.coupons and shop.campaigns areas."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated

import typer

from db.errors import RegularsError

from ..i18n import t
from ..terminal_text import safe_json
from .common import fail, field, friendly_errors, opened, say, unusual_sale_guard
from .options import DbOpt, FullPhoneOpt, JsonOpt, LangOpt, OutputOpt, StaffOpt, YesOpt

if TYPE_CHECKING:
    from db.shop import Shop
    from db.values import Audience, Issued, Plan

coupon_app = typer.Typer(help="Coupons: templates, issue, redeem, show.", no_args_is_help=True)
coupon_template_app = typer.Typer(help="Coupon templates (owner).", no_args_is_help=True)
coupon_app.add_typer(coupon_template_app, name="template")


@coupon_template_app.command("add")
@friendly_errors
def coupon_template_add(
    name: Annotated[str, typer.Option(help="What staff see, e.g. 满50减10.")],
    kind: Annotated[str, typer.Option(help="amount, percent or gift.")],
    value: Annotated[str, typer.Option(help="Yuan off, or the percent off.")] = "",
    cap: Annotated[str, typer.Option(help="Most yuan a percent coupon takes off.")] = "",
    gift: Annotated[str, typer.Option(help="The gift item, for a gift coupon.")] = "",
    min_spend: Annotated[str, typer.Option(help="Minimum sale in yuan.")] = "",
    valid_days: Annotated[int | None, typer.Option(help="Valid for N local days.")] = None,
    until: Annotated[str | None, typer.Option(help="Or valid until YYYY-MM-DD.")] = None,
    per_customer: Annotated[int, typer.Option(help="How many one customer may hold.")] = 1,
    transferable: Annotated[bool, typer.Option(
        "--transferable", help="Anyone may use it (bound to the customer otherwise).")] = False,
    db: DbOpt = None, staff: StaffOpt = None, lang: LangOpt = None,
) -> None:
    """Define a coupon."""
    with opened(db, staff, lang, create=False) as shop:
        made = shop.coupons.add_template(
            name, kind, value=value, cap=cap, gift=gift, min_spend=min_spend,
            valid_days=valid_days, valid_until=until, per_customer=per_customer,
            transferable=transferable)
    say(t("coupon.template_added", name=made.name))


@coupon_template_app.command("list")
@friendly_errors
def coupon_template_list(db: DbOpt = None, staff: StaffOpt = None, lang: LangOpt = None,
                         json_out: JsonOpt = False) -> None:
    """The shop's coupon templates."""
    with opened(db, staff, lang, create=False) as shop:
        found = shop.coupons.templates()
    if json_out:
        say(safe_json([asdict(x) for x in found]))
        return
    if not found:
        say(t("cli.no_templates"), err=True)
    for x in found:
        say(f"{field(x.name)}\t{x.kind}\t{x.valid_days or x.valid_until}\t"
            f"{'' if x.active else '(off)'}")


@coupon_app.command("issue")
@friendly_errors
def coupon_issue(
    template: Annotated[str, typer.Option(help="Template name.")],
    customer: Annotated[str, typer.Option(
        help="One customer: member code or phone. Leave out to issue to a filter.")] = "",
    stage: Annotated[str | None, typer.Option(help="initial, trust, decline or dormant.")
                     ] = None,
    tag: Annotated[str | None, typer.Option(help="Customers with this tag.")] = None,
    at_risk: Annotated[bool, typer.Option("--at-risk", help="Trust customers overdue.")
                       ] = False,
    birthday_within: Annotated[int | None, typer.Option(
        help="Birthday from today to N days ahead.")] = None,
    seed_users: Annotated[bool, typer.Option("--seed-users", help="Seed users / KOCs.")
                          ] = False,
    spend_between: Annotated[str | None, typer.Option(
        help="Lifetime spend in yuan, MIN,MAX (either end may be empty).")] = None,
    reason: Annotated[str, typer.Option(
        help="manual, winback, birthday, referral, apology or other.")] = "manual",
    batch_id: Annotated[str, typer.Option(
        help="Name the batch; running it again issues nothing twice"
             " (default: template + filter + reason + today).")] = "",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count only, issue nothing.")
                       ] = False,
    db: DbOpt = None, staff: StaffOpt = None, lang: LangOpt = None, json_out: JsonOpt = False,
) -> None:
    """Give one customer a coupon, or everyone a filter selects; prints the new codes."""
    from db.values import Audience, parse_spend_between

    low, high = parse_spend_between(spend_between) if spend_between else (None, None)
    who = Audience(stage, tag, at_risk, birthday_within, seed_users, low, high)
    with opened(db, staff, lang, create=False) as shop:
        if customer.strip():
            if not who.everyone:
                raise fail(t("batch.customer_or_filter"), 2)
            one = shop.customers.find(customer)
            if dry_run:
                raise fail(t("batch.dry_run_one"), 2)
            made = shop.coupons.issue(template, one.id, reason, batch_id or None)
            issued = [] if made is None else [
                {"code": made.code, "customer_id": made.customer_id,
                 "expires_at": made.expires_at}]
        else:
            plan = shop.campaigns.plan(template, who, reason, batch_id)
            say(t("batch.plan", batch=plan.batch_id, matched=plan.matched,
                  to_issue=plan.to_issue, already=plan.already,
                  at_limit=plan.at_limit, no_consent=plan.no_consent), err=True)
            if dry_run:
                if json_out:
                    say(safe_json(asdict(plan)))
                return
            issued = [i.as_json() for i in _issue_with_progress(shop, who, reason, plan)]
    if json_out:
        say(safe_json(issued))
    else:
        for row in issued:
            say(str(row["code"]))  # a code is text; as_json types its values as object


def _issue_with_progress(shop: Shop, who: Audience, reason: str, plan: Plan) -> list[Issued]:
    """The batch, with a progress bar on stderr (stdout stays the codes)."""
    import sys

    if plan.to_issue == 0:
        return []
    with typer.progressbar(length=max(plan.matched, 1), label=t("batch.progress"),
                           file=sys.stderr) as bar:
        def moved(done: int, total: int) -> None:
            bar.update(done - bar.pos)

        return list(shop.campaigns.issue_batch(plan.template, who, reason, plan.batch_id, moved,
                                               shown=plan)[1])


@coupon_app.command("redeem")
@friendly_errors
def coupon_redeem(
    code: str,
    amount: Annotated[str, typer.Option(help="The sale in yuan, before the discount.")],
    customer: Annotated[str, typer.Option(
        help="Who is paying (default: the coupon's owner).")] = "",
    yes: YesOpt = False,
    db: DbOpt = None, staff: StaffOpt = None, lang: LangOpt = None,
) -> None:
    """Use a coupon against a sale: exit 0 when it is used, otherwise the reason."""
    from db.money import format_fen

    with opened(db, staff, lang, create=False) as shop:
        try:
            who = shop.customers.find(customer).id if customer.strip() else None
            used, sale = shop.coupons.redeem(code, amount, who, confirmed=yes)
        except RegularsError as exc:
            unusual_sale_guard(exc)
            raise
    say(t("coupon.redeemed", code=used.code, off=format_fen(used.discount_fen or 0),
          paid=format_fen(sale.amount_fen)))


@coupon_app.command("export")
@friendly_errors
def coupon_export(
    batch_id: Annotated[str, typer.Option(help="The batch to export.")],
    output: OutputOpt, full_phone: FullPhoneOpt = False, db: DbOpt = None, staff: StaffOpt = None,
    lang: LangOpt = None,
) -> None:
    """A batch's codes with names, to send through WeChat or WeCom."""
    from ..exports import write_batch

    with opened(db, staff, lang, create=False) as shop:
        count = write_batch(shop, batch_id, output, full_phone)
    say(t("export.done", count=count, path=str(output)))


@coupon_app.command("void")
@friendly_errors
def coupon_void(code: str, reason: Annotated[str, typer.Option(help="Why, for the record.")],
                db: DbOpt = None, staff: StaffOpt = None, lang: LangOpt = None) -> None:
    """Void an unused coupon (owner only)."""
    with opened(db, staff, lang, create=False) as shop:
        done = shop.coupons.void(code, reason)
    say(t("coupon.voided_now", code=done.code))


@coupon_app.command("show")
@friendly_errors
def coupon_show(code: str, db: DbOpt = None, staff: StaffOpt = None, lang: LangOpt = None) -> None:
    """A coupon's template, owner, validity and state."""
    with opened(db, staff, lang, create=False) as shop:
        found = shop.coupons.get(code)
    say(safe_json(asdict(found), indent=2))
