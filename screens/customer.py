"""Customer: the whole story of one person. Esc goes back to lookup, query kept.

One key starts each counter action: p sale, x refund the selected sale, s stage,
e edit. Everything is loaded in one worker call and rendered from plain data.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from console.i18n import channel_label, level_label, stage_label, t
from console.widgets import KeyBar, TitleBar
from db.clock import local_date_text
from db.money import format_fen
from db.phones import pretty
from db.shop import CustomerStory
from db.values import Customer, Purchase, last_day

from .base import DataScreen
from .hits import level_text

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
    ]

    def __init__(self, customer_id: int) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.story: Story | None = None
        self.shown_purchases = PAGE

    @property
    def customer(self) -> Customer | None:
        return self.story.customer if self.story else None

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with VerticalScroll(id="profile"):
            yield Static(t("customer.loading"), id="heading")
            yield Static("", id="stage", classes="section")
            yield Static("", id="spend", classes="section")
            yield Static("", id="rewards", classes="section")
            yield Static("", id="purchases-title", classes="section")
            table: DataTable[object] = DataTable(id="purchases", cursor_type="row")
            # the sale's number first, whole (a 1M-customer shop has 8-digit ones): `regulars
            # purchase refund ID` takes it; the column grows to the widest number shown
            widths: tuple[tuple[str, int | None], ...] = (
                ("sale_id", None), ("date", 11), ("amount", 12), ("items", 24), ("staff", 8))
            for key, width in widths:
                table.add_column(t(f"column.{key}"), width=width, key=key)
            yield table
            yield Static("", id="feedback", classes="section")
            yield Static("", id="details", classes="section")
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
        self.run_db(lambda: self.shop.customers.story(cid, n), self._show, group="load")

    def _show(self, story: Story) -> None:
        self.story = story
        self.render_story()
        self.refresh_bindings()

    def render_story(self) -> None:
        if self.story is None:
            return
        c, view = self.story.customer, self.story.stage
        tz = self.shop.timezone
        heading = Text()
        heading.append(c.name, style="bold")
        heading.append(f"   {c.member_code}", style="reverse")
        heading.append(f"   {stage_label(c.stage)}", style="bold cyan")
        rewards = self.story.rewards
        heading.append("   ")
        heading.append_text(level_text(rewards.level) if rewards.level != "regular"
                            else Text(level_label("regular"), style="dim"))
        heading.append(f"   {t('customer.points_badge', points=f'{c.points:,}')}", style="bold")
        if c.is_seed_user:
            heading.append(f"   {t('customer.seed_user')}", style="bold magenta")
        if self.story.tags:
            heading.append("\n" + "  ".join(f"#{x}" for x in self.story.tags), style="green")
        self.query_one("#heading", Static).update(heading)

        stage = _grid()
        source = t("customer.stage_manual") if c.stage_source == "manual" else t(
            "customer.stage_rule")
        stage.add_row(t("column.stage"), f"{stage_label(c.stage)} ({source})")
        if view.suggestion.stage != c.stage:
            stage.add_row(t("customer.suggestion"), Text(
                f"{stage_label(view.suggestion.stage)}: "
                f"{t(view.suggestion.reason_code, **view.suggestion.reason_params)}",
                style="yellow"))
        stage.add_row(t("customer.trust_days"), t(
            "customer.trust_days_value", now=f"{view.trust_days_now:.0f}",
            total=f"{view.trust_days_total:.0f}"))
        for change in view.history[:4]:
            why = t(change.reason_code, **change.reason_params)
            stage.add_row(local_date_text(change.at, tz), Text(
                f"{stage_label(change.from_stage) if change.from_stage else '—'} → "
                f"{stage_label(change.to_stage)} · {change.staff} · {why}"))
        self.query_one("#stage", Static).update(_section(t("customer.stage"), stage))

        spend = _grid()
        spend.add_row(t("customer.lifetime_spend"), format_fen(c.total_spend_fen))
        spend.add_row(t("customer.orders"), str(c.orders))
        spend.add_row(t("customer.aov"), format_fen(c.average_order_fen) if c.orders else "—")
        spend.add_row(t("customer.first_last"), f"{local_date_text(c.first_purchase_at, tz) or '—'}"
                      f" … {local_date_text(c.last_visit_at, tz) or '—'}")
        rhythm = (t("customer.days", days=f"{c.median_interval_s / 86400:.0f}")
                  if c.median_interval_s else "—")
        spend.add_row(t("customer.rhythm"), rhythm)
        self.query_one("#spend", Static).update(_section(t("customer.spend"), spend))
        self.query_one("#rewards", Static).update(self._rewards(c))

        shown = self.story.purchases
        total = self.story.purchase_rows
        title = (t("customer.no_purchases") if not shown else t("customer.purchases")
                 if len(shown) >= total else
                 t("customer.purchases_paged", shown=f"{len(shown):,}", total=f"{total:,}"))
        self.query_one("#purchases-title", Static).update(Text(title, style="bold underline"))
        table = self.query_one("#purchases", DataTable)
        table.clear()
        table.display = bool(shown)
        for p in shown:
            style = "dim strike" if p.refunded_by else ("red" if p.refund_of else "")
            note = p.items + (f" {t('customer.backdated')}" if p.backdated else "")
            table.add_row(Text(f"#{p.id}", style=style, justify="right"),
                          Text(local_date_text(p.at, tz), style=style),
                          Text(format_fen(p.amount_fen), style=style, justify="right"),
                          Text(note, style=style), p.staff, key=str(p.id))

        said = _grid()
        for item in self.story.feedback[:5]:
            words = " ".join(item.words.split())
            said.add_row(local_date_text(item.at, tz), Text(
                f"{t(f'feedback.category.{item.category}')} · "
                f"{t(f'feedback.status.{item.status}')} · "
                f"{words[:60]}{'…' if len(words) > 60 else ''}"))
        self.query_one("#feedback", Static).update(
            _section(t("customer.feedback"), said) if self.story.feedback
            else Text(t("feedback.none"), style="dim"))

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

    def _rewards(self, c: Customer) -> Table:
        assert self.story is not None
        r, tz = self.story.rewards, self.shop.timezone
        grid = _grid()
        level = level_label(r.level)
        if r.next_level:
            level += " · " + t("customer.to_next_level", amount=format_fen(r.to_next_fen),
                               level=level_label(r.next_level))
        grid.add_row(t("column.level"), level)
        latest = "  ".join(f"{local_date_text(e.at, tz)[5:]} {e.delta:+,} "
                           f"{t(f'points.kind.{e.kind}')}" for e in r.points)
        grid.add_row(t("customer.points"), Text(f"{c.points:,}" + (f"   ({latest})"
                                                                  if latest else "")))
        for coupon in r.coupons[:3]:
            grid.add_row(t("customer.coupon"), Text(
                f"{coupon.template} {coupon.code} "
                f"{t('customer.until', date=last_day(coupon.expires_at, tz))}"))
        if len(r.coupons) > 3:
            grid.add_row("", Text(t("customer.more_coupons", count=len(r.coupons) - 3),
                                  style="dim"))
        if r.referrer is not None:
            grid.add_row(t("customer.referred_by"), Text(
                f"{r.referrer.name} ({r.referrer.member_code})"))
        if r.referees:
            total, rewarded = r.referred
            names = " · ".join(f"{x.name} {t(f'referral.status.{x.status}')}"
                               + (f" +{x.reward_points}" if x.reward_points else "")
                               for x in r.referees[:4])
            grid.add_row(t("customer.referred"), Text(
                t("customer.referred_count", count=total, rewarded=rewarded)
                + "  " + names))
        return _section(t("customer.rewards"), grid)

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
                      "points", "void"):
            return self.story is not None
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

    def action_edit(self) -> None:
        from .customer_form import CustomerFormScreen

        if self.customer is None:
            return

        def edited(customer: Customer | None) -> None:
            if customer is not None:
                self._load()
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
