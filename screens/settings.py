"""Settings (owner): tags, stage rules, products, coupon templates, rewards rules.

One list per tab; Enter (or r) edits the selected line in a small dialog. On the
coupons tab, n adds a template, a switches one off or on, and Enter (or b) issues
it to a filtered batch of customers.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from console.i18n import t
from console.widgets import KeyBar, TitleBar
from db.values import Product, Tag, Template

from .base import LoadedScreen
from .settings_dialogs import (
    ProductDialog,
    RuleDialog,
    StageRuleDialog,
    TagRenameDialog,
    TemplateDialog,
    template_terms,
)


@dataclass(frozen=True)
class Loaded:
    tags: list[Tag]
    rules: dict[str, str]  # setting key -> value in force (stored or default)
    products: list[Product]
    templates: list[Template]
    rewards: dict[str, str]  # points, levels and referral settings


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
            yield _list_tab("tags", {"tag": 22, "customers": 12})
            yield _list_tab("rules", {"rule": 40, "value": 10})
            yield _list_tab("products", {"product": 16, "supplier": 16, "active": 8,
                                         "mentions": 8})
            # "until 2026-12-31" / "有效至 2026-12-31" whole at 80 columns
            yield _list_tab("coupons", {"template": 14, "terms": 19, "validity": 17,
                                        "limit": 5, "active": 7})
            yield _list_tab("rewards", {"rule": 40, "value": 12})
        yield KeyBar()

    def _load(self) -> None:
        self.run_db(lambda: Loaded(self.shop.customers.all_tags(), self.shop.lifecycle.settings(),
                                   self.shop.feedback.products(), self.shop.coupons.templates(),
                                   self.shop.rewards.settings()),
                    self._show, group="settings")

    def _show(self, loaded: Loaded) -> None:
        self.loaded = loaded
        self._fill()
        self.refresh_bindings()

    def _fill(self) -> None:
        if self.loaded is None:
            return
        chosen = {table.id: _cursor_key(table) for table in self.query(DataTable)}
        tags = self.query_one("#tags", DataTable)
        tags.clear()
        for tag in self.loaded.tags:
            tags.add_row(f"#{tag.name}", Text(f"{tag.customers:,}", justify="right"),
                         key=tag.name)
        rules = self.query_one("#rules", DataTable)
        rules.clear()
        for key, value in self.loaded.rules.items():
            rules.add_row(t(f"rule.{key}"), Text(value, justify="right"), key=key)
        products = self.query_one("#products", DataTable)
        products.clear()
        for product in self.loaded.products:
            style = "" if product.active else "dim strike"
            products.add_row(Text(product.name, style=style), product.supplier or "—",
                             t("settings.active") if product.active else t("settings.retired"),
                             Text(f"{product.mentions:,}", justify="right"), key=product.name)
        templates = self.query_one("#coupons", DataTable)
        templates.clear()
        for x in self.loaded.templates:
            style = "" if x.active else "dim strike"
            templates.add_row(Text(x.name, style=style), Text(template_terms(x), style=style),
                              t("settings.valid_days", days=x.valid_days) if x.valid_days
                              else t("customer.until", date=x.valid_until),
                              Text(str(x.per_customer), justify="right"),
                              t("settings.active") if x.active else t("settings.retired"),
                              key=x.name)
        rewards = self.query_one("#rewards", DataTable)
        rewards.clear()
        for key, value in self.loaded.rewards.items():
            rewards.add_row(t(f"rule.{key}"), Text(value or "—", justify="right"), key=key)
        for table in self.query(DataTable):  # the cursor stays on what was just edited
            _restore_cursor(table, chosen.get(table.id))
        # after a language switch the tabs are composed anew and their panes mount a
        # moment later: focus the list once they are there
        self.call_after_refresh(self._focus_active)

    def _focus_active(self) -> None:
        table = self._active_table()
        if table is not None:
            table.focus()

    def _active_name(self) -> str:
        return self.query_one("#tabs", TabbedContent).active.removesuffix("-tab") or "tags"

    def _active_table(self) -> DataTable[object] | None:
        """None while the tabs are being composed anew (a language switch)."""
        return next(iter(self.query(f"#{self._active_name()}").results(DataTable)), None)

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
        table = self._active_table()
        if table is None or table.row_count == 0:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return row_key.value

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action not in ("edit", "toggle_active", "batch", "new_template"):
            return True
        if self.loaded is None:  # nothing to act on until the lists are filled
            return False
        tab = self._active_name()
        chosen = self._selected() is not None
        if action == "edit":
            return chosen and tab != "coupons"
        if action == "toggle_active":
            return chosen and tab in ("products", "coupons")
        if action == "batch":
            return chosen and tab == "coupons"
        return tab == "coupons"  # new_template

    def action_edit(self) -> None:
        chosen = self._selected()
        if chosen is None or self.loaded is None:
            return
        if self._active_name() == "rules":
            self.app.push_screen(StageRuleDialog(chosen, self.loaded.rules[chosen]),
                                 self._after_rule)
        elif self._active_name() == "rewards":
            self.app.push_screen(RuleDialog(chosen, self.loaded.rewards[chosen]), self._after)
        elif self._active_name() == "coupons":
            self.action_batch()
        elif self._active_name() == "products":
            product = next(p for p in self.loaded.products if p.name == chosen)
            self.app.push_screen(ProductDialog(product), self._after)
        else:
            self.app.push_screen(TagRenameDialog(chosen, self.loaded.tags), self._after)

    def action_batch(self) -> None:
        from .batch_issue import BatchIssueScreen

        chosen = self._selected()
        if chosen is not None:
            self.app.push_screen(BatchIssueScreen(template=chosen))

    def action_new_template(self) -> None:
        self.app.push_screen(TemplateDialog(), self._after)

    def action_toggle_active(self) -> None:
        chosen = self._selected()
        if self._active_name() == "coupons":
            found = next((x for x in self.loaded.templates if x.name == chosen), None) \
                if self.loaded else None
            if found is not None:
                self.run_db(lambda: self.shop.coupons.set_template_active(
                                found.name, not found.active),
                            lambda _: self._load(), group="save")
            return
        product = next((p for p in self.loaded.products if p.name == chosen), None) \
            if self.loaded else None
        if product is not None:
            self.run_db(lambda: self.shop.feedback.edit_product(product.name, product.name,
                                                       product.supplier, not product.active),
                        lambda _: self._load(), group="save")

    def _after(self, changed: bool | None) -> None:
        if changed:
            self._load()

    def _after_rule(self, changed: bool | None) -> None:
        """A new rule moves stages now, in the background, not at tomorrow's recompute."""
        if changed:
            self._load()
            self.notify(t("settings.recomputing"))
            self.run_db(self.shop.lifecycle.recompute, lambda result: self.notify(
                t("lifecycle.recomputed", count=result.total)), group="recompute")

    def action_back(self) -> None:
        self.dismiss(None)


def _cursor_key(table: DataTable[object]) -> str | None:
    if table.row_count == 0:
        return None
    return table.coordinate_to_cell_key(table.cursor_coordinate)[0].value


def _restore_cursor(table: DataTable[object], key: str | None) -> None:
    if key is None:
        return
    for row in range(table.row_count):
        if table.coordinate_to_cell_key(Coordinate(row, 0))[0].value == key:
            table.move_cursor(row=row)
            return


def _list_tab(name: str, columns: dict[str, int]) -> TabPane:
    """A settings tab: one line of explanation and one list (DataTable #name)."""
    table: DataTable[object] = DataTable(id=name, cursor_type="row")
    for key, width in columns.items():
        table.add_column(t(f"column.{key}"), width=width, key=key)
    return TabPane(t(f"settings.{name}"), Static(t(f"settings.{name}_explain"), classes="dim"),
                   table, id=f"{name}-tab")
