"""One search box: read the query by what it looks like, answer from indexes only.

* digits: the phone's last 3+ digits, its first 7+ digits, the whole number;
* letters: pinyin initials or full pinyin (prefix), WeChat id (prefix);
* CJK: the name, from one character (王 lists the Wangs first, then 李王芳);
* member-code shape (letters and digits, any case): also the exact member code;
* ``#常客`` a tag, ``stage:trust`` (or 阶段:信任) a lifecycle stage;
* several terms ("zs 8000", "#团购 stage:decline") narrow each other.

Ranking: exact matches first, then the most recent visit, then name. Every
path is an index lookup (tests/test_search.py checks EXPLAIN QUERY PLAN). For
several terms, the most selective one drives and the others filter.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from . import codes
from .clock import rank_of
from .customers import recent_ids
from .levels import Thresholds, thresholds
from .names import has_cjk
from .search_keys import NAME_KEY_MAX, PINYIN_KEY_MAX, TAIL_KEY_LENGTHS, WHOLE_MARK

DEFAULT_LIMIT = 50
MIN_DIGITS = 3
PREFIX_MIN_DIGITS = 7
MIN_WECHAT = 3
ESTIMATE_CAP = 2000

HIT_COLUMNS = ("c.id, c.member_code, c.name, c.sort_name, c.phone, c.phone_rev, c.stage,"
               " c.last_visit_at, c.total_spend_fen, c.orders, c.points")
_DIGITISH = re.compile(r"^\+?[\d\-()]+$")
_LATIN = re.compile(r"^[a-z]+$")
_HANDLE = re.compile(r"^[a-z0-9][-_a-z0-9]*$")
_STAGE = re.compile(r"^(?:stage|阶段)[:：](\S+)$", re.IGNORECASE)
STAGE_WORDS = {"initial": "initial", "trust": "trust", "decline": "decline",
               "dormant": "dormant", "了解": "initial", "信任": "trust", "衰退": "decline",
               "沉睡": "dormant"}


@dataclass(frozen=True)
class Hit:
    id: int
    member_code: str
    name: str
    phone: str | None
    phone_rev: str | None
    stage: str
    last_visit_at: str | None
    total_spend_fen: int
    orders: int
    exact: bool
    points: int = 0
    level: str = "regular"  # db/levels.py: from lifetime spend


@dataclass
class SearchResult:
    query: str
    hits: list[Hit]
    more: bool = False  # there are more matches than shown: type more to narrow
    hints: list[str] = field(default_factory=list)  # message codes, e.g. search.short_digits


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
        where = [self.where] + [f"({sql})" for sql, _ in filters]
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


def _is_exact(term: Term, row: sqlite3.Row, tier: int) -> bool:
    return tier == 0 and (term.kind != "cjk" or row["name"].replace(" ", "") == term.text)


def _estimate(conn: sqlite3.Connection, sources: list[Source]) -> int:
    """Roughly how many customers a term matches (capped): the smallest drives the search."""
    total = 0
    for src in sources:
        sql, params = src.estimate_sql(ESTIMATE_CAP)
        total += conn.execute(sql, params).fetchone()[0]
    return total


# -- the search --------------------------------------------------------------------------

def search(conn: sqlite3.Connection, query: str, limit: int = DEFAULT_LIMIT,
           region: str = "CN") -> SearchResult:
    terms = parse_terms(query)
    if not terms:
        return SearchResult(query, hits_by_ids(conn, recent_ids(conn, limit)))
    hints = _hints(terms)
    per_term = [sources_for(t, i, region) for i, t in enumerate(terms)]
    searchable = [i for i, srcs in enumerate(per_term) if srcs]
    if not searchable:
        return SearchResult(query, [], hints=hints)
    if len(searchable) == 1:
        driver = searchable[0]
    else:
        driver = min(searchable, key=lambda i: _estimate(conn, per_term[i]))
    filters = [filter_for(t, i, region) for i, t in enumerate(terms) if i != driver]
    driving_term = terms[driver]
    # A name longer than the stored keys is looked up by its start and filtered whole.
    if driving_term.kind == "cjk" and len(driving_term.text) > NAME_KEY_MAX:
        filters.append(filter_for(driving_term, driver + 50, region))

    best: dict[int, tuple[int, int, str, int]] = {}
    rows: dict[int, sqlite3.Row] = {}
    more = False
    for src in per_term[driver]:
        sql, params = src.select(filters, limit + 1)
        fetched = conn.execute(sql, params).fetchall()
        more = more or len(fetched) > limit
        for row in fetched[:limit]:
            exact = _is_exact(driving_term, row, row["tier"]) or src.tier_sql == "0"
            key = (0 if exact else 1 + row["tier"], rank_of(row["last_visit_at"]),
                   row["sort_name"], row["id"])
            if row["id"] not in best or key < best[row["id"]]:
                best[row["id"]] = key
                rows[row["id"]] = row
    ordered = sorted(best, key=best.__getitem__)
    more = more or len(ordered) > limit
    shown = ordered[:limit]
    levels = thresholds(conn) if shown else None
    hits = [_hit(rows[cid], best[cid][0] == 0, levels) for cid in shown]
    return SearchResult(query, hits, more=more, hints=hints)


def _hints(terms: list[Term]) -> list[str]:
    hints = []
    for t in terms:
        if t.kind == "digits" and len(t.text.lstrip("+")) < MIN_DIGITS:
            hints.append("search.short_digits")
        if codes.looks_like_code(t.text) and not codes.is_valid(codes.normalize(t.text)) \
                and t.kind == "handle":
            hints.append("search.code_check")
    return hints


def _hit(row: sqlite3.Row, exact: bool, levels: Thresholds | None) -> Hit:
    return Hit(level=levels.level_of(row["total_spend_fen"]) if levels else "regular",
               id=row["id"], member_code=row["member_code"], name=row["name"],
               phone=row["phone"], phone_rev=row["phone_rev"], stage=row["stage"],
               last_visit_at=row["last_visit_at"], total_spend_fen=row["total_spend_fen"],
               orders=row["orders"], exact=exact, points=row["points"])


def hits_by_ids(conn: sqlite3.Connection, ids: list[int]) -> list[Hit]:
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    by_id = {r["id"]: r for r in conn.execute(
        f"SELECT {HIT_COLUMNS} FROM customers c WHERE c.id IN ({marks})", ids)}
    levels = thresholds(conn)
    return [_hit(by_id[i], False, levels) for i in ids if i in by_id]


def explain(conn: sqlite3.Connection, query: str, region: str = "CN") -> list[str]:
    """EXPLAIN QUERY PLAN details of every statement a search would run (for tests)."""
    terms = parse_terms(query)
    details: list[str] = []
    per_term = [sources_for(t, i, region) for i, t in enumerate(terms)]
    for i, srcs in enumerate(per_term):
        filters = [filter_for(t, j, region) for j, t in enumerate(terms) if j != i]
        for src in srcs:
            sql, params = src.select(filters, DEFAULT_LIMIT + 1)
            details += [r["detail"] for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
    return details


def resolve_one(conn: sqlite3.Connection, ref: str, region: str = "CN") -> int:
    """The one customer a reference names, the way the search box reads it: a member
    code or a whole phone first, then a phone tail ("8000") when exactly one customer's
    phone ends so. Several: "N customers match, type more"; none: not found."""
    from .customers import find_one
    from .errors import NotFound, RegularsError

    try:
        return find_one(conn, ref, region).id
    except NotFound:
        terms = parse_terms(ref)
        if len(terms) != 1 or terms[0].kind != "digits":
            raise
    found = search(conn, ref, DEFAULT_LIMIT, region)
    if not found.hits:
        raise NotFound("customer.not_found", ref=ref)
    if len(found.hits) > 1:
        count = f"{len(found.hits)}+" if found.more else str(len(found.hits))
        raise RegularsError("screens.several_match", count=count, ref=ref.strip())
    return found.hits[0].id
