"""Both catalogs are complete, and every key the code uses exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

from console.i18n import CATALOGS, choose_language, t
from console.locales import en, zh
from db import settings
from db.access import POLICY

ROOT = Path(__file__).resolve().parent.parent


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_catalogs_have_the_same_keys_and_placeholders() -> None:
    assert set(en.MESSAGES) == set(zh.MESSAGES)
    for key, text in en.MESSAGES.items():
        assert fields(text) == fields(zh.MESSAGES[key]), key
        assert zh.MESSAGES[key].strip(), key


SETTING_KEYS = settings.KNOWN  # setting names look like codes; their labels are rule.<key>


def used_keys() -> set[str]:
    keys: set[str] = set()
    pattern = re.compile(r"""\bt\(\s*["']([a-z_]+\.[a-z_.]+)["']""")
    code_pattern = re.compile(r"""["']((?:[a-z]+)\.[a-z_]+)["']""")
    for folder in ("console", "screens"):
        for path in (ROOT / folder).rglob("*.py"):
            if "locales" in path.parts:
                continue
            keys |= set(pattern.findall(path.read_text(encoding="utf-8")))
    # binding descriptions and db/ error codes are catalog keys too
    for folder in ("screens", "console", "db"):
        for path in (ROOT / folder).rglob("*.py"):
            if "locales" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            audit_actions = set(re.findall(r"""audit\(\s*["']([a-z_.]+)["']""", text))
            keys |= {k for k in code_pattern.findall(text) if k not in audit_actions
                     and k not in POLICY  # an access action: its label is action.<name>
                     and k not in SETTING_KEYS
                     and k.split(".")[0] in {
                "key", "phone", "name", "wechat", "contact", "birthday", "gender", "channel",
                "notes", "money", "setting", "store", "staff", "seed", "search", "customer",
                "points", "referral", "coupon", "level", "batch", "audience"}}
    return keys


def test_every_used_key_is_in_both_catalogs() -> None:
    missing = {k for k in used_keys() if k not in en.MESSAGES}
    assert not missing
    for catalog in CATALOGS.values():
        assert not {k for k in used_keys() if k not in catalog}


def test_language_choice_order(monkeypatch: object) -> None:
    assert choose_language("zh", "en") == "zh"
    assert choose_language(None, "en") == "en"
    import os

    os.environ["LANG"] = "zh_CN.UTF-8"
    try:
        assert choose_language(None, "") == "zh"
    finally:
        del os.environ["LANG"]


def test_parameters_are_filled() -> None:
    assert t("lookup.count", count=3) == "3 found."


def test_every_field_an_error_names_has_a_label() -> None:
    """A refusal reads "Label: what is wrong", never "field.xyz: …"."""
    from console.i18n import field_label

    named = set()
    for path in (ROOT / "db").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        named |= set(re.findall(r"""ValidationError\(\{\s*["']([a-z_]+)["']""", text))
        named |= set(re.findall(r"""errors\[["']([a-z_]+)["']\]\s*=""", text))
        named |= set(re.findall(r"""parse_yuan\([^,()]+,\s*["']([a-z_]+)["']\)""", text))
    named |= settings.KNOWN  # settings.put names the key itself
    assert named and not {f for f in named if not field_label(f)}


def test_every_access_action_has_a_label_in_both_catalogs() -> None:
    """A refusal names the action in the reader's words (console/i18n.py error_text)."""
    for catalog in CATALOGS.values():
        assert {a for a in POLICY if f"action.{a}" not in catalog} == set()
        assert {"role.owner", "role.staff"} <= set(catalog)
