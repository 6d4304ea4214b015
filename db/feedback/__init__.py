"""Feedback: what customers tell the counter, worked through by the owner, loop closed.

An item has a category, the customer's own words (kept exactly as typed, up to
4,000 characters), a sentiment, optionally a product and supplier from a small
catalogue that grows as staff type, and a status that moves
new → reviewing → planned → done, or to declined. Duplicates are linked into
one group (headed by its oldest item) and move through the statuses together.

One module per job: ``catalogue`` (products and suppliers), ``capture`` (writing an
item down), ``status`` (the status machine and linked groups), ``filters`` (the
inbox's filter and its typed box), ``inbox`` (the owner's list and summary),
``loop`` (who raised an item and who was told), ``language`` (which language to
write to someone in), ``report`` (rows for a file), ``items`` (reading an item).
The names below are the package's surface: db/shop/feedback.py, db/values.py and
the tests use them.
"""

from __future__ import annotations

from .capture import WORDS_MAX, add
from .catalogue import NAME_MAX, Product, edit_product, names, product_id, products, supplier_id
from .filters import SORTS, Filter, with_typed
from .inbox import Mentions, Row, Summary, inbox, summary
from .items import Item, get, of_customer
from .language import language_of
from .loop import Raiser, mark_told, raisers
from .report import EXPORT_COLUMNS, export_rows
from .status import NEXT, NOTE_MAX, can_move, link, set_note, set_status, unlink

__all__ = [
    "EXPORT_COLUMNS",
    "NAME_MAX",
    "NEXT",
    "NOTE_MAX",
    "SORTS",
    "WORDS_MAX",
    "Filter",
    "Item",
    "Mentions",
    "Product",
    "Raiser",
    "Row",
    "Summary",
    "add",
    "can_move",
    "edit_product",
    "export_rows",
    "get",
    "inbox",
    "language_of",
    "link",
    "mark_told",
    "names",
    "of_customer",
    "product_id",
    "products",
    "raisers",
    "set_note",
    "set_status",
    "summary",
    "supplier_id",
    "unlink",
    "with_typed",
]
