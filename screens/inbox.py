"""The owner's feedback inbox: what customers said, worked through with one key each.

The list has the focus: r reviewing, p planned, d done (with a note, then the
customers to tell), x declined, n note, l link (press on one item, then on its
duplicate), u unlink. / types a filter (words, or since:2026-10-01, product:蛋挞);
F3 status, F4 category, F6 seed users only, F7 sort.
"""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from console.i18n import error_text, t
from console.widgets import KeyBar, TitleBar
from db.clock import local_date_text
from db.errors import RegularsError
from db.values import SORTS, Filter, Row, Summary, with_typed
from db.vocab import FEEDBACK_CATEGORIES, FEEDBACK_STATUSES

from .base import LoadedScreen
from .dialogs import CounterDialog
from .tell import TellScreen

__all__ = ["InboxRead", "InboxScreen", "NoteDialog", "TellScreen"]  # the tell list lives in tell.py

STATUS_FILTERS: tuple[str | None, ...] = (None, "open", *FEEDBACK_STATUSES)
CATEGORY_FILTERS: tuple[str | None, ...] = (None, *FEEDBACK_CATEGORIES)


class InboxRead(Message):
    """The filtered list and the summary above it: the summary, the filter line, the
    list and the detail under it all draw from it."""

    def __init__(self, rows: list[Row], summary: Summary) -> None:
        super().__init__()
        self.rows = rows
        self.summary = summary


class InboxScreen(LoadedScreen[None]):
    AUTO_FOCUS = "#items"  # the list: its keys are the triage; / moves to the filter box
    BINDINGS = [
        Binding("escape", "back", "key.back"),
        Binding("slash", "filter", "key.filter"),
        Binding("f3", "cycle_status", "key.status_filter"),
        Binding("f4", "cycle_category", "key.category_filter"),
        Binding("f6", "seed_users", "key.seed_users", show=False),
        Binding("f7", "sort", "key.sort", show=False),
        Binding("r", "status('reviewing')", "key.reviewing"),
        Binding("p", "status('planned')", "key.planned", show=False),
        Binding("d", "done", "key.done"),
        Binding("x", "status('declined')", "key.declined", show=False),
        Binding("n", "note", "key.note", show=False),
        Binding("l", "link", "key.link", show=False),
        Binding("u", "unlink", "key.unlink", show=False),
        Binding("t", "tell", "key.tell", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter = Filter(status="open")
        self.typed = ""
        self.rows: list[Row] = []
        self.summary: Summary | None = None
        self.marked: int | None = None  # the first of two items to link

    def compose(self) -> ComposeResult:
        yield TitleBar(right=t("inbox.title"))
        yield Static("", id="summary")
        yield Static("", id="filters")
        yield Input(self.typed, id="typed", compact=True, placeholder=t("inbox.typed_hint"))
        table: DataTable[object] = DataTable(id="items", cursor_type="row")
        for key, width in (("date", 10), ("status", 9), ("category", 10), ("product", 8),
                           ("customer", 6), ("mentions", 3), ("words", 40)):
            table.add_column(t(f"inbox.column.{key}"), width=width, key=key)
        yield table
        with Vertical(id="detail-box"):
            yield Static("", id="detail")
        yield KeyBar()

    # -- loading ------------------------------------------------------------------------
    def _load(self) -> None:
        try:
            f = self._current_filter()
        except RegularsError as error:
            self.query_one("#filters", Static).update(Text(error_text(error), style="red"))
            return
        self.run_db_message(lambda: (self.shop.feedback.inbox(f), self.shop.feedback.summary()),
                            lambda loaded: InboxRead(*loaded), group="inbox")

    def _current_filter(self, typed: str | None = None) -> Filter:

        return with_typed(self.filter, self.typed if typed is None else typed,
                          self.shop.timezone, self.shop.now())

    def on_inbox_read(self, message: InboxRead) -> None:
        message.stop()
        self.rows, self.summary = message.rows, message.summary
        self._fill()
        self.refresh_bindings()

    def _fill(self) -> None:
        if self.summary is None:
            return
        self.query_one("#summary", Static).update(_summary_text(self.summary))
        self.query_one("#filters", Static).update(self._filters_text())
        table = self.query_one("#items", DataTable)
        keep = table.cursor_row
        table.clear()
        tz = self.shop.timezone
        for row in self.rows:
            item = row.item
            mark = "▶ " if item.id == self.marked else ""
            table.add_row(local_date_text(item.at, tz), t(f"feedback.status.{item.status}"),
                          t(f"screens.category_short.{item.category}"), item.product or "—",
                          row.customer or "—", f"×{row.mentions}" if row.mentions > 1 else "",
                          mark + " ".join(item.words.split())[:60], key=str(item.id))
        if self.rows:
            table.move_cursor(row=min(keep, len(self.rows) - 1))
        if not self.query_one("#typed", Input).has_focus:
            table.focus()  # never out of the filter box: a letter there is not a triage key
        self._show_detail()

    def _filters_text(self) -> Text:
        f = self.filter
        parts = [t("inbox.filter_status", value=t(f"inbox.status.{f.status or 'any'}")),
                 t("inbox.filter_category", value=t(f"feedback.category.{f.category}")
                   if f.category else t("inbox.any")),
                 t(f"inbox.sort.{f.sort}")]
        if f.seed_users_only:
            parts.append(t("inbox.seed_users_only"))
        parts.append(t("inbox.count", count=len(self.rows)))
        return Text("  ·  ".join(parts), style="dim")

    def _selected(self) -> Row | None:
        table = next(self.query("#items").results(DataTable), None)
        if table is None or table.row_count == 0:
            return None
        key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return next((r for r in self.rows if str(r.item.id) == key.value), None)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()
        self.refresh_bindings()

    def _show_detail(self) -> None:
        row = self._selected()
        detail = self.query_one("#detail", Static)
        if row is None:
            detail.update(Text(t("inbox.empty"), style="dim"))
            return
        item = row.item
        text = Text()
        text.append(f"#{item.id}  {t(f'feedback.sentiment.{item.sentiment}')}", style="bold")
        if item.seed_user:
            text.append(f"  {t('customer.seed_user')}", style="magenta")
        if item.supplier:
            text.append(f"  {t('export.column.supplier')}: {item.supplier}")
        text.append(f"\n{item.words}\n")
        if item.owner_note:
            text.append(f"{t('export.column.owner_note')}: {item.owner_note}", style="green")
        detail.update(text)

    # -- filters --------------------------------------------------------------------------
    def action_filter(self) -> None:
        self.query_one("#typed", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the filter box: a filter that reads applies, and the list takes the
        focus; one that does not (a bad date) is said beside the box, and the focus stays
        in the box, so what is typed next is not taken as r/p/d/x on the list."""
        event.stop()
        try:
            self._current_filter(event.value)
        except RegularsError as error:
            self.query_one("#filters", Static).update(Text(error_text(error), style="red"))
            event.input.focus()
            return
        self.typed = event.value
        self.query_one("#items", DataTable).focus()
        self._load()

    def _cycle(self, changed: Filter) -> None:
        self.filter = changed
        self._load()

    def action_cycle_status(self) -> None:
        i = STATUS_FILTERS.index(self.filter.status)
        self._cycle(replace(self.filter, status=STATUS_FILTERS[(i + 1) % len(STATUS_FILTERS)]))

    def action_cycle_category(self) -> None:
        i = CATEGORY_FILTERS.index(self.filter.category)
        self._cycle(replace(self.filter,
                            category=CATEGORY_FILTERS[(i + 1) % len(CATEGORY_FILTERS)]))

    def action_seed_users(self) -> None:
        self._cycle(replace(self.filter, seed_users_only=not self.filter.seed_users_only))

    def action_sort(self) -> None:
        i = SORTS.index(self.filter.sort)
        self._cycle(replace(self.filter, sort=SORTS[(i + 1) % len(SORTS)]))

    # -- triage ---------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("status", "done", "note", "link", "unlink", "tell"):
            row = self._selected()
            if row is None:
                return False
            if action in ("status", "done"):  # a step the item cannot take is not offered
                if action == "status" and not parameters:
                    return True  # asked about the action in general (the help screen)
                to = "done" if action == "done" else str(parameters[0])
                return self.shop.feedback.can_move(row.item.status, to)
            if action == "unlink":
                return row.mentions > 1
            if action == "tell":
                return row.item.status == "done"
        return True

    def action_status(self, status: str) -> None:
        row = self._selected()
        if row is not None:
            item_id = row.item.id
            self.run_db(lambda: self.shop.feedback.set_status(item_id, status),
                        lambda _: self._load(), group="triage")

    def action_done(self) -> None:
        row = self._selected()
        if row is not None:
            item = row.item

            def saved(changed: bool | None) -> None:
                self._load()
                if changed:
                    self.app.push_screen(TellScreen(item.id, item.words))

            self.app.push_screen(NoteDialog(item.id, item.owner_note, "done"), saved)

    def action_note(self) -> None:
        row = self._selected()
        if row is not None:
            self.app.push_screen(NoteDialog(row.item.id, row.item.owner_note, None),
                                 lambda changed: self._load())

    def action_link(self) -> None:
        row = self._selected()
        if row is None:
            return
        if self.marked is None or self.marked == row.item.id:
            self.marked = None if self.marked == row.item.id else row.item.id
            self.notify(t("inbox.link_marked") if self.marked else t("inbox.link_cleared"))
            self._fill()
            return
        pair = [self.marked, row.item.id]
        self.marked = None
        self.run_db(lambda: self.shop.feedback.link(pair), lambda _: self._load(),
                    group="triage")

    def action_unlink(self) -> None:
        row = self._selected()
        if row is not None:
            item_id = row.item.id
            self.run_db(lambda: self.shop.feedback.unlink(item_id), lambda _: self._load(),
                        group="triage")

    def action_tell(self) -> None:
        row = self._selected()
        if row is not None:
            self.app.push_screen(TellScreen(row.item.id, row.item.words))

    def action_back(self) -> None:
        self.dismiss(None)


class NoteDialog(CounterDialog):
    """The owner's note ("what we will do"); with a status, saving also moves it."""

    FIELDS = ("note",)

    def __init__(self, item_id: int, note: str, status: str | None) -> None:
        super().__init__()
        self.item_id = item_id
        self.note = note
        self.status = status

    def compose(self) -> ComposeResult:
        title = t("inbox.done_title") if self.status == "done" else t("inbox.note_title")
        with Vertical(classes="dialog"):
            yield Static(Text(title, style="bold"))
            yield from self.field_row("note", Input(self.note, id="note"))
            yield Static(t("dialog.enter_saves"), classes="dim")

    def action_save(self) -> None:
        note, item_id, status = self.query_one("#note", Input).value.strip(), self.item_id, \
            self.status
        if status is None:
            self.save_with(lambda: self.shop.feedback.set_note(item_id, note))
        else:
            self.save_with(lambda: self.shop.feedback.set_status(item_id, status, note))


def _summary_text(s: Summary) -> Text:
    text = Text()
    opened = "  ".join(f"{t(f'feedback.category.{c}')} {n}" for c, n in s.open_by_category.items())
    text.append(f"{t('inbox.open')}: ", style="bold")
    text.append(opened or "0")
    for days in sorted(s.products):
        top = "  ".join(f"{m.name} {m.recent}{_trend(m.recent, m.before)}"
                        for m in [*s.products[days][:3], *s.suppliers[days][:2]])
        text.append(f"\n{t('inbox.top_products', days=days)}: ", style="bold")
        text.append(top or "—")
    median = f"{s.median_days_to_done:.1f}" if s.median_days_to_done is not None else "—"
    text.append(f"\n{t('inbox.median_done', days=median)}", style="dim")
    return text


def _trend(recent: int, before: int) -> str:
    if recent > before:
        return f"↑{recent - before}"
    if recent < before:
        return f"↓{before - recent}"
    return ""
