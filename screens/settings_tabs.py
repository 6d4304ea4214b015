"""The settings tabs, each a widget of its own: its list, how it draws the settings,
and what Enter, a and b do on a line of it.

A tab opens its own dialogs and tells the settings screen that something changed with
a ``SettingsTab.Changed`` message (the screen then reads the settings again); a write
it asks for without a dialog (switching a product or template off) comes back as a
function of the shop, for the screen to run in its worker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.coordinate import Coordinate
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static, TabPane

from console.i18n import t
from db.shop import ShopDoor
from db.values import Product, Tag, Template

from .settings_dialogs import (
    ProductDialog,
    RuleDialog,
    StageRuleDialog,
    TagRenameDialog,
    TemplateDialog,
    template_terms,
)

Write = Callable[[ShopDoor], object]  # a change to make in a worker


@dataclass(frozen=True)
class Loaded:
    tags: list[Tag]
    rules: dict[str, str]  # setting key -> value in force (stored or default)
    products: list[Product]
    templates: list[Template]
    rewards: dict[str, str]  # points, levels and referral settings


class SettingsRead(Message):
    """The settings every tab shows, read by the screen's worker."""

    def __init__(self, loaded: Loaded) -> None:
        super().__init__()
        self.loaded = loaded


class SettingsTab(TabPane):
    """A settings tab: one line of explanation and one list (DataTable #KEY) whose row
    keys are what the tab's dialogs edit."""

    KEY: ClassVar[str]
    COLUMNS: ClassVar[tuple[tuple[str, int], ...]]
    EDITS: ClassVar[bool] = True  # Enter (or r) edits the line: shown in the key bar
    TOGGLES: ClassVar[bool] = False  # a switches the line off or on

    class Changed(Message):
        """A dialog of this tab saved a change."""

        def __init__(self, recompute: bool) -> None:
            super().__init__()
            self.recompute = recompute  # a stage rule: stages move now, not tomorrow

    def __init__(self) -> None:
        self.table: DataTable[object] = DataTable(id=self.KEY, cursor_type="row")
        for key, width in self.COLUMNS:
            self.table.add_column(t(f"column.{key}"), width=width, key=key)
        super().__init__(t(f"settings.{self.KEY}"),
                         Static(t(f"settings.{self.KEY}_explain"), classes="dim"),
                         self.table, id=f"{self.KEY}-tab")

    def selected(self) -> str | None:
        """The row key of the line the cursor is on."""
        return _cursor_key(self.table)

    def fill(self, loaded: Loaded) -> None:
        """Draw the list anew; the cursor stays on the line it was on (just edited)."""
        chosen = _cursor_key(self.table)
        self.table.clear()
        self._rows(loaded)
        _restore_cursor(self.table, chosen)

    def _rows(self, loaded: Loaded) -> None:
        raise NotImplementedError

    def edit(self, chosen: str, loaded: Loaded) -> None:
        raise NotImplementedError

    def toggle(self, chosen: str, loaded: Loaded) -> Write | None:
        """The write that switches the line off or on (on tabs whose TOGGLES is set)."""
        return None

    def _open(self, dialog: Screen[bool], *, recompute: bool = False) -> None:
        def closed(changed: bool | None) -> None:
            if changed:
                self.post_message(self.Changed(recompute))

        self.app.push_screen(dialog, closed)


class TagsTab(SettingsTab):
    KEY = "tags"
    COLUMNS = (("tag", 22), ("customers", 12))

    def _rows(self, loaded: Loaded) -> None:
        for tag in loaded.tags:
            self.table.add_row(f"#{tag.name}", Text(f"{tag.customers:,}", justify="right"),
                               key=tag.name)

    def edit(self, chosen: str, loaded: Loaded) -> None:
        self._open(TagRenameDialog(chosen, loaded.tags))


class RulesTab(SettingsTab):
    """The stage rules: a new rule moves stages at once (the screen recomputes)."""

    KEY = "rules"
    COLUMNS = (("rule", 40), ("value", 10))

    def _rows(self, loaded: Loaded) -> None:
        for key, value in loaded.rules.items():
            self.table.add_row(t(f"rule.{key}"), Text(value, justify="right"), key=key)

    def edit(self, chosen: str, loaded: Loaded) -> None:
        self._open(StageRuleDialog(chosen, loaded.rules[chosen]), recompute=True)


class ProductsTab(SettingsTab):
    KEY = "products"
    COLUMNS = (("product", 16), ("supplier", 16), ("active", 8), ("mentions", 8))
    TOGGLES = True

    def _rows(self, loaded: Loaded) -> None:
        for product in loaded.products:
            style = "" if product.active else "dim strike"
            self.table.add_row(
                Text(product.name, style=style), product.supplier or "—",
                t("settings.active") if product.active else t("settings.retired"),
                Text(f"{product.mentions:,}", justify="right"), key=product.name)

    def edit(self, chosen: str, loaded: Loaded) -> None:
        self._open(ProductDialog(next(p for p in loaded.products if p.name == chosen)))

    def toggle(self, chosen: str, loaded: Loaded) -> Write | None:
        product = next((p for p in loaded.products if p.name == chosen), None)
        if product is None:
            return None
        return lambda shop: shop.feedback.edit_product(product.name, product.name,
                                                       product.supplier, not product.active)


class CouponsTab(SettingsTab):
    """Coupon templates: Enter (or b) issues one to a batch of customers, n adds one."""

    KEY = "coupons"
    # "until 2026-12-31" / "有效至 2026-12-31" whole at 80 columns
    COLUMNS = (("template", 14), ("terms", 19), ("validity", 17), ("limit", 5), ("active", 7))
    EDITS = False
    TOGGLES = True

    def _rows(self, loaded: Loaded) -> None:
        for x in loaded.templates:
            style = "" if x.active else "dim strike"
            self.table.add_row(
                Text(x.name, style=style), Text(template_terms(x), style=style),
                t("settings.valid_days", days=x.valid_days) if x.valid_days
                else t("customer.until", date=x.valid_until),
                Text(str(x.per_customer), justify="right"),
                t("settings.active") if x.active else t("settings.retired"), key=x.name)

    def edit(self, chosen: str, loaded: Loaded) -> None:
        self.issue(chosen)

    def issue(self, chosen: str) -> None:
        from .batch_issue import BatchIssueScreen

        self.app.push_screen(BatchIssueScreen(template=chosen))

    def add(self) -> None:
        self._open(TemplateDialog())

    def toggle(self, chosen: str, loaded: Loaded) -> Write | None:
        found = next((x for x in loaded.templates if x.name == chosen), None)
        if found is None:
            return None
        return lambda shop: shop.coupons.set_template_active(found.name, not found.active)


class RewardsTab(SettingsTab):
    KEY = "rewards"
    COLUMNS = (("rule", 40), ("value", 12))

    def _rows(self, loaded: Loaded) -> None:
        for key, value in loaded.rewards.items():
            self.table.add_row(t(f"rule.{key}"), Text(value or "—", justify="right"), key=key)

    def edit(self, chosen: str, loaded: Loaded) -> None:
        self._open(RuleDialog(chosen, loaded.rewards[chosen]))


TABS: tuple[type[SettingsTab], ...] = (TagsTab, RulesTab, ProductsTab, CouponsTab, RewardsTab)


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
