"""The command tree: every command group under the root, in the order `regulars --help`
lists them. Importing it imports typer and builds the tree (console.cli loads it lazily)."""

from __future__ import annotations

# (imported to register: backup, restore; demo, init, seed, doctor; customer duplicates,
# merge, edit, consent, export-personal, erase)
from . import backups, house, merges, privacy  # noqa: F401
from .coupons import coupon_app
from .customers import customer_app, tag_app
from .exports import export_app
from .feedback import feedback_app
from .imports import import_app
from .lifecycle import lifecycle_app
from .rewards import points_app, referral_app
from .root import app
from .sales import purchase_app
from .settings import settings_app
from .staff import staff_app

__all__ = ["app"]

for _name, _group in (("coupon", coupon_app), ("feedback", feedback_app), ("tag", tag_app),
                      ("customer", customer_app), ("purchase", purchase_app),
                      ("lifecycle", lifecycle_app), ("settings", settings_app),
                      ("points", points_app), ("referral", referral_app),
                      ("import", import_app), ("export", export_app), ("staff", staff_app)):
    app.add_typer(_group, name=_name)
