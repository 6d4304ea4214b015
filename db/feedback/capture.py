"""Capture: what a customer said, written down at the counter exactly as typed."""

from __future__ import annotations

from .. import gate
from ..errors import NotFound, ValidationError
from ..store import Tx
from ..vocab import FEEDBACK_CATEGORIES, SENTIMENTS
from .catalogue import product_id, supplier_id

WORDS_MAX = 4000


def add(tx: Tx, customer_id: int | None, category: str, words: str, sentiment: str = "neutral",
        product: str = "", supplier: str = "") -> int:
    """Write down what a customer said. Returns the item's id."""
    errors: dict[str, tuple[str, dict[str, object]]] = {}
    if category not in FEEDBACK_CATEGORIES:
        errors["category"] = ("feedback.category", {"known": ", ".join(FEEDBACK_CATEGORIES)})
    if sentiment not in SENTIMENTS:
        errors["sentiment"] = ("feedback.sentiment", {"known": ", ".join(SENTIMENTS)})
    # checked by the gate, but kept exactly as said (the gate would trim the ends)
    gate.gather(errors, lambda: gate.lines(
        words, "words", WORDS_MAX, required="feedback.empty", too_long="feedback.too_long"), "")
    if errors:
        raise ValidationError(errors)
    seed_user = 0
    if customer_id is not None:
        row = tx.execute("SELECT is_seed_user FROM customers WHERE id = ?",
                         (customer_id,)).fetchone()
        if row is None:
            raise NotFound("customer.not_found", ref=str(customer_id))
        seed_user = int(row[0])
    supplier_ref = supplier_id(tx, supplier)
    product_ref = product_id(tx, product, supplier_ref)
    if supplier_ref is None and product_ref is not None:  # the product's usual supplier
        row = tx.execute("SELECT supplier_id FROM products WHERE id = ?",
                         (product_ref,)).fetchone()
        supplier_ref = row[0]
    cursor = tx.execute(
        "INSERT INTO feedback(customer_id, category, product_id, supplier_id, words, sentiment,"
        " seed_user, at, staff_id, status_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (customer_id, category, product_ref, supplier_ref, words, sentiment, seed_user, tx.now,
         tx.actor.id, tx.now))
    item_id = int(cursor.lastrowid or 0)
    tx.audit("feedback.add", "feedback", item_id, customer_id=customer_id, category=category)
    return item_id
