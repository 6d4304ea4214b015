"""The audit trail (F10 on the lookup screen, owner only): who did what, when, to which
customer, newest first.

Filters by staff name, action (a prefix: "coupon" finds every coupon action), customer
(member code or phone) and first day; Enter in a filter reads again. The list holds one
page; PageDown at its end reads the next older page. Every read runs in a thread worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from console.i18n import error_text, has_message, t
from console.widgets import KeyBar, TitleBar
from db import gate
from db.clock import from_iso
from db.errors import NotFound, RegularsError, ValidationError
from db.values import AuditEntry, AuditQuery

from .base import LoadedScreen

PAGE = 100  # rows read at a time
STEP = 10  # rows PageDown moves within what is read
FILTERS = ("staff", "action", "customer", "since")
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)


@dataclass(frozen=True)
class Page:
    rows: list[AuditEntry]
    more: bool  # a full page: older rows may follow
    append: bool  # the next page of the same filter, not a new list


class AuditRead(Message):
    def __init__(self, page: Page) -> None:
        super().__init__()
        self.page = page


def when(iso: str, timezone: str) -> str:
    try:
        return from_iso(iso).astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")
    except (ValueError, TypeError):  # a row edited by hand: as it is (doctor says so)
        return iso


def action_label(action: str) -> str:
    return t(f"action.{action}") if has_message(f"action.{action}") else action


def detail_text(entry: AuditEntry) -> str:
    return ", ".join(f"{k}={v}" for k, v in entry.detail.items())


class AuditScreen(LoadedScreen[None]):
    BINDINGS = [Binding("escape", "back", "key.back"),
                Binding("pagedown", "more", "key.audit_more", priority=True),
                Binding("ctrl+f", "filter", "key.audit_filter")]

    def __init__(self, first: list[AuditEntry] | None = None) -> None:
        super().__init__()
        self.rows: list[AuditEntry] = list(first or [])
        self.more = len(self.rows) >= PAGE
        self.loaded = first is not None
        self.query_now = AuditQuery(limit=PAGE)

    def compose(self) -> ComposeResult:
        yield TitleBar(right=t("audit.title"))
        with Horizontal(id="audit-filters"):
            for name in FILTERS:
                yield Input(placeholder=t(f"audit.filter.{name}"), id=f"filter-{name}")
        table: DataTable[str | Text] = DataTable(id="audit", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static("", id="status")
        yield KeyBar()

    def on_mount(self) -> None:
        if self.loaded:  # the lookup screen read the first page (and the owner's right)
            self._fill()
            return
        super().on_mount()

    def _load(self, append: bool = False) -> None:
        audit, customers = self.shop.audit, self.shop.customers
        query = self.query_now
        ref = self.query_one("#filter-customer", Input).value.strip()
        before = self.rows[-1].id if append and self.rows else None  # (read here, not there)

        def read() -> Page:
            customer_id = customers.find(ref).id if ref else None
            found = audit.entries(AuditQuery(
                staff=query.staff, action=query.action, customer_id=customer_id,
                since=query.since, limit=PAGE, before_id=before))
            return Page(found, len(found) >= PAGE, append)

        self.query_one("#status", Static).update(Text(t("audit.loading")))
        self.run_db_message(read, AuditRead, group="audit", failed=self._failed)

    def _failed(self, error: RegularsError) -> None:
        status = self.query_one("#status", Static)
        if isinstance(error, NotFound):
            status.update(Text(t("audit.no_customer")))
            self.query_one("#filter-customer", Input).focus()
        else:
            status.update(Text(error_text(error)))

    def on_audit_read(self, message: AuditRead) -> None:
        message.stop()
        page = message.page
        self.rows = [*self.rows, *page.rows] if page.append else page.rows
        self.more, self.loaded = page.more, True
        self._fill(keep_cursor=page.append)

    def _fill(self, keep_cursor: bool = False) -> None:
        table = self.query_one("#audit", DataTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        table.add_columns(t("audit.column.at"), t("audit.column.staff"),
                          t("audit.column.action"), t("audit.column.customer"),
                          t("audit.column.detail"))
        tz = self.shop.timezone
        for e in self.rows:
            code = e.member_code or (f"#{e.customer_id}" if e.customer_id is not None else "")
            # Text, not str: a name or value with [brackets] is shown, never read as markup
            table.add_row(when(e.at, tz), Text(e.staff), Text(action_label(e.action)), code,
                          Text(detail_text(e)), key=str(e.id))
        if keep_cursor:
            table.move_cursor(row=min(cursor + STEP, table.row_count - 1))
        if not self.rows:
            status = t("audit.none")
        elif self.more:
            status = t("audit.more", count=len(self.rows))
        else:
            status = t("audit.count", count=len(self.rows))
        self.query_one("#status", Static).update(Text(status))
        if not any(i.has_focus for i in self.query(Input)):
            table.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in any filter: read again with all four."""
        event.stop()
        values = {n: self.query_one(f"#filter-{n}", Input).value.strip() for n in FILTERS}
        try:
            since = (gate.day(values["since"], "audit_since", FIRST_DAY, LAST_DAY)
                     if values["since"] else None)
        except ValidationError as exc:
            self.query_one("#status", Static).update(Text(error_text(exc)))
            return
        self.query_now = AuditQuery(staff=values["staff"] or None,
                                    action=values["action"] or None, since=since, limit=PAGE)
        self.rows = []
        self._load()
        self.query_one("#audit", DataTable).focus()

    def action_more(self) -> None:
        """PageDown: down the list; at its end, the next older page."""
        table = self.query_one("#audit", DataTable)
        if table.row_count and table.cursor_row < table.row_count - 1:
            table.move_cursor(row=min(table.cursor_row + STEP, table.row_count - 1))
        elif self.more:
            self._load(append=True)

    def action_filter(self) -> None:
        self.query_one("#filter-staff", Input).focus()

    def action_back(self) -> None:
        self.dismiss(None)
