"""The customer list both lookup and at-risk show: one renderer, one column set."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from console.i18n import level_label, stage_label, t
from db.clock import local_date_text
from db.money import format_fen
from db.phones import mask
from db.values import Hit

# 63 cells plus padding: the whole row fits an 80-column terminal
COLUMNS = (("phone", 11), ("name", 9), ("code", 8), ("stage", 8), ("level", 7),
           ("last_visit", 10), ("spend", 10))
LEVEL_STYLE = {"regular": "dim", "silver": "bold", "gold": "bold yellow",
               "diamond": "bold cyan"}


def hits_table(table_id: str) -> DataTable[object]:
    table: DataTable[object] = DataTable(id=table_id, cursor_type="row", zebra_stripes=True)
    for key, width in COLUMNS:
        table.add_column(t(f"column.{key}"), width=width, key=key)
    return table


def fill(table: DataTable[object], hits: list[Hit], tz: str) -> None:
    table.clear()
    for hit in hits:
        table.add_row(
            mask(hit.phone, hit.phone_rev) or "—",
            Text(hit.name, style="bold" if hit.exact else ""), hit.member_code,
            stage_label(hit.stage), level_text(hit.level),
            local_date_text(hit.last_visit_at, tz) or "—",
            Text(format_fen(hit.total_spend_fen) if hit.orders else "—", justify="right"),
            key=str(hit.id))
    if hits:
        table.move_cursor(row=0)


def level_text(level: str) -> Text:
    """Regular customers show nothing: the eye goes to the ones who earned a level."""
    return Text("" if level == "regular" else level_label(level), style=LEVEL_STYLE[level])


def selected_id(table: DataTable[object] | None) -> int | None:
    if table is None or table.row_count == 0:
        return None
    row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
    return int(str(row_key.value))
