"""Every UI string goes through ``t(key, **params)``; catalogs live in console/locales/.

The language comes from ``--lang``, else the shop's ``language`` setting, else
the system locale (zh* -> Chinese), else English. ``db/`` errors carry a code
and parameters, and are turned into sentences here, so the CLI and the TUI say
the same thing in the same words.
"""

from __future__ import annotations

import locale
import os
from typing import Any

from db.errors import AccessDenied, RegularsError, ValidationError

from .locales import en, zh

CATALOGS: dict[str, dict[str, str]] = {"en": en.MESSAGES, "zh": zh.MESSAGES}
LANGUAGES = tuple(CATALOGS)
_current = "en"


def set_language(language: str) -> None:
    global _current
    if language not in CATALOGS:
        raise ValueError(f"unknown language {language!r}; choose one of {', '.join(LANGUAGES)}")
    _current = language


def language() -> str:
    return _current


def t(key: str, /, **params: Any) -> str:
    return t_in(_current, key, **params)


def t_in(language: str, key: str, /, **params: Any) -> str:
    """A message in a given language (a customer's), whatever the console shows."""
    text = CATALOGS.get(language, CATALOGS["en"]).get(key) or CATALOGS["en"].get(key) or key
    if not params:
        return text
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text  # a catalog slip must never hide the message itself


def has_message(key: str) -> bool:
    """Is this one of ours (a catalog key), rather than a widget's built-in English text?"""
    return key in CATALOGS["en"]


def system_language() -> str:
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    try:
        code = locale.getlocale()[0] or ""
    except ValueError:
        code = ""
    return "zh" if code.lower().startswith(("zh", "chinese")) else "en"


def choose_language(explicit: str | None, setting: str | None) -> str:
    for choice in (explicit, setting):
        if choice in CATALOGS:
            return choice
    return system_language()


def field_label(field: str) -> str:
    """A form field's label, or a setting's (``rule.<key>``); "" when it has neither."""
    for key in (f"field.{field}", f"rule.{field}"):
        if has_message(key):
            return t(key)
    return ""


def error_text(error: RegularsError) -> str:
    """One line per problem, each naming its field when there is one."""
    if isinstance(error, ValidationError):
        return "\n".join(
            f"{label}: {t(code, **params)}" if (label := field_label(field)) else
            t(code, **params) for field, (code, params) in error.fields.items())
    if isinstance(error, AccessDenied):  # the action and roles in the reader's words
        p = error.params
        if not p["role"]:  # no one signed in yet, or the console is locked
            return t("access.signed_out", what=t(f"action.{p['action']}"))
        return t(error.code, what=t(f"action.{p['action']}"), needed=t(f"role.{p['needed']}"),
                 role=t(f"role.{p['role']}"), name=p["name"])
    text = t(error.code, **error.params)
    if isinstance(error.__cause__, RegularsError):  # say what went wrong underneath, too
        text += " " + error_text(error.__cause__)
    return text


def stage_label(stage: str) -> str:
    return t(f"stage.{stage}")


def level_label(level: str) -> str:
    return t(f"level.{level}")


def channel_label(channel: str) -> str:
    return t(f"channel.{channel}")
