"""Customer: the whole story of one person. Esc goes back to lookup, query kept."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from console.i18n import channel_label, stage_label, t
from console.widgets import KeyBar, TitleBar
from db.clock import local_date_text
from db.customers import Customer
from db.money import format_fen
from db.phones import pretty

from .base import DataScreen


class CustomerScreen(DataScreen[None]):
    BINDINGS = [
        Binding("escape", "back", "key.back"),
        Binding("e", "edit", "key.edit"),
    ]

    def __init__(self, customer_id: int) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.customer: Customer | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with VerticalScroll(id="profile"):
            yield Static(t("customer.loading"), id="heading")
            yield Static("", id="details", classes="section")
            yield Static("", id="stage", classes="section")
            yield Static("", id="spend", classes="section")
        yield KeyBar()

    def on_mount(self) -> None:
        self._load()
        self.run_db(lambda: self.shop.record_view(self.customer_id), lambda _: None,
                    group="view")

    def after_recompose(self) -> None:
        self.render_customer()

    def _load(self) -> None:
        self.run_db(lambda: self.shop.customer(self.customer_id), self._show, group="load")

    def _show(self, customer: Customer) -> None:
        self.customer = customer
        self.render_customer()
        self.refresh_bindings()

    def render_customer(self) -> None:
        c = self.customer
        if c is None:
            return
        tz = self.shop.timezone
        heading = Text()
        heading.append(c.name, style="bold")
        heading.append(f"   {c.member_code}", style="reverse")
        if c.is_seed_user:
            heading.append(f"   {t('customer.seed_user')}", style="bold magenta")
        self.query_one("#heading", Static).update(heading)

        details = _grid()
        details.add_row(t("field.phone"), pretty(c.phone, self.shop.region) or "—")
        details.add_row(t("field.wechat_id"), c.wechat_id or "—")
        details.add_row(t("field.birthday"), c.birthday or "—")
        details.add_row(t("field.gender"), t(f"gender.{c.gender}") if c.gender else "—")
        details.add_row(t("field.channel"), channel_label(c.channel))
        consent = (t("customer.consent_yes", date=local_date_text(c.consent_at, tz))
                   if c.marketing_consent else t("customer.consent_no"))
        details.add_row(t("field.marketing_consent"), consent)
        details.add_row(t("customer.joined"), local_date_text(c.created_at, tz))
        details.add_row(t("field.notes"), Text(c.notes or "—"))
        self.query_one("#details", Static).update(_section(t("customer.profile"), details))

        stage = _grid()
        stage.add_row(t("column.stage"), stage_label(c.stage))
        self.query_one("#stage", Static).update(_section(t("customer.stage"), stage))

        spend = _grid()
        spend.add_row(t("customer.lifetime_spend"), format_fen(c.total_spend_fen))
        spend.add_row(t("customer.orders"), str(c.orders))
        spend.add_row(t("column.last_visit"), local_date_text(c.last_visit_at, tz) or "—")
        self.query_one("#spend", Static).update(_section(t("customer.spend"), spend))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "edit":
            return self.customer is not None
        return True

    def action_back(self) -> None:
        self.dismiss(None)

    def action_edit(self) -> None:
        from .customer_form import CustomerFormScreen

        if self.customer is None:
            return

        def edited(customer: Customer | None) -> None:
            if customer is not None:
                self._show(customer)
                self.notify(t("customer.saved", name=customer.name))

        self.app.push_screen(CustomerFormScreen(existing=self.customer), edited)


def _grid() -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(overflow="fold")
    return grid


def _section(title: str, body: Table) -> Table:
    outer = Table.grid()
    outer.add_row(Text(title, style="bold underline"))
    outer.add_row(body)
    return outer
