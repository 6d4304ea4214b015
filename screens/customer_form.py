"""Customer form (new / edit): inline messages beside each field; nothing saved until all valid."""

from __future__ import annotations

import time
from dataclasses import fields

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.timer import Timer
from textual.widgets import Checkbox, Input, Label, Select, Static

from console.i18n import channel_label, error_text, t
from console.widgets import KeyBar, TitleBar
from db.errors import DuplicatePhone, RegularsError, ValidationError
from db.values import Customer, CustomerInput, validate_customer
from db.vocab import CHANNELS, GENDERS

from .base import DataScreen

TEXT_FIELDS = ("name", "phone", "wechat_id", "birthday", "notes")
PHONE_CHECK_SECONDS = 0.25
DISCARD_WINDOW = 3.0


class CustomerFormScreen(DataScreen[Customer | None]):
    BINDINGS = [
        Binding("ctrl+s", "save", "key.save"),  # not priority: it must follow typed keys
        Binding("escape", "cancel", "key.cancel"),
        Binding("ctrl+o", "open_existing", "key.open_existing"),
    ]

    def __init__(self, existing: Customer | None = None,
                 prefill: CustomerInput | None = None) -> None:
        super().__init__()
        self.existing = existing
        self.values = existing.as_input() if existing else (prefill or CustomerInput())
        self.initial = CustomerInput(**{f.name: getattr(self.values, f.name)
                                        for f in fields(CustomerInput)})
        self.errors: dict[str, str] = {}
        self.touched: set[str] = set()
        self.duplicate: Customer | None = None
        self._phone_timer: Timer | None = None
        self._escape_at = 0.0
        self.referred_by = ""

    # -- layout -----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        title = t("form.edit_title", name=self.existing.name) if self.existing \
            else t("form.new_title")
        yield TitleBar(right=title)
        v = self.values
        with VerticalScroll(id="form"):
            yield from self._row("name", Input(v.name, id="name"))
            yield from self._row("phone", Input(v.phone, id="phone",
                                                placeholder=t("form.phone_hint")))
            yield from self._row("wechat_id", Input(v.wechat_id, id="wechat_id"))
            yield from self._row("birthday", Input(v.birthday, id="birthday",
                                                   placeholder=t("form.birthday_hint")))
            genders = [(t("gender.unspecified"), "")] + [(t(f"gender.{g}"), g) for g in GENDERS]
            yield from self._row("gender", Select(genders, value=v.gender, allow_blank=False,
                                                  id="gender"))
            channels = [(channel_label(c), c) for c in CHANNELS]
            yield from self._row("channel", Select(channels, value=v.channel,
                                                   allow_blank=False, id="channel"))
            yield from self._row("is_seed_user", Checkbox(t("form.seed_user_box"),
                                                          v.is_seed_user, id="is_seed_user"))
            yield from self._row("marketing_consent", Checkbox(
                t("form.consent_box"), v.marketing_consent, id="marketing_consent"))
            yield from self._row("notes", Input(v.notes, id="notes"))
            if self.existing is None:  # a referral is recorded when someone first joins
                yield from self._row("referred_by", Input(
                    self.referred_by, id="referred_by", placeholder=t("referral.hint")))
            yield Static("", id="form-status")
        yield KeyBar()

    def _row(self, name: str, widget: Input | Select[str] | Checkbox) -> ComposeResult:
        with Horizontal(classes="field"):
            yield Label(t(f"field.{name}"), classes="label")
            yield widget
        error = Static(self.errors.get(name, ""), id=f"{name}-error", classes="error")
        error.display = name in self.errors
        yield error

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()
        if self.values.phone:
            self._check_phone()

    def remember_state(self) -> None:
        """Language switched: keep what was typed across the re-compose."""
        if self.is_mounted:
            self.values = self.current()
            self.referred_by = self._referred_by()

    def after_recompose(self) -> None:
        self.query_one("#name", Input).focus()

    # -- reading the form -----------------------------------------------------------
    def current(self) -> CustomerInput:
        text = {name: self.query_one(f"#{name}", Input).value for name in TEXT_FIELDS}
        return CustomerInput(
            **text,
            gender=str(self.query_one("#gender", Select).value or ""),
            channel=str(self.query_one("#channel", Select).value),
            is_seed_user=self.query_one("#is_seed_user", Checkbox).value,
            marketing_consent=self.query_one("#marketing_consent", Checkbox).value)

    def _referred_by(self) -> str:
        box = next(iter(self.query("#referred_by").results(Input)), None)
        return box.value if box is not None else ""

    def dirty(self) -> bool:
        return self.current() != self.initial or bool(self._referred_by().strip())

    def _set_error(self, field: str, message: str) -> None:
        if message:
            self.errors[field] = message
        else:
            self.errors.pop(field, None)
        line = self.query_one(f"#{field}-error", Static)
        line.update(message)
        line.display = bool(message)  # the row takes no space until there is something to say

    # -- live checks ------------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        field = event.input.id or ""
        if field in self.errors:  # editing a field clears its message
            self._set_error(field, "")
        if field == "phone":
            self.duplicate = None
            self.refresh_bindings()
            if self._phone_timer is not None:
                self._phone_timer.stop()
            self._phone_timer = self.set_timer(PHONE_CHECK_SECONDS, self._check_phone)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.touched.add(event.input.id or "")
        self.focus_next()

    def on_descendant_blur(self, event: object) -> None:
        widget = getattr(event, "widget", None)
        if isinstance(widget, Input) and widget.id:
            self.touched.add(widget.id)
            self._validate_touched()

    def _validate_touched(self) -> None:
        data = self.current()
        today = self.shop.today()
        region = self.shop.region

        def work() -> dict[str, str]:

            try:
                validate_customer(data, today, region)
            except ValidationError as exc:
                return {f: t(code, **params) for f, (code, params) in exc.fields.items()}
            return {}

        self.run_db(work, self._show_touched_errors, group="validate")

    def _show_touched_errors(self, found: dict[str, str]) -> None:
        for field in self.touched:
            if field == "phone" and self.duplicate is not None:
                continue
            if f"#{field}-error" and field in TEXT_FIELDS:
                self._set_error(field, found.get(field, ""))

    def _check_phone(self) -> None:
        phone = self.query_one("#phone", Input).value
        exclude = self.existing.id if self.existing else None
        if not phone.strip():
            return
        self.run_db(lambda: self.shop.customers.phone_owner(phone, exclude), self._show_duplicate,
                    group="phone")

    def _show_duplicate(self, owner: Customer | None) -> None:
        self.duplicate = owner
        if owner is not None:
            self._set_error("phone", t("phone.duplicate_open", name=owner.name,
                                       member_code=owner.member_code))
        self.refresh_bindings()

    # -- actions ----------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_existing":
            return self.duplicate is not None
        return True

    def action_save(self) -> None:
        data = self.current()
        self.touched.update(TEXT_FIELDS)
        existing = self.existing
        referred_by = self._referred_by()
        self.query_one("#form-status", Static).update(t("form.saving"))

        def work() -> Customer:
            if existing is not None:
                return self.shop.customers.update(existing.id, data)
            return self.shop.customers.add(data, referred_by)

        self.run_db(work, self._saved, group="save", failed=self._save_failed)

    def _saved(self, customer: Customer) -> None:
        self.dismiss(customer)

    def _save_failed(self, error: RegularsError) -> None:
        status = self.query_one("#form-status", Static)
        if not isinstance(error, ValidationError):
            status.update(error_text(error))
            return
        for field in (*TEXT_FIELDS, "gender", "channel"):
            if field in error.fields:
                code, params = error.fields[field]
                self._set_error(field, t(code, **params))
            elif field in self.errors:
                self._set_error(field, "")
        if isinstance(error, DuplicatePhone):
            self._check_phone()
        status.update(t("form.fix_errors", count=len(error.fields)))
        first = next(iter(error.fields))
        if first in TEXT_FIELDS:
            self.query_one(f"#{first}", Input).focus()

    def action_cancel(self) -> None:
        now = time.monotonic()
        if self.dirty() and now - self._escape_at > DISCARD_WINDOW:
            self._escape_at = now
            self.query_one("#form-status", Static).update(t("form.discard_confirm"))
            return
        self.dismiss(None)

    def action_open_existing(self) -> None:
        owner = self.duplicate
        if owner is None:
            return
        from .customer import CustomerScreen

        self.dismiss(None)
        self.app.push_screen(CustomerScreen(owner.id))
