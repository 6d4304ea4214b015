"""`regulars backup [DEST]` and `regulars restore FILE`: the shop.backups area and
Shop.restore (db/backup.py does the file work)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..i18n import t
from .common import acting_pin, chosen, db_path, fail, friendly_errors, opened, say, set_lang
from .options import DbOpt, LangOpt, StaffOpt
from .root import app


@app.command()
@friendly_errors
def backup(dest: Annotated[Path | None, typer.Argument(
               help="A file or folder for the copy (default: backups/ beside the shop file).",
               show_default=False)] = None,
           db: DbOpt = None, staff: StaffOpt = None, lang: LangOpt = None) -> None:
    """Copy the shop file, checked and private, even while the console is selling (owner)."""
    with opened(db, staff, lang, create=False) as shop:
        made = shop.backups.backup(dest)
    say(t("backup.done", path=str(made)))


@app.command()
@friendly_errors
def restore(file: Annotated[Path, typer.Argument(help="The backup to bring back.")],
            db: DbOpt = None, staff: StaffOpt = None, lang: LangOpt = None) -> None:
    """Put a backup in place of the shop file; the current file is kept aside (owner).

    The backup is checked first; close the console before restoring."""
    from db.shop import Shop

    path = db_path(db)
    _, staff, lang = chosen(None, staff, lang)
    set_lang(lang, None)
    if not file.is_file():
        raise fail(t("restore.missing", path=str(file)))
    aside = Shop.restore(path, file, staff, pin=acting_pin())
    say(t("restore.done", source=str(file)))
    if aside is not None:
        say(t("restore.aside", path=str(aside)))
