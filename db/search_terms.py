"""Reading the search box's query, and where each term is looked up.

A query splits into terms by what each looks like (digits, pinyin letters, a WeChat
id or member code, CJK, ``#tag``, ``stage:``); each term has its indexed sources
(ordered candidate rows) and a filter (a predicate on ``c``) for when another term
drives. db/search.py runs them: the most selective term drives, the others filter.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from . import codes
from .names import has_cjk
from .search_keys import NAME_KEY_MAX, PINYIN_KEY_MAX, TAIL_KEY_LENGTHS, WHOLE_MARK

MIN_DIGITS = 3
PREFIX_MIN_DIGITS = 7
MIN_WECHAT = 3

HIT_COLUMNS = ("c.id, c.member_code, c.name, c.sort_name, c.phone, c.phone_rev, c.stage,"
               " c.last_visit_at, c.total_spend_fen, c.orders, c.points")
_DIGITISH = re.compile(r"^\+?[\d\-()]+$")
_LATIN = re.compile(r"^[a-z]+$")
_STAGE = re.compile(r"^(?:stage|阶段)[:：](\S+)$", re.IGNORECASE)
STAGE_WORDS = {"initial": "initial", "trust": "trust", "decline": "decline",
               "dormant": "dormant", "了解": "initial", "信任": "trust", "衰退": "decline",
               "沉睡": "dormant"}


@dataclass(frozen=True)
class Term:
    kind: str  # digits | latin | handle | cjk | tag | stage
    text: str


# -- reading the query -----------------------------------------------------------------

def parse_terms(query: str) -> list[Term]:
    """Split on spaces; consecutive number-looking pieces are one phone ('138 0013 8000')."""
    text = unicodedata.normalize("NFKC", query).strip()
    terms: list[Term] = []
    pending_digits = ""
    for token in text.split():
        if _DIGITISH.match(token):
            pending_digits += token
            continue
        if pending_digits:
            terms.append(_digits_term(pending_digits))
            pending_digits = ""
        terms.append(_word_term(token))
    if pending_digits:
        terms.append(_digits_term(pending_digits))
    return [t for t in terms if t.text]


def _digits_term(token: str) -> Term:
    return Term("digits", re.sub(r"[\-()]", "", token))


def _word_term(token: str) -> Term:
    if token.startswith("#") and len(token) > 1:
        return Term("tag", token[1:])
    stage = _STAGE.match(token)
    if stage:
        return Term("stage", STAGE_WORDS.get(stage.group(1).lower(), stage.group(1).lower()))
    if has_cjk(token):
        return Term("cjk", token)
    lower = token.lower()
    if _LATIN.match(lower):
        return Term("latin", lower)
    return Term("handle", lower)  # letters with digits, _ or -: WeChat id or member code


# -- sources: each returns candidate rows already ordered ---------------------------------

@dataclass(frozen=True)
class Source:
    """One indexed way of finding a term's customers: a FROM/WHERE plus an ORDER."""

    sql_from: str
    where: str
    params: dict[str, Any]
    order: str
    tier_sql: str
    count_from: str  # the index alone: enough to estimate how many rows match

    def select(self, filters: list[tuple[str, dict[str, Any]]], limit: int
               ) -> tuple[str, dict[str, Any]]:
        # an erased customer is found by nothing (db/erase.py)
        where = [self.where, "c.erased_at IS NULL"] + [f"({sql})" for sql, _ in filters]
        params = dict(self.params)
        for _, extra in filters:
            params.update(extra)
        params["limit"] = limit
        sql = (f"SELECT {HIT_COLUMNS}, {self.tier_sql} AS tier FROM {self.sql_from}"
               f" WHERE {' AND '.join(where)} ORDER BY {self.order} LIMIT :limit")
        return sql, params

    def estimate_sql(self, cap: int) -> tuple[str, dict[str, Any]]:
        return (f"SELECT count(*) FROM (SELECT 1 FROM {self.count_from} WHERE {self.where}"
                f" LIMIT {cap})", self.params)


def _next_prefix(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _key_source(key: str, n: int) -> Source:
    return Source(
        sql_from="search_keys k JOIN customers c ON c.id = k.customer_id",
        where=f"k.key = :key{n}", params={f"key{n}": key},
        order="k.tier, k.rank, k.sort_name, k.customer_id", tier_sql="k.tier",
        count_from="search_keys k")


def _whole_spelling_source(text: str, n: int) -> Source:
    """Typed past the stored prefixes: the few whole readings that start so."""
    lo = WHOLE_MARK + text
    return Source(
        sql_from="search_keys k JOIN customers c ON c.id = k.customer_id",
        where=f"k.key >= :wlo{n} AND k.key < :whi{n}",
        params={f"wlo{n}": lo, f"whi{n}": _next_prefix(lo)},
        order="k.key", tier_sql="k.tier", count_from="search_keys k")


def _range_source(column: str, prefix: str, n: int, tier: int = 1) -> Source:
    return Source(
        sql_from="customers c",
        where=f"c.{column} >= :lo{n} AND c.{column} < :hi{n}",
        params={f"lo{n}": prefix, f"hi{n}": _next_prefix(prefix)},
        order=f"c.{column}", tier_sql=str(tier), count_from="customers c")


def _equal_source(column: str, value: str, n: int) -> Source:
    return Source(sql_from="customers c", where=f"c.{column} = :eq{n}",
                  params={f"eq{n}": value}, order="c.id", tier_sql="0",
                  count_from="customers c")


_TAG_ID = "(SELECT id FROM tags WHERE name = :{})"


def _tag_source(name: str, n: int) -> Source:
    return Source(
        sql_from="customer_tags ct JOIN customers c ON c.id = ct.customer_id",
        where=f"ct.tag_id = {_TAG_ID.format(f'tag{n}')}", params={f"tag{n}": name},
        order="ct.tag_id, ct.customer_id DESC", tier_sql="1", count_from="customer_tags ct")


def _stage_source(stage: str, n: int) -> Source:
    return Source(sql_from="customers c", where=f"c.stage = :stage{n}",
                  params={f"stage{n}": stage}, order="c.stage, c.total_spend_fen DESC",
                  tier_sql="1", count_from="customers c")


def _country_code(region: str) -> str:
    import phonenumbers

    return str(phonenumbers.country_code_for_region(region))


def _exact_phone(digits: str, region: str) -> str | None:
    from .errors import ValidationError
    from .phones import parse_phone

    try:
        return parse_phone(digits, region).e164
    except ValidationError:
        return None


def _is_international(digits: str) -> bool:
    """'+44…' or '0044…' (a whole number); a tail like '0012' is still a tail."""
    return digits.startswith("+") or (digits.startswith("00") and len(digits) > 11)


def sources_for(term: Term, n: int, region: str) -> list[Source]:
    text = term.text
    if term.kind == "tag":
        return [_tag_source(text, n)]
    if term.kind == "stage":
        return [_stage_source(text, n)]
    out: list[Source] = []
    if codes.looks_like_code(text):
        out.append(_equal_source("member_code", codes.normalize(text), n))
    if term.kind == "digits":
        international = _is_international(text)
        national = text.lstrip("+")
        if len(national) >= PREFIX_MIN_DIGITS:
            e164 = _exact_phone(text, region)
            if e164:
                out.append(_equal_source("phone", e164, n))
        if not international and len(national) >= MIN_DIGITS:
            if len(national) in TAIL_KEY_LENGTHS:
                out.append(_key_source(national, n))
            else:
                out.append(_range_source("phone_rev", national[::-1], n + 100))
            if len(national) >= PREFIX_MIN_DIGITS:
                cc = "+" + _country_code(region)
                out.append(_range_source("phone", cc + national, n + 200))
    elif term.kind == "cjk":
        out.append(_key_source(text[:NAME_KEY_MAX], n))
    elif term.kind == "latin":
        if len(text) > PINYIN_KEY_MAX:
            out.append(_whole_spelling_source(text, n))
        else:
            out.append(_key_source(text, n))
        if len(text) >= MIN_WECHAT:
            out.append(_range_source("wechat_id", text, n + 100))
    elif term.kind == "handle" and len(text) >= MIN_WECHAT:
        out.append(_range_source("wechat_id", text, n + 100))
    return out


def filter_for(term: Term, n: int, region: str) -> tuple[str, dict[str, Any]]:
    """A predicate on ``c`` that holds exactly when the customer matches ``term``."""
    text = term.text
    if term.kind == "tag":
        return (f"EXISTS (SELECT 1 FROM customer_tags ft WHERE ft.customer_id = c.id"
                f" AND ft.tag_id = {_TAG_ID.format(f'ftag{n}')})", {f"ftag{n}": text})
    if term.kind == "stage":
        return (f"c.stage = :fstage{n}", {f"fstage{n}": text})
    ors: list[str] = []
    params: dict[str, Any] = {}
    if codes.looks_like_code(text):
        ors.append(f"c.member_code = :fcode{n}")
        params[f"fcode{n}"] = codes.normalize(text)
    if term.kind == "digits":
        national = text.lstrip("+")
        if not _is_international(text) and len(national) >= MIN_DIGITS:
            ors.append(f"substr(c.phone_rev, 1, {len(national)}) = :frev{n}")
            params[f"frev{n}"] = national[::-1]
        if len(national) >= PREFIX_MIN_DIGITS:
            e164 = _exact_phone(text, region)
            ors.append(f"c.phone = :fphone{n}")
            params[f"fphone{n}"] = e164
            cc = "+" + _country_code(region)
            ors.append(f"substr(c.phone, 1, {len(cc) + len(national)}) = :fpre{n}")
            params[f"fpre{n}"] = cc + national
    elif term.kind == "cjk":
        ors.append(f"instr(c.name, :fname{n}) > 0")
        params[f"fname{n}"] = text
    else:
        if term.kind == "latin":
            ors.append(f"instr(' ' || c.pinyin, :fpy{n}) > 0")
            params[f"fpy{n}"] = " " + text
        ors.append(f"lower(substr(c.wechat_id, 1, {len(text)})) = :fwx{n}")
        params[f"fwx{n}"] = text
    return (" OR ".join(ors) or "0", params)
