"""At risk: trust customers past their own usual interval, most valuable first.

These are the people to contact today, before the clock moves them to decline.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Static

from console.i18n import t
from console.widgets import KeyBar, TitleBar
from db.values import Hit

from .base import LoadedScreen
from .hits import fill, hits_table, selected_id


class AtRiskRead(Message):
    """The list and the median trust period: the list and the summary under it."""

    def __init__(self, hits: list[Hit], median: float | None) -> None:
        super().__init__()
        self.hits = hits
        self.median = median


class AtRiskScreen(LoadedScreen[None]):
    BINDINGS = [Binding("escape", "back", "key.back"),
                Binding("enter", "open", "key.open"),
                Binding("w", "winback", "key.winback")]

    def __init__(self) -> None:
        super().__init__()
        self.hits: list[Hit] | None = None
        self.median: float | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar(right=t("at_risk.title"))
        yield Static(t("at_risk.explain"), id="explain")
        yield hits_table("at-risk")
        yield Static("", id="status")
        yield KeyBar()

    def on_screen_resume(self) -> None:
        if self.hits is not None:
            self._load()

    def after_recompose(self) -> None:
        self._fill()

    def _load(self) -> None:
        lifecycle = self.shop.lifecycle
        self.run_db_message(lambda: (lifecycle.at_risk(200), lifecycle.median_trust_period()),
                            lambda loaded: AtRiskRead(*loaded), group="at-risk")

    def on_at_risk_read(self, message: AtRiskRead) -> None:
        message.stop()
        self.hits, self.median = message.hits, message.median
        self._fill()
        self.refresh_bindings()

    def _fill(self) -> None:
        if self.hits is None:
            return
        table = self.query_one("#at-risk", DataTable)
        fill(table, self.hits, self.shop.timezone)
        table.focus()
        median = f"{self.median:.0f}" if self.median is not None else "—"
        self.query_one("#status", Static).update(
            t("at_risk.summary", count=len(self.hits), median=median) if self.hits
            else t("at_risk.empty"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open":
            return selected_id(next(self.query("#at-risk").results(DataTable), None)) is not None
        return True

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()  # the list's own Enter, in order after any ↓ typed before it
        self.action_open()

    def action_open(self) -> None:
        from .customer import CustomerScreen

        cid = selected_id(next(self.query("#at-risk").results(DataTable), None))
        if cid is not None:
            self.app.push_screen(CustomerScreen(cid))

    def action_winback(self) -> None:
        """A win-back coupon for everyone on this list, previewed before it is issued."""
        from .batch_issue import BatchIssueScreen

        self.open_if_allowed("coupon.issue_batch",
                             lambda: BatchIssueScreen(reason="winback", at_risk=True))

    def action_back(self) -> None:
        self.dismiss(None)
