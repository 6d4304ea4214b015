"""One search box: read the query by what it looks like, answer from indexes only.

* digits: the phone's last 3+ digits, its first 7+ digits, the whole number;
* letters: pinyin initials or full pinyin (prefix), WeChat id (prefix);
* CJK: the name, from one character (王 lists the Wangs first, then 李王芳);
* member-code shape (letters and digits, any case): also the exact member code;
* ``#常客`` a tag, ``stage:trust`` (or 阶段:信任) a lifecycle stage;
* several terms ("zs 8000", "#团购 stage:decline") narrow each other.

Ranking: exact matches first, then the most recent visit, then name. Every
path is an index lookup (tests/test_search.py checks EXPLAIN QUERY PLAN). For
several terms, the most selective one drives and the others filter. How a query is
read and where each term is looked up: db/search_terms.py.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from . import codes
from .clock import rank_of
from .customers import recent_ids
from .levels import Thresholds, thresholds
from .search_keys import NAME_KEY_MAX
from .search_terms import HIT_COLUMNS, MIN_DIGITS, Source, Term, filter_for, sources_for
from .search_terms import parse_terms as parse_terms  # re-exported: callers read queries here

DEFAULT_LIMIT = 50
ESTIMATE_CAP = 2000


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


# -- the search --------------------------------------------------------------------------

def _is_exact(term: Term, row: sqlite3.Row, tier: int) -> bool:
    return tier == 0 and (term.kind != "cjk" or row["name"].replace(" ", "") == term.text)


def _estimate(conn: sqlite3.Connection, sources: list[Source]) -> int:
    """Roughly how many customers a term matches (capped): the smallest drives the search."""
    total = 0
    for src in sources:
        sql, params = src.estimate_sql(ESTIMATE_CAP)
        total += conn.execute(sql, params).fetchone()[0]
    return total


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
        f"SELECT {HIT_COLUMNS} FROM customers c WHERE c.id IN ({marks})"
        " AND c.erased_at IS NULL", ids)}
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
