"""The shop's words: every fixed list its rules check and its screens offer.

One place, imported by the rules, the screens, the CLI, the seeder and the tests.
The schema's CHECK constraints were made from these lists, but each migration in
``db/migrations/`` keeps its own frozen copy of the words it used, so changing a
list here never changes what an old migration creates: a new word means a new
migration (``tests/test_vocab.py`` fails until there is one).

Imports nothing: anything may import it, and it can never be part of a cycle.
Order matters where a list is shown (the first word is the default or the lowest).
"""

from __future__ import annotations

# -- people ------------------------------------------------------------------------------------
ROLES = ("owner", "staff")  # who may do what: db/access.py
GENDERS = ("female", "male")
CHANNELS = ("counter", "wechat_group", "official_account", "mini_program", "referral", "other")
# where marketing consent was given or withdrawn (customers.consent_source; no CHECK)
CONSENT_SOURCES = ("counter", "paper_form", "wechat", "mini_program", "import", "other")
LANGUAGES = ("", "zh", "en")  # the shop's language setting; "": the system's language

# -- lifecycle and levels ----------------------------------------------------------------------
STAGES = ("initial", "trust", "decline", "dormant")
STAGE_SOURCES = ("rule", "manual")  # who set the stage: the rule, or a person by hand
LEVELS = ("regular", "silver", "gold", "diamond")  # from lifetime spend, lowest first

# -- feedback ----------------------------------------------------------------------------------
FEEDBACK_CATEGORIES = ("quality", "assortment", "supply", "price", "service", "other")
SENTIMENTS = ("praise", "neutral", "complaint")
FEEDBACK_STATUSES = ("new", "reviewing", "planned", "done", "declined")
FEEDBACK_OPEN = ("new", "reviewing", "planned")  # the statuses still waiting for the owner
FEEDBACK_SORTS = ("newest", "oldest_open", "most_mentioned")  # the inbox's orders

# -- coupons, points and referrals -------------------------------------------------------------
COUPON_KINDS = ("amount", "percent", "gift")
COUPON_REASONS = ("manual", "winback", "birthday", "referral", "apology", "other")
COUPON_STATUSES = ("issued", "redeemed", "voided")
POINTS_KINDS = ("earn", "reversal", "spend", "adjust", "opening", "referral", "clawback")
REFERRAL_STATUSES = ("pending", "qualified", "clawed_back")
