"""What every screen shares: calling db/ in a thread worker and hearing back on the UI thread.

Workers never touch widgets: they post a message, and the screen's handler
(on the UI thread) calls the callback. An exclusive group cancels the previous
call, and a cancelled call's result is dropped, so a slow search never
overwrites a newer one. Errors from db/ arrive as one translated notification,
or at a screen-specific handler when one is given.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker, WorkerState, get_current_worker

from console.i18n import error_text, t
from db.errors import RegularsError

from .link import app_link

if TYPE_CHECKING:
    from console.keys import KeyGate
    from db.shop import ShopDoor

T = TypeVar("T")
R = TypeVar("R")

# A save holds the keyboard (console/keys.py) from its start until its answer has been
# shown, so keys typed after Enter reach what the save leaves on screen, as they would
# at a human pace.
HOLDING_GROUP = "save"
_FINAL = (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED)


class DbDone(Message):
    def __init__(self, callback: Callable[[Any], None], value: Any) -> None:
        super().__init__()
        self.callback = callback
        self.value = value


class DbFailed(Message):
    def __init__(self, error: BaseException, handler: Callable[[Any], None] | None) -> None:
        super().__init__()
        self.error = error
        self.handler = handler


class DataScreen(Screen[R]):
    """A screen that reads and writes the shop through thread workers."""

    def __init__(self) -> None:
        super().__init__()
        self._holding: set[Worker[None]] = set()
        self.hold_next_call = False  # set before a screen's first load: see keys_held

    @property
    def keys_held(self) -> bool:
        """A save, or the screen's first load, is under way: the key gate waits, as a
        person waits to see the customer before pressing p. (A call's answer is
        posted before its worker's final state, so it has been shown when this turns
        False.)"""
        return bool(self._holding)

    # A language switch (console/app.py) composes every screen on the stack anew.
    def remember_state(self) -> None:
        """Before it: keep what composing cannot give back (what was typed)."""

    def after_recompose(self) -> None:
        """After it: draw again from what the screen holds."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state in _FINAL:
            self._holding.discard(event.worker)

    @property
    def shop(self) -> ShopDoor:
        return app_link(self.app).shop

    @property
    def key_gate(self) -> KeyGate:
        return app_link(self.app).key_gate

    def run_db(self, work: Callable[[], T], done: Callable[[T], None], *, group: str,
               failed: Callable[[RegularsError], None] | None = None,
               exclusive: bool = True) -> None:
        """Call ``work`` in a worker and ``done`` with its result on the UI thread."""
        self.run_db_message(work, partial(DbDone, done), group=group, failed=failed,
                            exclusive=exclusive)

    def run_db_message(self, work: Callable[[], T], arrived: Callable[[T], Message], *,
                       group: str, failed: Callable[[RegularsError], None] | None = None,
                       exclusive: bool = True) -> None:
        """Call ``work`` in a worker and post its result to this screen as the typed
        message ``arrived(result)``: for a result that feeds several widgets, whose
        handler takes it by its type (``on_story_read(self, message: StoryRead)``)."""
        def job() -> None:
            worker = get_current_worker()
            try:
                value = work()
            except RegularsError as exc:
                if not worker.is_cancelled:
                    self.post_message(DbFailed(exc, failed))
                return
            except Exception as exc:  # a bug: show it, keep the console alive
                self.post_message(DbFailed(exc, None))
                raise
            if not worker.is_cancelled:
                self.post_message(arrived(value))

        worker = self.run_worker(job, thread=True, exclusive=exclusive, group=group,
                                 exit_on_error=False)
        if group == HOLDING_GROUP or self.hold_next_call:
            self.hold_next_call = False
            self._holding.add(worker)

    def open_if_allowed(self, action: str, make: Callable[[], Screen[Any]]) -> None:
        """Open an owner's screen only for someone allowed ``action``: staff are refused as
        it opens, with the reason naming the role (the shop audits the refusal), not
        after filling in a form. Keys typed after the key wait for the answer."""
        def allowed(_: None) -> None:
            self.app.push_screen(make())

        self.hold_next_call = True
        self.run_db(lambda: self.shop.check(action), allowed, group="allowed")

    def on_db_done(self, message: DbDone) -> None:
        message.stop()
        message.callback(message.value)

    def on_db_failed(self, message: DbFailed) -> None:
        message.stop()
        error = message.error
        if isinstance(error, RegularsError):
            if message.handler is not None:
                message.handler(error)
            else:
                self.notify(error_text(error), severity="error", timeout=8)
        else:
            self.notify(t("error.unexpected", detail=repr(error)), severity="error", timeout=15)


class LoadedScreen(DataScreen[R]):
    """A screen that loads its data in a worker (``_load``) and draws it (``_fill``).
    A language switch re-composes the screen; it then draws again from what it has."""

    def on_mount(self) -> None:
        self.hold_next_call = True
        self._load()

    def after_recompose(self) -> None:
        self._fill()

    def _load(self) -> None:
        raise NotImplementedError

    def _fill(self) -> None:
        raise NotImplementedError
