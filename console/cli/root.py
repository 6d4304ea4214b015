"""The root command: `regulars` alone opens the console; options given before a
subcommand apply to it."""

from __future__ import annotations

from pathlib import Path

import typer

from .common import GlobalOptions, friendly_errors, opened, refuse_undecodable
from .launch import run_app
from .options import TopDbOpt, TopLangOpt, TopStaffOpt

app = typer.Typer(
    name="regulars", no_args_is_help=False, add_completion=False,
    pretty_exceptions_enable=False, rich_markup_mode=None,
    help="Regulars (熟客): find, add and look after a shop's regular customers.\n\n"
         "With no command, opens the console. --db, --staff and --lang given before a"
         " command apply to every command (the command's own option, if given too, wins).")


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
    with opened(db, staff, lang, console=True) as shop:
        run_app(shop, staff)
