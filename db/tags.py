"""Free tags ("常客", "宝妈", "团购"): created on the fly, renamed or merged by the owner.

Tags are for how to serve someone, never for sensitive personal information:
health, pregnancy, ID numbers, religion, ethnicity, finances. Under PIPL such
data needs separate consent and protection, and tags show up in lists and
exports. So a tag that looks sensitive is refused with a message, and is never
offered as a suggestion.
"""

from __future__ import annotations

import re
import sqlite3
import sys
import unicodedata
from dataclasses import dataclass

from . import gate
from .errors import NotFound, ValidationError
from .store import Tx

NAME_MAX = 20
SENSITIVE = re.compile(
    r"病|癌|糖尿|高血压|抑郁|艾滋|hiv|怀孕|孕|流产|药|残疾|过敏|诊断|医院|身份证|护照|"
    r"证件|银行卡|卡号|信用|欠款|负债|宗教|信仰|佛教|基督|穆斯林|民族|政治|党员|性取向|"
    r"同性|前科|犯罪|health|medical|medicat|disease|diabet|cancer|illness|sick|pregnan|"
    r"allerg|diagnos|passport|\bid\b|"
    r"religio|ethnic|debt|criminal", re.IGNORECASE)


@dataclass(frozen=True)
class Tag:
    id: int
    name: str
    customers: int


def clean_name(text: str) -> str:
    name = gate.line(text, "tag", sys.maxsize).lstrip("#＃").strip()  # refuses the invisible
    if not name:
        raise ValidationError({"tag": ("tag.empty", {})})
    if len(name) > NAME_MAX or any(ch.isspace() for ch in name):
        raise ValidationError({"tag": ("tag.shape", {"max": NAME_MAX})})
    if SENSITIVE.search(name):
        raise ValidationError({"tag": ("tag.sensitive", {"name": name})})
    return name


def _tag_id(tx: Tx, name: str, create: bool) -> int:
    row = tx.execute("SELECT id FROM tags WHERE name = ?", (name,)).fetchone()
    if row is not None:
        return int(row[0])
    if not create:
        raise NotFound("tag.not_found", name=name)
    cursor = tx.execute("INSERT INTO tags(name, created_at, created_by) VALUES (?, ?, ?)",
                        (name, tx.now, tx.actor.id))
    return int(cursor.lastrowid or 0)


def add(tx: Tx, customer_id: int, text: str) -> str:
    name = clean_name(text)
    tag_id = _tag_id(tx, name, create=True)
    tx.execute("INSERT OR IGNORE INTO customer_tags(customer_id, tag_id, added_at, added_by)"
               " VALUES (?, ?, ?, ?)", (customer_id, tag_id, tx.now, tx.actor.id))
    # the id, not the name: which tags a person had is theirs (an erase unlinks them)
    tx.audit("tag.add", "customer", customer_id, tag_id=tag_id)
    return name


def remove(tx: Tx, customer_id: int, text: str) -> None:
    name = unicodedata.normalize("NFC", text).strip().lstrip("#＃")
    tag_id = _tag_id(tx, name, create=False)
    tx.execute("DELETE FROM customer_tags WHERE customer_id = ? AND tag_id = ?",
               (customer_id, tag_id))
    tx.audit("tag.remove", "customer", customer_id, tag_id=tag_id)


def rename(tx: Tx, old: str, new: str) -> str:
    """Rename a tag; if the new name exists already, the two are merged into it."""
    old_id = _tag_id(tx, old.strip().lstrip("#＃"), create=False)
    name = clean_name(new)
    row = tx.execute("SELECT id FROM tags WHERE name = ?", (name,)).fetchone()
    if row is None or row[0] == old_id:
        tx.execute("UPDATE tags SET name = ? WHERE id = ?", (name, old_id))
    else:
        tx.execute("INSERT OR IGNORE INTO customer_tags(customer_id, tag_id, added_at, added_by)"
                   " SELECT customer_id, ?, added_at, added_by FROM customer_tags"
                   " WHERE tag_id = ?", (row[0], old_id))
        tx.execute("DELETE FROM customer_tags WHERE tag_id = ?", (old_id,))
        tx.execute("DELETE FROM tags WHERE id = ?", (old_id,))
    tx.audit("tag.rename", "tag", old_id, old=old, new=name)
    return name


def of_customer(conn: sqlite3.Connection, customer_id: int) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT t.name FROM customer_tags ct JOIN tags t ON t.id = ct.tag_id"
        " WHERE ct.customer_id = ? ORDER BY t.name", (customer_id,))]


def all_tags(conn: sqlite3.Connection) -> list[Tag]:
    """Every tag with how many customers carry it, most used first (for autocomplete too)."""
    return [Tag(r[0], r[1], r[2]) for r in conn.execute(
        "SELECT t.id, t.name, count(ct.customer_id) FROM tags t"
        " LEFT JOIN customer_tags ct ON ct.tag_id = t.id GROUP BY t.id ORDER BY 3 DESC, 2")
        if not SENSITIVE.search(r[1])]
