"""Lookup (home): one box, results as you type, Enter opens the customer."""

from __future__ import annotations

from concurrent.futures import Future
from typing import Protocol, runtime_checkable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static

from console.i18n import error_text, t
from console.widgets import KeyBar, TitleBar
from db.errors import RegularsError
from db.values import Customer, CustomerInput, SearchResult, parse_terms
from db.vocab import STAGES

from .base import DataScreen
from .hits import fill, hits_table, selected_id

DEBOUNCE_SECONDS = 0.015  # coalesces key-repeat bursts; human keystrokes are ~100 ms apart


class SearchAnswered(Message):
    """A search's answer: the list and the status line under it both show it."""

    def __init__(self, result: SearchResult) -> None:
        super().__init__()
        self.result = result


@runtime_checkable
class ReadsAhead(Protocol):
    """An app that reads the lookup's first rows while it starts (console/app.py)."""

    def take_first_rows(self) -> Future[SearchResult] | None: ...


class LookupScreen(DataScreen[None]):
    BINDINGS = [
        Binding("enter", "open", "key.open"),
        Binding("ctrl+n", "new", "key.new"),
        Binding("n", "new", "key.new", show=False),
        Binding("escape", "clear", "key.clear"),
        Binding("f3", "at_risk", "key.at_risk"),
        Binding("f4", "cycle_stage", "key.stage_filter"),
        Binding("f5", "inbox", "key.inbox"),
        Binding("f6", "leaderboard", "key.leaderboard", show=False),
        Binding("f7", "batch", "key.batch", show=False),  # owner: a campaign
        Binding("f8", "duplicates", "key.duplicates", show=False),  # owner: merge pairs
        Binding("ctrl+o", "import_file", "key.import", show=False),  # owner: members from a file
        Binding("ctrl+r", "redeem", "key.redeem_code", show=False),
        Binding("f9", "settings", "key.settings", show=False),  # owner, rarely: F1 lists it
        Binding("f10", "audit", "key.audit", show=False),  # owner: the audit trail
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
        self._open_on_arrival = False
        self._shown_before = False  # the first resume is the start, not a return
        self.notice = ""  # a word at start (a shop without PINs), until typing begins

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Input(value=self.query_text, placeholder=t("lookup.placeholder"), id="query")
        yield hits_table("results")
        yield Static("", id="status")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#query", Input).focus()
        ahead = self.app.take_first_rows() if isinstance(self.app, ReadsAhead) else None
        if not self.shop.signed_in:
            return  # nobody at the counter yet: the list is read once someone signs in
        if ahead is None:
            self._search_now()
        elif ahead.done() and ahead.exception() is None:
            self._show(ahead.result())  # read while the app started: in the first frame
        else:  # still reading, or failed: its answer (or error) arrives as a search's
            self.run_db_message(ahead.result, SearchAnswered, group="search",
                                failed=self._search_failed)

    def on_screen_resume(self) -> None:
        if self._shown_before:  # back from a customer (figures may have changed), or
            self._search_now()  # from signing in (the list was not read before)
        self._shown_before = True

    def after_recompose(self) -> None:
        """Language switched: same query, same rows, new words."""
        self.query_one("#query", Input).focus()
        if self.result is not None:
            self._show(self.result)

    # -- typing ----------------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "query":
            return
        if event.value == self.query_text:
            return  # not typed (the box says "changed" as it mounts): that search is under way
        self.query_text = event.value
        self.notice = ""  # read: the counter is at work
        self._open_on_arrival = False  # typing after Enter: that Enter was for another query
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(DEBOUNCE_SECONDS, self._search_now)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the box. Staff type "5678⏎" in one burst: if the results for what
        was typed are not on screen yet, open the top one when they arrive, never the
        row that happened to be highlighted for the previous query."""
        event.stop()
        if self.result is not None and self.result.query == self.query_text:
            self.action_open()
        else:
            self._open_on_arrival = True
            if self._debounce is not None:
                self._debounce.stop()
            self._search_now()  # now: the search for this text may have failed already

    @property
    def keys_held(self) -> bool:
        """After Enter the top result is about to open: keys typed next are for it."""
        return super().keys_held or self._open_on_arrival

    def _search_now(self) -> None:
        query = self.query_text
        self.run_db_message(lambda: self.shop.customers.search(query), SearchAnswered,
                            group="search", failed=self._search_failed)

    def on_search_answered(self, message: SearchAnswered) -> None:
        message.stop()
        self._show(message.result)

    def show_notice(self, notice: str) -> None:
        """Shown first on the status line while the box is empty (the app's start-up word:
        console/app.py), in place of "Recently seen"."""
        self.notice = notice
        if not self.query_text:
            self.query_one("#status", Static).update(Text(notice, style="bold yellow"))

    def _search_failed(self, error: RegularsError) -> None:
        """No result will arrive to open after that Enter: the keys typed next go on
        at once (keys_held), instead of each waiting the key gate's longest wait."""
        self._open_on_arrival = False
        self.notify(error_text(error), severity="error", timeout=8)

    def _show(self, result: SearchResult) -> None:
        if result.query != self.query_text:
            return  # a newer query is on its way
        self.result = result
        fill(self.query_one("#results", DataTable), result.hits, self.shop.timezone)
        self.query_one("#status", Static).update(self._status_text(result))
        if self.notice:
            self.show_notice(self.notice)
        self.refresh_bindings()
        if self._open_on_arrival:
            self._open_on_arrival = False
            self.action_open()

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
        # no table while re-composing after a language switch
        return selected_id(next(self.query("#results").results(DataTable), None))

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

    def action_cycle_stage(self) -> None:
        """F4: no stage filter -> initial -> trust -> decline -> dormant -> none."""
        box = self.query_one("#query", Input)
        words = box.value.split()
        current = next((w for w in words if w.lower().startswith("stage:")), None)
        rest = [w for w in words if w is not current]
        order = [None, *STAGES]
        now = current.split(":", 1)[1].lower() if current else None
        nxt = order[(order.index(now) + 1) % len(order)] if now in order else STAGES[0]
        box.value = " ".join(rest + ([f"stage:{nxt}"] if nxt else []))
        box.cursor_position = len(box.value)
        box.focus()

    def action_at_risk(self) -> None:
        from .at_risk import AtRiskScreen

        self.app.push_screen(AtRiskScreen())

    def action_redeem(self) -> None:
        """A code handed over at the counter, before anyone looks the customer up."""
        from .coupon_dialogs import RedeemDialog

        self.app.push_screen(RedeemDialog())

    def action_inbox(self) -> None:
        from .inbox import InboxScreen

        self.app.push_screen(InboxScreen())

    def action_leaderboard(self) -> None:
        from .referrals import LeaderboardScreen

        self.app.push_screen(LeaderboardScreen())

    def action_batch(self) -> None:
        from .batch_issue import BatchIssueScreen

        self.open_if_allowed("coupon.issue_batch", BatchIssueScreen)

    def action_duplicates(self) -> None:
        from .duplicates import DuplicatesScreen

        self.open_if_allowed("customer.merge", DuplicatesScreen)

    def action_import_file(self) -> None:
        from .imports import ImportScreen

        self.open_if_allowed("import.customers", ImportScreen)

    def action_audit(self) -> None:
        """The audit trail, its first page read first: staff are refused here, with the
        sentence that names the owner's role, and no screen opens."""
        from db.values import AuditEntry, AuditQuery

        from .audit import PAGE, AuditScreen

        audit = self.shop.audit

        def show(rows: list[AuditEntry]) -> None:
            self.app.push_screen(AuditScreen(rows))

        self.run_db(lambda: audit.entries(AuditQuery(limit=PAGE)), show, group="audit")

    def action_settings(self) -> None:
        from .settings import SettingsScreen

        self.open_if_allowed("setting.set", SettingsScreen)

    def action_clear(self) -> None:
        query = self.query_one("#query", Input)
        query.value = ""
        query.focus()

    def action_new(self) -> None:
        from .customer import CustomerScreen
        from .customer_form import CustomerFormScreen

        def opened(customer: Customer | None) -> None:
            if customer is not None:
                self.app.push_screen(CustomerScreen(customer.id))

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
