"""Sign in: who is at the counter. A full screen over everything while the shop is signed
out (at launch when PINs are in use, after the idle lock, after Ctrl+L), and the same
screen for F12, switching staff, where Esc returns to the person still signed in.

The name comes from the active staff (typing filters the list, ↑ ↓ pick); the PIN is a
password field, cleared as soon as Enter sends it, so the secret never stays in a
widget. The check itself (the PIN's hash, the back-off after wrong PINs, the audit rows)
is the shop's: this screen only shows its answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, Static

from console.i18n import error_text, t
from console.widgets import TitleBar
from db.errors import RegularsError

from .base import DataScreen

if TYPE_CHECKING:
    from db.values import StaffMember


class SignInScreen(DataScreen[bool]):
    """Dismissed with True once someone has signed in, False when F12 was cancelled."""

    BINDINGS = [
        Binding("escape", "cancel", "key.cancel"),
        Binding("down", "pick(1)", "key.down", show=False),
        Binding("up", "pick(-1)", "key.up", show=False),
        Binding("tab", "app.focus_next", "key.next_field", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", "key.previous_field", show=False,
                priority=True),
    ]

    def __init__(self, *, name: str = "", locking: bool = False,
                 cancellable: bool = False) -> None:
        super().__init__()
        self.prefill = name
        self.locking = locking  # sign the shop out first (Ctrl+L, the idle lock)
        self.cancellable = cancellable  # F12: someone is still signed in
        self.staff: list[StaffMember] = []
        self.shown: list[str] = []  # the names the list shows, in its order

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Vertical(id="sign-in", classes="dialog"):
            yield Static(Text(t("signin.title"), style="bold"))
            yield Label(t("signin.name"))
            yield Input(self.prefill, id="signin-name", compact=True)
            names = OptionList(id="signin-names")
            names.can_focus = False  # ↑ ↓ move it from the name box; Tab goes to the PIN
            yield names
            yield Label(t("signin.pin"))
            yield Input(id="signin-pin", password=True, compact=True)
            yield Static("", id="signin-error", classes="error")
            yield Static(t("signin.keys_switch") if self.cancellable else t("signin.keys"),
                         id="signin-keys", classes="dim")

    def on_mount(self) -> None:
        self.query_one("#signin-pin" if self.prefill else "#signin-name", Input).focus()
        self.hold_next_call = True  # keys typed ahead wait for the names (and the sign-out)
        if self.locking:
            self.run_db(self.shop.staff.sign_out, self._signed_out, group="load")
        else:
            self._load()

    def lock_now(self) -> None:
        """The idle lock came while F12 was open: Esc no longer gives the counter back to
        the person who left it."""
        if self.cancellable:
            self.cancellable = False
            self.query_one("#signin-keys", Static).update(t("signin.keys"))
            self.refresh_bindings()
            self.run_db(self.shop.staff.sign_out, self._signed_out, group="signout")

    def _signed_out(self, _: None) -> None:
        self.query_one(TitleBar).refresh_title()  # "nobody signed in"
        if not self.staff:
            self._load()

    def _load(self) -> None:
        self.hold_next_call = True
        self.run_db(self.shop.staff.list, self._listed, group="load")

    def _listed(self, staff: list[StaffMember]) -> None:
        self.staff = [member for member in staff if member.active]
        self._filter()

    def after_recompose(self) -> None:
        """F2 composed the screen anew: the names again, the cursor back in the name box."""
        self._filter()
        self.query_one("#signin-name", Input).focus()

    # -- the name ----------------------------------------------------------------------
    def _matches(self) -> list[str]:
        typed = self.query_one("#signin-name", Input).value.strip().casefold()
        names = [member.name for member in self.staff]
        exact = [name for name in names if name.casefold() == typed]
        return exact or [name for name in names if typed in name.casefold()]

    def _filter(self) -> None:
        names = self.query_one("#signin-names", OptionList)
        self.shown = self._matches()
        names.clear_options()
        names.add_options(Text(name) for name in self.shown)  # a name is text, not markup
        if names.option_count:
            names.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "signin-name":
            self._filter()

    def action_pick(self, step: int) -> None:
        names = self.query_one("#signin-names", OptionList)
        if names.option_count:
            now = names.highlighted or 0
            names.highlighted = max(0, min(names.option_count - 1, now + step))

    def _chosen(self) -> str | None:
        at = self.query_one("#signin-names", OptionList).highlighted
        return self.shown[at] if at is not None and at < len(self.shown) else None

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        chosen = self._chosen()
        if chosen is None:
            self._say(t("signin.pick_name"))
            self.query_one("#signin-name", Input).focus()
            return
        box = self.query_one("#signin-name", Input)
        if box.value != chosen:
            box.value = chosen
        if event.input.id == "signin-name":
            self._say("")
            self.query_one("#signin-pin", Input).focus()
            return
        pin_box = self.query_one("#signin-pin", Input)
        pin, pin_box.value = pin_box.value, ""  # the secret leaves the widget at once
        if not pin:
            self._say(t("signin.pin_needed"))
            return
        self.run_db(lambda: self.shop.staff.switch(chosen, pin), self._signed_in,
                    group="save", failed=self._refused)

    def _signed_in(self, _actor: object) -> None:
        self.dismiss(True)

    def _refused(self, error: RegularsError) -> None:
        """A wrong PIN (with the tries left) or a wait: the shop's own sentence."""
        self._say(error_text(error))
        self.query_one("#signin-pin", Input).focus()

    def _say(self, sentence: str) -> None:
        self.query_one("#signin-error", Static).update(Text(sentence))  # names: not markup

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel":
            return self.cancellable
        return True

    def action_cancel(self) -> None:
        if self.cancellable:
            self.dismiss(False)

    def on_screen_suspend(self) -> None:
        """Nothing may cover this screen while the shop is signed out: a worker of a
        screen underneath that finished late (a search that opens its top hit) would
        otherwise show its screen to whoever is at the counter."""
        self.call_after_refresh(self._cover_again)

    def _cover_again(self) -> None:
        stack = self.app.screen_stack
        if self in stack:
            while self.app.screen is not self:
                self.app.pop_screen()
