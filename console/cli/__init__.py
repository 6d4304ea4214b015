"""The `regulars` command. Thin: parse, call db/ through Shop, print, pick an exit code.

Every subcommand takes ``--db PATH``, ``--staff NAME`` and ``--lang`` after its name (or
before it). Errors print one plain sentence to stderr and exit non-zero; no tracebacks.

Where things are: ``root`` (the console, and the options before a command), ``house``
(demo, init, seed, doctor), one module per command group (``customers`` with ``tag``,
``sales``, ``rewards`` with ``referral``, ``coupons``, ``feedback``, ``lifecycle``,
``settings``), and ``common``: ``opened`` (the one way to open and close the shop),
printing, and errors → exit codes. Importing this package stays cheap: pandas, Faker,
numpy, openpyxl and Textual load inside the commands that need them.
"""

from __future__ import annotations

from . import house  # noqa: F401  # registers demo, init, seed, doctor on the root
from .coupons import coupon_app
from .customers import customer_app, tag_app
from .feedback import feedback_app
from .lifecycle import lifecycle_app
from .rewards import points_app, referral_app
from .root import app
from .sales import purchase_app
from .settings import settings_app

__all__ = ["app", "main"]


def main() -> None:
    """The `regulars` program (pyproject: [project.scripts])."""
    app()


# In this order `regulars --help` lists them.
for _name, _group in (("coupon", coupon_app), ("feedback", feedback_app), ("tag", tag_app),
                      ("customer", customer_app), ("purchase", purchase_app),
                      ("lifecycle", lifecycle_app), ("settings", settings_app),
                      ("points", points_app), ("referral", referral_app)):
    app.add_typer(_group, name=_name)
