"""The settings screen's small dialogs: rename a tag, edit a product, a rule (with the
stage rules' preview of who would move), a new coupon template."""

from __future__ import annotations

import time

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Input, Static

from console.i18n import t
from console.moves import moves_text
from db.errors import RegularsError, ValidationError
from db.money import format_fen
from db.values import Product, Recompute, Tag, Template
from db.vocab import COUPON_KINDS

from .dialogs import CounterDialog, pick_line, pick_then_next


class TagRenameDialog(CounterDialog):
    """A new name for a tag; a name that exists already merges the two (said before saving)."""

    FIELDS = ("tag",)

    def __init__(self, name: str, tags: list[Tag]) -> None:
        super().__init__()
        self.old = name
        self.counts = {tag.name: tag.customers for tag in tags}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(t("settings.rename_title", name=self.old), style="bold"))
            yield from self.field_row("tag", Input(self.old, id="tag"))
            yield Static("", id="merge-hint", classes="warning")
            yield Static(t("dialog.enter_saves"), classes="dim")

    def on_input_changed(self, event: Input.Changed) -> None:
        target = event.value.strip().lstrip("#＃")
        hint = ""
        if target != self.old and target in self.counts:
            hint = t("settings.merge_hint", old=self.old, new=target,
                     count=f"{self.counts[self.old] + self.counts[target]:,}")
        self.query_one("#merge-hint", Static).update(hint)

    def action_save(self) -> None:
        old, new = self.old, self.query_one("#tag", Input).value
        self.save_with(lambda: self.shop.customers.rename_tag(old, new))


class ProductDialog(CounterDialog):
    """Rename a product or change its supplier (the supplier completes from the list)."""

    FIELDS = ("product", "supplier", "product_category")

    def __init__(self, product: Product) -> None:
        super().__init__()
        self.product = product

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.product.name, style="bold"))
            yield from self.field_row("product", Input(self.product.name, id="product"))
            yield from self.field_row("supplier", Input(self.product.supplier, id="supplier"))
            yield from self.field_row("product_category", Input(
                self.product.category, id="product_category",
                placeholder=t("settings.category_hint")))
            yield Static(t("dialog.enter_saves"), classes="dim")

    def on_mount(self) -> None:
        from textual.suggester import SuggestFromList

        def loaded(names: tuple[list[str], list[str]]) -> None:
            self.query_one("#supplier", Input).suggester = SuggestFromList(
                names[1], case_sensitive=False)

        self.run_db(self.shop.feedback.catalogue, loaded, group="catalogue")

    def action_save(self) -> None:
        old, active = self.product.name, self.product.active
        name, supplier, category = (self.query_one(f"#{f}", Input).value for f in self.FIELDS)
        self.save_with(lambda: self.shop.feedback.edit_product(
            old, name, supplier, active, category))


class RuleDialog(CounterDialog):
    FIELDS = ("value",)

    def __init__(self, key: str, value: str) -> None:
        super().__init__()
        self.key = key
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(t(f"rule.{self.key}"), style="bold"))
            yield from self.field_row("value", Input(self.value, id="value"))
            code, params = self.shop.settings.hint(self.key)
            yield Static(t(code, **params), classes="dim")
            yield Static(t("dialog.enter_saves"), classes="dim")

    def show_error(self, error: RegularsError) -> None:
        if isinstance(error, ValidationError) and self.key in error.fields:
            error.fields["value"] = error.fields.pop(self.key)  # shown under the one field
        super().show_error(error)

    def action_save(self) -> None:
        key, value = self.key, self.query_one("#value", Input).value.strip()
        self.save_with(lambda: self.shop.settings.set(key, value))



def template_terms(x: Template) -> str:
    """"¥10 off, min ¥50" / "10% off (≤ ¥20)" / "gift: 蛋挞 ×2", in the console's language."""
    terms = (t("settings.terms_amount", value=format_fen(x.value_fen)) if x.kind == "amount"
             else t("settings.terms_percent", percent=x.percent,
                    cap=format_fen(x.cap_fen) if x.cap_fen else "—") if x.kind == "percent"
             else t("settings.terms_gift", gift=x.gift))
    if x.min_spend_fen:
        terms += ", " + t("settings.terms_min", amount=format_fen(x.min_spend_fen))
    return terms


class TemplateDialog(CounterDialog):
    """A new coupon template. Validity is a number of days from issue, or an end date."""

    FIELDS = ("name", "kind", "value", "cap", "gift", "min_spend", "valid", "per_customer")

    def __init__(self) -> None:
        super().__init__()
        self.kind = "amount"

    def compose(self) -> ComposeResult:
        def field(name: str, placeholder: str = "") -> ComposeResult:
            with Vertical():
                yield from self.field_row(name, Input(id=name, compact=True,
                                                      placeholder=placeholder))

        with Vertical(classes="dialog wide compact"):
            yield Static(Text(t("settings.new_template"), style="bold"))
            yield from self.field_row("name", Input(id="name", compact=True,
                                                    placeholder="满50减10"))
            yield Static(pick_line(COUPON_KINDS, "coupon.kind.", self.kind), id="kinds")
            kind = Input(id="kind", compact=True, placeholder=t("feedback.pick_hint"))
            yield kind  # the kind is a field of its own: a digit chooses, Value takes over
            line = Static("", id="kind-error", classes="error")
            line.display = False
            yield line
            with Horizontal(classes="pair"):
                yield from field("value", t("settings.value_hint"))
                yield from field("cap", t("settings.cap_hint"))
            with Horizontal(classes="pair"):
                yield from field("gift", t("settings.gift_hint"))
                yield from field("min_spend", "0")
            with Horizontal(classes="pair"):
                yield from field("valid", t("settings.valid_hint"))
                yield from field("per_customer", "1")
            yield Checkbox(t("settings.transferable"), False, id="transferable")
            yield Static(t("dialog.enter_saves"), classes="dim")

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "kind" and (kind := pick_then_next(
                self, event, COUPON_KINDS, lambda k: "gift" if k == "gift" else "value")):
            self.kind = kind
            self.query_one("#kinds", Static).update(pick_line(COUPON_KINDS, "coupon.kind.",
                                                              kind))

    def action_save(self) -> None:
        name, value, cap, gift, least, valid, limit = (
            self.query_one(f"#{f}", Input).value.strip() for f in self.FIELDS if f != "kind")
        kind = self.kind
        transferable = self.query_one("#transferable", Checkbox).value
        # A date has dashes (or slashes); anything else is a number of days. Both go to
        # the input gate in db/ as typed, which names the range when they are wrong.
        is_date = any(mark in valid for mark in "-/－／")
        days = valid if valid and not is_date else None
        until = valid if is_date else None
        per_customer = limit or "1"
        self.save_with(lambda: self.shop.coupons.add_template(
            name, kind, value=value, cap=cap, gift=gift, min_spend=least, valid_days=days,
            valid_until=until, per_customer=per_customer, transferable=transferable))


class StageRuleDialog(RuleDialog):
    """A stage rule: Enter first shows how many customers would move, from which stage
    to which (a dry run of the recompute under the new number, in a worker); Enter again
    with the same number applies it. Changing the number asks afresh."""

    def __init__(self, key: str, value: str) -> None:
        super().__init__(key, value)
        self.previewed: str | None = None  # the value whose preview is on screen
        self.previewed_at = 0.0  # when it appeared: an Enter typed before it is no answer

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(t(f"rule.{self.key}"), style="bold"))
            yield from self.field_row("value", Input(self.value, id="value"))
            yield Static("", id="rule-preview", classes="warning")
            code, params = self.shop.settings.hint(self.key)
            yield Static(t(code, **params), classes="dim")
            yield Static(t("dialog.enter_saves"), classes="dim")

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "value" and event.value.strip() != self.previewed:
            self.previewed = None
            self.query_one("#rule-preview", Static).update("")

    def action_save(self) -> None:
        key, value = self.key, self.query_one("#value", Input).value.strip()
        if value == self.previewed:
            if self.key_gate.typed_after(self.previewed_at):  # read the preview, then Enter
                super().action_save()
            return
        self.query_one("#value-error", Static).display = False
        self.query_one("#rule-preview", Static).update(Text(t("screens.previewing"),
                                                            style="dim"))

        def shown(result: Recompute) -> None:
            if self.query_one("#value", Input).value.strip() != value:
                return  # typed on since: that preview is not about this number
            self.previewed = value
            self.previewed_at = time.monotonic()
            self.query_one("#rule-preview", Static).update(
                t("screens.rule_preview", count=f"{result.total:,}", moves=moves_text(result))
                if result.total else t("screens.rule_preview_none"))

        def refused(error: RegularsError) -> None:
            self.query_one("#rule-preview", Static).update("")
            self.show_error(error)

        self.run_db(lambda: self.shop.lifecycle.preview_rule(key, value), shown, group="preview",
                    failed=refused)
