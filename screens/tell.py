"""Feedback done: tell the customers who raised it, each in their own language."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Static

from console.i18n import t, t_in
from console.widgets import KeyBar, TitleBar
from db.clock import local_date_text
from db.values import FeedbackItem, Raiser

from .base import DataScreen


class TellRead(Message):
    """Who raised the item, and the item: the list, and the message for the one chosen."""

    def __init__(self, raisers: list[Raiser], item: FeedbackItem) -> None:
        super().__init__()
        self.raisers = raisers
        self.item = item


class TellScreen(DataScreen[None]):
    """Done: the customers who raised it, each with a message to paste into a chat."""

    BINDINGS = [Binding("escape", "back", "key.back"),
                Binding("t", "told", "key.told")]

    def __init__(self, item_id: int, words: str) -> None:
        super().__init__()
        self.item_id = item_id
        self.words = words
        self.people: list[Raiser] = []
        self.item: FeedbackItem | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar(right=t("tell.title"))
        yield Static("", id="message")
        table: DataTable[object] = DataTable(id="people", cursor_type="row")
        for key, width in (("customer", 10), ("phone", 13), ("told", 12)):
            table.add_column(t(f"tell.column.{key}"), width=width, key=key)
        yield table
        yield KeyBar()

    def on_mount(self) -> None:
        self._load()

    def after_recompose(self) -> None:
        self._load()  # F2: the message in the other language, for a customer who reads it

    def _load(self) -> None:
        item_id = self.item_id
        self.run_db_message(lambda: (self.shop.feedback.raisers(item_id),
                                     self.shop.feedback.item(item_id)),
                            lambda loaded: TellRead(*loaded), group="tell")

    def on_tell_read(self, message: TellRead) -> None:
        message.stop()
        raisers, self.item = message.raisers, message.item
        self.people = raisers
        table = self.query_one("#people", DataTable)
        table.clear()
        for who in raisers:
            told = local_date_text(who.told_at, self.shop.timezone) if who.told_at else "—"
            table.add_row(who.name, who.phone, told, key=f"{who.feedback_id}:{who.customer_id}")
        table.focus()
        self._show_message()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_message()

    def _show_message(self) -> None:
        """The selected customer's message, in their language, ready to paste."""
        table = self.query_one("#people", DataTable)
        box = self.query_one("#message", Static)
        if self.item is None or table.row_count == 0:
            box.update(Text(t("tell.nobody"), style="dim"))
            return
        who = self.people[min(table.cursor_row, len(self.people) - 1)]
        excerpt = " ".join(self.item.words.split())[:40]
        box.update(Text(t_in(who.language, "tell.message", words=excerpt,
                             note=self.item.owner_note or "…"), style="bold"))

    def action_told(self) -> None:
        table = self.query_one("#people", DataTable)
        if table.row_count == 0:
            return
        key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        item_id, customer_id = (int(x) for x in str(key.value).split(":"))
        self.run_db(lambda: self.shop.feedback.mark_told(item_id, customer_id),
                    lambda _: self._load(), group="told")

    def action_back(self) -> None:
        self.dismiss(None)
