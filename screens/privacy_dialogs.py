"""The customer screen's privacy dialogs: marketing consent (k) and erasing (Ctrl+D).

Consent needs an answer picked on purpose (1 given, 2 withdrawn): a stray Enter changes
nothing. Erasing shows what goes and what stays (the shop's ``erase_plan``) and erases
only when the member code was typed and Enter pressed after the plan was on screen, so
no burst of keys typed before it appeared can erase anyone (console/keys.py).
"""

from __future__ import annotations

import time

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from console.i18n import field_label, t
from db.values import Customer, ErasePlan
from db.vocab import CONSENT_SOURCES

from .dialogs import CounterDialog, pick_line, pick_then_next, picked

ANSWERS = ("given", "withdrawn")


class ConsentDialog(CounterDialog):
    """Given or withdrawn, and where the answer came from (CONSENT_SOURCES)."""

    FIELDS = ("consent_answer", "consent_source")

    def __init__(self, customer: Customer) -> None:
        super().__init__()
        self.customer = customer
        self.answer: str | None = None
        self.source = CONSENT_SOURCES[0]  # most answers are given at the counter

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(Text(t("consent.title", name=self.customer.name), style="bold"))
            yield Static(pick_line(ANSWERS, "consent.answer.", self.answer), id="answers")
            yield from self.field_row("consent_answer", Input(id="consent_answer",
                                                              compact=True))
            yield Static(pick_line(CONSENT_SOURCES, "consent_source.", self.source),
                         id="sources")
            yield from self.field_row("consent_source", Input(id="consent_source",
                                                              compact=True))
            yield Static(t("consent.keys"), classes="dim")

    def on_mount(self) -> None:
        self.query_one("#consent_answer", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "consent_answer":
            answer = pick_then_next(self, event, ANSWERS, "consent_source")
            if answer is not None:
                self.answer = answer
                self.query_one("#answers", Static).update(
                    pick_line(ANSWERS, "consent.answer.", answer))
        elif event.input.id == "consent_source":
            source = picked(event, CONSENT_SOURCES)
            if source is not None:
                self.source = source
                self.query_one("#sources", Static).update(
                    pick_line(CONSENT_SOURCES, "consent_source.", source))

    def action_save(self) -> None:
        if self.answer is None:
            line = self.query_one("#consent_answer-error", Static)
            line.update(t("consent.pick_answer"))
            line.display = True
            self.query_one("#consent_answer", Input).focus()
            return
        cid, given, source = self.customer.id, self.answer == "given", self.source
        self.save_with(lambda: self.shop.customers.set_consent(cid, given, source))


class EraseDialog(CounterDialog):
    """What erasing removes and keeps; the member code typed, then Enter, erases."""

    FIELDS = ("erase_code",)

    def __init__(self, customer: Customer, plan: ErasePlan) -> None:
        super().__init__()
        self.customer = customer
        self.plan = plan
        self.shown_at = time.monotonic()

    def compose(self) -> ComposeResult:
        plan = self.plan
        with Vertical(classes="dialog wide"):
            yield Static(Text(t("erase.title", name=self.customer.name,
                                code=plan.member_code), style="bold"))
            gone = t("cli.list_sep").join(field_label(n) or n for n in plan.fields) or "—"
            yield Static(t("erase.removes", fields=gone, tags=plan.tags,
                           feedback=plan.feedback, texts=plan.texts))
            kept = t("cli.list_sep").join(f"{t(f'erase.kept.{kind}')} {count}"
                             for kind, count in plan.kept.items() if count) or "—"
            yield Static(t("erase.keeps", kept=kept))
            yield Static(t("erase.backups"), classes="dim")
            yield from self.field_row("erase_code", Input(id="erase_code", compact=True))
            yield Static(t("erase.keys", code=plan.member_code), classes="dim")

    def on_mount(self) -> None:
        self.shown_at = time.monotonic()  # the plan is on screen from here on
        self.query_one("#erase_code", Input).focus()

    def action_save(self) -> None:
        typed = self.query_one("#erase_code", Input).value.strip()
        line = self.query_one("#erase_code-error", Static)
        if typed.upper() != self.plan.member_code.upper() \
                or not self.key_gate.typed_after(self.shown_at):
            line.update(t("erase.type_code", code=self.plan.member_code))
            line.display = True
            return
        cid = self.customer.id
        self.save_with(lambda: self.shop.customers.erase(cid))
