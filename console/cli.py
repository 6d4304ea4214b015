"""The `regulars` command. Thin: parse, call db/ through Shop, print, pick an exit code.

Every subcommand takes ``--db PATH`` and ``--staff NAME`` after its name. Errors
print one plain sentence to stderr and exit non-zero; no tracebacks.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from db import gate
from db.errors import RegularsError

from . import paths
from .i18n import (
    choose_language,
    error_text,
    has_message,
    level_label,
    set_language,
    stage_label,
    t,
)
from .terminal_text import safe_json, undecodable, visible, visible_field

F = TypeVar("F", bound=Callable[..., Any])
LIMIT_MAX = 1000  # --limit: rows a command prints
CUSTOMERS_MAX = 10_000_000  # --customers: demo and seed

app = typer.Typer(
    name="regulars", no_args_is_help=False, add_completion=False,
    pretty_exceptions_enable=False, rich_markup_mode=None,
    help="Regulars (熟客): find, add and look after a shop's regular customers.\n\n"
         "With no command, opens the console. --db, --staff and --lang given before a"
         " command apply to every command (the command's own option, if given too, wins).")
customer_app = typer.Typer(help="Add, find and show customers.", no_args_is_help=True)
settings_app = typer.Typer(help="Show or change shop settings.", no_args_is_help=True)
purchase_app = typer.Typer(help="Record sales and refunds.", no_args_is_help=True)
lifecycle_app = typer.Typer(help="Lifecycle stages: recompute, at risk.", no_args_is_help=True)
tag_app = typer.Typer(help="Tags: list, add, rename or merge.", no_args_is_help=True)
coupon_app = typer.Typer(help="Coupons: templates, issue, redeem, show.", no_args_is_help=True)
coupon_template_app = typer.Typer(help="Coupon templates (owner).", no_args_is_help=True)
coupon_app.add_typer(coupon_template_app, name="template")
app.add_typer(coupon_app, name="coupon")
feedback_app = typer.Typer(help="Customer feedback for the owner to act on.",
                           no_args_is_help=True)
app.add_typer(feedback_app, name="feedback")
app.add_typer(tag_app, name="tag")
app.add_typer(customer_app, name="customer")
app.add_typer(purchase_app, name="purchase")
app.add_typer(lifecycle_app, name="lifecycle")
app.add_typer(settings_app, name="settings")
points_app = typer.Typer(help="Points: balance and ledger, spend, adjust, opening balance.",
                         no_args_is_help=True)
app.add_typer(points_app, name="points")
referral_app = typer.Typer(help="Referrals: register, show, leaderboard.", no_args_is_help=True)
app.add_typer(referral_app, name="referral")

_DB_HELP = f"Shop database file (default: ${paths.ENV_DB}, else the user data folder)."
_STAFF_HELP = "Staff member acting (default: the shop owner)."
_LANG_HELP = "Language: zh or en (default: the shop's setting, then the system locale)."
_BEFORE = " Given before the command too: this one wins."
# The top level's own: they apply to every command after them (GlobalOptions).
TopDbOpt = Annotated[Path | None, typer.Option("--db", help=_DB_HELP, show_default=False)]
TopStaffOpt = Annotated[str | None, typer.Option("--staff", help=_STAFF_HELP)]
TopLangOpt = Annotated[str | None, typer.Option("--lang", help=_LANG_HELP)]
DbOpt = Annotated[Path | None, typer.Option("--db", help=_DB_HELP + _BEFORE,
                                            show_default=False)]
StaffOpt = Annotated[str | None, typer.Option("--staff", help=_STAFF_HELP + _BEFORE)]
LangOpt = Annotated[str | None, typer.Option("--lang", help=_LANG_HELP + _BEFORE)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
OutputOpt = Annotated[Path, typer.Option("--output", "-o", help="A .csv or .xlsx file.")]
FullPhoneOpt = Annotated[bool, typer.Option(
    "--full-phone", help="Whole phone numbers (masked otherwise).")]
LimitOpt = Annotated[int, typer.Option(help=f"At most this many rows (1 to {LIMIT_MAX:,}).")]


@dataclass(frozen=True)
class GlobalOptions:
    """--db, --staff and --lang given before the subcommand (``regulars --db X customer …``).

    The top-level callback keeps them on the root context; every command reads them
    through ``_chosen`` and the option given after the subcommand, if any, wins.
    """

    db: Path | None = None
    staff: str | None = None
    lang: str | None = None


def _current_context() -> Any:
    """The running command's click context, or None outside a command.

    Typer carries its own copy of click since 0.2x (``typer._click``); older ones use click.
    """
    import importlib

    for module in ("typer._click.globals", "click"):
        try:
            return importlib.import_module(module).get_current_context(silent=True)
        except ImportError:
            continue
    return None


def _global_options() -> GlobalOptions:
    ctx = _current_context()
    found = ctx.find_root().obj if ctx is not None else None
    return found if isinstance(found, GlobalOptions) else GlobalOptions()


def _chosen(db: Path | None, staff: str | None, lang: str | None
            ) -> tuple[Path | None, str | None, str | None]:
    """The subcommand's own option, else the one given before the subcommand."""
    top = _global_options()
    return (db if db is not None else top.db, staff if staff is not None else top.staff,
            lang if lang is not None else top.lang)


def field(value: str) -> str:
    """One value inside a line of a table: a newline or tab in it is shown, not obeyed."""
    return visible_field(value)


def local_minute(iso: str, timezone: str) -> str:
    """A stored time as the shop's clock showed it: 2026-11-20 18:30."""
    from zoneinfo import ZoneInfo

    from db.clock import from_iso

    return from_iso(iso).astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


def say(message: str, err: bool = False) -> None:
    """Print one message; no control character from the data reaches the terminal."""
    typer.echo(visible(message), err=err)


def fail(message: str, code: int = 1) -> typer.Exit:
    say(message, err=True)
    return typer.Exit(code)


YesOpt = Annotated[bool, typer.Option(
    "--yes", help="Record it even if the amount is far above this shop's usual sales.")]


def unusual_sale_guard(exc: RegularsError) -> None:
    """A sale far above the usual: the sentence that says to add --yes (the console
    asks with Enter again instead)."""
    from db.errors import ValidationError
    from db.unusual import is_confirmable

    if isinstance(exc, ValidationError) and is_confirmable(exc.fields):
        code, params = next(iter(exc.fields.values()))
        raise fail(t(f"{code}_cli", **params)) from None


def friendly_errors(func: F) -> F:
    """Turn our errors into a sentence on stderr and exit 1, never a traceback.

    First, every argument is checked for bytes that are not UTF-8 (exit 2, nothing
    opened, nothing changed).
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            refuse_undecodable(kwargs)
            return func(*args, **kwargs)
        except RegularsError as exc:
            raise fail(error_text(exc)) from None
        except KeyboardInterrupt:
            raise fail(t("cli.interrupted"), 130) from None

    wrapper.guards_argv = True  # type: ignore[attr-defined]  # tests check every command
    return wrapper  # type: ignore[return-value]


def refuse_undecodable(values: dict[str, Any]) -> None:
    """An argument that is not valid UTF-8 is one sentence naming its option, exit 2."""
    _, _, lang = _chosen(None, None, values.get("lang") if isinstance(values.get("lang"), str)
                         else None)
    set_language(choose_language(lang if lang in ("zh", "en") else None, None))
    ctx = _current_context()
    for name, value in values.items():
        text = os.fspath(value) if isinstance(value, os.PathLike) else value
        if isinstance(text, str) and undecodable(text):
            raise fail(t("cli.not_utf8", option=_param_label(ctx, name)), 2)
    top = _global_options()
    for name, option in (("db", top.db), ("staff", top.staff), ("lang", top.lang)):
        if option is not None and undecodable(os.fspath(option)):
            raise fail(t("cli.not_utf8", option=f"--{name}"), 2)


def _param_label(ctx: Any, name: str) -> str:
    """How the person typed it: ``--name`` for an option, ``QUERY`` for an argument."""
    for param in ctx.command.params if ctx is not None else []:
        if param.name == name:
            if param.param_type_name == "option":
                return str(max(param.opts, key=len))
            return name.upper()
    return name


def _check_limit(limit: int) -> int:
    """--limit through the input gate (db/gate.py), before the file is opened; a usage
    error (exit 2) with the gate's sentence, which names the range."""
    from db.errors import ValidationError

    try:
        return gate.whole(limit, "limit", 1, LIMIT_MAX)
    except ValidationError as exc:
        raise fail(error_text(exc), 2) from None


def _db_path(db: Path | None) -> Path:
    """--db after the subcommand, --db before it, $REGULARS_DB, the platform default."""
    return paths.resolve_db(_chosen(db, None, None)[0])


def _open_shop(db: Path | None, staff: str | None, lang: str | None = None,
               *, create: bool = True) -> Any:
    from db.shop import Shop

    db, staff, lang = _chosen(db, staff, lang)
    path = _db_path(db)
    _set_lang(lang, None)
    shop = Shop.open(str(path), staff, create=create)
    _set_lang(lang, shop.settings.get("language"))
    return shop


def _set_lang(explicit: str | None, setting: str | None) -> None:
    explicit = _chosen(None, None, explicit)[2]
    if explicit and explicit not in ("zh", "en"):
        raise fail(f"--lang: use zh or en, not {explicit!r}", 2)
    set_language(choose_language(explicit, setting))


# -- the console -------------------------------------------------------------------------

@app.callback(invoke_without_command=True)
def main_callback(ctx: typer.Context, db: TopDbOpt = None, staff: TopStaffOpt = None,
                  lang: TopLangOpt = None) -> None:
    """Open the console on the shop database.

    --db, --staff and --lang given here apply to every command after them
    (`regulars --db shop.db --lang zh customer find 王`); a command's own option wins.
    """
    ctx.obj = GlobalOptions(db, staff, lang)
    if ctx.invoked_subcommand is not None:
        refuse_undecodable({})
        return
    run_console(db, staff, lang)


@friendly_errors
def run_console(db: Path | None, staff: str | None, lang: str | None) -> None:
    shop = _open_shop(db, staff, lang)
    from .app import RegularsApp

    try:
        RegularsApp(shop).run()
    finally:
        shop.close()


@app.command()
@friendly_errors
def demo(customers: Annotated[int, typer.Option(help="How many demo customers.")] = 2000,
         seed: Annotated[int, typer.Option(help="Random seed: same seed, same shop.")] = 1,
         reset: Annotated[bool, typer.Option(help="Throw the demo away and seed anew.")] = False,
         db: DbOpt = None, staff: StaffOpt = None, lang: LangOpt = None) -> None:
    """Create, seed and open a separate demo database (your shop's file is not touched).

    Run again, it opens the same demo with the practice work in it; only --reset
    throws that away.
    """
    path = (db if db is not None else paths.demo_db()).expanduser().resolve()
    _set_lang(lang, None)
    gate.whole(customers, "customers", 0, CUSTOMERS_MAX)
    state, count = _demo_state(path)
    if reset:
        if state == "not_demo" and path != paths.demo_db().expanduser().resolve():
            raise fail(t("demo.reset_refused", path=str(path)))
        _remove_db(path)
        state = "absent"
    if state == "not_demo":
        raise fail(t("seed.not_empty_demo", path=str(path), count=f"{count:,}"))
    if state == "half":
        raise fail(t("demo.half_made", path=str(path)))
    if state in ("absent", "empty"):
        _seed_into(path, customers, seed)
    else:
        say(t("demo.reusing", count=f"{count:,}"), err=True)
    run_console(path, staff, lang)


def _demo_state(path: Path) -> tuple[str, int]:
    """What is at a demo's path: ("absent" | "empty" | "complete" | "half" | "not_demo",
    customers). A seed records itself in the audit log (seed.AUDIT_ROWS with the rows,
    then seed.AUDIT_LOOKUP with the lookup keys), so a finished demo is known by its record,
    not guessed from counts. A file that cannot be read as a shop is "half" (a seed
    killed by an older Regulars left such files)."""
    import sqlite3
    from urllib.parse import quote

    from seed import AUDIT_LOOKUP, AUDIT_ROWS

    if not path.exists():
        return "absent", 0
    if path.is_dir():
        raise fail(t("store.is_folder", path=str(path)))
    try:
        conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
        try:
            count = int(conn.execute("SELECT count(*) FROM customers").fetchone()[0])
            done = {r[0] for r in conn.execute(
                "SELECT DISTINCT action FROM audit_log WHERE action IN (?, ?)",
                (AUDIT_ROWS, AUDIT_LOOKUP))}
        finally:
            conn.close()
    except sqlite3.OperationalError as exc:  # a SQLite file without our tables
        if "no such table" not in str(exc):
            raise fail(t("store.failed", detail=str(exc))) from None
        return ("empty", 0) if path.stat().st_size == 0 else ("not_demo", 0)
    except sqlite3.DatabaseError:  # not a database at all: what a killed old seed left
        return "half", 0
    if AUDIT_ROWS not in done:
        return ("empty", 0) if count == 0 else ("not_demo", count)
    return ("complete", count) if AUDIT_LOOKUP in done else ("half", count)


def _remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _seed_into(path: Path, customers: int, seed_value: int) -> None:
    import seed as seeding

    if customers < 0:
        raise fail(t("seed.negative"), 2)

    def started() -> None:  # only once every check has passed
        say(t("seed.start", count=f"{customers:,}", path=str(path)), err=True)

    def progress(done: int, total: int) -> None:
        say(f"  {done:,} / {total:,}", err=True)

    report = seeding.seed_file(path, customers, seed_value, progress, started=started)
    say(t("seed.done", count=f"{report.customers:,}",
             seconds=f"{report.seconds:.1f}"), err=True)


# -- set-up and health ----------------------------------------------------------------------

@app.command()
@friendly_errors
def init(db: DbOpt = None, lang: LangOpt = None) -> None:
    """Create the shop database (or upgrade it) and say where it is."""
    shop = _open_shop(db, None, lang)
    say(t("init.ready", path=str(shop.path)))
    shop.close()


@app.command("seed")
@friendly_errors
def seed_command(customers: Annotated[int, typer.Option(help="How many customers.")],
                 seed: Annotated[int, typer.Option(help="Random seed.")] = 1,
                 db: DbOpt = None, lang: LangOpt = None) -> None:
    """Fill an EMPTY database with demo customers (refuses a file that has customers)."""
    _set_lang(lang, None)
    gate.whole(customers, "customers", 0, CUSTOMERS_MAX)
    _seed_into(_db_path(db), customers, seed)


@app.command()
@friendly_errors
def doctor(db: DbOpt = None, lang: LangOpt = None, json_out: JsonOpt = False,
           quick: Annotated[bool, typer.Option(
               "--quick", help="Faster check that skips comparing index contents.")] = False,
           ) -> None:
    """Check the file: integrity, schema version, counts. Exit 1 on any problem."""

    path = _db_path(db)
    _set_lang(lang, None)
    if not path.exists():
        raise fail(t("store.missing", path=str(path)))
    shop = _open_shop(path, None, lang, create=False)
    try:
        report = shop.doctor(quick)
    finally:
        shop.close()
    if json_out:
        say(safe_json({"ok": report.ok, **asdict(report)}, indent=2))
    else:
        say(t("doctor.file", path=str(path)))
        for check in report.checks:
            mark = "ok " if check.ok else "BAD"
            detail = (t(f"doctor.detail.{check.name}", **check.params)
                      if check.params and has_message(f"doctor.detail.{check.name}")
                      else check.detail)
            say(f"  [{mark}] {t('doctor.' + check.name)}: {detail}")
        for table, count in report.counts.items():
            say(f"  {table:<16} {count:>12,}")
        say(t("doctor.healthy") if report.ok else t("doctor.unhealthy"))
    if not report.ok:
        raise typer.Exit(1)


# -- customers --------------------------------------------------------------------------------

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
    from db.customers import CustomerInput

    shop = _open_shop(db, staff, lang)
    try:
        customer = shop.customers.add(CustomerInput(
            name=name, phone=phone, wechat_id=wechat, birthday=birthday, gender=gender,
            channel=channel, notes=notes, is_seed_user=seed_user, marketing_consent=consent),
            referred_by)
    finally:
        shop.close()
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

    _set_lang(lang, None)
    _check_limit(limit)
    shop = _open_shop(db, staff, lang, create=False)
    try:
        result = shop.customers.search(query, limit=limit)
    finally:
        shop.close()
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


def hit_json(h: Any) -> dict[str, Any]:
    return {"id": h.id, "member_code": h.member_code, "name": h.name, "phone": h.phone,
            "stage": h.stage, "lifetime_spend_fen": h.total_spend_fen, "orders": h.orders,
            "last_purchase_at": h.last_visit_at, "exact": h.exact, "points": h.points,
            "level": h.level}


@customer_app.command("show")
@friendly_errors
def customer_show(
    ref: Annotated[str, typer.Argument(help="Member code or phone.")],
    db: DbOpt = None, staff: StaffOpt = None, lang: LangOpt = None, json_out: JsonOpt = False,
) -> None:
    """One customer: profile, spend, rewards, and the recent sales with their numbers
    (the number is what `purchase refund` takes)."""
    shop = _open_shop(db, staff, lang, create=False)
    try:
        c = shop.customers.find(ref)
        sales = shop.sales.history(c.id, RECENT_SALES)
        total_sales = shop.sales.count(c.id)
        tag_names = shop.customers.tags_of(c.id)
        rewards = shop.rewards.view(c.id)
        added_by, changed_by = shop.staff_name(c.created_by), shop.staff_name(c.updated_by)
        tz, region = shop.timezone, shop.region
    finally:
        shop.close()
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


RECENT_SALES = 10


def customer_lines(c: Any, rewards: Any, tag_names: list[str], added_by: str,
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
    consent = (t("customer.consent_yes", date=day(c.consent_at)) if c.marketing_consent
               else t("customer.consent_no"))
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


def sale_line(p: Any, tz: str) -> str:
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


# -- purchases ----------------------------------------------------------------------------------

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
    shop = _open_shop(db, staff, lang, create=False)
    try:
        made = shop.coupons.add_template(
            name, kind, value=value, cap=cap, gift=gift, min_spend=min_spend,
            valid_days=valid_days, valid_until=until, per_customer=per_customer,
            transferable=transferable)
    finally:
        shop.close()
    say(t("coupon.template_added", name=made.name))


@coupon_template_app.command("list")
@friendly_errors
def coupon_template_list(db: DbOpt = None, lang: LangOpt = None, json_out: JsonOpt = False
                         ) -> None:
    """The shop's coupon templates."""
    shop = _open_shop(db, None, lang, create=False)
    try:
        found = shop.coupons.templates()
    finally:
        shop.close()
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
    from db.audience import Audience, parse_spend_between

    low, high = parse_spend_between(spend_between) if spend_between else (None, None)
    who = Audience(stage, tag, at_risk, birthday_within, seed_users, low, high)
    shop = _open_shop(db, staff, lang, create=False)
    try:
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
    finally:
        shop.close()
    if json_out:
        say(safe_json(issued))
    else:
        for row in issued:
            say(row["code"])


def _issue_with_progress(shop: Any, who: Any, reason: str, plan: Any) -> list[Any]:
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

    shop = _open_shop(db, staff, lang, create=False)
    try:
        who = shop.customers.find(customer).id if customer.strip() else None
        used, sale = shop.coupons.redeem(code, amount, who, confirmed=yes)
    except RegularsError as exc:
        unusual_sale_guard(exc)
        raise
    finally:
        shop.close()
    say(t("coupon.redeemed", code=used.code, off=format_fen(used.discount_fen or 0),
                 paid=format_fen(sale.amount_fen)))


@coupon_app.command("export")
@friendly_errors
def coupon_export(
    batch_id: Annotated[str, typer.Option(help="The batch to export.")],
    output: OutputOpt, full_phone: FullPhoneOpt = False, db: DbOpt = None,
    lang: LangOpt = None,
) -> None:
    """A batch's codes with names, to send through WeChat or WeCom."""
    from .exports import write_batch

    shop = _open_shop(db, None, lang, create=False)
    try:
        count = write_batch(shop, batch_id, output, full_phone)
    finally:
        shop.close()
    say(t("export.done", count=count, path=str(output)))


@coupon_app.command("void")
@friendly_errors
def coupon_void(code: str, reason: Annotated[str, typer.Option(help="Why, for the record.")],
                db: DbOpt = None, staff: StaffOpt = None, lang: LangOpt = None) -> None:
    """Void an unused coupon (owner only)."""
    shop = _open_shop(db, staff, lang, create=False)
    try:
        done = shop.coupons.void(code, reason)
    finally:
        shop.close()
    say(t("coupon.voided_now", code=done.code))


@coupon_app.command("show")
@friendly_errors
def coupon_show(code: str, db: DbOpt = None, lang: LangOpt = None) -> None:
    """A coupon's template, owner, validity and state."""
    shop = _open_shop(db, None, lang, create=False)
    try:
        found = shop.coupons.get(code)
    finally:
        shop.close()
    say(safe_json(asdict(found), indent=2))


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
    shop = _open_shop(db, staff, lang, create=False)
    try:
        who = shop.customers.find(customer).id if customer.strip() else None
        item = shop.feedback.add(who, category, text, sentiment, product, supplier)
    finally:
        shop.close()
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
    full_phone: FullPhoneOpt = False, db: DbOpt = None, lang: LangOpt = None,
) -> None:
    """Feedback to a spreadsheet, e.g. for a supplier. Formulas are never run."""
    from db.export import write_table
    from db.values import FEEDBACK_EXPORT_COLUMNS

    shop = _open_shop(db, None, lang, create=False)
    try:
        rows = shop.feedback.export_rows(status, since, supplier, full_phone)
    finally:
        shop.close()
    coded = {2: "feedback.status.", 3: "feedback.category.", 4: "feedback.sentiment."}
    for row in rows:  # codes in the reader's language
        for column, prefix in coded.items():
            row[column] = t(f"{prefix}{row[column]}")
    header = [t(f"export.column.{c}") for c in FEEDBACK_EXPORT_COLUMNS]
    count = write_table(output, header, rows)
    say(t("export.done", count=count, path=str(output)))


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

    shop = _open_shop(db, staff, lang, create=False)
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
    finally:
        shop.close()
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

    shop = _open_shop(db, staff, lang, create=False)  # db/ refuses an id past int64
    try:
        r = shop.sales.refund(purchase_id, reason)
        after = shop.customers.get(r.customer_id)
    finally:
        shop.close()
    say(t("purchase.refunded", id=purchase_id, amount=format_fen(-r.amount_fen),
                 total=format_fen(after.total_spend_fen), stage=stage_label(after.stage)))


# -- lifecycle ----------------------------------------------------------------------------------

@lifecycle_app.command("recompute")
@friendly_errors
def lifecycle_recompute(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only show what would move.")
                       ] = False,
    db: DbOpt = None, staff: StaffOpt = None, lang: LangOpt = None, json_out: JsonOpt = False,
) -> None:
    """Let the clock move stages (the console also does this once a day on start)."""
    shop = _open_shop(db, staff, lang, create=False)
    try:
        result = shop.lifecycle.recompute(dry_run=dry_run)
    finally:
        shop.close()
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

    _set_lang(lang, None)
    _check_limit(limit)
    shop = _open_shop(db, staff, lang, create=False)
    try:
        hits = shop.lifecycle.at_risk(limit)
        median = shop.lifecycle.median_trust_period()
    finally:
        shop.close()
    if json_out:
        say(safe_json([hit_json(h) for h in hits], indent=2))
        return
    for h in hits:
        say(f"{h.member_code}  {mask(h.phone, h.phone_rev):<13} "
            f"{format_fen(h.total_spend_fen):>12}  "
            f"{local_date_text(h.last_visit_at, shop.timezone):<10}  {field(h.name)}")
    say(t("at_risk.summary", count=len(hits),
                 median=f"{median:.0f}" if median is not None else "—"), err=True)


# -- tags ---------------------------------------------------------------------------------------

@tag_app.command("list")
@friendly_errors
def tag_list(db: DbOpt = None, lang: LangOpt = None, json_out: JsonOpt = False) -> None:
    """Every tag and how many customers carry it."""
    shop = _open_shop(db, None, lang, create=False)
    try:
        found = shop.customers.all_tags()
    finally:
        shop.close()
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
    shop = _open_shop(db, staff, lang, create=False)
    try:
        name = shop.customers.add_tag(shop.customers.find(customer).id, tag)
    finally:
        shop.close()
    say(f"#{name}")


@tag_app.command("rename")
@friendly_errors
def tag_rename(old: str, new: str, db: DbOpt = None, staff: StaffOpt = None,
               lang: LangOpt = None) -> None:
    """Rename a tag; renaming onto an existing tag merges the two."""
    shop = _open_shop(db, staff, lang, create=False)
    try:
        name = shop.customers.rename_tag(old, new)
    finally:
        shop.close()
    say(t("tags.renamed", old=old, new=name))


# -- settings ----------------------------------------------------------------------------------

@settings_app.command("show")
@friendly_errors
def settings_show(db: DbOpt = None, lang: LangOpt = None) -> None:
    """Print every shop setting."""
    from db.settings import KNOWN

    shop = _open_shop(db, None, lang)
    try:
        for key in sorted(KNOWN):
            say(f"{key:<10} {shop.settings.get(key)}")
    finally:
        shop.close()


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
    from db.lifecycle import SETTING_KEYS as STAGE_RULES

    shop = _open_shop(db, staff, lang)
    try:
        if key in STAGE_RULES:
            _set_stage_rule(shop, key, value, yes)
            return
        shop.settings.set(key, value)
    finally:
        shop.close()
    say(f"{key} = {value}")


def _set_stage_rule(shop: Any, key: str, value: str, yes: bool) -> None:
    from console.moves import moves_text

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


def main() -> None:
    app()



# -- points -------------------------------------------------------------------------------------
PointsOpt = Annotated[str, typer.Option("--points", help="How many points.")]
ReasonOpt = Annotated[str, typer.Option(help="Why, in a few words (kept in the ledger).")]


@points_app.command("show")
@friendly_errors
def points_show(
    customer: Annotated[str, typer.Argument(help="Member code or phone.")],
    limit: Annotated[int, typer.Option(
        help=f"Ledger rows, newest first (1 to {LIMIT_MAX:,}).")] = 20,
    db: DbOpt = None, lang: LangOpt = None, json_out: JsonOpt = False,
) -> None:
    """Balance, member level and the latest ledger rows (times in the shop's timezone)."""
    _set_lang(lang, None)
    _check_limit(limit)
    shop = _open_shop(db, None, lang, create=False)
    try:
        who = shop.customers.find(customer)
        rows = shop.rewards.points_history(who.id, limit)
        level = shop.rewards.level_of(who.total_spend_fen)
    finally:
        shop.close()
    if json_out:
        say(safe_json({"customer_id": who.id, "points": who.points, "level": level,
                               "ledger": [asdict(r) for r in rows]}))
        return
    say(t("points.summary", name=field(who.name), points=who.points,
          level=level_label(level)))
    for r in rows:
        say(f"{local_minute(r.at, shop.timezone)}  {r.delta:>+7}  {r.balance_after:>7}  "
            f"{t(f'points.kind.{r.kind}'):<9} {field(r.reason)}")


def _points_change(action: str, customer: str, amount: str, reason: str, db: Path | None,
                   staff: str | None, lang: str | None) -> None:
    shop = _open_shop(db, staff, lang, create=False)
    try:
        who = shop.customers.find(customer)
        entry = {"spend": shop.rewards.spend_points, "adjust": shop.rewards.adjust_points,
                 "opening": shop.rewards.opening_points}[action](who.id, amount, reason)
    finally:
        shop.close()
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


# -- referrals ----------------------------------------------------------------------------------
@referral_app.command("add")
@friendly_errors
def referral_add(
    customer: Annotated[str, typer.Argument(help="The new customer (member code or phone).")],
    by: Annotated[str, typer.Option("--by", help="Who referred them: member code or phone.")],
    db: DbOpt = None, staff: StaffOpt = None, lang: LangOpt = None,
) -> None:
    """Record who referred a customer who has not bought anything yet."""
    shop = _open_shop(db, staff, lang, create=False)
    try:
        who = shop.customers.find(customer)
        shop.rewards.register_referral(who.id, by)
        referrer, _ = shop.rewards.referral_links(who.id)
    finally:
        shop.close()
    assert referrer is not None
    say(t("referral.added", name=who.name, referrer=referrer.name))


@referral_app.command("show")
@friendly_errors
def referral_show(
    customer: Annotated[str, typer.Argument(help="Member code or phone.")],
    db: DbOpt = None, lang: LangOpt = None, json_out: JsonOpt = False,
) -> None:
    """Who referred this customer, and whom they referred, with each reward's status."""
    shop = _open_shop(db, None, lang, create=False)
    try:
        who = shop.customers.find(customer)
        referrer, referees = shop.rewards.referral_links(who.id)
    finally:
        shop.close()
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
    db: DbOpt = None, lang: LangOpt = None, json_out: JsonOpt = False,
) -> None:
    """Top referrers: the candidates for seed users and KOCs."""
    from db.money import format_fen

    _set_lang(lang, None)
    _check_limit(limit)
    if period not in ("this_month", "last_month", "all") or by not in ("qualified", "spend"):
        raise fail(t("referral.board_options"), 2)
    shop = _open_shop(db, None, lang, create=False)
    try:
        rows = shop.rewards.leaderboard(period, by, limit)
    finally:
        shop.close()
    if json_out:
        say(safe_json([asdict(r) for r in rows]))
        return
    if not rows:
        say(t("leaderboard.empty"), err=True)
    for rank, r in enumerate(rows, 1):
        say(f"{rank:>3}. {r.member_code}  {r.qualified:>4}  "
            f"{format_fen(r.referees_spend_fen):>12}  {field(r.name)}")
