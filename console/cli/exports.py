"""`regulars export …` (customers, purchases, feedback, coupons): whole tables to a
.csv (UTF-8 with a BOM) or .xlsx file, owner only, phones masked unless --full-phone.
Customers, purchases and coupons carry the stable English headers `import` reads back
(db/dumps.py); feedback is the same file `feedback export` writes."""

from __future__ import annotations

from typing import Annotated

import typer

from ..i18n import t
from .common import friendly_errors, opened, say
from .options import DbOpt, FullPhoneOpt, LangOpt, OutputOpt, StaffOpt

export_app = typer.Typer(help="Whole tables to a .csv or .xlsx file (owner only).",
                         no_args_is_help=True)


@export_app.command("customers")
@friendly_errors
def export_customers(output: OutputOpt, full_phone: FullPhoneOpt = False, db: DbOpt = None,
                     staff: StaffOpt = None, lang: LangOpt = None) -> None:
    """Every customer and every field, in columns `import customers` reads back."""
    with opened(db, staff, lang, create=False) as shop:
        count = shop.exports.customers(output, full_phone)
    say(t("export.done", count=count, path=str(output)))


@export_app.command("purchases")
@friendly_errors
def export_purchases(output: OutputOpt, full_phone: FullPhoneOpt = False, db: DbOpt = None,
                     staff: StaffOpt = None, lang: LangOpt = None) -> None:
    """Every purchase and refund: member, time in the shop's zone, amount in yuan."""
    with opened(db, staff, lang, create=False) as shop:
        count = shop.exports.purchases(output, full_phone)
    say(t("export.done", count=count, path=str(output)))


@export_app.command("coupons")
@friendly_errors
def export_coupons(
    output: OutputOpt,
    batch_id: Annotated[str | None, typer.Option(
        help="Only the coupons of this batch (as named at `coupon issue --batch-id`).")] = None,
    db: DbOpt = None, staff: StaffOpt = None, lang: LangOpt = None,
) -> None:
    """Every coupon: code, template, member, status, issued, last day, redeemed, batch."""
    with opened(db, staff, lang, create=False) as shop:
        count = shop.exports.coupons(output, batch_id)
    say(t("export.done", count=count, path=str(output)))


@export_app.command("feedback")
@friendly_errors
def export_feedback(
    output: OutputOpt,
    status: Annotated[str | None, typer.Option(
        help="Only this status: new, reviewing, planned, done or declined.")] = None,
    since: Annotated[str, typer.Option(help="From this day on: YYYY-MM-DD.")] = "",
    supplier: Annotated[str, typer.Option(help="Only items about this supplier.")] = "",
    full_phone: FullPhoneOpt = False, db: DbOpt = None, staff: StaffOpt = None,
    lang: LangOpt = None,
) -> None:
    """Feedback, as `feedback export` writes it. Formulas are never run."""
    from ..exports import write_feedback  # openpyxl: only when a file is written

    with opened(db, staff, lang, create=False) as shop:
        count = write_feedback(shop, output, status, since, supplier, full_phone)
    say(t("export.done", count=count, path=str(output)))
