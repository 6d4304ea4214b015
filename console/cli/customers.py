"""`regulars customer …` (add, find, show) and `regulars tag …` (list, add, rename):
the shop.customers area."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..i18n import level_label, stage_label, t
from ..terminal_text import safe_json
from .common import check_limit, fail, field, friendly_errors, local_minute, opened, say, set_lang
from .options import DbOpt, JsonOpt, LangOpt, LimitOpt, StaffOpt

if TYPE_CHECKING:
    from db.shop import RewardsView
    from db.values import Customer, Hit, Purchase

customer_app = typer.Typer(help="Add, find, show, correct and erase customers.",
                           no_args_is_help=True)
tag_app = typer.Typer(help="Tags: list, add, rename or merge.", no_args_is_help=True)

RECENT_SALES = 10


@customer_app.command("add")
@friendly_errors
def customer_add(
    name: Annotated[str, typer.Option(help="Name, e.g. 王小明.")],
    phone: Annotated[str, typer.Option(help="Phone, e.g. 138 0013 8000.")] = "",
    wechat: Annotated[str, typer.Option(help="WeChat id.")] = "",
    birthday: Annotated[str, typer.Option(help="MM-DD or YYYY-MM-DD.")] = "",
    gender: Annotated[str, typer.Option(help="female or male.")] = "",
    channel: Annotated[str, typer.Option(
        help="counter, wechat_group, official_account, mini_program, referral, other.")
    ] = "counter",
    notes: Annotated[str, typer.Option(help="Free notes.")] = "",
    seed_user: Annotated[bool, typer.Option("--seed-user", help="Seed user / KOC.")] = False,
    consent: Annotated[bool, typer.Option("--consent", help="Agreed to marketing.")] = False,
    referred_by: Annotated[str, typer.Option(
        help="Who referred them: a member code (the referral code) or phone.")] = "",
    db: DbOpt = None, staff: StaffOpt = None, lang: LangOpt = None, json_out: JsonOpt = False,
) -> None:
    """Add a customer. A phone already on file is refused, naming who has it."""
    from db.values import CustomerInput

    with opened(db, staff, lang) as shop:
        customer = shop.customers.add(CustomerInput(
            name=name, phone=phone, wechat_id=wechat, birthday=birthday, gender=gender,
            channel=channel, notes=notes, is_seed_user=seed_user, marketing_consent=consent),
            referred_by)
    if json_out:
        say(safe_json(asdict(customer)))
    else:
        say(t("customer.added", name=customer.name, member_code=customer.member_code))


@customer_app.command("find")
@friendly_errors
def customer_find(
    query: Annotated[str, typer.Argument(help="Phone tail, pinyin, name or member code.")],
    limit: LimitOpt = 50,
    db: DbOpt = None, staff: StaffOpt = None, lang: LangOpt = None, json_out: JsonOpt = False,
) -> None:
    """The lookup screen's search, one row per match (best first)."""
    from db.phones import mask

    set_lang(lang, None)
    check_limit(limit)
    with opened(db, staff, lang, create=False) as shop:
        result = shop.customers.search(query, limit=limit)
    if json_out:
        say(safe_json([hit_json(h) for h in result.hits], indent=2))
        return
    for hint in result.hints:
        say(t(hint), err=True)
    if not result.hits:
        raise fail(t("lookup.no_match", query=query))
    for h in result.hits:
        say(f"{h.member_code}  {mask(h.phone, h.phone_rev):<13} {stage_label(h.stage):<8}"
            f" {field(h.name)}")
    if result.more:
        say(t("lookup.more", count=len(result.hits)), err=True)


def hit_json(h: Hit) -> dict[str, Any]:
    """A row of a list: the phone masked, as on the screen (`customer show` has it whole)."""
    from db.phones import mask

    return {"id": h.id, "member_code": h.member_code, "name": h.name,
            "phone": mask(h.phone, h.phone_rev),
            "stage": h.stage, "lifetime_spend_fen": h.total_spend_fen, "orders": h.orders,
            "last_purchase_at": h.last_visit_at, "exact": h.exact, "points": h.points,
            "level": h.level}


@customer_app.command("show")
@friendly_errors
def customer_show(
    ref: Annotated[str, typer.Argument(help="Member code or phone.")],
    db: DbOpt = None, staff: StaffOpt = None, lang: LangOpt = None, json_out: JsonOpt = False,
) -> None:
    """One customer: profile, consent, spend, rewards, and the recent sales with their
    numbers (the number is what `purchase refund` takes). Audited: it shows everything."""
    with opened(db, staff, lang, create=False) as shop:
        c = shop.customers.show(ref)
        sales = shop.sales.history(c.id, RECENT_SALES)
        total_sales = shop.sales.count(c.id)
        tag_names = shop.customers.tags_of(c.id)
        rewards = shop.rewards.view(c.id)
        added_by, changed_by = shop.staff_name(c.created_by), shop.staff_name(c.updated_by)
        tz, region = shop.timezone, shop.region
    if json_out:
        say(safe_json({**asdict(c), "level": rewards.level, "tags": tag_names,
                       "created_by_name": added_by, "updated_by_name": changed_by,
                       "recent_sales": [asdict(p) for p in sales]}, indent=2))
        return
    for line in customer_lines(c, rewards, tag_names, added_by, changed_by, tz, region):
        say(line)
    say("")
    say(t("cli.recent_sales", shown=len(sales), total=total_sales) if sales
        else t("cli.no_sales"))
    for p in sales:
        say("  " + sale_line(p, tz))
    if any(p.refund_of is None and p.refunded_by is None for p in sales):
        say(t("cli.refund_hint"), err=True)


def customer_lines(c: Customer, rewards: RewardsView, tag_names: list[str], added_by: str,
                   changed_by: str, tz: str, region: str) -> list[str]:
    """What a person needs to know about a customer, in words (no internal columns)."""
    from db.clock import local_date_text
    from db.money import format_fen
    from db.phones import pretty

    def day(iso: str | None) -> str:
        return local_date_text(iso, tz) or "—"

    stage_how = t("customer.stage_manual" if c.stage_source == "manual"
                  else "customer.stage_rule")
    level = level_label(rewards.level)
    if rewards.next_level:
        level += " · " + t("customer.to_next_level", amount=format_fen(rewards.to_next_fen),
                           level=level_label(rewards.next_level))
    consent = consent_text(c, tz)
    rows: list[tuple[str, str]] = [
        (t("field.phone"), pretty(c.phone, region) or "—"),
        (t("field.wechat_id"), field(c.wechat_id or "—")),
        (t("field.birthday"), c.birthday or "—"),
        (t("field.gender"), t(f"gender.{c.gender}") if c.gender else "—"),
        (t("field.channel"), t(f"channel.{c.channel}")),
        (t("column.stage"), t("cli.stage_since", stage=stage_label(c.stage), how=stage_how,
                              date=day(c.stage_since))),
        (t("column.level"), level),
        (t("customer.points"), f"{c.points:,}"),
        (t("customer.lifetime_spend"), format_fen(c.total_spend_fen)),
        (t("customer.orders"), f"{c.orders:,}"),
        (t("customer.aov"), format_fen(c.average_order_fen) if c.orders else "—"),
        (t("customer.first_last"), f"{day(c.first_purchase_at)} … {day(c.last_visit_at)}"),
        (t("customer.rhythm"), t("customer.days", days=f"{c.median_interval_s / 86400:.0f}")
         if c.median_interval_s else "—"),
        (t("field.is_seed_user"), t("cli.yes") if c.is_seed_user else t("cli.no")),
        (t("field.marketing_consent"), consent),
        (t("cli.tags"), " ".join(f"#{field(x)}" for x in tag_names) or "—"),
        (t("customer.referred_by"), f"{field(rewards.referrer.name)} "
         f"({rewards.referrer.member_code})" if rewards.referrer is not None else "—"),
        (t("field.notes"), field(c.notes) or "—"),
        (t("customer.joined"), t("cli.by_staff", date=day(c.created_at), staff=field(added_by))),
        (t("cli.changed"), t("cli.by_staff", date=day(c.updated_at), staff=field(changed_by))),
    ]
    width = max(_width(label) for label, _ in rows)
    head = f"{field(c.name)}  ·  {c.member_code}"
    return [head] + [f"  {label}{' ' * (width - _width(label))}  {value}" for label, value in rows]


def consent_text(c: Customer, tz: str) -> str:
    """Marketing consent, when it was last given or withdrawn, and where."""
    if not c.consent_at:
        return t("customer.consent_no")
    return t("customer.consent_detail", state=t("cli.yes" if c.marketing_consent else "cli.no"),
             when=local_minute(c.consent_at, tz),
             source=t(f"consent_source.{c.consent_source}") if c.consent_source else "—")


def sale_line(p: Purchase, tz: str) -> str:
    """#12  2026-11-20 18:30      ¥58.50  蛋挞 ×2  · owner  (refunded by #14)"""
    from db.money import format_fen

    note = (t("cli.refund_of", id=p.refund_of) if p.refund_of is not None
            else t("cli.refunded_by", id=p.refunded_by) if p.refunded_by is not None else "")
    items = field(p.items)
    return (f"#{p.id:<6} {local_minute(p.at, tz)}  {format_fen(p.amount_fen):>12}  "
            f"{items}{'  ' if items else ''}· {field(p.staff)}{'  ' + note if note else ''}")


def _width(text: str) -> int:
    """Columns a label takes in a terminal: CJK characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# -- tags -----------------------------------------------------------------------------------

@tag_app.command("list")
@friendly_errors
def tag_list(db: DbOpt = None, staff: StaffOpt = None, lang: LangOpt = None,
             json_out: JsonOpt = False) -> None:
    """Every tag and how many customers carry it."""
    with opened(db, staff, lang, create=False) as shop:
        found = shop.customers.all_tags()
    if json_out:
        say(safe_json([asdict(x) for x in found]))
        return
    if not found:
        say(t("cli.no_tags"), err=True)
    for tag in found:
        say(f"{tag.customers:>8,}  #{field(tag.name)}")


@tag_app.command("add")
@friendly_errors
def tag_add(customer: Annotated[str, typer.Option(help="Member code or phone.")],
            tag: Annotated[str, typer.Argument(help="The tag, e.g. 团购.")],
            db: DbOpt = None, staff: StaffOpt = None, lang: LangOpt = None) -> None:
    """Tag a customer (the tag is created if new; sensitive tags are refused)."""
    with opened(db, staff, lang, create=False) as shop:
        name = shop.customers.add_tag(shop.customers.find(customer).id, tag)
    say(f"#{name}")


@tag_app.command("rename")
@friendly_errors
def tag_rename(old: str, new: str, db: DbOpt = None, staff: StaffOpt = None,
               lang: LangOpt = None) -> None:
    """Rename a tag; renaming onto an existing tag merges the two."""
    with opened(db, staff, lang, create=False) as shop:
        name = shop.customers.rename_tag(old, new)
    say(t("tags.renamed", old=old, new=name))
