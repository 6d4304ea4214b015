"""What every command shares: the one way to open and close the shop (``opened``), the
options given before the command, printing, and errors → a sentence and an exit code.

Exit codes: 0 done; 1 refused (one sentence on stderr says why); 2 wrong usage (an
argument that is not UTF-8, --limit or --lang out of range); 130 interrupted.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import typer

from db import gate
from db.errors import RegularsError

from .. import paths
from ..i18n import choose_language, error_text, set_language, t
from ..terminal_text import undecodable, visible, visible_field
from .launch import PIN_ENV, Pin, console_sign_in, lang_refusal, shop_for
from .options import LIMIT_MAX

if TYPE_CHECKING:  # db.shop loads the rules: only a command that opens the file pays for it
    from db.shop import Shop

P = ParamSpec("P")
R = TypeVar("R")
NEW_PIN_ENV = "REGULARS_NEW_PIN"  # a PIN being given to someone, for scripts


@contextmanager
def opened(db: Path | None, staff: str | None, lang: str | None = None, *,
           create: bool = True, sign_in: bool = True, console: bool = False
           ) -> Iterator[Shop]:
    """The shop the command names (``--db`` after it, before it, $REGULARS_DB, the
    default), acting as ``--staff``, speaking ``--lang`` or the shop's language; closed
    when the block ends, however it ends, so no command leaves the file open.

    Once the shop uses PINs, ``--staff`` and its PIN are needed (``acting_pin``).
    ``sign_in=False``: opened signed out (a command that decides for itself, ``init
    --owner``); ``console``: as the console line does (launch.console_sign_in)."""
    db, staff, lang = chosen(db, staff, lang)
    path = db_path(db)
    set_lang(lang, None)
    pin: Pin
    if console:
        given = os.environ.get(PIN_ENV) or None
        pin, sign_in = given, console_sign_in(staff, given)
    else:
        pin = acting_pin()
    with shop_for(path, staff, lang, create=create, pin=pin, sign_in=sign_in) as shop:
        yield shop


def acting_pin() -> Pin:
    """The acting person's PIN: $REGULARS_PIN, else asked (hidden, on stderr, only if the
    shop uses PINs) when stdin is a terminal, else None (the refusal says to set it)."""
    pin = os.environ.get(PIN_ENV)
    if pin:
        return pin
    if not sys.stdin.isatty():
        return None

    def ask(name: str) -> str:
        return str(typer.prompt(t("staff.pin_prompt", name=visible(name)), hide_input=True,
                                err=True, default="", show_default=False))
    return ask


def new_pin(name: str, *env: str) -> str:
    """A PIN being given to ``name``: the first of ``env`` that is set (scripts), else typed
    twice, hidden, when stdin is a terminal; else a sentence saying what to set."""
    from db.values import PIN_MAX, PIN_MIN

    for var in env:
        if os.environ.get(var):
            return os.environ[var]
    if not sys.stdin.isatty():
        raise fail(t("staff.new_pin_needed", name=name))
    return str(typer.prompt(t("staff.new_pin_prompt", name=visible(name), low=PIN_MIN,
                              high=PIN_MAX),
                            hide_input=True, err=True,
                            confirmation_prompt=t("staff.new_pin_again")))


# -- the options given before the command -------------------------------------------------

@dataclass(frozen=True)
class GlobalOptions:
    """--db, --staff and --lang given before the subcommand (``regulars --db X customer …``).

    The top-level callback keeps them on the root context; every command reads them
    through ``chosen`` and the option given after the subcommand, if any, wins.
    """

    db: Path | None = None
    staff: str | None = None
    lang: str | None = None


def current_context() -> Any:  # a click.Context from whichever click typer carries
    """The running command's click context, or None outside a command.

    Typer carries its own copy of click since 0.2x (``typer._click``); older ones use click.
    """
    import importlib

    for module in ("typer._click.globals", "click"):
        try:
            return importlib.import_module(module).get_current_context(silent=True)
        except ImportError:
            continue
    return None


def _global_options() -> GlobalOptions:
    ctx = current_context()
    found = ctx.find_root().obj if ctx is not None else None
    return found if isinstance(found, GlobalOptions) else GlobalOptions()


def chosen(db: Path | None, staff: str | None, lang: str | None
           ) -> tuple[Path | None, str | None, str | None]:
    """The subcommand's own option, else the one given before the subcommand."""
    top = _global_options()
    return (db if db is not None else top.db, staff if staff is not None else top.staff,
            lang if lang is not None else top.lang)


def db_path(db: Path | None) -> Path:
    """--db after the subcommand, --db before it, $REGULARS_DB, the platform default."""
    return paths.resolve_db(chosen(db, None, None)[0])


def set_lang(explicit: str | None, setting: str | None) -> None:
    explicit = chosen(None, None, explicit)[2]
    refusal = lang_refusal(explicit)
    if refusal is not None:
        raise fail(refusal, 2)
    set_language(choose_language(explicit, setting))


def check_limit(limit: int) -> int:
    """--limit through the input gate (db/gate.py), before the file is opened; a usage
    error (exit 2) with the gate's sentence, which names the range."""
    from db.errors import ValidationError

    try:
        return gate.whole(limit, "limit", 1, LIMIT_MAX)
    except ValidationError as exc:
        raise fail(error_text(exc), 2) from None


# -- printing -------------------------------------------------------------------------------

def field(value: str) -> str:
    """One value inside a line of a table: a newline or tab in it is shown, not obeyed."""
    return visible_field(value)


def cell_width(text: str) -> int:
    """Columns a value takes in a terminal: CJK characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def aligned(rows: list[list[str]]) -> list[str]:
    """Rows as lines, each column but the last padded to its widest cell as a terminal
    shows it (so 王老板 and 小李 line up)."""
    if not rows:
        return []
    widths = [max(cell_width(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    return ["  ".join([*(c + " " * (w - cell_width(c)) for c, w in zip(r, widths, strict=False)),
                       r[-1]]).rstrip() for r in rows]


def local_minute(iso: str, timezone: str) -> str:
    """A stored time as the shop's clock showed it: 2026-11-20 18:30."""
    from zoneinfo import ZoneInfo

    from db.clock import from_iso

    return from_iso(iso).astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


def say(message: str, err: bool = False) -> None:
    """Print one message; no control character from the data reaches the terminal."""
    typer.echo(visible(message), err=err)


def fail(message: str, code: int = 1) -> typer.Exit:
    say(message, err=True)
    return typer.Exit(code)


# -- errors → exit codes --------------------------------------------------------------------

def unusual_sale_guard(exc: RegularsError) -> None:
    """A sale far above the usual: the sentence that says to add --yes (the console
    asks with Enter again instead)."""
    from db.errors import ValidationError
    from db.values import is_confirmable

    if isinstance(exc, ValidationError) and is_confirmable(exc.fields):
        code, params = next(iter(exc.fields.values()))
        raise fail(t(f"{code}_cli", **params)) from None


def friendly_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn our errors into a sentence on stderr and exit 1, never a traceback.

    First, every argument is checked for bytes that are not UTF-8 (exit 2, nothing
    opened, nothing changed).
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            refuse_undecodable(kwargs)
            return func(*args, **kwargs)
        except RegularsError as exc:
            raise fail(error_text(exc)) from None
        except KeyboardInterrupt:
            raise fail(t("cli.interrupted"), 130) from None

    wrapper.guards_argv = True  # type: ignore[attr-defined]  # tests check every command
    return wrapper


def refuse_undecodable(values: dict[str, Any]) -> None:
    """An argument that is not valid UTF-8 is one sentence naming its option, exit 2."""
    _, _, lang = chosen(None, None, values.get("lang") if isinstance(values.get("lang"), str)
                        else None)
    set_language(choose_language(lang if lang in ("zh", "en") else None, None))
    ctx = current_context()
    for name, value in values.items():
        for one in value if isinstance(value, list) else [value]:  # a repeatable option
            text = os.fspath(one) if isinstance(one, os.PathLike) else one
            if isinstance(text, str) and undecodable(text):
                raise fail(t("cli.not_utf8", option=_param_label(ctx, name)), 2)
    top = _global_options()
    for name, option in (("db", top.db), ("staff", top.staff), ("lang", top.lang)):
        if option is not None and undecodable(os.fspath(option)):
            raise fail(t("cli.not_utf8", option=f"--{name}"), 2)


def _param_label(ctx: Any, name: str) -> str:  # ctx: see current_context
    """How the person typed it: ``--name`` for an option, ``QUERY`` for an argument."""
    for param in ctx.command.params if ctx is not None else []:
        if param.name == name:
            if param.param_type_name == "option":
                return str(max(param.opts, key=len))
            return name.upper()
    return name
