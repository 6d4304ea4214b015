"""Issuing one template to an audience: previewed, in chunks, idempotent.

A batch has an id. The unique index on (batch_id, customer_id) makes running the
same batch again issue nothing twice, whether it finished, crashed half way, or
runs at two terminals. Each chunk is its own short transaction, so a sale at the
counter never waits long behind a campaign, and a progress bar has something to
show. Customers who would pass the template's per-customer limit are skipped, and
so are those without marketing consent when the reason is marketing.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import asdict, dataclass
from datetime import date

from . import audience, coupons, gate
from .audience import Audience
from .errors import RegularsError, ValidationError
from .store import Tx
from .vocab import COUPON_REASONS

CHUNK = 2_000  # customers per transaction: ≈0.1 s of writing
MARKETING_REASONS = coupons.MARKETING_REASONS  # need marketing consent
BATCH_ID_MAX = 80

# Why a matched customer gets nothing; 0 means they get a coupon.
_ISSUE, _ALREADY, _NO_CONSENT, _AT_LIMIT = 0, 1, 2, 3
_STATE = f"""CASE
    WHEN EXISTS (SELECT 1 FROM coupons k WHERE k.batch_id = :b_id AND k.customer_id = c.id)
        THEN {_ALREADY}
    WHEN :b_marketing AND c.marketing_consent = 0 THEN {_NO_CONSENT}
    WHEN (SELECT count(*) FROM coupons k WHERE k.customer_id = c.id
          AND k.template_id = :b_template AND k.status != 'voided') >= :b_limit THEN {_AT_LIMIT}
    ELSE {_ISSUE} END"""


@dataclass(frozen=True)
class Plan:
    batch_id: str
    template: str
    matched: int  # customers the filter selects
    already: int  # this batch reached them before
    no_consent: int  # marketing reason, no marketing consent
    at_limit: int  # would pass the per-customer limit
    to_issue: int


@dataclass(frozen=True)
class Issued:
    code: str
    customer_id: int
    expires_at: str

    def as_json(self) -> dict[str, object]:
        return asdict(self)


def default_batch_id(template: str, a: Audience, reason: str, today: date) -> str:
    """Same template, filter and reason on the same day: the same batch. So running a
    command again (after a crash, or by mistake) gives nobody a second coupon."""
    digest = hashlib.sha256(json.dumps([template.casefold(), asdict(a), reason],
                                       sort_keys=True, ensure_ascii=False).encode())
    return f"{today.isoformat()}-{digest.hexdigest()[:10]}"


def _check(conn: sqlite3.Connection, template_name: str, reason: str, batch_id: str,
           today: date) -> coupons.Template:
    if reason not in COUPON_REASONS:
        raise ValidationError({"reason": ("coupon.reason", {"known": ", ".join(COUPON_REASONS)})})
    clean = gate.line(batch_id, "batch_id", BATCH_ID_MAX)
    if not clean:
        raise ValidationError({"batch_id": ("batch.id", {"max": BATCH_ID_MAX})})
    t = coupons.template(conn, template_name)
    if not t.active:
        raise RegularsError("coupon.template_inactive", name=t.name)
    coupons.refuse_if_ended(t, today)
    return t


def _params(t: coupons.Template, reason: str, batch_id: str) -> dict[str, object]:
    return {"b_id": " ".join(batch_id.split()), "b_marketing": int(reason in MARKETING_REASONS),
            "b_template": t.id, "b_limit": t.per_customer}


def plan(conn: sqlite3.Connection, template_name: str, a: Audience, reason: str,
         batch_id: str, now: str, today: date) -> Plan:
    """The preview: how many match, and how many of them would get a coupon, and why not."""
    t = _check(conn, template_name, reason, batch_id, today)
    sql, params = audience.where(conn, a, now, today)
    row = conn.execute(
        f"SELECT count(*), coalesce(sum(s = {_ALREADY}), 0), coalesce(sum(s = {_NO_CONSENT}), 0),"
        f" coalesce(sum(s = {_AT_LIMIT}), 0), coalesce(sum(s = {_ISSUE}), 0)"
        f" FROM (SELECT {_STATE} AS s FROM customers c WHERE {sql})",
        {**params, **_params(t, reason, batch_id)}).fetchone()
    return Plan(" ".join(batch_id.split()), t.name, *row)


def issue_chunk(tx: Tx, template_name: str, a: Audience, reason: str, batch_id: str,
                tz: str, today: date, after_id: int) -> tuple[int, int, list[Issued]]:
    """The next CHUNK matched customers after ``after_id``: returns the last id seen
    (0 when none are left), how many were seen, and the coupons issued to them."""
    t = _check(tx.conn, template_name, reason, batch_id, today)
    sql, params = audience.where(tx.conn, a, tx.now, today)
    rows = tx.execute(f"SELECT c.id, {_STATE} AS s FROM customers c WHERE {sql}"
                      f" AND c.id > :b_after ORDER BY c.id LIMIT :b_chunk",
                      {**params, **_params(t, reason, batch_id), "b_after": after_id,
                       "b_chunk": CHUNK}).fetchall()
    if not rows:
        return 0, 0, []
    ends = coupons.expires_at(t, tx.now, tz)
    chosen = [int(r[0]) for r in rows if r[1] == _ISSUE]
    clean_id = " ".join(batch_id.split())
    made = [Issued(coupons.insert(tx, t.id, cid, reason, clean_id, ends)[1], cid, ends)
            for cid in chosen]
    if made:
        tx.audit("coupon.issue_batch", "coupon_template", t.id, batch=" ".join(batch_id.split()),
                 reason=reason, count=len(made), first_customer=chosen[0],
                 last_customer=chosen[-1])
    return int(rows[-1][0]), len(rows), made


def stopped_code(cause: str) -> str:
    """The message for a batch that stopped after some chunks were committed: they
    stay issued, and running the same batch again issues the rest, nobody twice."""
    return "batch.stopped_full" if cause == "store.full" else "batch.stopped"


EXPORT_COLUMNS = ("name", "phone", "member_code", "code", "template", "last_day", "status")


def export_rows(conn: sqlite3.Connection, batch_id: str, tz: str, full_phone: bool = False
                ) -> list[list[str | int | None]]:
    """A batch's coupons, one row each, for sending the codes through WeChat or WeCom.
    Phones are masked unless ``full_phone``. An unknown batch id is an error, not an
    empty file."""
    from .errors import NotFound
    from .phones import mask

    rows = conn.execute(
        "SELECT c.name, c.phone, c.phone_rev, c.member_code, k.code, t.name AS template,"
        " k.expires_at, k.status FROM coupons k JOIN customers c ON c.id = k.customer_id"
        " JOIN coupon_templates t ON t.id = k.template_id WHERE k.batch_id = ?"
        " ORDER BY k.id", (" ".join(batch_id.split()),)).fetchall()
    if not rows:
        raise NotFound("batch.not_found", batch=batch_id)
    return [[r["name"], (r["phone"] or "") if full_phone else mask(r["phone"], r["phone_rev"]),
             r["member_code"], r["code"], r["template"], coupons.last_day(r["expires_at"], tz),
             r["status"]] for r in rows]
