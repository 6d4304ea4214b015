"""Lookup (home): one box, results as you type, Enter opens the customer."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static

from console.i18n import stage_label, t
from console.widgets import KeyBar, TitleBar
from db.clock import local_date_text
from db.customers import CustomerInput
from db.money import format_fen
from db.phones import mask
from db.search import SearchResult, parse_terms

from .base import DataScreen

DEBOUNCE_SECONDS = 0.015  # coalesces key-repeat bursts; human keystrokes are ~100 ms apart
COLUMNS = (("phone", 13), ("name", 10), ("code", 8), ("stage", 8), ("last_visit", 10),
           ("spend", 11))


class LookupScreen(DataScreen[None]):
    BINDINGS = [
        Binding("enter", "open", "key.open", priority=True),
        Binding("ctrl+n", "new", "key.new"),
        Binding("n", "new", "key.new", show=False),
        Binding("escape", "clear", "key.clear"),
        Binding("down", "cursor(1)", "key.down", show=False),
        Binding("up", "cursor(-1)", "key.up", show=False),
        Binding("pagedown", "cursor(10)", "key.pagedown", show=False),
        Binding("pageup", "cursor(-10)", "key.pageup", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.query_text = ""
        self.result: SearchResult | None = None
        self.searched_at: float = 0.0
        self._debounce: Timer | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Input(value=self.query_text, placeholder=t("lookup.placeholder"), id="query")
        table: DataTable[object] = DataTable(id="results", cursor_type="row", zebra_stripes=True)
        for key, width in COLUMNS:
            table.add_column(t(f"column.{key}"), width=width, key=key)
        yield table
        yield Static("", id="status")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#query", Input).focus()
        self._search_now()

    def on_screen_resume(self) -> None:
        if self.result is not None:  # back from a customer: figures may have changed
            self._search_now()

    def after_recompose(self) -> None:
        """Language switched: same query, same rows, new words."""
        self.query_one("#query", Input).focus()
        if self.result is not None:
            self._show(self.result)

    # -- typing ----------------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "query":
            return
        self.query_text = event.value
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(DEBOUNCE_SECONDS, self._search_now)

    def _search_now(self) -> None:
        query = self.query_text
        self.run_db(lambda: self.shop.search(query), self._show, group="search")

    def _show(self, result: SearchResult) -> None:
        if result.query != self.query_text:
            return  # a newer query is on its way
        self.result = result
        table = self.query_one("#results", DataTable)
        table.clear()
        tz = self.shop.timezone
        for hit in result.hits:
            name = Text(hit.name, style="bold" if hit.exact else "")
            table.add_row(
                mask(hit.phone, hit.phone_rev) or "—", name, hit.member_code,
                stage_label(hit.stage), local_date_text(hit.last_visit_at, tz) or "—",
                format_fen(hit.total_spend_fen) if hit.orders else "—",
                key=str(hit.id))
        if result.hits:
            table.move_cursor(row=0)
        self.query_one("#status", Static).update(self._status_text(result))
        self.refresh_bindings()

    def _status_text(self, result: SearchResult) -> str:
        lines = [t(h) for h in result.hints]
        if not result.query.strip():
            lines.append(t("lookup.recent") if result.hits else t("lookup.empty_shop"))
        elif not result.hits:
            lines.append(t("lookup.no_match_add", query=result.query.strip()))
        elif result.more:
            lines.append(t("lookup.more", count=len(result.hits)))
        else:
            lines.append(t("lookup.count", count=len(result.hits)))
        return "  ".join(lines)

    # -- actions -----------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open":
            return self._selected_id() is not None
        if action == "clear":
            return bool(self.query_text)
        return True

    def _selected_id(self) -> int | None:
        table = next(self.query("#results").results(DataTable), None)
        if table is None or table.row_count == 0:  # none while re-composing
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return int(str(row_key.value))

    def action_cursor(self, step: int) -> None:
        table = self.query_one("#results", DataTable)
        if table.row_count:
            row = max(0, min(table.row_count - 1, table.cursor_row + step))
            table.move_cursor(row=row)

    def action_open(self) -> None:
        customer_id = self._selected_id()
        if customer_id is not None:
            from .customer import CustomerScreen

            self.app.push_screen(CustomerScreen(customer_id))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_clear(self) -> None:
        query = self.query_one("#query", Input)
        query.value = ""
        query.focus()

    def action_new(self) -> None:
        from .customer import CustomerScreen
        from .customer_form import CustomerFormScreen

        def opened(customer: object) -> None:
            customer_id = getattr(customer, "id", None)
            if customer_id is not None:
                self.app.push_screen(CustomerScreen(customer_id))

        self.app.push_screen(CustomerFormScreen(prefill=prefill_from(self.query_text)), opened)


def prefill_from(query: str) -> CustomerInput:
    """'No match' offers to add: a typed phone goes to phone, a typed name to name."""
    data = CustomerInput()
    for term in parse_terms(query):
        if term.kind == "digits" and len(term.text.lstrip("+")) >= 7:
            data.phone = term.text
        elif term.kind == "cjk":
            data.name = term.text
    return data
