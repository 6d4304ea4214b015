"""Settings (owner): tags, stage rules, products, coupon templates, rewards rules.

One list per tab; Enter (or r) edits the selected line in a small dialog. On the
coupons tab, n adds a template, a switches one off or on, and Enter (or b) issues
it to a filtered batch of customers.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, TabbedContent, TabPane

from console.i18n import t
from console.widgets import KeyBar, TitleBar

from .base import LoadedScreen
from .settings_tabs import TABS, CouponsTab, Loaded, SettingsRead, SettingsTab


class SettingsScreen(LoadedScreen[None]):
    BINDINGS = [Binding("escape", "back", "key.back"),
                Binding("enter", "edit", "key.edit"),  # the list's own Enter: see below
                Binding("r", "edit", "key.rename", show=False),
                Binding("a", "toggle_active", "key.toggle_active", show=False),
                Binding("n", "new_template", "key.new_template"),  # shown on the coupons tab
                Binding("b", "batch", "key.batch"),
                # the lists have no columns to scroll sideways, so ←/→ switch tabs
                Binding("right", "tab(1)", "key.next_tab", priority=True),
                Binding("left", "tab(-1)", "key.previous_tab", show=False, priority=True)]

    def __init__(self) -> None:
        super().__init__()
        self.loaded: Loaded | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar(right=t("settings.title"))
        with TabbedContent(id="tabs"):
            for tab in TABS:
                yield tab()
        yield KeyBar()

    def _load(self) -> None:
        self.run_db_message(
            lambda: Loaded(self.shop.customers.all_tags(), self.shop.lifecycle.settings(),
                           self.shop.feedback.products(), self.shop.coupons.templates(),
                           self.shop.rewards.settings()),
            SettingsRead, group="settings")

    def on_settings_read(self, message: SettingsRead) -> None:
        """Every tab draws its list from the one reading."""
        message.stop()
        self.loaded = message.loaded
        self._fill()
        self.refresh_bindings()

    def _fill(self) -> None:
        if self.loaded is None:
            return
        for tab in self.query(SettingsTab):
            tab.fill(self.loaded)
        # after a language switch the tabs are composed anew and their panes mount a
        # moment later: focus the list once they are there
        self.call_after_refresh(self._focus_active)

    def _focus_active(self) -> None:
        tab = self._active_tab()
        if tab is not None:
            tab.table.focus()

    def _active_tab(self) -> SettingsTab | None:
        """None while the tabs are being composed anew (a language switch)."""
        tabs = next(iter(self.query("#tabs").results(TabbedContent)), None)
        pane = tabs.active_pane if tabs is not None else None
        return pane if isinstance(pane, SettingsTab) else None

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
        self._focus_active()
        self.refresh_bindings()

    def _selected(self) -> str | None:
        tab = self._active_tab()
        return tab.selected() if tab is not None else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action not in ("edit", "toggle_active", "batch", "new_template"):
            return True
        tab = self._active_tab()
        if self.loaded is None or tab is None:  # nothing to act on until the lists are filled
            return False
        chosen = tab.selected() is not None
        if action == "edit":
            return chosen and tab.EDITS
        if action == "toggle_active":
            return chosen and tab.TOGGLES
        if action == "batch":
            return chosen and isinstance(tab, CouponsTab)
        return isinstance(tab, CouponsTab)  # new_template

    def action_edit(self) -> None:
        tab, chosen = self._active_tab(), self._selected()
        if tab is not None and chosen is not None and self.loaded is not None:
            tab.edit(chosen, self.loaded)

    def action_batch(self) -> None:
        tab, chosen = self._active_tab(), self._selected()
        if isinstance(tab, CouponsTab) and chosen is not None:
            tab.issue(chosen)

    def action_new_template(self) -> None:
        tab = self._active_tab()
        if isinstance(tab, CouponsTab):
            tab.add()

    def action_toggle_active(self) -> None:
        tab, chosen = self._active_tab(), self._selected()
        if tab is None or chosen is None or self.loaded is None:
            return
        write = tab.toggle(chosen, self.loaded)
        if write is not None:
            self.run_db(lambda: write(self.shop), lambda _: self._load(), group="save")

    def on_settings_tab_changed(self, event: SettingsTab.Changed) -> None:
        """A tab's dialog saved: read the settings again. A new stage rule moves stages
        now, in the background, not at tomorrow's recompute."""
        event.stop()
        self._load()
        if event.recompute:
            self.notify(t("settings.recomputing"))
            self.run_db(self.shop.lifecycle.recompute, lambda result: self.notify(
                t("lifecycle.recomputed", count=result.total)), group="recompute")

    def action_back(self) -> None:
        self.dismiss(None)

