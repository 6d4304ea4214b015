"""The `regulars` command. Thin: parse, call db/ through Shop, print, pick an exit code.

Every subcommand takes ``--db PATH``, ``--staff NAME`` and ``--lang`` after its name (or
before it). Errors print one plain sentence to stderr and exit non-zero; no tracebacks.

Where things are: ``root`` (the console, and the options before a command), ``house``
(demo, init, seed, doctor), one module per command group (``customers`` with ``tag``,
``sales``, ``rewards`` with ``referral``, ``coupons``, ``feedback``, ``lifecycle``,
``settings``), and ``common``: ``opened`` (the one way to open and close the shop),
printing, and errors → exit codes. Importing this package stays cheap: pandas, Faker,
numpy, openpyxl and Textual load inside the commands that need them, and the command tree
(``tree``, with typer) loads only for a line that names a command: ``regulars`` alone,
or with just --db, --staff and --lang, opens the console through ``launch``.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from .launch import console_only, launch

if TYPE_CHECKING:
    import typer

    from .tree import app

__all__ = ["app", "main"]


def main() -> None:
    """The `regulars` program (pyproject: [project.scripts])."""
    options = console_only(sys.argv[1:])
    if options is None:
        from .tree import app

        app()
        return
    code = launch(*options)
    if code:
        sys.exit(code)


def __getattr__(name: str) -> typer.Typer:
    """``console.cli.app``, the typer app, built on first use (tests and ``main``)."""
    if name == "app":
        from .tree import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
