"""Rows for the import tests, built straight from the model's dataclasses (the writing
layer is tested apart from the reading one), and a Shop whose parser hands them over."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from db.imports.model import Column, CustomerRow, Kind, Parsed, PurchaseRow
from db.shop import Shop
from db.shop.imports import Imports

BLANK = CustomerRow(
    line=2, lines=(2,), name="", phone=None, wechat_id=None, external_id=None,
    member_code=None, birthday="", gender=None, channel=None, stage=None, tags=(), notes="",
    marketing_consent=None, seed_user=None, referrer=None, points=None, spend_fen=None,
    orders=None, first_visit=None, last_visit=None, created=None)


def person(line: int, name: str, phone: str | None = None, **values: Any) -> CustomerRow:
    return replace(BLANK, line=line, lines=(line,), name=name, phone=phone, **values)


def sale(line: int, at: str, amount_fen: int, phone: str | None = None,
         **values: Any) -> PurchaseRow:
    base = PurchaseRow(line=line, phone=phone, member_code=None, name=None, at=at,
                       amount_fen=amount_fen, items="", order_id=None, refund_of=None)
    return replace(base, **values)


def parsed(kind: Kind, rows: list[Any], refusals: tuple[Any, ...] = (),
           folded: int = 0) -> Parsed[Any]:
    return Parsed(kind=kind, columns=(Column("name", "name", "auto"),), rows=tuple(rows),
                  refusals=refusals, lines=len(rows) + folded, blank=0, folded=folded,
                  encoding="utf-8")


def feed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, kind: Kind, rows: list[Any],
         name: str = "file.csv", **extra: Any) -> Path:
    """A file (its bytes give the sha256) whose reading yields ``rows``."""
    path = tmp_path / name
    path.write_text(f"{kind} {len(rows)} {rows!r}", encoding="utf-8")
    result = parsed(kind, rows, **extra)
    monkeypatch.setattr(Imports, "_parse", lambda self, k, p, m: result)
    return path


def dump(shop: Shop) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table: to compare a shop before and after."""
    with shop.store.read() as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
            " AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {t: [tuple(r) for r in conn.execute(f"SELECT * FROM {t} ORDER BY 1")]
                for t in tables}


def one(shop: Shop, sql: str, *params: Any) -> Any:
    with shop.store.read() as conn:
        row: sqlite3.Row = conn.execute(sql, params).fetchone()
        return row[0] if row is not None else None
