"""`regulars audit`: the audit trail, newest first, for the owner (shop.audit)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from db import gate

from ..i18n import error_text, has_message, t
from ..terminal_text import safe_json
from .common import (
    aligned,
    check_limit,
    fail,
    field,
    friendly_errors,
    local_minute,
    opened,
    say,
    set_lang,
)
from .options import DbOpt, JsonOpt, LangOpt, LimitOpt
from .root import app

if TYPE_CHECKING:
    from db.values import AuditEntry

FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)  # (a shop's records, no further)

SinceOpt = Annotated[str, typer.Option("--since", help="From this day on: YYYY-MM-DD.")]
UntilOpt = Annotated[str, typer.Option("--until", help="Up to this day, inclusive: YYYY-MM-DD.")]
# --staff after `audit` filters; who is acting is --staff given before `audit`.
WhoOpt = Annotated[str, typer.Option(
    "--staff", help="Only what this staff member did (who is acting: --staff before `audit`).")]
ActionOpt = Annotated[str, typer.Option(
    "--action", help="Only actions starting with this, e.g. coupon or coupon.void.")]
CustomerOpt = Annotated[str, typer.Option("--customer", help="Member code or phone.")]


def _day(text: str, name: str) -> date | None:
    """A --since/--until day, or None when not given; a bad one is a usage error (exit 2)."""
    from db.errors import ValidationError

    if not text.strip():
        return None
    try:
        return gate.day(text, name, FIRST_DAY, LAST_DAY)
    except ValidationError as exc:
        raise fail(error_text(exc), 2) from None


@app.command("audit")
@friendly_errors
def audit(since: SinceOpt = "", until: UntilOpt = "", who: WhoOpt = "", action: ActionOpt = "",
          customer: CustomerOpt = "", limit: LimitOpt = 50, db: DbOpt = None,
          lang: LangOpt = None, json_out: JsonOpt = False) -> None:
    """Who did what, when, to which customer: the audit trail, newest first (owner only)."""
    from db.values import AuditQuery

    set_lang(lang, None)
    first, last = _day(since, "audit_since"), _day(until, "audit_until")
    if first is not None and last is not None and last < first:
        raise fail(t("audit.until_before_since", since=first.isoformat(),
                     until=last.isoformat()), 2)
    check_limit(limit)
    with opened(db, None, lang, create=False) as shop:
        customer_id = shop.customers.find(customer).id if customer.strip() else None
        rows = shop.audit.entries(AuditQuery(
            staff=who.strip() or None, action=action.strip() or None, customer_id=customer_id,
            since=first, until=last, limit=limit))
        timezone = shop.timezone
    if json_out:
        say(safe_json([asdict(e) for e in rows], indent=2))
        return
    if not rows:
        say(t("audit.none"))
        return
    table = [[t("audit.column.at"), t("audit.column.staff"), t("audit.column.action"),
              t("audit.column.customer"), t("audit.column.detail")]]
    table += [[_when(e.at, timezone), field(e.staff), action_label(e.action),
               e.member_code or (f"#{e.customer_id}" if e.customer_id is not None else ""),
               detail_text(e)] for e in rows]
    for line in aligned(table):
        say(line)


def action_label(action: str) -> str:
    """The action in the reader's words where the catalogs have it (every policy action
    does), else its code (the rows a write records alongside, like points.earn)."""
    return t(f"action.{action}") if has_message(f"action.{action}") else action


def detail_text(entry: AuditEntry) -> str:
    """key=value, ..., with ids and field names as stored (no personal values are)."""
    return field(", ".join(f"{k}={v if isinstance(v, str) else safe_json(v)}"
                           for k, v in entry.detail.items()))


def _when(iso: str, timezone: str) -> str:
    try:
        return local_minute(iso, timezone)
    except (ValueError, TypeError):  # a row edited by hand: as it is (doctor says so)
        return field(iso)
