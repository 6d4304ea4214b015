"""Points and referrals at the counter: spend or adjust points (j), name who referred a
new customer (b). db/ checks every rule; these dialogs only ask and show the answer."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from console.i18n import t
from db.errors import RegularsError, ValidationError
from db.values import PointsEntry

from .dialogs import CounterDialog, pick_line, pick_then_next

POINT_ACTIONS = ("spend", "adjust")


class PointsDialog(CounterDialog):
    """1 spend (a gift or favour; refused when the balance is short), 2 adjust (the
    owner's correction, up or down). Both need a reason: the ledger explains itself.

    The mode is a field of its own, first, where the cursor starts: a digit there
    chooses and moves on to Points (Tab keeps spend). ``1``, ``50``, Tab, a reason,
    Enter spends 50, never 150."""

    FIELDS = ("points_mode", "points", "reason")

    def __init__(self, customer_id: int, name: str, balance: int) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.customer_name = name
        self.balance = balance
        self.action = "spend"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog compact"):
            yield Static(Text(t("points.title", name=self.customer_name,
                                points=f"{self.balance:,}"), style="bold"))
            yield Static(self._actions(), id="actions")
            yield from self.field_row("points_mode", Input(
                id="points_mode", compact=True, placeholder=t("feedback.pick_hint")))
            yield from self.field_row("points", Input(id="points", placeholder="200", compact=True))
            yield from self.field_row("reason", Input(id="reason", compact=True,
                                                      placeholder=t("points.reason_hint")))
            yield Static(t("dialog.enter_saves"), classes="dim")

    def _actions(self) -> Text:
        return pick_line(POINT_ACTIONS, "points.action.", self.action)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "points_mode" and (action := pick_then_next(
                self, event, POINT_ACTIONS, "points")):
            self.action = action
            self.query_one("#actions", Static).update(self._actions())

    def action_save(self) -> None:
        amount, reason = (self.query_one(f"#{f}", Input).value for f in ("points", "reason"))
        cid, action = self.customer_id, self.action
        if action == "spend":
            self.save_with(lambda: self.shop.rewards.spend_points(cid, amount, reason))
        else:
            self.save_with(lambda: self.shop.rewards.adjust_points(cid, amount, reason))

    def _saved(self, result: object) -> None:
        delta, balance = ((result.delta, result.balance_after)
                          if isinstance(result, PointsEntry) else (0, 0))
        self.app.notify(t("points.posted", delta=f"{delta:+d}", balance=balance,
                          name=self.customer_name))
        self.dismiss(True)


class ReferrerDialog(CounterDialog):
    """Who referred this customer: their member code (the referral code) or phone."""

    FIELDS = ("referred_by",)

    def __init__(self, customer_id: int, name: str) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.customer_name = name

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog compact"):
            yield Static(Text(t("referral.title", name=self.customer_name), style="bold"))
            yield from self.field_row("referred_by", Input(
                id="referred_by", placeholder=t("referral.hint"), compact=True))
            yield Static(t("dialog.enter_saves"), classes="dim")

    def show_error(self, error: RegularsError) -> None:
        """Who was named (not found, several match, themselves): beside the field."""
        if not isinstance(error, ValidationError):
            error = ValidationError({"referred_by": (error.code, error.params)})
        super().show_error(error)

    def action_save(self) -> None:
        ref, cid = self.query_one("#referred_by", Input).value, self.customer_id
        self.save_with(lambda: self.shop.rewards.register_referral(cid, ref))

    def _saved(self, _result: object) -> None:
        self.app.notify(t("referral.saved", name=self.customer_name))
        self.dismiss(True)
