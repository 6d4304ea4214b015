"""The App factory: holds the Shop, the language, the global keys and the command palette."""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from threading import Event
from typing import TYPE_CHECKING

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from db.shop import Shop
from screens.link import ShopApp

from .i18n import has_message, language, set_language, t
from .idle import IdleLock, idle_seconds_override
from .keys import KeyGate
from .widgets import TitleBar

if TYPE_CHECKING:
    from rich.console import RenderableType

    from db.values import SearchResult

CHECKPOINT_SECONDS = 20
RERANK_SECONDS = 2  # how stale a lookup's "most recent visit first" may be after a sale


class RegularsApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "Regulars"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("f1", "help", "key.help"),
        Binding("question_mark", "help", "key.help", show=False),
        Binding("f2", "toggle_language", "key.language"),
        Binding("ctrl+p", "command_palette", "key.palette", show=False),
        Binding("ctrl+f", "feedback_anonymous", "key.feedback_anonymous", show=False),
        Binding("f12", "switch_staff", "key.switch_staff", show=False),
        Binding("ctrl+l", "lock", "key.lock", show=False),
        Binding("ctrl+q", "quit", "key.quit"),
    ]
    # While someone signs in, only these act: nothing behind the sign-in screen is reached.
    SIGNED_OUT_ACTIONS = frozenset({"quit", "toggle_language"})

    def __init__(self, shop: Shop, staff: str | None = None) -> None:
        super().__init__()
        self.shop = shop
        self.staff_hint = staff or ""  # --staff: the sign-in screen's name, filled in
        self.key_gate = KeyGate(self, super().on_event)
        self.first_rows: Future[SearchResult] | None = None
        self._quitting = Event()  # set on exit: the day's backup is abandoned, not waited for
        self.idle = IdleLock(idle_seconds_override())
        self._background_started = False

    def exit(self, result: None = None, return_code: int = 0,
             message: RenderableType | None = None) -> None:
        """Closing never waits for the day's backup (half a minute on a big file): its
        check is interrupted and its half copy removed; tomorrow's start makes it."""
        self._quitting.set()
        super().exit(result, return_code, message)

    def on_load(self) -> None:
        """Read the lookup's first rows while Textual starts the terminal and composes
        (tens of ms), so that the lookup's first frame already shows them instead of an
        empty list and a second frame (bench/startup.py measures it)."""
        if not self.shop.signed_in:
            return  # nothing is read for a counter nobody has signed in to
        pool = ThreadPoolExecutor(1, thread_name_prefix="first-rows")
        self.first_rows = pool.submit(self.shop.customers.search, "")
        pool.shutdown(wait=False)

    def take_first_rows(self) -> Future[SearchResult] | None:
        """The read-ahead, once: the first lookup screen takes it."""
        ahead, self.first_rows = self.first_rows, None
        return ahead

    async def on_event(self, event: events.Event) -> None:
        """Keys and pastes from the terminal go through the gate, one at a time."""
        if isinstance(event, events.Key | events.Paste | events.MouseEvent):
            self.idle.touched()
        if not self.key_gate.take(event):
            await super().on_event(event)

    def get_default_screen(self) -> Screen[None]:
        """The lookup is the app's own first screen (not pushed over an empty one,
        which Textual would mount, style and lay out first)."""
        from screens.lookup import LookupScreen

        return LookupScreen()

    def on_mount(self) -> None:
        self.title = t("app.name")
        self.set_interval(CHECKPOINT_SECONDS, self._checkpoint)
        self.set_interval(RERANK_SECONDS, self._rerank)
        self.set_interval(self.idle.check_seconds, self._idle_check)
        self.run_worker(self._read_staff_state, thread=True, group="staff",
                        exit_on_error=False)
        if self.shop.signed_in:
            self._start_background()
        else:
            self._ask_sign_in(locking=False, cancellable=False)

    def _start_background(self) -> None:
        """The day's recompute and backup write as whoever is signed in: never as a
        signed-out shop (they would be refused), so they start after the first sign-in,
        and after the first frame: the counter sees its list before the day's stages move."""
        if self._background_started:
            return
        self._background_started = True
        self.call_after_refresh(self.run_worker, self._daily_recompute, thread=True,
                                group="recompute", exit_on_error=False)
        self.call_after_refresh(self.run_worker, self._daily_backup, thread=True,
                                group="backup", exit_on_error=False)

    def _checkpoint(self) -> None:
        """Keep checkpoints off the counter's write path (see db/store.py)."""
        self.run_worker(self.shop.checkpoint, thread=True, exclusive=True,
                        group="checkpoint", exit_on_error=False)

    def _rerank(self) -> None:
        """Sales queue their lookup re-rank (db/search_keys.py); catch up off the counter."""
        if not self.shop.signed_in:
            return  # it writes: it waits for someone to sign in
        self.run_worker(self.shop.rerank_pending, thread=True, exclusive=True,
                        group="rerank", exit_on_error=False)

    def _daily_recompute(self) -> None:
        """Once a shop day, the clock moves stages; the counter is never kept waiting."""
        result = self.shop.lifecycle.recompute_if_due()
        if result is not None and result.total:
            self.call_from_thread(self.notify, t("lifecycle.recomputed", count=result.total))

    def _daily_backup(self) -> None:
        """Once a shop day, a checked copy into backups/ (keeping ``backup.keep``); and a
        warning when the file lies in a sync folder. Off the counter's thread."""
        from db.errors import RegularsError

        from .i18n import error_text

        cloud = self.shop.backups.cloud_folder()
        if cloud is not None:
            self.call_from_thread(self.notify, t("backup.cloud_warning", folder=cloud),
                                  severity="warning", timeout=20)
        try:
            self.shop.backups.daily(self._quitting)  # quiet: `regulars doctor` shows its age
        except RegularsError as exc:  # a full disk or a read-only file: say so, sell on
            if self._quitting.is_set():
                return  # abandoned because the console is closing: nothing to say
            self.call_from_thread(self.notify, t("backup.auto_failed",
                                                 reason=error_text(exc)), severity="warning")

    # -- who is at the counter -----------------------------------------------------------
    def _read_staff_state(self) -> None:
        """Whether PINs are in use (else the owner is urged, once, to set one) and how long
        the counter may stay idle; read again after each sign-in (the owner may have
        changed the setting)."""
        pins = self.shop.staff.pins_in_use()
        minutes = int(self.shop.settings.get("lock.idle_minutes") or 0)
        self.call_from_thread(self._staff_state_read, pins, minutes)

    def _staff_state_read(self, pins: bool, minutes: int) -> None:
        first = self.idle.pins is None
        self.idle.pins, self.idle.minutes = pins, minutes
        if first and not pins:  # on the lookup's status line, not a toast over the list
            from screens.lookup import LookupScreen

            for screen in self.screen_stack:
                if isinstance(screen, LookupScreen):
                    screen.show_notice(t("staff.no_pin_notice", name=self.shop.actor.name))

    def _ask_sign_in(self, *, locking: bool, cancellable: bool) -> None:
        from screens.sign_in import SignInScreen

        before = self.shop.actor.id if self.shop.signed_in else None
        name = self.staff_hint if not self._background_started else ""
        self.push_screen(SignInScreen(name=name, locking=locking, cancellable=cancellable),
                         partial(self._after_sign_in, before))

    def _after_sign_in(self, before: int | None, signed_in: bool | None) -> None:
        if not signed_in:
            return  # F12 cancelled: the same person, nothing changed
        self.idle.touched()
        actor = self.shop.actor
        if before is not None and actor.id != before:
            # what the last person had open (a revealed phone, an owner's screen) is theirs
            while len(self.screen_stack) > 1:
                self.pop_screen()
        for bar in self.query_title_bars():
            bar.refresh_title()
        self.refresh_bindings()
        self._start_background()
        self.run_worker(self._read_staff_state, thread=True, group="staff",
                        exit_on_error=False)
        self.notify(t("staff.signed_in", name=actor.name, role=t(f"role.{actor.role}")))

    def query_title_bars(self) -> list[TitleBar]:
        return [bar for screen in self.screen_stack for bar in screen.query(TitleBar)]

    def _signing_in(self) -> bool:
        from screens.sign_in import SignInScreen

        return any(isinstance(screen, SignInScreen) for screen in self.screen_stack)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self._signing_in() and action not in self.SIGNED_OUT_ACTIONS:
            return False
        if action in ("switch_staff", "lock"):
            return bool(self.idle.pins)  # without PINs there is no one to switch to
        return True

    def action_switch_staff(self) -> None:
        """F12: someone else takes the counter; Esc leaves the current person signed in."""
        if self.idle.pins and not self._signing_in():
            self._ask_sign_in(locking=False, cancellable=self.shop.signed_in)

    def action_lock(self) -> None:
        """Ctrl+L: the counter is left; signed out until someone signs in with a PIN."""
        if self.idle.pins and not self._signing_in():
            self._ask_sign_in(locking=True, cancellable=False)

    def _idle_check(self) -> None:
        from screens.sign_in import SignInScreen

        if not (self.idle.due() and self.shop.signed_in):
            return
        switching = [s for s in self.screen_stack if isinstance(s, SignInScreen)]
        if switching:  # F12 left open: signed out now, so Esc cannot give the counter back
            switching[-1].lock_now()
        else:
            self._ask_sign_in(locking=True, cancellable=False)

    # -- global actions --------------------------------------------------------------
    def action_help(self) -> None:
        from screens.help import HelpScreen, key_rows

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(key_rows(self.screen), t("help.title")))

    def action_feedback_anonymous(self) -> None:
        """Feedback from someone who is not (or not yet) a customer on file."""
        from screens.dialogs import CounterDialog
        from screens.feedback_dialog import FeedbackDialog

        if not isinstance(self.screen, CounterDialog):
            self.push_screen(FeedbackDialog(None, ""), self._feedback_saved)

    def _feedback_saved(self, saved: bool | None) -> None:
        if saved:
            self.notify(t("feedback.saved"))

    async def action_toggle_language(self) -> None:
        new = "en" if language() == "zh" else "zh"
        set_language(new)
        self.title = t("app.name")
        # remembered for the shop by whoever may change its settings; staff switch only
        # their own screen (a write they may not do would only leave a refusal row)
        if (self.shop.signed_in and not self._signing_in()
                and self.shop.may("setting.set")):
            self.run_worker(partial(self.shop.settings.set, "language", new), thread=True,
                            group="settings", exit_on_error=False)
        from screens.base import DataScreen

        for screen in self.screen_stack:
            if isinstance(screen, DataScreen):
                screen.remember_state()
            if screen.is_mounted:
                await screen.recompose()
            if isinstance(screen, DataScreen):
                screen.after_recompose()
        self.refresh_bindings()
        self.notify(t("app.language_set"))

    def action_command_palette(self) -> None:
        """Textual's palette, with its prompt in the shop's language."""
        from textual.command import CommandPalette

        if self.use_command_palette and not any(
                isinstance(screen, CommandPalette) for screen in self.screen_stack):
            self.push_screen(CommandPalette(placeholder=t("palette.placeholder"),
                                            id="--command-palette"))

    # -- command palette: every key of the current screen, translated ---------------------
    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        seen: set[str] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if (not active.enabled or not has_message(binding.description)
                    or binding.action in seen or binding.action == "command_palette"):
                continue
            seen.add(binding.action)
            yield SystemCommand(
                t(binding.description), t("palette.key", key=self.get_key_display(binding)),
                partial(self.run_action, binding.action, active.node))


def _links(app: RegularsApp) -> ShopApp:
    return app  # mypy fails here if the app stops giving the screens what they need
