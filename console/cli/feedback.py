"""`regulars feedback …` (add, export): the shop.feedback area."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from ..i18n import t
from ..terminal_text import safe_json
from .common import friendly_errors, opened, say
from .options import DbOpt, FullPhoneOpt, JsonOpt, LangOpt, OutputOpt, StaffOpt

feedback_app = typer.Typer(help="Customer feedback for the owner to act on.",
                           no_args_is_help=True)


@feedback_app.command("add")
@friendly_errors
def feedback_add(
    category: Annotated[str, typer.Option(
        help="quality, assortment, supply, price, service or other.")],
    text: Annotated[str, typer.Option(help="The customer's words, as they said them.")],
    customer: Annotated[str, typer.Option(
        help="Member code or phone (default: an anonymous customer).")] = "",
    product: Annotated[str, typer.Option(help="Product it is about (added if new).")] = "",
    supplier: Annotated[str, typer.Option(help="Supplier it is about (added if new).")] = "",
    sentiment: Annotated[str, typer.Option(help="praise, neutral or complaint.")] = "neutral",
    db: DbOpt = None, staff: StaffOpt = None, lang: LangOpt = None, json_out: JsonOpt = False,
) -> None:
    """Write down what a customer said, for the owner's inbox."""
    with opened(db, staff, lang, create=False) as shop:
        who = shop.customers.find(customer).id if customer.strip() else None
        item = shop.feedback.add(who, category, text, sentiment, product, supplier)
    if json_out:
        say(safe_json(asdict(item)))
    else:
        say(t("feedback.added", id=item.id, status=item.status))


@feedback_app.command("export")
@friendly_errors
def feedback_export(
    output: OutputOpt,
    status: Annotated[str | None, typer.Option(
        help="Only this status: new, reviewing, planned, done or declined.")] = None,
    since: Annotated[str, typer.Option(help="From this day on: YYYY-MM-DD.")] = "",
    supplier: Annotated[str, typer.Option(help="Only items about this supplier.")] = "",
    full_phone: FullPhoneOpt = False, db: DbOpt = None, staff: StaffOpt = None,
    lang: LangOpt = None,
) -> None:
    """Feedback to a spreadsheet, e.g. for a supplier. Formulas are never run."""
    from ..exports import write_feedback  # openpyxl: only when a file is written

    with opened(db, staff, lang, create=False) as shop:
        count = write_feedback(shop, output, status, since, supplier, full_phone)
    say(t("export.done", count=count, path=str(output)))
