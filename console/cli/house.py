"""Set-up and health, the root's own commands: demo, init, seed, doctor."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from db import gate

from .. import paths
from ..i18n import has_message, t
from ..terminal_text import safe_json
from .common import NEW_PIN_ENV, db_path, fail, friendly_errors, new_pin, opened, say, set_lang
from .launch import PIN_ENV
from .options import CUSTOMERS_MAX, DbOpt, JsonOpt, LangOpt, StaffOpt
from .root import app, run_console


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
    set_lang(lang, None)
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
    import seed as seeding  # Faker and numpy: only for a seed

    if customers < 0:
        raise fail(t("seed.negative"), 2)

    def started() -> None:  # only once every check has passed
        say(t("seed.start", count=f"{customers:,}", path=str(path)), err=True)

    def progress(done: int, total: int) -> None:
        say(f"  {done:,} / {total:,}", err=True)

    report = seeding.seed_file(path, customers, seed_value, progress, started=started)
    say(t("seed.done", count=f"{report.customers:,}",
          seconds=f"{report.seconds:.1f}"), err=True)


@app.command()
@friendly_errors
def init(db: DbOpt = None, lang: LangOpt = None, staff: StaffOpt = None,
         owner: Annotated[str | None, typer.Option(
             "--owner", help="Name the shop's owner and give them the first PIN"
                             " ($REGULARS_PIN or a prompt): from then on every command and"
                             " the console need a name and PIN.")] = None) -> None:
    """Create the shop database (or upgrade it) and say where it is; a file others may
    read is made readable only by you (0600)."""
    from db.shop import Shop

    # --owner decides for itself: on a shop that already has PINs it only says so
    with opened(db, staff, lang, sign_in=owner is None) as shop:
        old = Shop.make_private(shop.path)  # once the file is known to be a shop's
        if old is not None:
            say(t("init.tightened", path=str(shop.path), mode=old), err=True)
        if owner is not None:
            if shop.staff.pins_in_use():
                raise fail(t("staff.owner_has_pin"))
            named = shop.staff.name_owner(owner, new_pin(owner.strip(), PIN_ENV, NEW_PIN_ENV))
            say(t("init.owner_named", name=named.name))
        say(t("init.ready", path=str(shop.path)))


@app.command("seed")
@friendly_errors
def seed_command(customers: Annotated[int, typer.Option(help="How many customers.")],
                 seed: Annotated[int, typer.Option(help="Random seed.")] = 1,
                 db: DbOpt = None, lang: LangOpt = None) -> None:
    """Fill an EMPTY database with demo customers (refuses a file that has customers)."""
    set_lang(lang, None)
    gate.whole(customers, "customers", 0, CUSTOMERS_MAX)
    _seed_into(db_path(db), customers, seed)


@app.command()
@friendly_errors
def doctor(db: DbOpt = None, staff: StaffOpt = None, lang: LangOpt = None,
           json_out: JsonOpt = False,
           quick: Annotated[bool, typer.Option(
               "--quick", help="Faster check that skips comparing index contents.")] = False,
           ) -> None:
    """Check the file: integrity, schema version, counts. Exit 1 on any problem."""

    path = db_path(db)
    set_lang(lang, None)
    if not path.exists():
        raise fail(t("store.missing", path=str(path)))
    with opened(path, staff, lang, create=False) as shop:
        report = shop.doctor(quick)
    if json_out:
        say(safe_json({"ok": report.ok, **asdict(report)}, indent=2))
    else:
        say(t("doctor.file", path=str(path)))
        for check in report.checks:
            mark = "BAD" if not check.ok else "!! " if check.warn else "ok "
            detail = (t(f"doctor.detail.{check.name}", **check.params)
                      if check.params and has_message(f"doctor.detail.{check.name}")
                      else check.detail)
            say(f"  [{mark}] {t('doctor.' + check.name)}: {detail}")
        for table, count in report.counts.items():
            say(f"  {table:<16} {count:>12,}")
        say(t("doctor.healthy") if report.ok else t("doctor.unhealthy"))
    if not report.ok:
        raise typer.Exit(1)
