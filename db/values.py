"""What crosses the door: the value types (and the pure parsers of typed text) that the
CLI and the screens may hold, besides ``db.shop``, ``db.errors``, ``db.vocab`` and the
formatting modules. The import-linter contracts in pyproject.toml let the UI import
these names from here and forbid it the rule modules they come from, so a screen can
show a ``Customer`` without being able to reach ``db.customers``' SQL.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what mypy reads; at run time each name is imported on first use
    from .audience import BIRTHDAY_WINDOW_MAX, Audience, parse_spend_between
    from .codes import looks_like_code
    from .coupon_batch import EXPORT_COLUMNS as BATCH_EXPORT_COLUMNS
    from .coupon_batch import Issued, Plan
    from .coupons import CODE_BODY, Coupon, Template, last_day
    from .customers import Customer, CustomerInput
    from .customers import validate as validate_customer
    from .duplicates import REASONS as DUPLICATE_REASONS
    from .duplicates import Pair
    from .erase import ERASED_NAME, Erased, ErasePlan
    from .feedback import EXPORT_COLUMNS as FEEDBACK_EXPORT_COLUMNS
    from .feedback import SORTS, Filter, Product, Raiser, Row, Summary, with_typed
    from .feedback import Item as FeedbackItem
    from .imports.fields import CUSTOMER_FIELDS, PURCHASE_FIELDS
    from .imports.model import KINDS as IMPORT_KINDS
    from .imports.model import Batch, Column, Counts, Outcome, Preview, Refusal
    from .levels import Thresholds
    from .lifecycle import SETTING_KEYS as STAGE_RULE_KEYS
    from .lifecycle import Recompute, StageChange, Suggestion
    from .merge import Merged
    from .points import Entry as PointsEntry
    from .purchases import Purchase, parse_when
    from .referrals import Leader, Link
    from .search import Hit, SearchResult, parse_terms
    from .settings import KNOWN as SETTING_KEYS
    from .staff import PIN_MAX, PIN_MIN, StaffMember
    from .store import Actor
    from .tags import Tag
    from .unusual import Bar, is_confirmable

# name -> (module in db, its name there). Lazy, so a screen that shows a Hit does not load
# the coupon, feedback and campaign rules before the console's first frame.
_WHERE: dict[str, tuple[str, str]] = {
    "Actor": ("store", "Actor"),
    "PIN_MAX": ("staff", "PIN_MAX"),
    "PIN_MIN": ("staff", "PIN_MIN"),
    "StaffMember": ("staff", "StaffMember"),
    "Audience": ("audience", "Audience"),
    "BATCH_EXPORT_COLUMNS": ("coupon_batch", "EXPORT_COLUMNS"),
    "BIRTHDAY_WINDOW_MAX": ("audience", "BIRTHDAY_WINDOW_MAX"),
    "Bar": ("unusual", "Bar"),
    "Batch": ("imports.model", "Batch"),
    "CODE_BODY": ("coupons", "CODE_BODY"),
    "CUSTOMER_FIELDS": ("imports.fields", "CUSTOMER_FIELDS"),
    "Column": ("imports.model", "Column"),
    "Counts": ("imports.model", "Counts"),
    "Coupon": ("coupons", "Coupon"),
    "Customer": ("customers", "Customer"),
    "DUPLICATE_REASONS": ("duplicates", "REASONS"),
    "ERASED_NAME": ("erase", "ERASED_NAME"),
    "Erased": ("erase", "Erased"),
    "ErasePlan": ("erase", "ErasePlan"),
    "CustomerInput": ("customers", "CustomerInput"),
    "FEEDBACK_EXPORT_COLUMNS": ("feedback", "EXPORT_COLUMNS"),
    "FeedbackItem": ("feedback", "Item"),
    "Filter": ("feedback", "Filter"),
    "Hit": ("search", "Hit"),
    "IMPORT_KINDS": ("imports.model", "KINDS"),
    "Issued": ("coupon_batch", "Issued"),
    "Leader": ("referrals", "Leader"),
    "Link": ("referrals", "Link"),
    "Merged": ("merge", "Merged"),
    "Pair": ("duplicates", "Pair"),
    "Outcome": ("imports.model", "Outcome"),
    "PURCHASE_FIELDS": ("imports.fields", "PURCHASE_FIELDS"),
    "Plan": ("coupon_batch", "Plan"),
    "PointsEntry": ("points", "Entry"),
    "Preview": ("imports.model", "Preview"),
    "Product": ("feedback", "Product"),
    "Purchase": ("purchases", "Purchase"),
    "Raiser": ("feedback", "Raiser"),
    "Recompute": ("lifecycle", "Recompute"),
    "Refusal": ("imports.model", "Refusal"),
    "Row": ("feedback", "Row"),
    "SETTING_KEYS": ("settings", "KNOWN"),
    "SORTS": ("feedback", "SORTS"),
    "STAGE_RULE_KEYS": ("lifecycle", "SETTING_KEYS"),
    "SearchResult": ("search", "SearchResult"),
    "StageChange": ("lifecycle", "StageChange"),
    "Suggestion": ("lifecycle", "Suggestion"),
    "Summary": ("feedback", "Summary"),
    "Tag": ("tags", "Tag"),
    "Template": ("coupons", "Template"),
    "Thresholds": ("levels", "Thresholds"),
    "is_confirmable": ("unusual", "is_confirmable"),
    "last_day": ("coupons", "last_day"),
    "looks_like_code": ("codes", "looks_like_code"),
    "parse_spend_between": ("audience", "parse_spend_between"),
    "parse_terms": ("search", "parse_terms"),
    "parse_when": ("purchases", "parse_when"),
    "validate_customer": ("customers", "validate"),
    "with_typed": ("feedback", "with_typed"),
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, original = _WHERE[name]
    value = getattr(importlib.import_module(f"{__package__}.{module}"), original)
    globals()[name] = value  # the next lookup is a plain global
    return value


__all__ = [
    "BATCH_EXPORT_COLUMNS",
    "BIRTHDAY_WINDOW_MAX",
    "CODE_BODY",
    "CUSTOMER_FIELDS",
    "DUPLICATE_REASONS",
    "ERASED_NAME",
    "FEEDBACK_EXPORT_COLUMNS",
    "IMPORT_KINDS",
    "PIN_MAX",
    "PIN_MIN",
    "PURCHASE_FIELDS",
    "SETTING_KEYS",
    "SORTS",
    "STAGE_RULE_KEYS",
    "Actor",
    "Audience",
    "Bar",
    "Batch",
    "Column",
    "Counts",
    "Coupon",
    "Customer",
    "CustomerInput",
    "ErasePlan",
    "Erased",
    "FeedbackItem",
    "Filter",
    "Hit",
    "Issued",
    "Leader",
    "Link",
    "Merged",
    "Outcome",
    "Pair",
    "Plan",
    "PointsEntry",
    "Preview",
    "Product",
    "Purchase",
    "Raiser",
    "Recompute",
    "Refusal",
    "Row",
    "SearchResult",
    "StaffMember",
    "StageChange",
    "Suggestion",
    "Summary",
    "Tag",
    "Template",
    "Thresholds",
    "is_confirmable",
    "last_day",
    "looks_like_code",
    "parse_spend_between",
    "parse_terms",
    "parse_when",
    "validate_customer",
    "with_typed",
]
