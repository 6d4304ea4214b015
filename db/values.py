"""What crosses the door: the value types (and the pure parsers of typed text) that the
CLI and the screens may hold, besides ``db.shop``, ``db.errors``, ``db.vocab`` and the
formatting modules. The import-linter contracts in pyproject.toml let the UI import
these names from here and forbid it the rule modules they come from, so a screen can
show a ``Customer`` without being able to reach ``db.customers``' SQL.
"""

from __future__ import annotations

from .audience import BIRTHDAY_WINDOW_MAX, Audience, parse_spend_between
from .codes import looks_like_code
from .coupon_batch import EXPORT_COLUMNS as BATCH_EXPORT_COLUMNS
from .coupon_batch import Issued, Plan
from .coupons import CODE_BODY, Coupon, Template, last_day
from .customers import Customer, CustomerInput
from .customers import validate as validate_customer
from .feedback import EXPORT_COLUMNS as FEEDBACK_EXPORT_COLUMNS
from .feedback import SORTS, Filter, Product, Raiser, Row, Summary, with_typed
from .feedback import Item as FeedbackItem
from .levels import Thresholds
from .lifecycle import SETTING_KEYS as STAGE_RULE_KEYS
from .lifecycle import Recompute, StageChange, Suggestion
from .points import Entry as PointsEntry
from .purchases import Purchase, parse_when
from .referrals import Leader, Link
from .search import Hit, SearchResult, parse_terms
from .settings import KNOWN as SETTING_KEYS
from .tags import Tag
from .unusual import Bar, is_confirmable

__all__ = [
    "BATCH_EXPORT_COLUMNS",
    "BIRTHDAY_WINDOW_MAX",
    "CODE_BODY",
    "FEEDBACK_EXPORT_COLUMNS",
    "SETTING_KEYS",
    "SORTS",
    "STAGE_RULE_KEYS",
    "Audience",
    "Bar",
    "Coupon",
    "Customer",
    "CustomerInput",
    "FeedbackItem",
    "Filter",
    "Hit",
    "Issued",
    "Leader",
    "Link",
    "Plan",
    "PointsEntry",
    "Product",
    "Purchase",
    "Raiser",
    "Recompute",
    "Row",
    "SearchResult",
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
