"""Import (owner): a shop's member list or purchase history from a CSV or Excel file.

The owner types (or pastes) the file's path and picks customers or purchases; Enter
reads it in a worker and shows how its columns map, what importing would do (new,
updated, unchanged, folded, refused) and the first refusals, nothing written yet. Enter
on a column sets its field (or leaves it out) and reads the file again. Enter once
more (typed after the preview appeared), or Ctrl+S, imports: one transaction, with a
progress bar. Esc leaves before that; during the import it does not abandon half, and
quitting the console stops the import with nothing written. The refused rows go to
``<file>.errors.csv`` beside the file (console/import_errors.py, as the CLI writes it).
"""

from __future__ import annotations

import time
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Label, ProgressBar, Static
from textual.worker import Worker, WorkerState, get_current_worker

from console.i18n import error_text, t
from console.import_errors import error_file_for, write_errors
from console.widgets import KeyBar, TitleBar
from db.errors import RegularsError
from db.values import IMPORT_KINDS, Column, Outcome, Preview

from .base import DataScreen
from .dialogs import pick_line, picked
from .import_parts import (
    FieldDialog,
    Finished,
    fill_mapping,
    outcome_text,
    preview_text,
    refusals_text,
    typed_path,
)

KIND_LABELS = "import.screen.kind."  # + customers / purchases
Key = tuple[str, str, tuple[tuple[str, str], ...]]  # path, kind, mapping: what a preview is of


class Previewed(Message):
    def __init__(self, preview: Preview, key: Key) -> None:
        super().__init__()
        self.preview = preview
        self.key = key


class Imported(Message):
    def __init__(self, finished: Finished) -> None:
        super().__init__()
        self.finished = finished


class ImportProgress(Message):
    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done = done
        self.total = total


class Abandoned(Exception):
    """Raised in the writing thread when the console closes mid-import: the import's one
    transaction rolls back, so nothing of it is written."""


class ImportScreen(DataScreen[None]):
    BINDINGS = [Binding("escape", "back", "key.back"),
                Binding("ctrl+s", "confirm", "key.import_run"),
                Binding("f4", "auto_mapping", "key.import_auto", show=False)]

    def __init__(self, path: str = "", kind: str = "customers") -> None:
        super().__init__()
        self.path_text = path
        self.kind = kind
        self.mapping: dict[str, str] = {}  # the owner's choices: header -> field, "" left out
        self.preview: Preview | None = None
        self.preview_key: Key | None = None
        self.columns: tuple[Column, ...] = ()  # the last reading's: stays after an import
        self.columns_of: tuple[str, str] = ("", "")  # the file and kind they are of
        self.previewed_at = 0.0
        self.problem: RegularsError | None = None  # the last reading's refusal
        self.reading = False
        self.running = False
        self.progress = (0, 0)
        self.finished: Finished | None = None
        self.finished_key: Key | None = None  # what the import on screen was of

    def compose(self) -> ComposeResult:
        yield TitleBar(right=t("import.screen.title"))
        with Vertical(id="import"):
            with Horizontal(classes="field"):
                yield Label(t("import.screen.file"), classes="label")
                yield Input(self.path_text, id="path", placeholder=t("import.screen.path_hint"))
            with Horizontal(classes="field"):
                yield Label(t("import.screen.kind"), classes="label")
                yield Input(id="kind", max_length=1)
                yield Static(pick_line(IMPORT_KINDS, KIND_LABELS, self.kind), id="kinds")
            table: DataTable[str | Text] = DataTable(id="mapping", cursor_type="row",
                                                     zebra_stripes=True)
            yield table
            yield Static("", id="import-summary")
            yield Static("", id="refusals")
            yield ProgressBar(id="import-progress", show_eta=False)
            yield Static("", id="import-status")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()
        self._draw()

    def remember_state(self) -> None:
        self.path_text = self.query_one("#path", Input).value  # as typed

    def after_recompose(self) -> None:
        self.query_one("#path", Input).focus()
        self._draw()

    # -- state -> screen ----------------------------------------------------------------
    def _path_value(self) -> str:
        boxes = list(self.query("#path").results(Input))
        return typed_path(boxes[0].value if boxes else self.path_text)

    def _key(self) -> Key:
        return self._path_value(), self.kind, tuple(sorted(self.mapping.items()))

    @property
    def ready(self) -> bool:
        """A preview on screen that is about what the form says now."""
        return (self.preview is not None and self.preview_key == self._key()
                and not self.running)

    def _draw(self) -> None:
        """Everything from what the screen holds (also after a language switch)."""
        table = self.query_one("#mapping", DataTable)
        fill_mapping(table, self.columns)
        summary = self.query_one("#import-summary", Static)
        refusals = self.query_one("#refusals", Static)
        if self.finished is not None:
            summary.update(outcome_text(self.finished))
            refusals.update(refusals_text(self.finished.outcome.refusals, self.app.size.height))
        elif self.preview is not None:
            summary.update(preview_text(self.preview, self.shop.timezone))
            refusals.update(refusals_text(self.preview.parsed.refusals, self.app.size.height))
        else:
            summary.update("")
            refusals.update("")
        for box in self.query(Input):  # the import reads what was confirmed, nothing else
            box.disabled = self.running
        if not self.running and self.focused is None:
            self.query_one("#path", Input).focus()
        bar = self.query_one("#import-progress", ProgressBar)
        bar.display = self.running or self.finished is not None
        done, total = self.progress
        # until the first count arrives (the file is read and compared again first),
        # the bar pulses rather than sitting at 0%
        bar.update(total=total or None, progress=done)
        self._say()
        self.refresh_bindings()

    def _say(self) -> None:
        status = self.query_one("#import-status", Static)
        if self.running:
            status.update(Text(t("import.screen.running"), style="bold"))
        elif self.problem is not None:
            status.update(Text(error_text(self.problem), style="bold red"))
        elif self.reading:
            status.update(Text(t("import.screen.reading"), style="dim"))
        elif self.ready:
            status.update(Text(t("import.screen.confirm"), style="bold yellow"))
        elif self.finished is None:
            status.update(Text(t("import.screen.start"), style="dim"))
        else:
            status.update(Text(t("import.screen.after"), style="dim"))

    # -- reading the file ---------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "kind":
            kind = picked(event, IMPORT_KINDS)
            if kind is not None and kind != self.kind:
                self.kind = kind
                self.mapping.clear()  # the other kind's fields are others
                self.query_one("#kinds", Static).update(
                    pick_line(IMPORT_KINDS, KIND_LABELS, kind))
                if self._path_value():
                    self._preview()
        elif event.input.id == "path" and self.preview_key is not None \
                and typed_path(event.value) != self.preview_key[0]:
            self._say()  # another file: its preview comes with the next Enter
            self.refresh_bindings()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter reads the file; Enter again, once its preview is on screen, imports."""
        event.stop()
        if self.running:
            return
        if self.ready:
            if self.key_gate.typed_after(self.previewed_at):  # read the preview, then Enter
                self.action_confirm()
            return
        if self.finished is not None and self.finished_key == self._key():
            return  # the result stays on screen; another file or kind reads afresh
        self._preview()

    def _preview(self) -> None:
        key = self._key()
        path_text, kind = key[0], key[1]
        self.finished = None
        self.problem = None
        if not path_text:
            self._draw()
            return
        if self.columns_of != (path_text, kind):  # another file's: not about this one
            self.columns = ()
            self.preview, self.preview_key = None, None
        self.reading = True
        self._draw()
        path = Path(path_text).expanduser()
        mapping = dict(self.mapping) or None
        self.run_db_message(lambda: self.shop.imports.preview(kind, path, mapping),
                            lambda preview: Previewed(preview, key), group="preview",
                            failed=self._preview_failed)

    def on_previewed(self, message: Previewed) -> None:
        message.stop()
        if message.key != self._key() or self.running:
            return  # the form changed since: that reading is not about it
        self.reading = False
        self.preview, self.preview_key = message.preview, message.key
        self.columns = message.preview.parsed.columns
        self.columns_of = (message.key[0], message.key[1])
        self.previewed_at = time.monotonic()
        self._draw()

    def _preview_failed(self, error: RegularsError) -> None:
        """A missing file, a folder, a file refused whole (its encoding, no phone
        column), a mapping that cannot be: the db's sentence. The columns stay on screen
        so a column set wrongly can be set back; the counts, which were for another
        mapping, go."""
        self.reading = False
        self.problem = error
        self.preview, self.preview_key = None, None
        self._draw()

    # -- the mapping ----------------------------------------------------------------------
    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self.running or not self.columns or event.row_key.value is None:
            return
        header = event.row_key.value
        current = next((c.field for c in self.columns if c.header == header), None)

        def chosen(field: str | None) -> None:
            if field is not None:
                self.mapping[header] = field
                self._preview()

        self.app.push_screen(FieldDialog(header, self.kind, current), chosen)

    def action_auto_mapping(self) -> None:
        """Forget the owner's column choices: every column as the file's headers say."""
        if self.mapping and not self.running:
            self.mapping.clear()
            self._preview()

    # -- importing ------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "confirm":
            return self.ready
        if action == "auto_mapping":
            return bool(self.mapping) and not self.running
        return True

    def action_confirm(self) -> None:
        """Once: the first confirm marks the screen running, so a second Enter or Ctrl+S
        (typed fast, or while the worker starts) finds nothing to confirm."""
        if not self.ready:
            return
        self.running = True
        self.progress = (0, 0)
        self.finished = None
        path_text, kind, _ = self._key()
        path = Path(path_text).expanduser()
        mapping = dict(self.mapping) or None

        def work() -> Finished:
            worker = get_current_worker()

            def heard(done: int, total: int) -> None:  # the writing thread: post only
                if worker.is_cancelled:
                    raise Abandoned
                self.post_message(ImportProgress(done, total))

            outcome = self.shop.imports.run(kind, path, mapping, progress=heard)
            return _with_error_file(outcome, path)

        self.run_db_message(work, Imported, group="import", failed=self._import_failed)
        self._draw()

    def on_import_progress(self, message: ImportProgress) -> None:
        message.stop()
        self.progress = (message.done, message.total)
        self.query_one("#import-progress", ProgressBar).update(
            total=message.total or None, progress=message.done)

    def on_imported(self, message: Imported) -> None:
        message.stop()
        self.running = False
        self.finished, self.finished_key = message.finished, self.preview_key
        total = max(self.progress[1], 1)  # a file with nothing to write ticks never
        self.progress = (total, total)
        self.preview, self.preview_key = None, None  # Enter now reads the file afresh
        self._draw()

    def _import_failed(self, error: RegularsError) -> None:
        """Refused before or while writing: the one transaction rolled back."""
        self.running = False
        self.problem = error
        self.preview_key = None
        self._draw()
        self.query_one("#import-summary", Static).update(
            Text(t("import.screen.nothing_written"), style="bold red"))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A reading or an import that died of something other than a refusal (a bug,
        shown by base.py) must not leave the screen "reading" or "importing"; the
        import rolled back all the same."""
        super().on_worker_state_changed(event)
        if event.state not in (WorkerState.ERROR, WorkerState.CANCELLED):
            return
        if (event.worker.group == "preview" and self.reading  # (a newer reading
                and event.state == WorkerState.ERROR):  # cancels the one it replaces)
            self.reading = False
            self._say()
        elif event.worker.group == "import" and self.running:
            self.running = False
            self._draw()
            self.query_one("#import-summary", Static).update(
                Text(t("import.screen.nothing_written"), style="bold red"))

    def action_back(self) -> None:
        if self.running:  # one transaction: it finishes, or quitting writes nothing
            self.notify(t("import.screen.busy"), severity="warning", timeout=8)
            return
        self.dismiss(None)


def _with_error_file(outcome: Outcome, source: Path) -> Finished:
    """The refusals beside the file they came from; a folder we may not write to
    loses only the error file, never the import (already committed)."""
    if not outcome.refusals:
        return Finished(outcome, None)
    target = error_file_for(source)
    try:
        write_errors(target, outcome.refusals)
    except RegularsError as exc:
        return Finished(outcome, None, t("import.screen.errors_failed", reason=error_text(exc)))
    return Finished(outcome, target)
