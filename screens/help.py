"""F1 / ?: the keys of the screen underneath, in the shop's language."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from console.i18n import has_message, t


def key_rows(screen: Screen[object]) -> list[tuple[str, str]]:
    """Every binding of ours that works on ``screen`` now, hidden alternates included.

    Widgets' own keys (cursor movement inside a text box …) are left out: they are
    the same everywhere, and Textual describes them only in English.
    """
    rows: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    active = [a.binding for a in screen.active_bindings.values() if a.enabled]
    # A focused text box shadows ↑ ↓ in active_bindings, yet the screen still gets them.
    declared = [b for b in Binding.make_bindings(type(screen).BINDINGS)
                if screen.check_action(b.action.split("(")[0], ()) is not False]
    for binding in active + declared:
        if not has_message(binding.description):
            continue
        row = (screen.app.get_key_display(binding), t(binding.description))
        if row not in seen:
            seen.add(row)
            rows.append(row)
    return rows


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,question_mark,q", "close", "key.close")]

    def __init__(self, rows: list[tuple[str, str]], title: str) -> None:
        super().__init__()
        self.rows = rows
        self.title_text = title

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for key, description in self.rows:
            table.add_row(key, description)
        with Vertical(id="help"):
            yield Static(Text(self.title_text, style="bold"))
            yield Static(table)
            yield Static(t("help.close"), classes="dim")

    def action_close(self) -> None:
        self.dismiss(None)
