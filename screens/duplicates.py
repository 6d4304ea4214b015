"""Possible duplicates (F8, owner): pairs that look like one person written twice, with
the reasons; `m` merges the selected pair after asking once, `s` swaps which one stays.

The first customer of a pair (the one added first) stays by default: its member code is
the one the customer has had longest.
"""

from __future__ import annotations

import time

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from console.i18n import t
from console.widgets import KeyBar, TitleBar
from db.phones import mask
from db.values import Customer, Merged, Pair

from .base import HOLDING_GROUP, LoadedScreen

LIMIT = 200  # pairs read at a time: the list is worked from the top, merge by merge


def who(c: Customer) -> str:
    return f"{c.member_code} {c.name} {mask(c.phone, c.phone_rev) or c.wechat_id or ''}"


class DuplicatesScreen(LoadedScreen[None]):
    BINDINGS = [Binding("escape", "back", "key.back"),
                Binding("m", "merge", "key.merge"),
                Binding("s", "swap", "key.swap_keep")]

    def __init__(self) -> None:
        super().__init__()
        self.pairs: list[Pair] | None = None
        self.swapped: set[tuple[int, int]] = set()  # pairs whose second one stays
        self.asked: tuple[int, int] | None = None  # (keep, other) shown in the question
        self.asked_at = 0.0

    def compose(self) -> ComposeResult:
        yield TitleBar(right=t("duplicates.title"))
        yield Static(t("duplicates.explain"), id="explain")
        table: DataTable[object] = DataTable(id="pairs", cursor_type="row", zebra_stripes=True)
        for key in ("keep", "other", "reasons"):
            table.add_column(t(f"duplicates.column.{key}"), key=key)
        yield table
        yield Static("", id="status")
        yield KeyBar()

    def _load(self) -> None:
        customers = self.shop.customers
        self.run_db(lambda: customers.duplicates(LIMIT), self._arrived, group="duplicates")

    def _arrived(self, pairs: list[Pair]) -> None:
        self.pairs = pairs
        self._fill()
        self.refresh_bindings()

    def _roles(self, pair: Pair) -> tuple[Customer, Customer]:
        """(the one who stays, the one merged into them)."""
        if (pair.first.id, pair.second.id) in self.swapped:
            return pair.second, pair.first
        return pair.first, pair.second

    def _fill(self) -> None:
        if self.pairs is None:
            return
        table = self.query_one("#pairs", DataTable)
        row = table.cursor_row
        table.clear()
        for pair in self.pairs:
            keep, other = self._roles(pair)
            table.add_row(Text(who(keep), style="bold"), who(other),
                          "; ".join(t(f"duplicates.reason.{r}") for r in pair.reasons),
                          key=f"{pair.first.id}-{pair.second.id}")
        if self.pairs:
            table.move_cursor(row=min(row, len(self.pairs) - 1))
        table.focus()
        self._say(t("duplicates.count", count=len(self.pairs)) if self.pairs
                  else t("duplicates.none"))

    def _say(self, text: str) -> None:
        self.query_one("#status", Static).update(text)

    def selected(self) -> Pair | None:
        table = next(self.query("#pairs").results(DataTable), None)
        if table is None or table.row_count == 0 or not self.pairs:
            return None
        return self.pairs[min(table.cursor_row, len(self.pairs) - 1)]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("merge", "swap"):
            return self.selected() is not None
        return True

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        if self.asked is not None:  # the question was about another pair
            self.asked = None
            self._say(t("duplicates.count", count=len(self.pairs or [])))

    def action_swap(self) -> None:
        pair = self.selected()
        if pair is None:
            return
        ids = (pair.first.id, pair.second.id)
        self.swapped ^= {ids}
        self.asked = None
        self._fill()

    def action_merge(self) -> None:
        """Asks once (the question names both); `m` again, typed after it, merges."""
        pair = self.selected()
        if pair is None:
            return
        keep, other = self._roles(pair)
        if self.asked == (keep.id, other.id) and self.key_gate.typed_after(self.asked_at):
            self.asked = None
            customers = self.shop.customers
            self.run_db(lambda: customers.merge(keep.id, other.id),
                        lambda done: self._merged(done, keep.name), group=HOLDING_GROUP)
            return
        self.asked, self.asked_at = (keep.id, other.id), time.monotonic()
        self._say(t("duplicates.confirm", other=who(other), keep=who(keep)))

    def _merged(self, done: Merged, name: str) -> None:
        self.notify(t("merge.done", other_code=done.other_code, keep_code=done.keep_code,
                      name=name))
        self._load()

    def action_back(self) -> None:
        self.dismiss(None)
