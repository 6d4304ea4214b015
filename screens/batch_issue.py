"""Batch coupons (owner): a template to everyone a filter selects.

Every change re-counts in a worker: how many match, how many get a coupon, and why
the others are skipped (already in this batch, at their limit, no marketing
consent). Ctrl+S asks once more with the count, then issues a chunk per
transaction while the bar fills. The batch id makes a second run issue nothing
twice, so a closed laptop half way through is fixed by running it again. F8 saves
the batch's codes with names (phones masked) to Documents/Regulars, for WeCom.
"""

from __future__ import annotations

import time

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Checkbox, Input, Label, ProgressBar, Static

from console.i18n import error_text, t
from console.widgets import KeyBar, TitleBar
from db import gate
from db.errors import RegularsError
from db.values import BIRTHDAY_WINDOW_MAX, Audience, Issued, Plan, parse_spend_between
from db.vocab import COUPON_REASONS, STAGES

from .base import DataScreen
from .dialogs import pick_line, picked

STAGE_CHOICES = ("any", *STAGES)
RECOUNT_SECONDS = 0.3
CONFIRM_WINDOW = 5.0


class BatchProgress(Message):
    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done = done
        self.total = total


class BatchIssueScreen(DataScreen[None]):
    BINDINGS = [Binding("escape", "back", "key.back"),
                Binding("ctrl+s", "issue", "key.issue_batch"),
                Binding("f8", "export", "key.export_codes")]  # Ctrl+E is the field's End

    def __init__(self, template: str = "", reason: str = "manual", at_risk: bool = False
                 ) -> None:
        super().__init__()
        self.template = template
        self.reason = reason
        self.stage = "any"
        self.at_risk = at_risk
        self.plan: Plan | None = None
        self.asked_at = 0.0
        self.running = False
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar(right=t("batch.title"))
        with Vertical(id="batch"):
            yield from _row("template", Input(self.template, id="template",
                                              placeholder=t("coupon.template_hint")))
            yield Static(pick_line(COUPON_REASONS, "coupon.reason.", self.reason),
                         id="reasons")
            yield from _row("reason", Input(id="reason", max_length=1,
                                            placeholder=t("feedback.pick_hint")))
            yield Static(pick_line(STAGE_CHOICES, "stage.", self.stage), id="stages")
            yield from _row("stage", Input(id="stage", max_length=1,
                                           placeholder=t("feedback.pick_hint")))
            yield from _row("tag", Input(id="tag", placeholder="#"))
            yield from _row("birthday_within", Input(id="birthday_within", placeholder="7"))
            yield from _row("spend_between", Input(id="spend_between", placeholder="100,500"))
            with Horizontal(classes="checks"):
                yield Checkbox(t("batch.at_risk"), self.at_risk, id="at_risk")
                yield Checkbox(t("batch.seed_users"), False, id="seed_users")
            yield from _row("batch_id", Input(id="batch_id"))
            yield Static("", id="preview")
            yield ProgressBar(id="progress", show_eta=False)
            yield Static("", id="batch-status")
        yield KeyBar()

    def on_mount(self) -> None:
        from textual.suggester import SuggestFromList

        self.query_one("#progress", ProgressBar).display = False
        self.query_one("#template", Input).focus()

        def loaded(names: list[str]) -> None:
            self.query_one("#template", Input).suggester = SuggestFromList(
                names, case_sensitive=False)

        self.run_db(lambda: [x.name for x in self.shop.coupons.templates() if x.active],
                    loaded, group="templates")
        self._recount()

    # -- the filter ---------------------------------------------------------------------
    def _value(self, field: str) -> str:
        return self.query_one(f"#{field}", Input).value.strip()

    def audience(self) -> Audience:
        """What the form says; a malformed part raises ValidationError for the preview."""
        days = self._value("birthday_within")
        spend = self._value("spend_between")
        low, high = parse_spend_between(spend) if spend else (None, None)
        return Audience(stage=None if self.stage == "any" else self.stage,
                        tag=self._value("tag") or None,
                        at_risk=self.query_one("#at_risk", Checkbox).value,
                        birthday_within=gate.whole(days, "birthday_within", 0,
                                                   BIRTHDAY_WINDOW_MAX) if days else None,
                        seed_users=self.query_one("#seed_users", Checkbox).value,
                        spend_min_fen=low, spend_max_fen=high)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "reason" and (reason := picked(event, COUPON_REASONS)):
            self.reason = reason
            self.query_one("#reasons", Static).update(
                pick_line(COUPON_REASONS, "coupon.reason.", reason))
        elif event.input.id == "stage" and (stage := picked(event, STAGE_CHOICES)):
            self.stage = stage
            self.query_one("#stages", Static).update(pick_line(STAGE_CHOICES, "stage.", stage))
        self._schedule()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self._schedule()

    def _schedule(self) -> None:
        """The filter changed: its old count no longer holds, so nothing can be issued
        until the new one is on screen (and seen: the confirm asks again)."""
        self.asked_at = 0.0
        self.plan = None
        self.query_one("#preview", Static).update(Text(t("batch.counting"), style="dim"))
        self.refresh_bindings()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(RECOUNT_SECONDS, self._recount)

    def _recount(self) -> None:
        preview = self.query_one("#preview", Static)
        template = self._value("template")
        if not template:
            self.plan = None
            preview.update(Text(t("batch.need_template"), style="dim"))
            return
        try:
            who = self.audience()
        except RegularsError as exc:
            self.plan = None
            preview.update(Text(error_text(exc), style="red"))
            return
        reason, batch_id = self.reason, self._value("batch_id")

        def failed(error: RegularsError) -> None:
            self.plan = None
            preview.update(Text(error_text(error), style="red"))
            self.refresh_bindings()

        self.run_db(lambda: self.shop.campaigns.plan(template, who, reason, batch_id),
                    self._show_plan, group="plan", failed=failed)

    def _show_plan(self, plan: Plan) -> None:
        self.plan = plan
        self.query_one("#batch_id", Input).placeholder = plan.batch_id
        self.query_one("#preview", Static).update(Text(t(
            "batch.plan", batch=plan.batch_id, matched=f"{plan.matched:,}",
            to_issue=f"{plan.to_issue:,}", already=f"{plan.already:,}",
            at_limit=f"{plan.at_limit:,}", no_consent=f"{plan.no_consent:,}"),
            style="bold" if plan.to_issue else "yellow"))
        self.refresh_bindings()

    # -- issuing --------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "issue":
            return not self.running and self.plan is not None and self.plan.to_issue > 0
        if action == "export":  # once this batch has reached someone
            return not self.running and self.plan is not None and self.plan.already > 0
        return True

    def action_export(self) -> None:
        """The batch's codes with names (phones masked) to an .xlsx in Documents/Regulars,
        ready to send through WeCom."""
        from console.exports import write_batch
        from console.paths import exports_dir

        plan = self.plan
        if plan is None or plan.already == 0:
            return
        batch_id = plan.batch_id

        def work() -> str:
            path = exports_dir() / f"coupons-{batch_id}.xlsx"
            count = write_batch(self.shop, batch_id, path)
            return t("export.done", count=count, path=str(path))

        self.run_db(work, lambda said: self.query_one("#batch-status", Static).update(
            Text(said, style="bold green")), group="export")

    def action_issue(self) -> None:
        plan = self.plan
        if plan is None or self.running or plan.to_issue == 0:
            return
        status = self.query_one("#batch-status", Static)
        now = time.monotonic()
        if now - self.asked_at > CONFIRM_WINDOW:
            self.asked_at = now
            status.update(Text(t("batch.confirm", count=f"{plan.to_issue:,}",
                                 template=plan.template), style="bold yellow"))
            return
        self.running = True
        self.refresh_bindings()
        bar = self.query_one("#progress", ProgressBar)
        bar.display = True
        bar.update(total=max(plan.matched, 1), progress=0)
        status.update(t("batch.progress"))
        who, reason, template, batch_id = self.audience(), self.reason, plan.template, \
            plan.batch_id

        def heard(done: int, total: int) -> None:  # in the worker: post, never touch widgets
            self.post_message(BatchProgress(done, total))

        def work() -> list[Issued]:
            return self.shop.campaigns.issue_batch(template, who, reason, batch_id, heard, plan)[1]

        self.run_db(work, self._issued, group="issue", failed=self._failed)

    def on_batch_progress(self, message: BatchProgress) -> None:
        self.query_one("#progress", ProgressBar).update(total=max(message.total, 1),
                                                        progress=message.done)

    def _issued(self, made: list[Issued]) -> None:
        self.running = False
        self.query_one("#batch-status", Static).update(Text(
            t("batch.done", count=f"{len(made):,}", batch=self.plan.batch_id if self.plan
              else ""), style="bold green"))
        self._recount()  # shows them as "already in this batch" now

    def _failed(self, error: RegularsError) -> None:
        """Chunks already committed stay issued; running the batch again finishes it."""
        self.running = False
        self.query_one("#batch-status", Static).update(Text(
            t("batch.failed", error=error_text(error)), style="bold red"))
        self._recount()

    def action_back(self) -> None:
        if not self.running:  # the worker finishes its chunk either way; wait for it
            self.dismiss(None)


def _row(name: str, widget: Input) -> ComposeResult:
    with Horizontal(classes="field"):
        yield Label(t(f"field.{name}"), classes="label")
        yield widget
