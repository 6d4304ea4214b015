"""One door, one policy: every public Shop method declares what it may do, every write
passes db/access.py before BEGIN, and staff are refused each owner-only action (through
the Shop and through the CLI) with the role needed named, leaving the file unchanged."""

from __future__ import annotations

import inspect
import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from functools import cached_property
from pathlib import Path

import pytest

from console.i18n import error_text, set_language
from db import access
from db.audience import Audience
from db.audit import AuditQuery
from db.customers import CustomerInput
from db.errors import AccessDenied, ImportRefused
from db.feedback import Filter
from db.shop import Shop
from db.shop.base import ACCESS, READ, Area
from db.staff import hash_pin
from tests.cli_helpers import build_shop, digest, fresh_copy, run_cli

ROOT = Path(__file__).resolve().parent.parent
OWNER_PIN = hash_pin("8642")  # hashed once: scrypt takes ≈50 ms


def areas(shop: Shop) -> dict[str, Area]:
    """Every area the Shop offers (each made on first use, so read them all here)."""
    found = {name: getattr(shop, name) for name in dir(Shop)
             if isinstance(getattr(Shop, name), cached_property)}
    return {name: value for name, value in found.items() if isinstance(value, Area)}


def public_methods(area: Area) -> dict[str, Callable[..., object]]:
    return {name: getattr(type(area), name) for name in dir(type(area))
            if not name.startswith("_") and callable(getattr(type(area), name))}


def test_every_public_method_of_every_area_declares_its_access(shop: Shop) -> None:
    found = areas(shop)
    assert set(found) == {"customers", "sales", "rewards", "coupons", "campaigns",
                          "lifecycle", "feedback", "exports", "settings", "backups", "imports",
                          "staff", "audit"}
    undeclared, unknown = [], []
    for area_name, area in found.items():
        for name, method in public_methods(area).items():
            mark = getattr(method, ACCESS, None)
            if mark is None:
                undeclared.append(f"shop.{area_name}.{name}")
            elif mark != READ and mark not in access.POLICY:
                unknown.append(f"shop.{area_name}.{name}: {mark}")
    assert not undeclared, f"mark these @reads or @writes(action): {undeclared}"
    assert not unknown, f"these actions are not in db/access.py: {unknown}"


def test_every_action_in_the_policy_is_used_and_every_write_names_one() -> None:
    source = "\n".join(p.read_text(encoding="utf-8")
                       for p in [*(ROOT / "db").rglob("*.py"), ROOT / "seed.py"]
                       if p.name != "access.py")
    unused = [a for a in access.POLICY if f'"{a}"' not in source]
    assert not unused, f"policy entries nothing uses: {unused}"
    # Store.write always names an action, and it is one the policy knows
    named = re.findall(r"store\.write\(\s*[\w.]+,\s*\"([a-z_.]+)\"", source)
    assert named and set(named) <= set(access.POLICY)
    assert not re.search(r"store\.write\(\s*[\w.]+\s*(\)|, *bulk)", source)


def test_a_method_that_forgot_its_mark_cannot_write(shop: Shop) -> None:
    class Careless(Area):
        def sneak(self) -> None:
            with self._write() as tx:
                tx.audit("customer.edit", "customer", None)

    with pytest.raises(RuntimeError, match="marked @writes"):
        Careless(shop._door).sneak()


def test_an_action_missing_from_the_policy_is_refused_to_everyone(shop: Shop) -> None:
    with pytest.raises(LookupError), shop.store.write(shop.actor, "customer.erase_all"):
        pass


# -- staff and the owner-only actions -------------------------------------------------------
def staff_of(shop: Shop) -> Shop:
    with shop.store.write(shop.actor, "customer.edit") as tx:
        tx.execute("INSERT INTO staff(name, role, created_at) VALUES ('小李', 'staff', ?)",
                   (tx.now,))
        tx.audit("staff.add", "staff", None, name="小李")
    return Shop(shop.store, shop.store.actor("小李"))


@pytest.fixture
def counter(shop: Shop) -> Iterator[tuple[Shop, Shop, dict[str, object]]]:
    """The owner's shop with something of each kind in it, and 小李 (staff) at the counter."""
    wang = shop.customers.add(CustomerInput(name="王芳", phone="13911112222",
                                            marketing_consent=True))
    shop.sales.record(wang.id, "120.00", "蛋挞")
    shop.customers.add_tag(wang.id, "团购")
    template = shop.coupons.add_template("满50减10", "amount", value="10", min_spend="50",
                                         valid_days=30, per_customer=5)
    coupon = shop.coupons.issue(template.name, wang.id)
    assert coupon is not None
    item = shop.feedback.add(wang.id, "quality", "蛋挞偏甜", "complaint", "蛋挞", "城东面粉厂")
    other = shop.feedback.add(wang.id, "quality", "蛋挞太甜了", "complaint", "蛋挞")
    linked = [shop.feedback.add(wang.id, "price", f"贵了{n}", "complaint").id for n in (1, 2)]
    shop.feedback.link(linked)
    plan = shop.campaigns.plan(template.name, Audience(tag="团购"), "winback")
    with shop.store.write(shop.actor, "staff.pin") as tx:  # the owner gives PINs: has one
        tx.execute("UPDATE staff SET pin_hash = ? WHERE id = ?", (OWNER_PIN, shop.actor.id))
        tx.audit("staff.pin", "staff", shop.actor.id)
    twin = shop.customers.add(CustomerInput(name="王芳", phone="13722224444"))
    made = {"wang": wang.id, "twin": twin.id, "coupon": coupon.code, "item": item.id,
            "other": other.id, "linked": linked[0],
            "template": template.name, "plan": plan}
    yield shop, staff_of(shop), made


# Each owner-only action, called the same way by staff and by the owner.
OWNER_ONLY: dict[str, Callable[[Shop, dict[str, object]], object]] = {
    "tag.rename": lambda s, m: s.customers.rename_tag("团购", "老顾客"),
    "customer.merge": lambda s, m: s.customers.merge(int(str(m["wang"])), int(str(m["twin"]))),
    "points.adjust": lambda s, m: s.rewards.adjust_points(int(str(m["wang"])), "50", "goodwill"),
    "points.opening": lambda s, m: s.rewards.opening_points(int(str(m["wang"])), "300"),
    "coupon.void": lambda s, m: s.coupons.void(str(m["coupon"]), "given twice"),
    "coupon.template": lambda s, m: s.coupons.add_template("员工券", "amount", value="5",
                                                           valid_days=3),
    "coupon.template_active": lambda s, m: s.coupons.set_template_active(str(m["template"]),
                                                                         False),
    "coupon.issue_batch": lambda s, m: s.campaigns.issue_batch(
        str(m["template"]), Audience(tag="团购"), "winback"),
    "coupon.export": lambda s, m: s.campaigns.export_rows("no-such-batch"),
    "feedback.status": lambda s, m: s.feedback.set_status(int(str(m["item"])), "reviewing"),
    "feedback.note": lambda s, m: s.feedback.set_note(int(str(m["item"])), "换供应商"),
    "feedback.link": lambda s, m: s.feedback.link([int(str(m["item"])), int(str(m["other"]))]),
    "feedback.unlink": lambda s, m: s.feedback.unlink(int(str(m["linked"]))),
    "feedback.told": lambda s, m: s.feedback.mark_told(int(str(m["item"])),
                                                       int(str(m["wang"]))),
    "feedback.export": lambda s, m: s.feedback.export_rows(),
    # exports write beside the shop file (the test's own folder)
    "export.customers": lambda s, m: s.exports.customers(s.path.with_name("c.csv")),
    "export.purchases": lambda s, m: s.exports.purchases(s.path.with_name("p.csv")),
    "export.coupons": lambda s, m: s.exports.coupons(s.path.with_name("k.xlsx")),
    "customer.full_phone": lambda s, m: s.feedback.export_rows(full_phone=True),
    "product.edit": lambda s, m: s.feedback.edit_product("蛋挞", "葡式蛋挞", "城东面粉厂", True),
    "setting.set": lambda s, m: s.settings.set("points.per_yuan", "2"),
    "shop.backup": lambda s, m: s.backups.backup(),
    "shop.restore": lambda s, m: s.backups.restored(Path("shop-backup.db"), None),
    "import.customers": lambda s, m: s.imports.run("customers", s.path.with_name("c.csv")),
    "import.purchases": lambda s, m: s.imports.preview("purchases", s.path.with_name("p.csv")),
    "staff.add": lambda s, m: s.staff.add("小王", "staff", "2468"),
    "staff.pin": lambda s, m: s.staff.set_pin("小李", "1357"),
    "staff.deactivate": lambda s, m: s.staff.deactivate("小李"),
    "audit.read": lambda s, m: s.audit.entries(AuditQuery()),
    "customer.erase": lambda s, m: s.customers.erase(int(str(m["twin"]))),
    "customer.export_personal": lambda s, m: s.customers.export_personal(
        int(str(m["wang"])), s.path.with_name("personal.json")),
}
STAGE_RULE = "lifecycle.trust_min_visits"


def test_the_table_of_owner_only_calls_covers_the_policy() -> None:
    owner_only = {a for a, roles in access.POLICY.items() if roles == access.OWNER_ONLY}
    assert owner_only - {"shop.seed"} == set(OWNER_ONLY)


def audit_rows(shop: Shop) -> int:
    with shop.store.read() as conn:
        return int(conn.execute("SELECT count(*) FROM audit_log").fetchone()[0])


AUDIT_TABLES = ("audit_log", "audit_head")


def refusal_recorded(db: Path, before: str, last_id: int, action: str, staff_id: int) -> None:
    """A refusal changes nothing but one "access.denied" audit row (its own write)."""
    assert digest(db, skip=AUDIT_TABLES) == before
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT staff_id, action, entity, detail FROM audit_log"
                            " WHERE id > ?", (last_id,)).fetchall()
    finally:
        conn.close()
    assert rows == [(staff_id, "access.denied", "access", json.dumps({"refused": action}))]


def last_audit_id(db: Path) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT coalesce(max(id), 0) FROM audit_log").fetchone()[0])
    finally:
        conn.close()


@pytest.mark.parametrize("action", sorted(OWNER_ONLY))
def test_staff_are_refused_each_owner_only_action_and_the_owner_is_not(
        counter: tuple[Shop, Shop, dict[str, object]], action: str) -> None:
    owner, staff, made = counter
    call = OWNER_ONLY[action]
    before = digest(owner.store.path, skip=AUDIT_TABLES)
    last = last_audit_id(owner.store.path)
    with pytest.raises(AccessDenied) as refused:
        call(staff, made)
    # whole phones are asked for only in an export, and the export is checked first
    first = "feedback.export" if action == "customer.full_phone" else action
    assert refused.value.params == {"action": first, "needed": "owner", "role": "staff",
                                    "name": "小李"}
    # refused before BEGIN: nothing written but the refusal's own audit row
    refusal_recorded(owner.store.path, before, last, first, staff.actor.id)
    assert "Only the owner may" in error_text(refused.value)
    set_language("zh")
    assert "只有店主可以" in error_text(refused.value)
    set_language("en")
    if action == "coupon.export":
        with pytest.raises(Exception, match="batch"):  # allowed; the batch just isn't there
            call(owner, made)
    elif action.startswith("import."):
        with pytest.raises(ImportRefused, match=r"import\.file\.missing"):  # allowed; no file
            call(owner, made)
    else:
        call(owner, made)


def test_staff_may_not_change_a_stage_rule_but_may_work_the_counter(
        counter: tuple[Shop, Shop, dict[str, object]]) -> None:
    owner, staff, made = counter
    with pytest.raises(AccessDenied):
        staff.lifecycle.set_rule(STAGE_RULE, "3")
    wang = int(str(made["wang"]))
    staff.sales.record(wang, "30.00")
    staff.coupons.redeem(str(made["coupon"]), "80.00", wang)
    staff.feedback.add(wang, "service", "店员很热情", "praise")
    staff.customers.add_tag(wang, "熟客")
    staff.lifecycle.set_stage(wang, "trust", "常来")
    assert staff.feedback.inbox(Filter()) is not None  # reading the inbox is not a write
    assert owner.customers.get(wang).orders == 3  # with the redeemed sale


# -- the CLI says the same -------------------------------------------------------------------
CLI_OWNER_ONLY: dict[str, list[str]] = {
    "tag.rename": ["tag", "rename", "团购", "老顾客"],
    "customer.merge": ["customer", "merge", "{member}", "{other}", "--yes"],
    "points.adjust": ["points", "adjust", "{member}", "--points", "50", "--reason", "goodwill"],
    "points.opening": ["points", "opening", "{member}", "--points", "300"],
    "coupon.void": ["coupon", "void", "{coupon}", "--reason", "given twice"],
    "coupon.template": ["coupon", "template", "add", "--name", "员工券", "--kind", "amount",
                        "--value", "5", "--valid-days", "3"],
    "coupon.issue_batch": ["coupon", "issue", "--template", "{template}", "--tag", "团购"],
    "coupon.export": ["coupon", "export", "--batch-id", "x", "-o", "out.csv"],
    "feedback.export": ["feedback", "export", "-o", "out.csv"],
    "setting.set": ["settings", "set", "points.per_yuan", "2"],
    "audit.read": ["audit", "--limit", "5"],
    "customer.erase": ["customer", "erase", "{other}", "--yes"],
    "customer.export_personal": ["customer", "export-personal", "{member}", "-o", "p.json"],
}


@pytest.fixture(scope="module")
def cli_base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    folder = tmp_path_factory.mktemp("access-cli")
    small = build_shop(folder)
    shop = Shop.open(small.path)
    try:
        staff_of(shop).close()
    finally:
        shop.close()
    return small.path, {"member": small.member, "other": small.other, "coupon": small.coupon,
                        "template": small.template}


@pytest.mark.parametrize("action", sorted(CLI_OWNER_ONLY))
def test_the_cli_refuses_staff_each_owner_only_command_naming_the_role(
        cli_base: tuple[Path, dict[str, str]], tmp_path: Path, action: str) -> None:
    base, names = cli_base
    db = fresh_copy(base, tmp_path / "shop")
    args = [a.format(**names) for a in CLI_OWNER_ONLY[action]]
    before = digest(db, skip=AUDIT_TABLES)
    last = last_audit_id(db)
    refused = run_cli(["--db", str(db), "--staff", "小李", "--lang", "en", *args], tmp_path)
    assert refused.code == 1, refused.describe()
    assert "Only the owner may" in refused.err_text and "小李" in refused.err_text, \
        refused.describe()
    refusal_recorded(db, before, last, action, 2)  # 小李: the second staff row
    done = run_cli(["--db", str(db), "--lang", "en", *args], tmp_path)
    if action == "coupon.export":  # the owner may; there is just no such batch
        assert "Only the owner" not in done.err_text, done.describe()
    else:
        assert done.code == 0, done.describe()


def test_the_cli_table_names_only_owner_only_actions() -> None:
    assert all(access.POLICY[a] == access.OWNER_ONLY for a in CLI_OWNER_ONLY)


def test_policy_marks_are_on_the_methods_not_their_wrappers_alone() -> None:
    """functools.wraps keeps each method's signature visible (help, the Protocol)."""
    from db.shop.rewards import Rewards
    assert list(inspect.signature(Rewards.adjust_points).parameters) == [
        "self", "customer_id", "delta", "reason"]
