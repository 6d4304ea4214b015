"""Widgets shared by every screen."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from screens.link import shop_of

from .i18n import t


def visible_bindings(screen: Screen[object]) -> list[tuple[Binding, bool]]:
    """The screen's bindings that work now (check_action decides), one per action.

    A focused widget's own key can shadow the screen's (a text box's or a list's
    Enter); our screens act on what that key sends (Submitted, RowSelected), so the
    screen's label is the one to show.
    """
    declared = {b.key: b for b in Binding.make_bindings(type(screen).BINDINGS) if b.show}
    seen: set[str] = set()
    out: list[tuple[Binding, bool]] = []
    for key, active in screen.active_bindings.items():
        binding, enabled = active.binding, active.enabled
        if not binding.show and key in declared:
            binding = declared[key]
            enabled = screen.check_action(binding.action.split("(")[0], ()) is not False
        if not binding.show or binding.action in seen:
            continue
        seen.add(binding.action)
        out.append((binding, enabled))
    return out


class KeyBar(Static):
    """A footer in the shop's language, showing only the keys that work right now.

    Built on ``Screen.active_bindings`` (which applies ``check_action``), so a
    disabled action disappears, and translated through the catalogs, since
    Textual's Footer shows binding descriptions verbatim.
    """

    DEFAULT_CSS = """
    KeyBar { dock: bottom; height: 1; background: $panel; color: $text-muted; }
    """

    _shown: Text | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._changed)
        self._render_keys()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _changed(self, _screen: Screen[object]) -> None:
        self._render_keys()

    def on_resize(self) -> None:
        self._render_keys()

    def _render_keys(self) -> None:
        """What fits, in order, with the help key always last: when 80 columns can't
        hold every label, the ones dropped (from the end) are still in F1 and Ctrl+P."""
        from rich.cells import cell_len

        entries = [(f" {self.app.get_key_display(b)} ", f" {t(b.description)}  ",
                    b.action == "help") for b, enabled in visible_bindings(self.screen)
                   if enabled]
        entries.sort(key=lambda entry: entry[2])  # stable: help moves to the end
        width = self.size.width or self.app.size.width
        while (sum(cell_len(k) + cell_len(d) for k, d, _ in entries) > width
               and sum(not is_help for *_, is_help in entries) > 1):
            drop = max(i for i, (*_, is_help) in enumerate(entries) if not is_help)
            del entries[drop]
        text = Text(no_wrap=True, overflow="ellipsis")
        for key, description, _ in entries:
            text.append(key, style="bold reverse")
            text.append(description)
        if text != self._shown:  # bindings are announced often; most change nothing here
            self._shown = text
            self.update(text, layout=False)  # one docked line: its size never changes


class TitleBar(Static):
    """Top line: product name, who is at the counter (name and role), which file."""

    DEFAULT_CSS = """
    TitleBar { dock: top; height: 1; background: $primary-darken-2; color: $text; }
    """

    def __init__(self, right: str = "") -> None:
        super().__init__()
        self.right = right

    def compose(self) -> ComposeResult:
        return iter(())

    def on_mount(self) -> None:
        self.refresh_title()

    def refresh_title(self) -> None:
        shop = shop_of(self.app)
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(f" {t('app.name')} ", style="bold")
        if shop is not None:
            actor = shop.actor
            who = (t("app.staff", name=actor.name, role=t(f"role.{actor.role}"))
                   if shop.signed_in else t("app.signed_out"))
            line.append(f" {who} · {shop.path.name}")
        if self.right:
            line.append(f" · {self.right}")
        self.update(line, layout=False)  # one docked line: its size never changes
