"""Small counter dialogs: record a sale, refund one, set a stage by hand."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from console.i18n import error_text, stage_label, t
from db.errors import RegularsError, ValidationError
from db.values import is_confirmable
from db.vocab import STAGES

from .base import DataScreen


class CounterDialog(DataScreen[bool]):
    """Fields with inline messages; Enter saves, Esc cancels, nothing saved half way.

    Staff type ahead ("p58.5⏎" in one burst). The App's key gate (console/keys.py)
    holds every key typed while this dialog opens and lets it through once the dialog
    owns its focus, in the order typed, and holds the keys typed after Enter until the
    save has answered: a burst does what the same keys typed slowly do.
    """

    BINDINGS = [Binding("escape", "cancel", "key.cancel"),
                Binding("enter", "submit", "key.save"),
                # Tab moves on at once. The key gate already keeps keys in order; as a
                # priority binding Tab also can't be taken by a field that would keep it.
                Binding("tab", "app.focus_next", "key.next_field", show=False, priority=True),
                Binding("shift+tab", "app.focus_previous", "key.previous_field", show=False,
                        priority=True)]
    FIELDS: tuple[str, ...] = ()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        raise NotImplementedError  # each dialog says what saving means

    def field_row(self, name: str, widget: Input) -> ComposeResult:
        yield Label(t(f"field.{name}"))
        yield widget
        line = Static("", id=f"{name}-error", classes="error")
        line.display = False
        yield line

    def show_error(self, error: RegularsError) -> None:
        fields = error.fields if isinstance(error, ValidationError) else {}
        for name in self.FIELDS:
            line = self.query_one(f"#{name}-error", Static)
            code_params = fields.get(name)
            line.update(t(code_params[0], **code_params[1]) if code_params else "")
            line.display = code_params is not None
        if not fields.keys() & set(self.FIELDS):  # nowhere to show it beside a field
            self.notify(error_text(error), severity="error", timeout=8)

    def save_with(self, work: Callable[[], object]) -> None:
        self.run_db(work, self._saved, group="save", failed=self.show_error)

    def _saved(self, _result: object) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


def pick_line(options: tuple[str, ...], prefix: str, chosen: str | None) -> Text:
    """" 1 quality   2 assortment …" with the chosen one highlighted (catalog keys
    ``prefix + option``)."""
    text = Text()
    for i, option in enumerate(options, 1):
        text.append(f" {i} {t(f'{prefix}{option}')} ", style="reverse" if option == chosen else "")
        text.append(" ")
    return text


def picked(event: Input.Changed, options: tuple[str, ...]) -> str | None:
    """A one-character pick field: a digit chooses an option; the field is cleared
    either way, so it never holds text."""
    value = event.value
    if not value:
        return None
    event.input.value = ""
    # isdecimal, not isdigit: "³" is a digit to Python that int() refuses (a crash, found
    # by tests/test_tui_privacy.py's fuzz)
    return options[int(value) - 1] if value.isdecimal() and 1 <= int(value) <= len(options) \
        else None


def pick_then_next(dialog: CounterDialog, event: Input.Changed, options: tuple[str, ...],
                   next_field: str | Callable[[str], str]) -> str | None:
    """A mode field of its own: a digit chooses an option and the next field takes over;
    whatever follows the digit (typed ahead, in one burst) goes on into that field, so
    ``1`` then ``50`` is option 1 and 50, never 150. Any other key is refused there,
    with a sentence beside the field; nothing is carried into the next field by guess."""
    value = event.value
    if not value:
        return None
    box = event.input
    box.value = ""
    error = dialog.query_one(f"#{box.id}-error", Static)
    head, rest = value[0], value[1:]
    if not (head.isdecimal() and 1 <= int(head) <= len(options)):
        error.update(t("screens.pick_one", last=len(options)))
        error.display = True
        return None
    error.display = False
    chosen = options[int(head) - 1]
    name = next_field if isinstance(next_field, str) else next_field(chosen)
    target = dialog.query_one(f"#{name}", Input)
    target.focus()
    if rest:
        target.insert_text_at_cursor(rest)
    return chosen


class ConfirmUnusual:
    """A sale far above this shop's usual ones is refused once, with the reason beside
    the amount; Enter again with the same amount records it. Any other amount (or a
    routine one) is never asked twice, and a changed amount is asked about afresh."""

    warned: str | None = None  # the amount the person was asked about
    warned_at = 0.0  # when the question appeared: only an Enter typed after it answers
    sent: str = ""  # the amount of the save in flight

    def confirming(self, amount: str) -> bool:
        assert isinstance(self, DataScreen)
        self.sent = amount.strip()
        return (self.warned is not None and self.warned == self.sent
                and self.key_gate.typed_after(self.warned_at))

    def note_refusal(self, error: RegularsError) -> None:
        import time


        fields = error.fields if isinstance(error, ValidationError) else {}
        self.warned = self.sent if is_confirmable(fields) else None
        self.warned_at = time.monotonic()


class PurchaseDialog(ConfirmUnusual, CounterDialog):
    FIELDS = ("amount", "items", "at", "points")

    def __init__(self, customer_id: int, name: str) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.customer_name = name

    def show_error(self, error: RegularsError) -> None:
        self.note_refusal(error)
        super().show_error(error)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog compact"):  # fits 80x24 with a message showing
            yield Static(Text(t("purchase.title", name=self.customer_name), style="bold"))
            yield from self.field_row("amount", Input(id="amount", placeholder="58.50",
                                                      compact=True))
            yield from self.field_row("items", Input(id="items", compact=True))
            yield from self.field_row("at", Input(id="at", placeholder=t("purchase.when_hint"),
                                                  compact=True))
            yield from self.field_row("points", Input(id="points", compact=True,
                                                      placeholder=t("purchase.points_hint")))
            yield Static(t("dialog.enter_saves"), classes="dim")

    def action_save(self) -> None:
        amount, items, when, use = (self.query_one(f"#{f}", Input).value for f in self.FIELDS)
        cid, sure = self.customer_id, self.confirming(amount)
        if use.strip():  # part paid with points: one transaction, the spend and the sale
            self.save_with(lambda: self.shop.sales.record_with_points(
                cid, amount, use, items, when, confirmed=sure))
        else:
            self.save_with(lambda: self.shop.sales.record(cid, amount, items, when,
                                                             confirmed=sure))


class RefundDialog(CounterDialog):
    FIELDS = ("reason",)

    def __init__(self, purchase_id: int, summary: str) -> None:
        super().__init__()
        self.purchase_id = purchase_id
        self.summary = summary

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(t("refund.title", what=self.summary), style="bold"))
            yield from self.field_row("reason", Input(id="reason"))
            yield Static(t("refund.explain"), classes="dim")

    def action_save(self) -> None:
        reason = self.query_one("#reason", Input).value
        pid = self.purchase_id
        self.save_with(lambda: self.shop.sales.refund(pid, reason))


class StageDialog(CounterDialog):
    FIELDS = ("stage", "reason")
    BINDINGS = [*CounterDialog.BINDINGS,
                Binding("ctrl+r", "follow_rule", "key.follow_rule"),
                *(Binding(f"f{i + 5}", f"pick('{s}')", f"stage.{s}", show=False)
                  for i, s in enumerate(STAGES))]

    def __init__(self, customer_id: int, current: str, source: str, suggested: str) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.stage = current
        self.source = source
        self.suggested = suggested

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(t("stage.title"), style="bold"))
            yield Static(self._choices(), id="choices")
            line = Static("", id="stage-error", classes="error")
            line.display = False
            yield line
            yield from self.field_row("reason", Input(id="reason",
                                                      placeholder=t("stage.reason_hint")))
            yield Static(t("stage.keys", rule=stage_label(self.suggested)), classes="dim")

    def _choices(self) -> Text:
        text = Text()
        for i, stage in enumerate(STAGES):
            chosen = stage == self.stage
            text.append(f" F{i + 5} {stage_label(stage)} ", style="reverse" if chosen else "")
            text.append("  ")
        return text

    def on_input_changed(self, event: Input.Changed) -> None:
        # Typing 1-4 as the whole reason is a quick pick, not a reason.
        if event.value in {"1", "2", "3", "4"}:
            self.action_pick(STAGES[int(event.value) - 1])
            event.input.value = ""

    def action_pick(self, stage: str) -> None:
        self.stage = stage
        self.query_one("#choices", Static).update(self._choices())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "follow_rule":
            return self.source == "manual"
        return True

    def action_save(self) -> None:
        reason = self.query_one("#reason", Input).value
        cid, stage = self.customer_id, self.stage
        self.save_with(lambda: self.shop.lifecycle.set_stage(cid, stage, reason))

    def action_follow_rule(self) -> None:
        cid = self.customer_id
        self.save_with(lambda: self.shop.lifecycle.follow_rule(cid))


class TagDialog(CounterDialog):
    """Type a tag and Enter to add it (suggestions from the shop's tags); '-tag' removes."""

    FIELDS = ("tag",)

    def __init__(self, customer_id: int, name: str) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.customer_name = name
        self.current: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(t("tags.title", name=self.customer_name), style="bold"))
            yield Static("", id="current")
            yield from self.field_row("tag", Input(id="tag", placeholder=t("tags.hint")))
            yield Static(t("tags.keys"), classes="dim")

    def on_mount(self) -> None:
        cid = self.customer_id
        customers = self.shop.customers
        self.run_db(lambda: (customers.tags_of(cid), [x.name for x in customers.all_tags()]),
                    self._loaded, group="tags")

    def _loaded(self, loaded: tuple[list[str], list[str]]) -> None:
        from textual.suggester import SuggestFromList

        self.current, known = loaded
        self.query_one("#tag", Input).suggester = SuggestFromList(known, case_sensitive=False)
        self.query_one("#current", Static).update(
            "  ".join(f"#{x}" for x in self.current) or t("tags.none"))

    def action_save(self) -> None:
        box = self.query_one("#tag", Input)
        text = box.value.strip()
        cid = self.customer_id
        if not text:
            self.dismiss(True)
            return
        if text.startswith("-"):
            work: Callable[[], object] = lambda: self.shop.customers.remove_tag(cid, text[1:])  # noqa: E731
        else:
            work = lambda: self.shop.customers.add_tag(cid, text)  # noqa: E731
        self.run_db(work, self._changed, group="save", failed=self.show_error)

    def _changed(self, _result: object) -> None:
        self.query_one("#tag", Input).value = ""
        self.query_one("#tag-error", Static).display = False
        self.on_mount()
