"""The options many commands share, typed once (typer reads the Annotated metadata)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .. import paths

LIMIT_MAX = 1000  # --limit: rows a command prints
CUSTOMERS_MAX = 10_000_000  # --customers: demo and seed

_DB_HELP = f"Shop database file (default: ${paths.ENV_DB}, else the user data folder)."
_STAFF_HELP = ("Staff member acting; their PIN from $REGULARS_PIN or a prompt. Needed once"
               " the shop uses PINs (before that, default: the shop owner).")
_LANG_HELP = "Language: zh or en (default: the shop's setting, then the system locale)."
_BEFORE = " Given before the command too: this one wins."
# The top level's own: they apply to every command after them (common.GlobalOptions).
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
YesOpt = Annotated[bool, typer.Option(
    "--yes", help="Record it even if the amount is far above this shop's usual sales.")]
