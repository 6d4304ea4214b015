"""`regulars` with nothing but --db, --staff and --lang: the console, opened without the
command line's machinery.

Building typer's command tree (and the pydantic it imports to coerce two options) cost
about a third of the console's start through a real terminal (bench/startup.py), for a
line that has no command in it. So `main` reads such a line here, before typer is imported;
anything else (a command, --help, an odd value) goes to the full command line. Both paths
share the checks and the opening below, so they refuse alike, in the same words and codes.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from db.errors import RegularsError

from .. import paths
from ..i18n import choose_language, error_text, set_language, t
from ..terminal_text import undecodable, visible

if TYPE_CHECKING:  # db.shop loads the rules: only a line that opens the file pays for it
    from db.shop import Shop

TOP = ("--db", "--staff", "--lang")
LANGS = ("zh", "en")
PIN_ENV = "REGULARS_PIN"  # the acting person's PIN, for scripts (never an option: ps shows those)
# A PIN, or a function asked for it (with the staff member's name) only when it is needed.
Pin = str | Callable[[str], str | None] | None


def console_only(argv: list[str]) -> tuple[str | None, str | None, str | None] | None:
    """``[--db X] [--staff X] [--lang X]``, each at most once, with plain values: the three
    values; anything else None (the full command line reads it)."""
    found: dict[str, str] = {}
    rest = list(argv)
    while rest:
        name, eq, value = rest.pop(0).partition("=")
        if not eq:
            if not rest:
                return None
            value = rest.pop(0)
        if name not in TOP or name in found or not value or value.startswith("-"):
            return None
        found[name] = value
    return found.get("--db"), found.get("--staff"), found.get("--lang")


def lang_refusal(explicit: str | None) -> str | None:
    """What is wrong with ``--lang``, or None."""
    if explicit and explicit not in LANGS:
        return f"--lang: use zh or en, not {explicit!r}"
    return None


def console_sign_in(staff: str | None, pin: str | None) -> bool:
    """The console signs in at once only given --staff and $REGULARS_PIN; otherwise a shop
    with PINs opens signed out and the console asks on its own screen."""
    return bool(staff and pin)


@contextmanager
def shop_for(path: Path, staff: str | None, lang: str | None, *, create: bool = True,
             pin: Pin = None, sign_in: bool = True) -> Iterator[Shop]:
    """The shop at ``path`` acting as ``staff`` (with ``pin`` once the shop uses PINs;
    signed out with ``sign_in=False``), speaking ``lang`` or the shop's own language;
    closed however the block ends."""
    from db.shop import Shop

    set_language(choose_language(lang, None))
    shop = Shop.open(str(path), staff, pin=pin, create=create, sign_in=sign_in)
    try:
        set_language(choose_language(lang, shop.settings.get("language")))
        yield shop
    finally:
        shop.close()


def run_app(shop: Shop, staff: str | None = None) -> None:
    """The console; ``staff`` (--staff) fills in the sign-in screen's name when the shop
    opened signed out."""
    from ..app import RegularsApp  # Textual loads only for the console

    RegularsApp(shop, staff).run()


def launch(db: str | None, staff: str | None, lang: str | None) -> int:
    """Open the console; the exit code (0, or 1/2/130 after one sentence on stderr)."""
    set_language(choose_language(lang if lang in LANGS else None, None))
    for name, value in zip(TOP, (db, staff, lang), strict=True):
        if value is not None and undecodable(value):
            return _refuse(t("cli.not_utf8", option=name), 2)
    refusal = lang_refusal(lang)
    if refusal is not None:
        return _refuse(refusal, 2)
    pin = os.environ.get(PIN_ENV) or None
    try:
        with shop_for(paths.resolve_db(Path(db) if db else None), staff, lang, pin=pin,
                      sign_in=console_sign_in(staff, pin)) as shop:
            run_app(shop, staff)
    except RegularsError as exc:
        return _refuse(error_text(exc), 1)
    except KeyboardInterrupt:
        return _refuse(t("cli.interrupted"), 130)
    return 0


def _refuse(message: str, code: int) -> int:
    say(message, err=True)
    return code


def say(message: str, err: bool = False) -> None:
    """common.say without typer, which this line has not loaded: made harmless alike."""
    print(visible(message), file=sys.stderr if err else sys.stdout, flush=True)
