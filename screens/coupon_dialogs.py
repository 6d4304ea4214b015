"""Coupons at the counter: issue one to a customer (c), redeem a code (r, or Ctrl+R
from lookup). Refusals come back as the reason, in words: already used (when and
by whom), expired (until which day), another customer's, minimum spend."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from console.i18n import error_text, t
from db.errors import RegularsError, ValidationError
from db.money import format_fen
from db.values import CODE_BODY, Coupon, Purchase, last_day, looks_like_code
from db.vocab import COUPON_REASONS

from .dialogs import ConfirmUnusual, CounterDialog, pick_line, picked


class IssueCouponDialog(CounterDialog):
    FIELDS = ("template", "reason")

    def __init__(self, customer_id: int, name: str) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.customer_name = name
        self.reason = "manual"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(t("coupon.issue_title", name=self.customer_name), style="bold"))
            yield from self.field_row("template", Input(id="template",
                                                        placeholder=t("coupon.template_hint")))
            yield from self.field_row("reason", Input(id="reason", max_length=1,
                                                      placeholder=t("feedback.pick_hint")))
            yield Static(self._reasons(), id="reasons")
            yield Static(t("dialog.enter_saves"), classes="dim")

    def on_mount(self) -> None:
        from textual.suggester import SuggestFromList

        def loaded(names: list[str]) -> None:
            self.query_one("#template", Input).suggester = SuggestFromList(
                names, case_sensitive=False)

        self.run_db(lambda: [x.name for x in self.shop.coupons.templates() if x.active],
                    loaded, group="templates")

    def _reasons(self) -> Text:
        return pick_line(COUPON_REASONS, "coupon.reason.", self.reason)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "reason" and (reason := picked(event, COUPON_REASONS)):
            self.reason = reason
            self.query_one("#reasons", Static).update(self._reasons())

    def action_save(self) -> None:
        name, cid, reason = self.query_one("#template", Input).value, self.customer_id, \
            self.reason
        self.save_with(lambda: self.shop.coupons.issue(name, cid, reason))

    def _saved(self, result: object) -> None:
        code = result.code if isinstance(result, Coupon) else ""
        self.app.notify(t("coupon.issued", code=code), timeout=15)
        self.dismiss(True)


class RedeemDialog(ConfirmUnusual, CounterDialog):
    FIELDS = ("code", "amount")

    def __init__(self, customer_id: int | None = None, name: str = "") -> None:
        super().__init__()
        self.customer_id = customer_id
        self.customer_name = name
        self.refusal_shown = False  # a refusal is on the line under the code

    def compose(self) -> ComposeResult:
        title = (t("coupon.redeem_title_for", name=self.customer_name) if self.customer_id
                 else t("coupon.redeem_title"))
        with Vertical(classes="dialog"):
            yield Static(Text(title, style="bold"))
            yield from self.field_row("code", Input(id="code", max_length=20,
                                                    placeholder="ABCD EFGH J"))
            yield Static("", id="coupon-preview")
            yield from self.field_row("amount", Input(id="amount", placeholder="58.00"))
            yield Static(t("dialog.enter_saves"), classes="dim")

    def on_input_changed(self, event: Input.Changed) -> None:
        """A whole code typed: show the coupon, its customer and its validity before
        the amount is confirmed. A message about what was typed before goes as soon as
        that field changes: it no longer says anything true."""
        if event.input.id in self.FIELDS:
            self.query_one(f"#{event.input.id}-error", Static).display = False
        if event.input.id != "code" and not self.refusal_shown:
            return
        # a refusal under the code (minimum spend, say) was about the sale as it was: any
        # change makes it untrue, so the coupon's own line comes back instead
        self.refusal_shown = False
        preview = self.query_one("#coupon-preview", Static)
        code = self.query_one("#code", Input).value
        if not looks_like_code(code, CODE_BODY + 1):
            preview.update("")
            return

        def look() -> tuple[Coupon, str]:
            found = self.shop.coupons.get(code)
            return found, self.shop.customers.get(found.customer_id).name

        self.run_db(look, self._preview, group="preview",
                    failed=lambda error: preview.update(Text(error_text(error), style="red")))

    def _preview(self, found: tuple[Coupon, str]) -> None:
        coupon, owner = found
        state = ("" if coupon.status == "issued" else
                 f" · {t(f'coupon.status.{coupon.status}')}")
        self.query_one("#coupon-preview", Static).update(Text(
            f"{coupon.template} · {owner} · "
            f"{t('customer.until', date=last_day(coupon.expires_at, self.shop.timezone))}"
            f"{state}", style="cyan" if not state else "yellow"))

    def show_error(self, error: RegularsError) -> None:
        """Said once: about the coupon, on the line under the code (where its preview
        was), about a field, beside it; never a second copy in a toast."""
        self.note_refusal(error)
        fields = error.fields if isinstance(error, ValidationError) else {}
        if fields.keys() & set(self.FIELDS):
            if "code" in fields:
                self.query_one("#coupon-preview", Static).update("")
            super().show_error(error)
            return
        for name in self.FIELDS:
            self.query_one(f"#{name}-error", Static).display = False
        self.query_one("#coupon-preview", Static).update(Text(error_text(error), style="red"))
        self.refusal_shown = True

    def action_save(self) -> None:
        code, amount = (self.query_one(f"#{f}", Input).value for f in self.FIELDS)
        cid, sure = self.customer_id, self.confirming(amount)
        self.save_with(lambda: self.shop.coupons.redeem(code, amount, cid, confirmed=sure))

    def _saved(self, result: object) -> None:
        assert isinstance(result, tuple)
        used: Coupon = result[0]
        sale: Purchase = result[1]
        self.app.notify(t("coupon.redeemed", code=used.code,
                          off=format_fen(used.discount_fen or 0),
                          paid=format_fen(sale.amount_fen)), timeout=10)
        self.dismiss(True)


class VoidDialog(CounterDialog):
    """The owner voids an unused coupon (given twice, given by mistake), with a reason."""

    FIELDS = ("code", "reason")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog compact"):
            yield Static(Text(t("coupon.void_title"), style="bold"))
            yield from self.field_row("code", Input(id="code", max_length=20, compact=True,
                                                    placeholder="ABCD EFGH J"))
            yield from self.field_row("reason", Input(
                id="reason", compact=True, placeholder=t("screens.void_reason_hint")))
            yield Static(t("dialog.enter_saves"), classes="dim")

    def action_save(self) -> None:
        """The reason is required: a blank one is said beside the field, and nothing is
        asked of the shop (db/ refuses it too, for the CLI)."""
        code, reason = (self.query_one(f"#{f}", Input).value for f in self.FIELDS)
        if not reason.strip():
            self.show_error(ValidationError({"reason": ("screens.void_reason_needed", {})}))
            self.query_one("#reason", Input).focus()
            return
        self.save_with(lambda: self.shop.coupons.void(code, reason))

    def _saved(self, result: object) -> None:
        code = result.code if isinstance(result, Coupon) else ""
        self.app.notify(t("coupon.voided_now", code=code))
        self.dismiss(True)
