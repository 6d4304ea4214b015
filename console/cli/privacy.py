"""`regulars customer edit | consent | export-personal | erase`: correcting a customer's
details, their marketing consent, handing them everything held about them, and erasing
them (the shop.customers area; the rules and the audit rows are in db/)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..i18n import t
from .common import fail, field, friendly_errors, opened, say
from .customers import consent_text, customer_app
from .options import DbOpt, LangOpt, StaffOpt

if TYPE_CHECKING:
    from db.values import Customer, ErasePlan

RefArg = Annotated[str, typer.Argument(help="Member code or phone.")]
# what `customer edit` can change, as the form's fields (CustomerInput) and their options
EDITABLE = ("name", "phone", "wechat_id", "birthday", "gender", "channel", "notes")


def _values(c: Customer) -> dict[str, str]:
    data = c.as_input()
    return {name: str(getattr(data, name)) for name in EDITABLE}


@customer_app.command("edit")
@friendly_errors
def customer_edit(
    ref: RefArg,
    name: Annotated[str | None, typer.Option(help="The name, e.g. 王小明.")] = None,
    phone: Annotated[str | None, typer.Option(
        help="The phone, e.g. 138 0013 8000 (\"\" removes it if a WeChat id is kept).")] = None,
    wechat: Annotated[str | None, typer.Option(help="The WeChat id (\"\" removes it).")] = None,
    birthday: Annotated[str | None, typer.Option(
        help="MM-DD or YYYY-MM-DD (\"\" removes it).")] = None,
    gender: Annotated[str | None, typer.Option(help="female, male, or \"\".")] = None,
    channel: Annotated[str | None, typer.Option(
        help="counter, wechat_group, official_account, mini_program, referral, other.")
    ] = None,
    notes: Annotated[str | None, typer.Option(help="Free notes (replace the old ones).")] = None,
    db: DbOpt = None, staff: StaffOpt = None, lang: LangOpt = None,
) -> None:
    """Correct a customer's details, checked as the customer form checks them; prints
    what changed. Options left out stay as they are."""
    given = {"name": name, "phone": phone, "wechat_id": wechat, "birthday": birthday,
             "gender": gender, "channel": channel, "notes": notes}
    changes = {k: v for k, v in given.items() if v is not None}
    if not changes:
        raise fail(t("cli.edit_nothing"), 2)
    with opened(db, staff, lang, create=False) as shop:
        before = shop.customers.find(ref)
        data = before.as_input()
        for key, value in changes.items():
            setattr(data, key, value)
        after = shop.customers.update(before.id, data)
    old, new = _values(before), _values(after)
    changed = [key for key in EDITABLE if old[key] != new[key]]
    if not changed:
        say(t("cli.edit_same", name=field(after.name), member_code=after.member_code))
        return
    say(t("cli.edit_changed", member_code=after.member_code,
          fields=t("cli.list_sep").join(t(f"field.{key}") for key in changed)))


@customer_app.command("consent")
@friendly_errors
def customer_consent(
    ref: RefArg,
    given: Annotated[bool | None, typer.Option(
        "--given/--withdrawn", help="Agreed to marketing, or withdrew it.",
        show_default=False)] = None,
    source: Annotated[str, typer.Option(
        help="Where: counter, paper_form, wechat, mini_program, import, other.")
    ] = "counter",
    db: DbOpt = None, staff: StaffOpt = None, lang: LangOpt = None,
) -> None:
    """Record marketing consent, given or withdrawn, now, and where it was said; without
    --given or --withdrawn, say what is on record."""
    with opened(db, staff, lang, create=False) as shop:
        c = shop.customers.find(ref)
        if given is None:
            say(t("cli.consent_now", member_code=c.member_code,
                  consent=consent_text(c, shop.timezone)))
            return
        c = shop.customers.set_consent(c.id, given, source)
    key = "cli.consent_given" if given else "cli.consent_withdrawn"
    say(t(key, member_code=c.member_code, source=t(f"consent_source.{c.consent_source}")))


@customer_app.command("export-personal")
@friendly_errors
def customer_export_personal(
    ref: RefArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="A .json file.")],
    db: DbOpt = None, staff: StaffOpt = None, lang: LangOpt = None,
) -> None:
    """Everything held about one customer, as JSON (owner only; audited): profile,
    consent, tags, purchases, points, coupons, feedback, referrals, stage history."""
    with opened(db, staff, lang, create=False) as shop:
        c = shop.customers.find(ref)
        written = shop.customers.export_personal(c.id, output)
    say(t("cli.personal_written", member_code=c.member_code, path=str(written)))


@customer_app.command("erase")
@friendly_errors
def customer_erase(
    ref: RefArg,
    yes: Annotated[bool, typer.Option("--yes", help="Erase it: this cannot be undone.")] = False,
    db: DbOpt = None, staff: StaffOpt = None, lang: LangOpt = None,
) -> None:
    """Erase a customer (owner only): name, phone, WeChat id, birthday, gender, notes,
    tags and feedback words go; purchases, points and coupons stay as anonymous figures.
    Without --yes, prints what would go and erases nothing."""
    with opened(db, staff, lang, create=False) as shop:
        c = shop.customers.find(ref)
        plan = shop.customers.erase_plan(c.id)
        if not yes:
            for line in plan_lines(plan):
                say(line)
            raise fail(t("cli.erase_add_yes"))
        done = shop.customers.erase(c.id)
    say(t("cli.erased", member_code=done.plan.member_code))
    if not done.scrubbed:
        say(t("cli.erase_not_scrubbed"), err=True)
    say(t("cli.erase_backups"), err=True)


def plan_lines(plan: ErasePlan) -> list[str]:
    """What an erase removes and what stays, in words."""
    lines = [t("cli.erase_head", member_code=plan.member_code)]
    if plan.fields:
        lines.append(t("cli.erase_fields", fields=t("cli.list_sep").join(
            t(f"field.{f}") for f in plan.fields)))
    for key, count in (("cli.erase_tags", plan.tags), ("cli.erase_feedback", plan.feedback),
                       ("cli.erase_texts", plan.texts)):
        if count:
            lines.append(t(key, count=count))
    if len(lines) == 1:
        lines.append(t("cli.erase_nothing_personal"))
    if plan.kept:
        lines.append(t("cli.erase_kept", kept=t("cli.list_sep").join(
            t(f"cli.erase_kind.{kind}", count=n) for kind, n in plan.kept.items())))
    return lines
