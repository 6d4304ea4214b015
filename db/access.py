"""One access policy: which roles may do each action.

Every write names its action (the same name its audit row carries) and
``Store.write`` checks it here before ``BEGIN``, so no path into the file, the
Shop's, the CLI's or the seeder's, can skip it. Sensitive reads (a full phone, an
export) are checked by the Shop before it reads. A refusal names the role needed.

The staff and privacy work (PINs, erase) adds identities and actions to this table;
it never adds a check anywhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from .errors import AccessDenied
from .vocab import ROLES

OWNER, STAFF = ROLES
ANYONE = frozenset(ROLES)
OWNER_ONLY = frozenset({OWNER})

# The counter's work is anyone's; what changes the shop's rules, rewrites history or
# hands customers' data out is the owner's (the README's "(owner)" keys and commands).
POLICY: Mapping[str, frozenset[str]] = MappingProxyType({
    # customers and tags
    "customer.add": ANYONE,
    "customer.edit": ANYONE,
    "customer.view": ANYONE,
    "customer.merge": OWNER_ONLY,  # two customers become one: history is rewritten
    "tag.add": ANYONE,
    "tag.remove": ANYONE,
    "tag.rename": OWNER_ONLY,
    # sales
    "purchase.add": ANYONE,
    "purchase.refund": ANYONE,
    # points and referrals
    "points.spend": ANYONE,
    "points.adjust": OWNER_ONLY,
    "points.opening": OWNER_ONLY,
    "referral.add": ANYONE,
    # coupons and campaigns
    "coupon.issue": ANYONE,
    "coupon.redeem": ANYONE,
    "coupon.void": OWNER_ONLY,
    "coupon.template": OWNER_ONLY,
    "coupon.template_active": OWNER_ONLY,
    "coupon.issue_batch": OWNER_ONLY,
    "coupon.export": OWNER_ONLY,
    # lifecycle
    "stage.manual": ANYONE,
    "stage.follow_rule": ANYONE,
    "lifecycle.recompute": ANYONE,  # the clock moving stages, run by whoever opens the console
    # feedback: anyone writes it down; the inbox is the owner's
    "feedback.add": ANYONE,
    "feedback.status": OWNER_ONLY,
    "feedback.note": OWNER_ONLY,
    "feedback.link": OWNER_ONLY,
    "feedback.unlink": OWNER_ONLY,
    "feedback.told": OWNER_ONLY,
    "feedback.export": OWNER_ONLY,
    "product.edit": OWNER_ONLY,
    # the shop itself
    "setting.set": OWNER_ONLY,
    "search.rerank": ANYONE,  # upkeep of the lookup order after sales
    "export.customers": OWNER_ONLY,  # whole tables out of the shop: the owner's
    "export.purchases": OWNER_ONLY,
    "export.coupons": OWNER_ONLY,
    "customer.full_phone": OWNER_ONLY,
    "import.customers": OWNER_ONLY,  # a file that adds or changes many customers at once
    "import.purchases": OWNER_ONLY,  # an export with whole phone numbers
    "shop.seed": OWNER_ONLY,  # filling a new demo file
    # a backup holds every customer: on demand it is the owner's; the console's daily one
    # runs as whoever opened it and only writes into the shop's own backups/ folder
    "shop.backup": OWNER_ONLY,
    "shop.backup_auto": ANYONE,
    "shop.restore": OWNER_ONLY,
    # staff and their PINs (db/staff.py): the owner manages them; signing in, and a wrong
    # PIN or a refused action being recorded, happen to anyone
    "staff.add": OWNER_ONLY,
    "staff.pin": OWNER_ONLY,
    "staff.deactivate": OWNER_ONLY,
    "staff.sign_in": ANYONE,
    "staff.pin_failed": ANYONE,
    "access.denied": ANYONE,
    # the audit log itself: the owner's to read (db/audit.py)
    "audit.read": OWNER_ONLY,
    # privacy: reads of personal data leave an audit row; erasing and handing a person
    # their whole record are the owner's
    "customer.reveal_phone": ANYONE,  # the full number on the customer screen
    "customer.show": ANYONE,  # `regulars customer show`: the whole record in a terminal
    "customer.consent": ANYONE,  # asked and answered at the counter
    "customer.erase": OWNER_ONLY,
    "customer.export_personal": OWNER_ONLY,
})


def check(action: str, role: str, name: str) -> None:
    """Raise ``AccessDenied`` unless ``role`` may do ``action``. An action missing from
    the table is a programming slip, refused for everyone rather than allowed."""
    roles = POLICY.get(action)
    if roles is None:
        raise LookupError(f"{action!r} is not in the access policy (db/access.py)")
    if role not in roles:
        raise AccessDenied(action=action, needed=OWNER if roles == OWNER_ONLY else STAFF,
                           role=role, name=name)


def allowed(action: str, role: str) -> bool:
    """For a screen deciding whether to offer a key; the check itself is ``check``."""
    return role in POLICY.get(action, frozenset())
