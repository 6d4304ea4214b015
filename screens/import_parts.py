"""The Import screen's pieces: what a preview and an outcome look like on screen, and the
small list that sets one column's field. Drawing only; the screen (screens/imports.py)
holds the state and the workers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, OptionList, Static
from textual.widgets.option_list import Option

from console.i18n import t
from console.import_errors import reason
from db.clock import local_date_text
from db.values import (
    CUSTOMER_FIELDS,
    PURCHASE_FIELDS,
    Column,
    Counts,
    Outcome,
    Preview,
    Refusal,
)

FIRST_REFUSALS = 3  # on screen at 80x24 (more on a taller one); all are in the error file
ROWS_FOR_MORE = 30  # a terminal this tall or taller shows ten
LEAVE_OUT = ""  # the mapping's word for "do not import this column"


@dataclass(frozen=True)
class Finished:
    """A real import's answer, with where its error file went (or why it could not)."""

    outcome: Outcome
    errors_at: Path | None
    errors_failed: str = ""  # the sentence, when the error file could not be written


def typed_path(text: str) -> str:
    """The path as typed or pasted. A file dragged into a terminal arrives quoted
    ('/Users/me/My Files/会员.csv') or with its spaces escaped (My\\ Files): both mean
    the plain path."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text.replace("\\ ", " ")


def fields_of(kind: str) -> tuple[str, ...]:
    return tuple(CUSTOMER_FIELDS if kind == "customers" else PURCHASE_FIELDS)


def field_label(field: str) -> str:
    return t(f"import.field.{field}")


def mapping_columns() -> tuple[str, str, str]:
    return t("import.screen.col.file"), t("import.screen.col.field"), t("import.screen.col.how")


def fill_mapping(table: DataTable[str | Text], columns: Iterable[Column]) -> None:
    """One row per column of the file: the field it fills, or why it is not imported."""
    cursor = table.cursor_row
    table.clear(columns=True)
    table.add_columns(*mapping_columns())
    for column in columns:
        if column.field is not None:
            field = Text(field_label(column.field), style="bold")
            how = t("import.screen.by.map") if column.by == "map" else t("import.screen.by.auto")
        else:
            field = Text("—", style="dim")
            how = t(column.why_not)  # the db's reason: "not imported: …"
        table.add_row(column.header, field, how, key=column.header)
    if table.row_count:
        table.move_cursor(row=min(cursor, table.row_count - 1))


def counts_text(counts: Counts) -> str:
    return t("import.screen.counts", new=f"{counts.new:,}", updated=f"{counts.updated:,}",
             unchanged=f"{counts.unchanged:,}", folded=f"{counts.folded:,}",
             refused=f"{counts.refused:,}")


def preview_text(preview: Preview, tz: str) -> Text:
    """What the file holds and what importing it would do; whether it came in before."""
    parsed = preview.parsed
    text = Text()
    text.append(t("import.screen.read", lines=f"{parsed.lines:,}", blank=f"{parsed.blank:,}",
                  encoding=parsed.encoding) + "\n", style="dim")
    text.append(t("import.screen.would", counts=counts_text(preview.counts)),
                style="bold" if preview.counts.new or preview.counts.updated else "yellow")
    before = preview.seen_before
    if before is not None:
        text.append("\n" + t("import.screen.seen_before", date=local_date_text(before.at, tz),
                             who=before.staff), style="yellow")
    return text


def refusals_text(refusals: tuple[Refusal, ...], rows: int) -> Text:
    """The first few refusals, one line each (the error file has them all, in full);
    ``rows``: the terminal's height."""
    text = Text(no_wrap=True, overflow="ellipsis")
    if not refusals:
        return text
    first = FIRST_REFUSALS if rows < ROWS_FOR_MORE else 10
    text.append(t("import.screen.first_refusals", shown=min(len(refusals), first),
                  total=f"{len(refusals):,}"), style="bold")
    for refusal in refusals[:first]:
        where = refusal.column or t("import.screen.whole_row")
        value = f" “{refusal.value}”" if refusal.value else ""
        text.append(f"\n{t('import.screen.line', line=refusal.line)} · {where}{value} · ", style="")
        text.append(reason(refusal), style="red")
    return text


def outcome_text(finished: Finished) -> Text:
    outcome = finished.outcome
    text = Text()
    if outcome.batch_id is None:
        text.append(t("import.screen.nothing_changed"), style="bold yellow")
    else:
        text.append(t("import.screen.done", batch=outcome.batch_id,
                      counts=counts_text(outcome.counts)), style="bold green")
    if finished.errors_at is not None:
        text.append("\n" + t("import.screen.errors_written", count=f"{len(outcome.refusals):,}",
                             path=str(finished.errors_at)), style="yellow")
    if finished.errors_failed:
        text.append("\n" + finished.errors_failed, style="red")
    return text


class FieldDialog(ModalScreen[str | None]):
    """Which field a column fills, or leave it out: Enter picks, Esc keeps it as it is."""

    BINDINGS = [Binding("escape", "cancel", "key.cancel")]

    def __init__(self, header: str, kind: str, current: str | None) -> None:
        super().__init__()
        self.header = header
        self.kind = kind
        self.current = current

    def compose(self) -> ComposeResult:
        options = [Option(t("import.screen.leave_out"), id="-")]
        options += [Option(f"{field_label(f)}  ({f})", id=f) for f in fields_of(self.kind)]
        with Vertical(classes="dialog", id="field-dialog"):
            yield Static(Text(t("import.screen.choose_field", header=self.header), style="bold"))
            yield OptionList(*options, id="fields")
            yield Static(t("import.screen.choose_hint"), classes="dim")
        self.call_after_refresh(self._point_at_current)  # composed anew on a language switch

    def _point_at_current(self) -> None:
        fields = self.query_one("#fields", OptionList)
        fields.highlighted = fields.get_option_index(self.current or "-")
        fields.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        chosen = event.option.id or "-"
        self.dismiss(LEAVE_OUT if chosen == "-" else chosen)

    def action_cancel(self) -> None:
        self.dismiss(None)
