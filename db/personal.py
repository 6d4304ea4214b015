"""Everything the shop holds about one person, as one JSON document (PIPL's right of
access): the profile and consent, tags, purchases, points, coupons, feedback, referrals
and stage history. Keys are plain English words; money is in fen and also written out
("¥12.50"); times are as stored (ISO 8601 with their offset).

Other people appear by member code only (who referred them, whom they referred), never
by name or phone: their data is not this person's to receive.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from .customers import get
from .errors import StoreError, ValidationError
from .money import format_fen

FORMAT = "regulars.personal_data.v1"


def _rows(conn: sqlite3.Connection, sql: str, customer_id: int) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(sql, {"id": customer_id})]


def _money(rows: list[dict[str, Any]], *columns: str) -> list[dict[str, Any]]:
    for row in rows:
        for column in columns:
            if row.get(f"{column}_fen") is not None:
                row[column] = format_fen(row[f"{column}_fen"])
    return rows


def document(conn: sqlite3.Connection, customer_id: int, exported_at: str) -> dict[str, Any]:
    c = get(conn, customer_id)
    profile = {
        "member_code": c.member_code, "name": c.name, "phone": c.phone,
        "wechat_id": c.wechat_id, "birthday": c.birthday or None, "gender": c.gender,
        "how_they_joined": c.channel, "notes": c.notes, "seed_user": c.is_seed_user,
        "joined_at": c.created_at, "updated_at": c.updated_at, "stage": c.stage,
        "lifetime_spend_fen": c.total_spend_fen, "lifetime_spend": format_fen(c.total_spend_fen),
        "orders": c.orders, "first_purchase_at": c.first_purchase_at,
        "last_visit_at": c.last_visit_at, "points_balance": c.points,
        "erased_at": c.erased_at,
    }
    consent = {"marketing_consent": c.marketing_consent, "changed_at": c.consent_at,
               "source": c.consent_source}
    tags = [r[0] for r in conn.execute(
        "SELECT t.name FROM customer_tags ct JOIN tags t ON t.id = ct.tag_id"
        " WHERE ct.customer_id = ? ORDER BY t.name", (customer_id,))]
    purchases = _money(_rows(conn, """
        SELECT p.id AS purchase, p.at, p.amount_fen, p.items, p.refund_of AS refund_of_purchase,
               p.source_order_id AS order_number, p.recorded_at
        FROM purchases p WHERE p.customer_id = :id ORDER BY p.at, p.id""", customer_id),
        "amount")
    points = _rows(conn, """
        SELECT at, delta AS change, kind, balance_after, reason, purchase_id AS purchase
        FROM points_ledger WHERE customer_id = :id ORDER BY id""", customer_id)
    coupons = _money(_rows(conn, """
        SELECT k.code, t.name AS coupon, k.reason, k.issued_at, k.expires_at, k.status,
               k.redeemed_at, k.discount_fen, k.voided_at, k.void_reason
        FROM coupons k JOIN coupon_templates t ON t.id = k.template_id
        WHERE k.customer_id = :id ORDER BY k.issued_at, k.id""", customer_id), "discount")
    feedback = _rows(conn, """
        SELECT f.at, f.category, f.sentiment, f.words, p.name AS product,
               s.name AS supplier, f.status, f.owner_note AS shop_note
        FROM feedback f LEFT JOIN products p ON p.id = f.product_id
        LEFT JOIN suppliers s ON s.id = coalesce(f.supplier_id, p.supplier_id)
        WHERE f.customer_id = :id ORDER BY f.at, f.id""", customer_id)
    referred_by = _rows(conn, """
        SELECT c.member_code AS referrer_member_code, r.at, r.status, r.qualified_at
        FROM referrals r JOIN customers c ON c.id = r.referrer_id
        WHERE r.referee_id = :id""", customer_id)
    referred = _rows(conn, """
        SELECT c.member_code AS referee_member_code, r.at, r.status, r.qualified_at
        FROM referrals r JOIN customers c ON c.id = r.referee_id
        WHERE r.referrer_id = :id ORDER BY r.at, r.id""", customer_id)
    stages = [dict(r, reason_params=json.loads(r["reason_params"])) for r in _rows(conn, """
        SELECT at, from_stage, to_stage, source, reason_code, reason_params
        FROM stage_history WHERE customer_id = :id ORDER BY at, id""", customer_id)]
    return {
        "format": FORMAT, "exported_at": exported_at, "profile": profile,
        "marketing_consent": consent, "tags": tags, "purchases": purchases,
        "points": points, "coupons": coupons, "feedback": feedback,
        "referred_by": referred_by[0] if referred_by else None, "referred": referred,
        "stage_history": stages,
    }


def write(path: Path, doc: dict[str, Any]) -> Path:
    """The document as UTF-8 JSON at ``path``, readable by its owner only (0600), whole
    or not at all (a temporary file beside it, renamed into place)."""
    path = path.expanduser().resolve()
    if path.suffix.lower() != ".json":
        raise ValidationError({"output": ("export.format", {"name": path.name,
                                                            "formats": ".json"})})
    if not path.parent.is_dir():
        raise ValidationError({"output": ("export.no_folder", {"folder": str(path.parent)})})
    text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    temp: Path | None = None
    try:
        fd, name = tempfile.mkstemp(prefix=".personal-", suffix=".json", dir=path.parent)
        temp = Path(name)  # mkstemp makes it 0600 whatever the umask
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
        temp = None
    except OSError as exc:
        raise StoreError("export.failed", path=str(path),
                         detail=exc.strerror or str(exc)) from None
    finally:
        if temp is not None:
            temp.unlink(missing_ok=True)
    return path
