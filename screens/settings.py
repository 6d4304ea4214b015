"""Settings (owner): tags to rename or merge, and the rules that suggest a stage.

One list per tab; Enter (or r) edits the selected line in a small dialog.
Later catalogues (products, coupon templates) become more tabs here.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Static, TabbedContent, TabPane

from console.i18n import t
from console.widgets import KeyBar, TitleBar
from db.errors import RegularsError, ValidationError
from db.tags import Tag

from .base import DataScreen
from .dialogs import CounterDialog


@dataclass(frozen=True)
class Loaded:
    tags: list[Tag]
    rules: dict[str, str]  # setting key -> value in force (stored or default)


class SettingsScreen(DataScreen[None]):
    BINDINGS = [Binding("escape", "back", "key.back"),
                Binding("enter", "edit", "key.edit"),  # the list's own Enter: see below
                Binding("r", "edit", "key.rename", show=False),
                # the lists have no columns to scroll sideways, so ←/→ switch tabs
                Binding("right", "tab(1)", "key.next_tab", priority=True),
                Binding("left", "tab(-1)", "key.previous_tab", show=False, priority=True)]

    def __init__(self) -> None:
        super().__init__()
        self.loaded: Loaded | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar(right=t("settings.title"))
        with TabbedContent(id="tabs"):
            yield _list_tab("tags", {"tag": 22, "customers": 12})
            yield _list_tab("rules", {"rule": 40, "value": 10})
        yield KeyBar()

    def on_mount(self) -> None:
        self._load()

    def after_recompose(self) -> None:
        self._fill()

    def _load(self) -> None:
        self.run_db(lambda: Loaded(self.shop.all_tags(), self.shop.lifecycle_settings()),
                    self._show, group="settings")

    def _show(self, loaded: Loaded) -> None:
        self.loaded = loaded
        self._fill()
        self.refresh_bindings()

    def _fill(self) -> None:
        if self.loaded is None:
            return
        tags = self.query_one("#tags", DataTable)
        tags.clear()
        for tag in self.loaded.tags:
            tags.add_row(f"#{tag.name}", Text(f"{tag.customers:,}", justify="right"),
                         key=tag.name)
        rules = self.query_one("#rules", DataTable)
        rules.clear()
        for key, value in self.loaded.rules.items():
            rules.add_row(t(f"rule.{key}"), Text(value, justify="right"), key=key)
        self._active_table().focus()

    def _active_table(self) -> DataTable[object]:
        active = self.query_one("#tabs", TabbedContent).active
        return self.query_one("#rules" if active == "rules-tab" else "#tags", DataTable)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a list: this message comes after any ↓ typed before it, so the row
        edited is the one the person moved to (a priority binding could run first)."""
        event.stop()
        self.action_edit()

    def action_tab(self, step: int) -> None:
        tabs = self.query_one("#tabs", TabbedContent)
        panes = [pane.id for pane in tabs.query(TabPane) if pane.id]
        tabs.active = panes[(panes.index(tabs.active) + step) % len(panes)]

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self._active_table().focus()
        self.refresh_bindings()

    def _selected(self) -> str | None:
        table = self._active_table()
        if table.row_count == 0:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return row_key.value

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "edit":
            return self.loaded is not None and self._selected() is not None
        return True

    def action_edit(self) -> None:
        chosen = self._selected()
        if chosen is None or self.loaded is None:
            return
        if self._active_table().id == "rules":
            self.app.push_screen(RuleDialog(chosen, self.loaded.rules[chosen]),
                                 self._after_rule)
        else:
            self.app.push_screen(TagRenameDialog(chosen, self.loaded.tags), self._after)

    def _after(self, changed: bool | None) -> None:
        if changed:
            self._load()

    def _after_rule(self, changed: bool | None) -> None:
        """A new rule moves stages now, in the background, not at tomorrow's recompute."""
        if changed:
            self._load()
            self.notify(t("settings.recomputing"))
            self.run_db(self.shop.recompute_lifecycle, lambda result: self.notify(
                t("lifecycle.recomputed", count=result.total)), group="recompute")

    def action_back(self) -> None:
        self.dismiss(None)


def _list_tab(name: str, columns: dict[str, int]) -> TabPane:
    """A settings tab: one line of explanation and one list (DataTable #name)."""
    table: DataTable[object] = DataTable(id=name, cursor_type="row")
    for key, width in columns.items():
        table.add_column(t(f"column.{key}"), width=width, key=key)
    return TabPane(t(f"settings.{name}"), Static(t(f"settings.{name}_explain"), classes="dim"),
                   table, id=f"{name}-tab")


class TagRenameDialog(CounterDialog):
    """A new name for a tag; a name that exists already merges the two (said before saving)."""

    FIELDS = ("tag",)

    def __init__(self, name: str, tags: list[Tag]) -> None:
        super().__init__()
        self.old = name
        self.counts = {tag.name: tag.customers for tag in tags}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(t("settings.rename_title", name=self.old), style="bold"))
            yield from self.field_row("tag", Input(self.old, id="tag", max_length=20))
            yield Static("", id="merge-hint", classes="warning")
            yield Static(t("dialog.enter_saves"), classes="dim")

    def on_input_changed(self, event: Input.Changed) -> None:
        target = event.value.strip().lstrip("#＃")
        hint = ""
        if target != self.old and target in self.counts:
            hint = t("settings.merge_hint", old=self.old, new=target,
                     count=f"{self.counts[self.old] + self.counts[target]:,}")
        self.query_one("#merge-hint", Static).update(hint)

    def action_save(self) -> None:
        old, new = self.old, self.query_one("#tag", Input).value
        self.save_with(lambda: self.shop.rename_tag(old, new))


class RuleDialog(CounterDialog):
    FIELDS = ("value",)

    def __init__(self, key: str, value: str) -> None:
        super().__init__()
        self.key = key
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(t(f"rule.{self.key}"), style="bold"))
            yield from self.field_row("value", Input(self.value, id="value", max_length=12))
            yield Static(t("settings.rule_hint"), classes="dim")
            yield Static(t("dialog.enter_saves"), classes="dim")

    def show_error(self, error: RegularsError) -> None:
        if isinstance(error, ValidationError) and self.key in error.fields:
            error.fields["value"] = error.fields.pop(self.key)  # shown under the one field
        super().show_error(error)

    def action_save(self) -> None:
        key, value = self.key, self.query_one("#value", Input).value.strip()
        self.save_with(lambda: self.shop.set_setting(key, value))

