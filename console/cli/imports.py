"""`regulars import customers|purchases FILE`: a member list or a purchase history from a
.csv/.xlsx file, through shop.imports (owner only). Prints how the file's columns map,
then what the import did (or, with --dry-run, would do); refused rows go to an error
file beside the input. Exit 0 when done, even with refused rows (the summary names the
error file); 1 when the file itself is refused; 2 for a malformed --map."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, TextIO

import typer

from db.errors import RegularsError

from ..i18n import error_text, t
from ..import_errors import error_file_for, write_errors
from .common import fail, field, friendly_errors, local_minute, opened, say
from .options import DbOpt, LangOpt, StaffOpt

if TYPE_CHECKING:
    from db.values import Batch, Column, Counts

import_app = typer.Typer(help="Bring a member list or purchase history in from a .csv or "
                              ".xlsx file (owner only).", no_args_is_help=True)

Kind = Literal["customers", "purchases"]
OnProgress = Callable[[int, int], None]  # (rows written, rows in all)

FileArg = Annotated[Path, typer.Argument(help="The .csv or .xlsx file to read.",
                                         show_default=False)]
MapOpt = Annotated[list[str] | None, typer.Option(
    "--map", metavar="COLUMN=FIELD", show_default=False,
    help="Read the file's COLUMN into FIELD (FIELD empty: leave the column out). "
         "Repeat for more columns.")]
DryRunOpt = Annotated[bool, typer.Option(
    "--dry-run", help="Show the mapping and what would happen; write nothing.")]
ErrorsOpt = Annotated[Path | None, typer.Option(
    "--errors", show_default=False,
    help="Where refused rows are listed (default: <FILE's name>.errors.csv beside FILE).")]


@import_app.command("customers")
@friendly_errors
def import_customers(file: FileArg, map_: MapOpt = None, dry_run: DryRunOpt = False,
                     errors: ErrorsOpt = None, db: DbOpt = None, staff: StaffOpt = None,
                     lang: LangOpt = None) -> None:
    """A member list: one person per phone (or WeCom id); points, spend and last visit
    come in as opening figures. Importing the same file again changes nothing."""
    run_import("customers", file, map_, dry_run, errors, db, staff, lang)


@import_app.command("purchases")
@friendly_errors
def import_purchases(file: FileArg, map_: MapOpt = None, dry_run: DryRunOpt = False,
                     errors: ErrorsOpt = None, db: DbOpt = None, staff: StaffOpt = None,
                     lang: LangOpt = None) -> None:
    """A purchase history: each row names its customer by phone or member code (a new
    phone makes a new customer). Orders already imported are not imported twice."""
    run_import("purchases", file, map_, dry_run, errors, db, staff, lang)


def run_import(kind: Kind, file: Path, map_: list[str] | None, dry_run: bool,
               errors: Path | None, db: Path | None, staff: str | None,
               lang: str | None) -> None:
    mapping = parse_map(map_ or [])
    errors = check_error_file(errors if errors is not None else error_file_for(file))
    # A dry run must not even create the shop file; a real one may start a new shop, but
    # not for a file that is not there (the reader says so, in the shop's language).
    with opened(db, staff, lang, create=not dry_run and file.is_file()) as shop:
        with progress_bar(sys.stderr, t("import.reading")):  # no count yet: a pulse
            preview = shop.imports.preview(kind, file, mapping)
        for line in mapping_lines(preview.parsed.columns):
            say(line)
        if preview.seen_before is not None:
            say(seen_before_line(preview.seen_before, shop.timezone))
        if dry_run:
            counts, refusals = preview.counts, preview.parsed.refusals
        else:
            with progress_bar(sys.stderr, t("import.progress")) as progress:
                outcome = shop.imports.run(kind, file, mapping, progress)
            counts, refusals = outcome.counts, outcome.refusals
    say(counts_line(counts))
    if dry_run:
        say(t("import.dry_run"))
    elif outcome.batch_id is None:  # the same rows again: nothing written, no batch kept
        say(t("import.nothing_changed", file=str(file)))
    else:
        say(t("import.done", file=str(file)))
    if refusals:
        try:
            shown = write_errors(errors, refusals)
        except RegularsError as exc:  # the import stands; only its list of refusals is lost
            raise fail(t("import.errors_failed", reason=error_text(exc))) from None
        say(t("import.errors_written", count=shown, path=str(errors)))


def parse_map(given: list[str]) -> dict[str, str]:
    """``--map COLUMN=FIELD`` → {COLUMN: FIELD}; FIELD may be empty (leave it out). Whether
    the column and field exist is the shop's to say (exit 1); a value without "=" or
    without a column is wrong usage (exit 2)."""
    mapping: dict[str, str] = {}
    for item in given:
        column, eq, target = item.partition("=")
        if not eq or not column.strip():
            raise fail(t("import.map_syntax", given=item), 2)
        mapping[column.strip()] = target.strip()
    return mapping


def check_error_file(path: Path) -> Path:
    """--errors must be a file db.export can write: said before anything is imported, not
    after (exit 2, wrong usage)."""
    from db.export import FORMATS

    if path.suffix.lower() not in FORMATS:
        raise fail(t("export.format", name=path.name, formats=" / ".join(FORMATS)), 2)
    folder = path.expanduser().resolve().parent
    if not folder.is_dir():
        raise fail(t("export.no_folder", folder=str(folder)), 2)
    return path


def mapping_lines(columns: tuple[Column, ...]) -> list[str]:
    """The mapping table: each of the file's columns, and the field it goes to or why not."""
    from rich.cells import cell_len  # a CJK header takes two columns in a terminal

    lines = [t("import.mapping")]
    shown = [field(c.header) for c in columns]
    width = max(map(cell_len, shown), default=0)
    for column, header in zip(columns, shown, strict=True):
        if column.field is None:
            target = t(column.why_not or "import.column.unknown")  # "not imported: why"
        else:
            target = f"{column.field} ({t(f'import.field.{column.field}')})"
            if column.by == "map":
                target += " " + t("import.by_map")
        lines.append(f"  {header}{' ' * (width - cell_len(header))}  →  {target}")
    return lines


def seen_before_line(batch: Batch, timezone: str) -> str:
    return t("import.seen_before", at=local_minute(batch.at, timezone), staff=batch.staff,
             new=batch.counts.new, updated=batch.counts.updated)


def counts_line(counts: Counts) -> str:
    return t("import.counts", new=counts.new, updated=counts.updated,
             unchanged=counts.unchanged, folded=counts.folded, refused=counts.refused)


@contextmanager
def progress_bar(stream: TextIO, description: str) -> Iterator[OnProgress | None]:
    """A bar on ``stream`` while the import writes, only when a person watches it (a
    terminal): in a pipe, a test or CI nothing is printed but the summary. The callback
    comes from the writing thread; rich's Progress takes its own lock."""
    if not stream.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeRemainingColumn(), console=Console(file=stream), transient=True,
                   redirect_stdout=False, redirect_stderr=False)  # stdout stays the summary's
    task = bar.add_task(description, total=None)

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    with bar:
        yield update
