"""The audit trail: every public write of the shop leaves a chained audit row, the chain
is checked by `doctor`, which names the first row that was edited, deleted or moved, rows
never hold personal values, and the v9 migration chains the rows a v8 file already had."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from db.audience import Audience
from db.audit import verify
from db.audit_chain import row_hash
from db.customers import CustomerInput
from db.doctor import Check
from db.migrations import APPLICATION_ID, MIGRATIONS
from db.shop import Shop
from db.shop.base import ACCESS, WRITES
from db.store import Store
from tests.test_access import areas, public_methods
from tests.test_vocab import NOW

Made = dict[str, object]
Call = Callable[[Shop, Made, Path], object]


def _id(made: Made, key: str) -> int:
    return int(str(made[key]))


# One call per write method of every area. Each runs after the ones before it, on the
# shop ``setup`` made; destructive ones (merge) come late.
WRITE_CALLS: dict[str, Call] = {
    "customers.add": lambda s, m, p: s.customers.add(
        CustomerInput(name="赵六", phone="13900000006", marketing_consent=True)),
    "customers.update": lambda s, m, p: s.customers.update(
        _id(m, "wang"), CustomerInput(name="王芳", phone="13911112222", notes="喜欢甜",
                                      marketing_consent=True)),
    "customers.add_tag": lambda s, m, p: s.customers.add_tag(_id(m, "wang"), "老客"),
    "customers.remove_tag": lambda s, m, p: s.customers.remove_tag(_id(m, "wang"), "老客"),
    "customers.rename_tag": lambda s, m, p: s.customers.rename_tag("团购", "拼团"),
    "customers.record_view": lambda s, m, p: s.customers.record_view(_id(m, "wang")),
    "sales.record": lambda s, m, p: s.sales.record(_id(m, "wang"), "88.00", "面包"),
    "sales.record_with_points": lambda s, m, p: s.sales.record_with_points(
        _id(m, "wang"), "50.00", "1"),
    "sales.refund": lambda s, m, p: s.sales.refund(_id(m, "sale"), "退货"),
    "rewards.adjust_points": lambda s, m, p: s.rewards.adjust_points(_id(m, "wang"), "5", "好意"),
    "rewards.opening_points": lambda s, m, p: s.rewards.opening_points(_id(m, "li"), "30"),
    "rewards.spend_points": lambda s, m, p: s.rewards.spend_points(_id(m, "wang"), "1", "兑换"),
    "rewards.register_referral": lambda s, m, p: s.rewards.register_referral(
        _id(m, "li"), "13911112222"),
    "coupons.add_template": lambda s, m, p: s.coupons.add_template(
        "满100减20", "amount", value="20", min_spend="100", valid_days=30, per_customer=5),
    "coupons.set_template_active": lambda s, m, p: s.coupons.set_template_active(
        "满100减20", True),
    "coupons.issue": lambda s, m, p: s.coupons.issue("满50减10", _id(m, "wang")),
    "coupons.void": lambda s, m, p: s.coupons.void(str(m["coupon"]), "发错了"),
    "coupons.redeem": lambda s, m, p: s.coupons.redeem(str(m["coupon2"]), "80.00",
                                                        _id(m, "wang")),
    "campaigns.issue_batch": lambda s, m, p: s.campaigns.issue_batch(
        "满50减10", Audience(tag="拼团"), "winback"),
    "feedback.add": lambda s, m, p: s.feedback.add(_id(m, "wang"), "price", "贵了", "complaint"),
    "feedback.set_status": lambda s, m, p: s.feedback.set_status(_id(m, "item"), "reviewing"),
    "feedback.set_note": lambda s, m, p: s.feedback.set_note(_id(m, "item"), "换供应商"),
    "feedback.link": lambda s, m, p: s.feedback.link([_id(m, "item"), _id(m, "item2")]),
    "feedback.unlink": lambda s, m, p: s.feedback.unlink(_id(m, "item2")),
    "feedback.mark_told": lambda s, m, p: s.feedback.mark_told(_id(m, "item"), _id(m, "wang")),
    "feedback.edit_product": lambda s, m, p: s.feedback.edit_product(
        "蛋挞", "葡式蛋挞", "城东面粉厂", True),
    "lifecycle.set_stage": lambda s, m, p: s.lifecycle.set_stage(_id(m, "li"), "trust", "老朋友"),
    "lifecycle.follow_rule": lambda s, m, p: s.lifecycle.follow_rule(_id(m, "li")),
    "lifecycle.recompute": lambda s, m, p: s.lifecycle.recompute(),
    "lifecycle.recompute_if_due": lambda s, m, p: s.lifecycle.recompute_if_due(),
    "lifecycle.set_rule": lambda s, m, p: s.lifecycle.set_rule("lifecycle.dormant_days", "200"),
    "settings.set": lambda s, m, p: s.settings.set("backup.keep", "9"),
    "imports.run": lambda s, m, p: s.imports.run("customers", _members_csv(p)),
    "backups.backup": lambda s, m, p: s.backups.backup(p / "one.db"),
    "backups.daily": lambda s, m, p: s.backups.daily(),
    "backups.restored": lambda s, m, p: s.backups.restored(p / "one.db", None),
    "customers.merge": lambda s, m, p: s.customers.merge(_id(m, "wang"), _id(m, "twin")),
    # privacy: audited reads, consent, the person's own file, and erasing (db/erase.py)
    "customers.full_phone": lambda s, m, p: s.customers.full_phone(_id(m, "wang")),
    "customers.show": lambda s, m, p: s.customers.show("13911112222"),
    "customers.set_consent": lambda s, m, p: s.customers.set_consent(_id(m, "wang"), False,
                                                                     "counter"),
    "customers.export_personal": lambda s, m, p: s.customers.export_personal(
        _id(m, "wang"), p / "personal.json"),
    "customers.erase": lambda s, m, p: s.customers.erase(_id(m, "li")),
    "customers.finish_erase": lambda s, m, p: _pending_erase(s).customers.finish_erase(),
    # the owner names themself with the first PIN before adding anyone (db/staff.py)
    "staff.name_owner": lambda s, m, p: s.staff.name_owner("老王", "1357"),
    "staff.add": lambda s, m, p: s.staff.add("小李", "staff", "2468"),
    "staff.set_pin": lambda s, m, p: s.staff.set_pin("小李", "8642"),
    "staff.deactivate": lambda s, m, p: s.staff.deactivate("小李"),
}

# A write whose rows carry other actions too, or instead: documented here, one by one.
RELATED: dict[str, set[str]] = {
    # a sale earns points and may qualify a referral (and its reward coupon)
    "sales.record": {"points.earn", "referral.qualified", "coupon.issue", "points.referral"},
    "sales.record_with_points": {"points.earn", "points.spend", "referral.qualified",
                                 "coupon.issue", "points.referral"},
    "sales.refund": {"points.reversal", "referral.clawback", "coupon.withdraw"},
    "coupons.redeem": {"purchase.add", "points.earn", "referral.qualified", "points.referral"},
    "campaigns.issue_batch": {"coupon.issue_batch"},
    "rewards.register_referral": {"coupon.issue", "referral.coupon_skipped"},
    "customers.add": {"referral.add", "coupon.issue", "referral.coupon_skipped"},
    # the rule is a setting; changing it moves the stages it decides
    "lifecycle.set_rule": {"lifecycle.recompute"},
    "lifecycle.recompute_if_due": {"lifecycle.recompute"},
    "imports.run": {"import.customers"},
    "backups.daily": {"shop.backup_auto"},
    "backups.restored": {"shop.restore"},
}
# customer_views is itself the who-and-when log of opening a customer (Tx.audited_by): it
# leaves a row there, not in audit_log.
OWN_LOG = {"customers.record_view": "customer_views"}


def _pending_erase(shop: Shop) -> Shop:
    """As if an erase's rewrite had been kept from finishing (another program had the file)."""
    raw = sqlite3.connect(shop.path, isolation_level=None)
    try:
        raw.execute("INSERT INTO settings(key, value) VALUES ('privacy.scrub_pending', 'x')")
    finally:
        raw.close()
    return shop


def _members_csv(folder: Path) -> Path:
    path = folder / "members.csv"
    path.write_text("姓名,手机\n孙七,13900000007\n", encoding="utf-8")
    return path


def setup(shop: Shop) -> Made:
    wang = shop.customers.add(CustomerInput(name="王芳", phone="13911112222",
                                            marketing_consent=True))
    li = shop.customers.add(CustomerInput(name="李娜", phone="13911113333"))
    twin = shop.customers.add(CustomerInput(name="王芳", phone="13722224444"))
    sale = shop.sales.record(wang.id, "120.00", "蛋挞")
    shop.customers.add_tag(wang.id, "团购")
    shop.coupons.add_template("满50减10", "amount", value="10", min_spend="50",
                              valid_days=30, per_customer=9)
    coupon = shop.coupons.issue("满50减10", wang.id)
    coupon2 = shop.coupons.issue("满50减10", wang.id)
    assert coupon is not None and coupon2 is not None
    item = shop.feedback.add(wang.id, "quality", "蛋挞偏甜", "complaint", "蛋挞", "城东面粉厂")
    item2 = shop.feedback.add(wang.id, "quality", "太甜", "complaint", "蛋挞")
    return {"wang": wang.id, "li": li.id, "twin": twin.id, "sale": sale.id,
            "coupon": coupon.code, "coupon2": coupon2.code, "item": item.id, "item2": item2.id}


def write_methods(shop: Shop) -> dict[str, str]:
    """Every public write of every area, with its action."""
    return {f"{area_name}.{name}": str(getattr(method, ACCESS))
            for area_name, area in areas(shop).items()
            for name, method in public_methods(area).items()
            if getattr(method, WRITES, False)}


def count(shop: Shop, table: str = "audit_log") -> int:
    with shop.store.read() as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_every_public_write_leaves_an_audit_row(shop: Shop, tmp_path: Path) -> None:
    writes = write_methods(shop)
    missing = sorted(set(writes) - set(WRITE_CALLS))
    assert not missing, f"add a call for these writes to WRITE_CALLS: {missing}"
    assert not set(WRITE_CALLS) - set(writes), "WRITE_CALLS names a method that is not a write"
    made = setup(shop)
    wrong = []
    for name, call in WRITE_CALLS.items():
        if name in OWN_LOG:
            before = count(shop, OWN_LOG[name])
            call(shop, made, tmp_path)
            if count(shop, OWN_LOG[name]) <= before:
                wrong.append(f"{name}: no {OWN_LOG[name]} row")
            continue
        with shop.store.read() as conn:
            last = int(conn.execute("SELECT coalesce(max(id), 0) FROM audit_log").fetchone()[0])
        call(shop, made, tmp_path)
        with shop.store.read() as conn:
            new = {str(r[0]) for r in conn.execute(
                "SELECT action FROM audit_log WHERE id > ?", (last,))}
        allowed = {writes[name], *RELATED.get(name, set())}
        if not new:
            wrong.append(f"{name}: no audit row")
        elif not new & allowed or new - allowed:
            wrong.append(f"{name}: rows {sorted(new)}, expected among {sorted(allowed)}")
    assert not wrong, wrong
    assert verify_ok(shop)


def verify_ok(shop: Shop) -> bool:
    with shop.store.read() as conn:
        return verify(conn).broken is None


def test_audit_rows_chain_in_order_and_name_their_customer(shop: Shop) -> None:
    made = setup(shop)
    with shop.store.read() as conn:
        rows = conn.execute("SELECT id, at, staff_id, action, entity, entity_id, customer_id,"
                            " detail, prev_hash, hash FROM audit_log ORDER BY id").fetchall()
        head = conn.execute("SELECT last_id, hash FROM audit_head").fetchone()
    prev = ""
    for row in rows:
        assert row[8] == prev and row[9] == row_hash(prev, tuple(row[:8]))
        prev = row[9]
    assert tuple(head) == (rows[-1][0], prev)
    sale = [r for r in rows if r[3] == "purchase.add"]
    # a purchase row is about the purchase; its customer comes from the detail
    assert sale and sale[0][4] == "purchase" and sale[0][6] == made["wang"]
    tag = [r for r in rows if r[3] == "tag.add"]
    assert tag[0][6] == tag[0][5] == made["wang"]


def test_several_rows_in_one_transaction_chain_and_a_rollback_leaves_the_head(
        shop: Shop) -> None:
    setup(shop)
    with shop.store.read() as conn:
        head = tuple(conn.execute("SELECT last_id, hash FROM audit_head").fetchone())
    with pytest.raises(ZeroDivisionError), shop.store.write(shop.actor, "customer.edit") as tx:
        tx.audit("customer.edit", "customer", None, fields=["name"])
        tx.audit("customer.edit", "customer", None, fields=["phone"])
        raise ZeroDivisionError
    with shop.store.read() as conn:
        assert tuple(conn.execute("SELECT last_id, hash FROM audit_head").fetchone()) == head
    with shop.store.write(shop.actor, "customer.edit") as tx:
        for field in ("name", "phone", "notes"):
            tx.audit("customer.edit", "customer", None, fields=[field])
    assert verify_ok(shop)


@pytest.mark.parametrize("key", ["name", "phone", "wechat_id", "notes", "note", "text",
                                 "reason", "birthday", "other_name", "old_phone"])
def test_an_audit_row_refuses_personal_values(shop: Shop, key: str) -> None:
    before = count(shop)
    with pytest.raises(ValueError, match=key), \
            shop.store.write(shop.actor, "customer.edit") as tx:
        tx.audit("customer.edit", "customer", 1, **{key: "王芳 13911112222"})
    assert count(shop) == before


def test_staff_rows_may_name_the_staff_member_but_nothing_else_personal(shop: Shop) -> None:
    with shop.store.write(shop.actor, "customer.edit") as tx:
        tx.audit("staff.add", "staff", None, name="小李", role="staff")
    with pytest.raises(ValueError, match="phone"), \
            shop.store.write(shop.actor, "customer.edit") as tx:
        tx.audit("staff.add", "staff", None, name="小李", phone="13911112222")


def test_no_audit_row_holds_a_customers_words(shop: Shop) -> None:
    """Notes, void reasons and merged names used to be copied into the detail."""
    made = setup(shop)
    shop.feedback.set_note(_id(made, "item"), "秘密备注甲")
    shop.coupons.void(str(made["coupon"]), "秘密理由乙")
    shop.customers.merge(_id(made, "wang"), _id(made, "twin"))
    with shop.store.read() as conn:
        details = " ".join(str(r[0]) for r in conn.execute("SELECT detail FROM audit_log"))
    for secret in ("秘密备注甲", "秘密理由乙", "王芳", "13911112222", "蛋挞偏甜"):
        assert secret not in details
    assert '"note_chars": 5' in details and '"reason_chars": 5' in details


# -- tampering: doctor names the first broken row ----------------------------------------------
def tamper(shop: Shop, *sql: tuple[str, tuple[object, ...]]) -> None:
    """Change the file behind the program's back, as someone with the file would."""
    conn = sqlite3.connect(shop.path, isolation_level=None)
    try:
        for statement, params in sql:
            conn.execute(statement, params)
    finally:
        conn.close()


def chain_check(shop: Shop, *, alone: bool = True) -> Check:
    report = shop.doctor(quick=True)
    found = [c for c in report.checks if c.name == "audit_chain"]
    assert len(found) == 1
    if alone:  # nothing else is wrong in these files
        assert report.ok == found[0].ok
    return found[0]


def row(shop: Shop, row_id: int) -> sqlite3.Row:
    with shop.store.read() as conn:
        found = conn.execute("SELECT * FROM audit_log WHERE id = ?", (row_id,)).fetchone()
    assert isinstance(found, sqlite3.Row)
    return found


def _forge(shop: Shop, row_id: int) -> list[tuple[str, tuple[object, ...]]]:
    old = row(shop, row_id)
    content = (old["id"], old["at"], old["staff_id"], old["action"], old["entity"],
               old["entity_id"], old["customer_id"], '{"fields":[]}')
    return [("UPDATE audit_log SET detail = ?, hash = ? WHERE id = ?",
             (content[-1], row_hash(old["prev_hash"], content), row_id))]


def _swap(shop: Shop, a: int, b: int) -> list[tuple[str, tuple[object, ...]]]:
    cols = "at, staff_id, action, entity, entity_id, customer_id, detail, prev_hash, hash"
    ra, rb = row(shop, a), row(shop, b)
    setter = ", ".join(f"{c} = ?" for c in cols.split(", "))
    return [(f"UPDATE audit_log SET {setter} WHERE id = ?",
             (*(rb[c] for c in cols.split(", ")), a)),
            (f"UPDATE audit_log SET {setter} WHERE id = ?",
             (*(ra[c] for c in cols.split(", ")), b))]


TAMPERING: dict[str, tuple[Callable[[Shop, int], list[tuple[str, tuple[object, ...]]]],
                           str, Callable[[int], int]]] = {
    # name: (the SQL, given the shop and a middle row id k and the last id n) ...
    "detail edited": (lambda s, k: [("UPDATE audit_log SET detail = '{}' WHERE id = ?", (k,))],
                      "edited", lambda k: k),
    "time edited": (lambda s, k: [("UPDATE audit_log SET at = '2020-01-01T00:00:00+00:00'"
                                   " WHERE id = ?", (k,))], "edited", lambda k: k),
    "middle row deleted": (lambda s, k: [("DELETE FROM audit_log WHERE id = ?", (k,))],
                           "deleted", lambda k: k),
    "two rows swapped": (lambda s, k: _swap(s, k, k + 1), "reordered", lambda k: k),
    "one row forged": (_forge, "forged", lambda k: k),
}


@pytest.mark.parametrize("how", list(TAMPERING))
def test_doctor_names_the_first_broken_row(shop: Shop, how: str) -> None:
    setup(shop)
    assert chain_check(shop).ok
    sql, problem, expected = TAMPERING[how]
    k = count(shop) // 2
    tamper(shop, *sql(shop, k))
    check = chain_check(shop)
    assert not check.ok
    assert check.params["problem"] == problem and check.params["row_id"] == expected(k)
    if problem != "deleted":
        assert check.params["action"] == row(shop, k)["action"]


def test_deleting_the_newest_rows_or_forging_the_newest_is_caught(shop: Shop) -> None:
    setup(shop)
    n = count(shop)
    tamper(shop, ("DELETE FROM audit_log WHERE id >= ?", (n - 1,)))
    check = chain_check(shop)
    assert check.params["problem"] == "newest_deleted"
    assert (check.params["first"], check.params["last"]) == (n - 1, n)
    # the head moved back to match (as a careful forger would): the new last row is then
    # forged, which the head's stored hash still tells
    tamper(shop, *_forge(shop, n - 2))
    tamper(shop, ("UPDATE audit_head SET last_id = ?", (n - 2,)))
    check = chain_check(shop)
    assert check.params["problem"] == "forged" and check.params["row_id"] == n - 2


def test_a_head_past_the_end_and_rows_after_the_head(shop: Shop) -> None:
    setup(shop)
    n = count(shop)
    tamper(shop, ("UPDATE audit_head SET last_id = ?", (n + 5,)))
    assert chain_check(shop).params["problem"] == "newest_deleted"
    tamper(shop, ("UPDATE audit_head SET last_id = ?", (n - 1,)))
    check = chain_check(shop)
    assert check.params["problem"] == "after_head" and check.params["row_id"] == n


def test_the_first_row_given_a_made_up_predecessor_is_caught(shop: Shop) -> None:
    setup(shop)
    first = row(shop, 1)
    content = tuple(first[c] for c in ("id", "at", "staff_id", "action", "entity",
                                       "entity_id", "customer_id", "detail"))
    tamper(shop, ("UPDATE audit_log SET prev_hash = 'x', hash = ? WHERE id = 1",
                  (row_hash("x", content),)))
    check = chain_check(shop)
    assert check.params["problem"] == "edited" and check.params["row_id"] == 1


def test_writes_after_tampering_keep_the_break_visible(shop: Shop) -> None:
    made = setup(shop)
    tamper(shop, ("DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)", ()))
    shop.customers.add_tag(_id(made, "li"), "新客")  # chains onto the head, not the gap
    assert not chain_check(shop).ok


def test_a_clean_file_with_thousands_of_rows_is_whole(shop: Shop) -> None:
    made = setup(shop)
    for start in range(0, 3000, 500):
        with shop.store.write(shop.actor, "customer.edit") as tx:
            for i in range(start, start + 500):
                tx.audit("customer.edit", "customer", _id(made, "li"), fields=[f"f{i % 7}"])
    check = chain_check(shop)
    assert check.ok and check.params["rows"] == count(shop) > 3000


# -- the v9 migration --------------------------------------------------------------------------
def test_a_v8_file_with_audit_rows_opens_chained(tmp_path: Path) -> None:
    path = tmp_path / "v8.db"
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        for step in MIGRATIONS[:8]:
            step(conn, NOW)
        conn.executemany(
            "INSERT INTO audit_log(at, staff_id, action, entity, entity_id, detail)"
            " VALUES (?, 1, ?, ?, ?, ?)",
            [(NOW, "customer.add", "customer", 1, '{"fields": ["name", "phone"]}'),
             (NOW, "purchase.add", "purchase", 1, '{"customer_id": 1, "amount_fen": 3000}'),
             (NOW, "setting.set", "setting", None, '{"key": "shop.name"}'),
             # written before the chain: words about a customer, which v9 takes out
             (NOW, "feedback.note", "feedback", 1, '{"note": "回复王芳：换了面粉"}'),
             (NOW, "customer.merge", "customer", 1, '{"keep": 1, "other_name": "王芳"}'),
             (NOW, "coupon.issue", "coupon", 1, '{"customer_id": 1, "reason": "winback"}'),
             (NOW, "staff.add", "staff", None, '{"name": "小李", "role": "staff"}')])
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("PRAGMA user_version = 8")
        conn.execute("COMMIT")
    finally:
        conn.close()
    store = Store(path)
    shop = Shop(store, store.actor())
    try:
        check = chain_check(shop, alone=False)  # (made by hand: its mode is the umask's)
        assert check.ok and check.params["rows"] == 7
        with store.read() as c:
            assert [r[0] for r in c.execute("SELECT customer_id FROM audit_log ORDER BY id")
                    ] == [1, 1, None, None, 1, 1, None]
            details = [json.loads(r[0]) for r in c.execute(
                "SELECT detail FROM audit_log WHERE id > 3 ORDER BY id")]
        assert details == [{"note_chars": 9}, {"keep": 1, "other_name_chars": 2},
                           {"customer_id": 1, "reason_code": "winback"},
                           {"name": "小李", "role": "staff"}]  # staff are not customers
        shop.settings.set("backup.keep", "9")  # a new row chains onto the migrated ones
        assert chain_check(shop, alone=False).ok and count(shop) == 8
        detail = json.loads(row(shop, 8)["detail"])
        assert detail["key"] == "backup.keep"
    finally:
        shop.close()
