"""Keys are handled one at a time, in the order typed, however the terminal split them.

Textual hands each key to the focused widget's queue the moment it arrives, runs
priority bindings (Tab in a dialog) at once, and runs ordinary bindings only when
the key has bubbled back up to the App. A burst ("p30⇥⇥⇥500⏎" from a paste, a slow
SSH link or a keyboard wedge) therefore had later keys queued in the old screen
while the first was still opening a dialog, and priority keys overtook the digits
typed before them: the same keys sent 10 ms apart recorded a ¥30 sale, sent in one
read ¥305,000.

``KeyGate`` holds every key and paste the terminal delivers and lets one through at
a time, as a person typing at a steady pace would:

* before a key: the screen on top has processed what is queued for it (a dialog just
  pushed is composed and owns its focus; a screen uncovered by a closed dialog has
  its focus back), and it is not waiting for a save it started (``DataScreen.
  keys_held``), so keys typed after Enter reach whatever the save leaves on screen;
* the key is then handled exactly as Textual would (priority bindings, then the
  focused widget), and the next one waits until this one, and the messages it set off
  (Changed, Submitted), have passed every widget from the focused one up to the App.

A line feed is Enter. A terminal's Enter key sends CR, but a paste, a keyboard wedge
(a scanner ending its code with LF) or tmux's send-keys may send LF, which Textual
names ctrl+j and no field takes, so "8000↵" typed by such a device never opened the
customer.

Esc then a key, in one read, is what a terminal sends for Alt+key ("ESC p" is Alt+P),
and Textual reads it so. Regulars binds no Alt keys, so the gate splits such a key
back into Esc and the key, as they were typed.

CR LF (a Windows line end from a paste or a scanner) is one Enter, not two.

A question on screen ("¥5,000 is far above…, Enter again", "N customers would move")
is answered only by a key typed after it appeared (``typed_after``): an Enter that
was already in the burst, or the LF of a CR LF, has not read it.

A key still waits at most ``MAX_WAIT_S`` for a screen or a save, so a stuck disk
cannot swallow the keyboard.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from textual import events
from textual.message_pump import MessagePump

if TYPE_CHECKING:
    from textual.app import App

MAX_WAIT_S = 6.0  # past SQLite's 5 s busy timeout: a save has answered by then
# A widget that closes (a dialog dismissed by the very key) drops what was queued for
# it, the gate's marker too: past this, the key counts as handled.
CHAIN_TIMEOUT_S = 1.0
POLL_S = 0.005
CRLF_S = 0.05  # an LF this soon after a CR is the second half of one line end
PASSES = 2  # messages a key posts while handled (Changed, Submitted) are flushed by a 2nd pass

Dispatch = Callable[[events.Event], Awaitable[None]]


class KeyGate:
    """One key at a time for ``app``; ``dispatch`` is Textual's own handling of an event."""

    def __init__(self, app: App[Any], dispatch: Dispatch) -> None:
        self.app = app
        self.dispatch = dispatch
        self.held: deque[events.Key | events.Paste] = deque()
        self.busy = False
        self.waiting_since: float | None = None
        self.step = 0  # the one continuation that may run next (see _then)
        self.typed_at: float | None = None  # when the key being handled was typed
        self._last_enter_at = -1.0

    def take(self, event: events.Event) -> bool:
        """Keep a key or paste fresh from the terminal; False for every other event."""
        if not isinstance(event, events.Key | events.Paste) or event.is_forwarded:
            return False
        if isinstance(event, events.Key) and event.key == "ctrl+j" \
                and event.time - self._last_enter_at < CRLF_S:
            return True  # the LF of a CR LF: that Enter is already held
        if isinstance(event, events.Key) and event.key == "enter":
            self._last_enter_at = event.time
        self.held.extend(as_typed(event))
        if not self.busy:
            self.busy = True
            self._settle_then_send()
        return True

    # -- one key -------------------------------------------------------------------------
    def _settle_then_send(self) -> None:
        """Let the screen on top finish what is queued for it, then send the next key."""
        if not self.held:
            self.busy = False
            return
        screen = self.app.screen
        self._then([screen], lambda: self._send(screen))

    async def _send(self, screen: MessagePump) -> None:
        app = self.app
        if app.screen is not screen:  # the stack moved meanwhile: settle the new top
            self._settle_then_send()
            return
        if not self._ready(screen):
            if self.waiting_since is None:
                self.waiting_since = time.monotonic()
            if time.monotonic() - self.waiting_since < MAX_WAIT_S:
                self._then([], self._settle_then_send, after=POLL_S)
                return
        self.waiting_since = None
        event = self.held.popleft()
        target = app.focused or app.screen
        chain: list[MessagePump] = list(target.ancestors_with_self)
        self.typed_at = event.time
        try:
            await self.dispatch(event)
        finally:  # whatever the key did, the ones behind it must not be stuck
            self._then(chain * PASSES, self._settle_then_send)

    def typed_after(self, moment: float) -> bool:
        """Was the key being handled now typed after ``moment`` (``time.monotonic``)? A
        question on screen is answered only by a key typed once it was there."""
        return self.typed_at is None or self.typed_at > moment

    @staticmethod
    def _ready(screen: MessagePump) -> bool:
        mounted = bool(getattr(screen, "is_mounted", True))
        return mounted and not getattr(screen, "keys_held", 0)

    def _then(self, nodes: list[MessagePump], then: Callable[[], Awaitable[None] | None],
              *, after: float = CHAIN_TIMEOUT_S) -> None:
        """Run ``then`` once: when each node in turn has handled its queue so far, or
        ``after`` seconds from now, whichever comes first. A node that closes drops what
        was queued for it (a dialog dismissed by the very key), so the timer is what
        keeps the keyboard alive then."""
        self.step += 1
        step = self.step

        def once() -> Awaitable[None] | None:
            if step != self.step:
                return None  # the other way already ran it
            self.step += 1
            return then()

        if nodes:
            self._relay(nodes, once)
        self.app.set_timer(after, once)

    def _relay(self, nodes: list[MessagePump], then: Callable[[], object]) -> None:
        for i, node in enumerate(nodes):
            if node.call_later(self._relay, nodes[i + 1:], then):
                return  # (a node that is closing takes no callback: go on to the next)
        self.app.call_later(then)


def as_typed(event: events.Key | events.Paste) -> list[events.Key | events.Paste]:
    """The keys a person pressed, from what the terminal's bytes were read as."""
    if not isinstance(event, events.Key):
        return [event]
    if event.key == "ctrl+j":
        return [_at(events.Key("enter", "\r"), event.time)]
    if event.key.startswith("alt+"):
        rest = event.key.removeprefix("alt+")
        return [_at(events.Key("escape", "\x1b"), event.time),
                *as_typed(_at(events.Key(rest, event.character), event.time))]
    return [event]


def _at(key: events.Key, time: float) -> events.Key:
    key.time = time  # when it was typed, not when it was re-read
    return key


