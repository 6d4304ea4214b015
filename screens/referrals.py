"""Referral leaderboard (F6): who brings people in, this month, last month or ever.

Ranked by qualified referrals (the referee has bought) or by what the referees
spent. The top of this list is where seed users and KOCs come from: s marks the
selected customer as a seed user, Enter opens them.
"""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from console.i18n import t
from console.widgets import KeyBar, TitleBar
from db.money import format_fen
from db.values import Leader

from .base import LoadedScreen

PERIODS = ("this_month", "last_month", "all")
ORDERS = ("qualified", "spend")
COLUMNS = (("rank", 4), ("name", 12), ("code", 8), ("qualified", 10), ("referees_spend", 14))


class LeaderboardScreen(LoadedScreen[None]):
    BINDINGS = [Binding("escape", "back", "key.back"),
                Binding("enter", "open", "key.open"),
                Binding("f3", "period", "key.period"),
                Binding("f4", "order", "key.order"),
                Binding("s", "seed_user", "key.mark_seed_user")]

    def __init__(self) -> None:
        super().__init__()
        self.period = "this_month"
        self.order = "qualified"
        self.leaders: list[Leader] | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar(right=t("leaderboard.title"))
        yield Static("", id="board-filter")
        table: DataTable[object] = DataTable(id="board", cursor_type="row", zebra_stripes=True)
        for key, width in COLUMNS:
            table.add_column(t(f"column.{key}"), width=width, key=key)
        yield table
        yield Static(t("leaderboard.explain"), classes="dim")
        yield KeyBar()

    def _load(self) -> None:
        period, order = self.period, self.order
        self.leaders = None
        self.query_one("#board-filter", Static).update(Text(t("customer.loading"),
                                                            style="dim"))
        self.run_db(lambda: self.shop.rewards.leaderboard(period, order, 100), self._show,
                    group="board")

    def _show(self, leaders: list[Leader]) -> None:
        self.leaders = leaders
        self._fill()
        self.refresh_bindings()

    def _fill(self) -> None:
        self.query_one("#board-filter", Static).update(Text(
            f"{t(f'leaderboard.period.{self.period}')} · "
            f"{t(f'leaderboard.order.{self.order}')}", style="bold"))
        if self.leaders is None:
            return
        table = self.query_one("#board", DataTable)
        table.clear()
        for rank, x in enumerate(self.leaders, 1):
            table.add_row(Text(str(rank), justify="right"), x.name, x.member_code,
                          Text(f"{x.qualified:,}", justify="right"),
                          Text(format_fen(x.referees_spend_fen), justify="right"),
                          key=str(x.customer_id))
        if not self.leaders:  # said on the line above the list: a column would cut it
            self.query_one("#board-filter", Static).update(Text.assemble(
                (f"{t(f'leaderboard.period.{self.period}')} · "
                 f"{t(f'leaderboard.order.{self.order}')}", "bold"),
                "  ", (t("leaderboard.empty"), "dim")))
        table.focus()

    def _selected(self) -> int | None:
        table = next(self.query("#board").results(DataTable), None)
        if table is None or not self.leaders or table.row_count == 0:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return int(str(row_key.value))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("open", "seed_user"):
            return self._selected() is not None
        return True

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.refresh_bindings()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_period(self) -> None:
        self.period = PERIODS[(PERIODS.index(self.period) + 1) % len(PERIODS)]
        self._load()

    def action_order(self) -> None:
        self.order = ORDERS[(ORDERS.index(self.order) + 1) % len(ORDERS)]
        self._load()

    def action_open(self) -> None:
        from .customer import CustomerScreen

        cid = self._selected()
        if cid is not None:
            self.app.push_screen(CustomerScreen(cid))

    def action_seed_user(self) -> None:
        cid = self._selected()
        if cid is None:
            return

        def work() -> str:
            found = self.shop.customers.get(cid)
            if not found.is_seed_user:
                self.shop.customers.update(cid, replace(found.as_input(), is_seed_user=True))
            return found.name

        self.run_db(work, lambda name: self.notify(t("leaderboard.seed_marked", name=name)),
                    group="seed")

    def action_back(self) -> None:
        self.dismiss(None)
