"""Customer: the whole story of one person. Esc goes back to lookup, query kept.

One key starts each counter action: p sale, x refund the selected sale, s stage,
e edit. The phone shows masked; d reveals it for this visit (audited), k changes the
marketing consent, Ctrl+D erases the customer (the owner, after typing the member code).
Everything is loaded in one worker call and rendered from plain data.
"""

from __future__ import annotations

from dataclasses import replace

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable

from console.i18n import t
from console.widgets import KeyBar, TitleBar
from db.clock import local_date_text
from db.money import format_fen
from db.shop import CustomerStory
from db.values import Customer, ErasePlan, Purchase

from .base import DataScreen
from .customer_sections import (
    DetailsSection,
    FeedbackSection,
    Heading,
    PurchaseList,
    PurchasesTitle,
    RewardsSection,
    SpendSection,
    StageSection,
    StoryRead,
    StorySection,
)

PAGE = 50


Story = CustomerStory  # read in one transaction (db/shop/customers.py)


class CustomerScreen(DataScreen[None]):
    BINDINGS = [
        Binding("escape", "back", "key.back"),
        Binding("p", "purchase", "key.purchase"),
        Binding("s", "stage", "key.stage"),
        Binding("x", "refund", "key.refund"),
        Binding("t", "tags", "key.tags"),
        Binding("f", "feedback", "key.feedback"),
        Binding("c", "coupon", "key.coupon", show=False),
        Binding("r", "redeem", "key.redeem", show=False),
        Binding("v", "void", "key.void_coupon", show=False),
        Binding("j", "points", "key.points", show=False),
        Binding("b", "referrer", "key.referrer", show=False),
        Binding("e", "edit", "key.edit"),
        Binding("m", "more", "key.more"),
        Binding("d", "reveal", "key.reveal_phone"),
        Binding("k", "consent", "key.consent", show=False),
        Binding("ctrl+d", "erase", "key.erase", show=False),  # owner: refused for staff
    ]

    def __init__(self, customer_id: int) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.story: Story | None = None
        self.shown_purchases = PAGE
        self.revealed: str | None = None  # the full phone, for this visit only

    @property
    def customer(self) -> Customer | None:
        return self.story.customer if self.story else None

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with VerticalScroll(id="profile"):
            yield Heading(t("customer.loading"), id="heading")
            yield StageSection("", id="stage", classes="section")
            yield SpendSection("", id="spend", classes="section")
            yield RewardsSection("", id="rewards", classes="section")
            yield PurchasesTitle("", id="purchases-title", classes="section")
            yield PurchaseList("purchases")
            yield FeedbackSection("", id="feedback", classes="section")
            yield DetailsSection("", id="details", classes="section")
        yield KeyBar()

    def on_mount(self) -> None:
        self.hold_next_call = True  # keys typed ahead ("p58⏎") wait for the customer
        self._load()
        self.run_db(lambda: self.shop.customers.record_view(self.customer_id), lambda _: None,
                    group="view")

    def after_recompose(self) -> None:
        self.render_story()

    def _load(self) -> None:
        cid, n = self.customer_id, self.shown_purchases
        self.run_db_message(lambda: self.shop.customers.story(cid, n), StoryRead, group="load")

    def on_story_read(self, message: StoryRead) -> None:
        message.stop()
        self.story = message.story
        self.render_story()
        self.refresh_bindings()

    def render_story(self) -> None:
        """Every section from the one story (read in one transaction)."""
        if self.story is None:
            return
        tz, region = self.shop.timezone, self.shop.region
        self.query_one("#details", DetailsSection).revealed = self.revealed
        for part in self.query(StorySection):
            part.show(self.story, tz, region)
        self.query_one("#purchases", PurchaseList).show(self.story, tz, region)

    # -- actions ----------------------------------------------------------------------
    def _selected_sale(self) -> Purchase | None:
        if self.story is None:
            return None
        table = next(self.query("#purchases").results(DataTable), None)
        if table is None or table.row_count == 0 or not table.has_focus:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        chosen = next((p for p in self.story.purchases if str(p.id) == row_key.value), None)
        if chosen is None or chosen.refund_of is not None or chosen.refunded_by is not None:
            return None
        return chosen

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "purchase", "stage", "tags", "feedback", "coupon", "redeem",
                      "points", "void", "consent", "erase"):
            return self.story is not None and not self.story.customer.erased_at
        if action == "reveal":
            return (self.story is not None and bool(self.story.customer.phone)
                    and self.revealed is None)
        if action == "referrer":  # only someone who has not bought yet can be referred
            return (self.story is not None and self.story.rewards.referrer is None
                    and self.story.purchase_rows == 0)
        if action == "refund":
            return self._selected_sale() is not None
        if action == "more":
            return self.story is not None and len(self.story.purchases) < self.story.purchase_rows
        return True

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.refresh_bindings()

    def on_descendant_focus(self, event: object) -> None:
        self.refresh_bindings()

    def _after_dialog(self, changed: bool | None) -> None:
        if changed:
            self._load()

    def action_back(self) -> None:
        self.dismiss(None)

    def action_purchase(self) -> None:
        from .dialogs import PurchaseDialog

        if self.customer is not None:
            self.app.push_screen(PurchaseDialog(self.customer_id, self.customer.name),
                                 self._after_dialog)

    def action_refund(self) -> None:
        from .dialogs import RefundDialog

        sale = self._selected_sale()
        if sale is not None:
            summary = f"{local_date_text(sale.at, self.shop.timezone)} " \
                      f"{format_fen(sale.amount_fen)}"
            self.app.push_screen(RefundDialog(sale.id, summary), self._after_dialog)

    def action_stage(self) -> None:
        from .dialogs import StageDialog

        if self.story is not None:
            c = self.story.customer
            self.app.push_screen(StageDialog(c.id, c.stage, c.stage_source,
                                             self.story.stage.suggestion.stage),
                                 self._after_dialog)

    def action_tags(self) -> None:
        from .dialogs import TagDialog

        if self.customer is not None:
            self.app.push_screen(TagDialog(self.customer_id, self.customer.name),
                                 self._after_dialog)

    def action_feedback(self) -> None:
        from .feedback_dialog import FeedbackDialog

        if self.customer is not None:
            self.app.push_screen(FeedbackDialog(self.customer_id, self.customer.name),
                                 self._after_dialog)

    def action_coupon(self) -> None:
        from .coupon_dialogs import IssueCouponDialog

        if self.customer is not None:
            self.app.push_screen(IssueCouponDialog(self.customer_id, self.customer.name),
                                 self._after_dialog)

    def action_redeem(self) -> None:
        from .coupon_dialogs import RedeemDialog

        if self.customer is not None:
            self.app.push_screen(RedeemDialog(self.customer_id, self.customer.name),
                                 self._after_dialog)

    def action_void(self) -> None:
        from .coupon_dialogs import VoidDialog

        self.app.push_screen(VoidDialog(), self._after_dialog)

    def action_points(self) -> None:
        from .rewards_dialogs import PointsDialog

        if self.customer is not None:
            self.app.push_screen(PointsDialog(self.customer_id, self.customer.name,
                                              self.customer.points), self._after_dialog)

    def action_referrer(self) -> None:
        from .rewards_dialogs import ReferrerDialog

        if self.customer is not None:
            self.app.push_screen(ReferrerDialog(self.customer_id, self.customer.name),
                                 self._after_dialog)

    def action_more(self) -> None:
        self.shown_purchases += PAGE
        self._load()

    # -- privacy: the full phone, consent, erasing ------------------------------------------
    def action_reveal(self) -> None:
        """d: the full number, for this visit only; the shop audits who saw it."""
        cid = self.customer_id
        self.run_db(lambda: self.shop.customers.full_phone(cid), self._revealed,
                    group="reveal")

    def _revealed(self, phone: str) -> None:
        self.revealed = phone
        self.render_story()
        self.refresh_bindings()

    def action_consent(self) -> None:
        from .privacy_dialogs import ConsentDialog

        if self.customer is not None:
            self.app.push_screen(ConsentDialog(self.customer), self._after_dialog)

    def action_erase(self) -> None:
        """Ctrl+D (owner): refused for staff as it opens; else what will go, confirmed by
        typing the member code."""
        from .privacy_dialogs import EraseDialog

        customer = self.customer
        if customer is None:
            return
        cid = customer.id

        def plan() -> ErasePlan:
            self.shop.check("customer.erase")  # staff: the refusal, audited, names the role
            return self.shop.customers.erase_plan(cid)

        def ask(what: ErasePlan) -> None:
            self.app.push_screen(EraseDialog(customer, what), self._erased)

        self.hold_next_call = True
        self.run_db(plan, ask, group="allowed")

    def _erased(self, erased: bool | None) -> None:
        if erased and self.customer is not None:
            self.app.notify(t("erase.done", code=self.customer.member_code))
            self.dismiss(None)

    def action_edit(self) -> None:
        """The form shows the full phone: a reveal too, so it is asked of the shop."""
        customer = self.customer
        if customer is None:
            return
        if not customer.phone:
            self._edit(customer, None)
            return
        cid = customer.id
        self.hold_next_call = True
        self.run_db(lambda: self.shop.customers.full_phone(cid),
                    lambda phone: self._edit(customer, phone), group="reveal")

    def _edit(self, customer: Customer, phone: str | None) -> None:
        from .customer_form import CustomerFormScreen

        def edited(saved: Customer | None) -> None:
            if saved is not None:
                self.revealed = None  # the number may have changed: masked again
                self._load()
                self.notify(t("customer.saved", name=saved.name))

        self.app.push_screen(CustomerFormScreen(existing=replace(customer, phone=phone)),
                             edited)

