"""Privacy through the Shop: the audited reads (reveal, show, whole-phone exports, the
personal export), marketing consent and what it gates, and files that are private
whatever the umask."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from db.customers import CustomerInput
from db.errors import AccessDenied, NotFound, RegularsError, StoreError, ValidationError
from db.shop import Shop
from db.values import Audience
from db.vocab import CONSENT_SOURCES


def audit(shop: Shop, action: str) -> list[dict[str, Any]]:
    with shop.store.read() as conn:
        return [{"entity": r["entity"], "entity_id": r["entity_id"],
                 "detail": json.loads(r["detail"])}
                for r in conn.execute("SELECT entity, entity_id, detail FROM audit_log"
                                      " WHERE action = ? ORDER BY id", (action,))]


def staff_of(shop: Shop) -> Shop:
    with shop.store.write(shop.actor, "customer.edit") as tx:
        tx.execute("INSERT INTO staff(name, role, created_at) VALUES ('小李', 'staff', ?)",
                   (tx.now,))
        tx.audit("staff.add", "staff", None, name="小李")
    return Shop(shop.store, shop.store.actor("小李"))


@pytest.fixture
def wang(shop: Shop) -> int:
    """A customer with a sale, a tag, feedback, a coupon, a referral and a stage change."""
    made = shop.customers.add(CustomerInput(name="王芳", phone="139 1111 2222",
                                            wechat_id="wangfang88", birthday="1990-03-05",
                                            notes="爱吃蛋挞", marketing_consent=True))
    shop.sales.record(made.id, "58.50", "蛋挞 ×2")
    shop.customers.add_tag(made.id, "团购")
    shop.feedback.add(made.id, "quality", "蛋挞偏甜", "complaint", "蛋挞")
    shop.coupons.add_template("满50减10", "amount", value="10", min_spend="50", valid_days=30,
                              per_customer=5)
    shop.coupons.issue("满50减10", made.id, "manual")
    friend = shop.customers.add(CustomerInput(name="李娜", phone="139 1111 3333"),
                                referred_by=made.member_code)
    assert friend.id
    shop.lifecycle.set_stage(made.id, "trust", "常来")
    return made.id


@pytest.fixture
def unwritable(shop: Shop) -> Iterator[None]:
    """The file can be read but no audit row can be written (a read-only mount, say)."""
    shop.store.readonly = "store.readonly"
    yield
    shop.store.readonly = None


# -- the reveal and `customer show` -----------------------------------------------------------
def test_the_reveal_returns_the_whole_number_and_leaves_one_audit_row(shop: Shop, wang: int
                                                                      ) -> None:
    assert shop.customers.full_phone(wang) == "139 1111 2222"
    assert audit(shop, "customer.reveal_phone") == [
        {"entity": "customer", "entity_id": wang, "detail": {"fields": ["phone"]}}]
    staff = staff_of(shop)
    assert staff.customers.full_phone(wang) == "139 1111 2222"  # anyone at the counter
    assert len(audit(shop, "customer.reveal_phone")) == 2


def test_no_audit_row_no_number(shop: Shop, wang: int, unwritable: None) -> None:
    with pytest.raises(StoreError):
        shop.customers.full_phone(wang)


def test_a_customer_without_a_phone_reveals_nothing_and_records_nothing(shop: Shop) -> None:
    made = shop.customers.add(CustomerInput(name="微信客", wechat_id="only_wechat"))
    assert shop.customers.full_phone(made.id) == ""
    assert audit(shop, "customer.reveal_phone") == []
    with pytest.raises(NotFound):
        shop.customers.full_phone(9999)


def test_show_is_audited_and_finds_as_find_does(shop: Shop, wang: int) -> None:
    code = shop.customers.get(wang).member_code
    assert shop.customers.show(code).id == wang
    assert shop.customers.show("13911112222").id == wang
    assert audit(shop, "customer.show") == [
        {"entity": "customer", "entity_id": wang, "detail": {}}] * 2
    with pytest.raises(NotFound):
        shop.customers.show("13999999999")
    assert len(audit(shop, "customer.show")) == 2


# -- whole phone numbers in exports --------------------------------------------------------------
def test_each_export_with_whole_phones_leaves_one_audit_row(shop: Shop, wang: int,
                                                            tmp_path: Path) -> None:
    shop.exports.customers(tmp_path / "masked.csv")
    shop.feedback.export_rows()
    assert audit(shop, "customer.full_phone") == []  # masked: nothing to record
    assert shop.exports.customers(tmp_path / "c.csv", full_phone=True) == 2
    assert shop.exports.purchases(tmp_path / "p.xlsx", full_phone=True) == 1
    assert len(shop.feedback.export_rows(full_phone=True)) == 1
    shop.campaigns.issue_batch("满50减10", Audience(tag="团购"), "manual", "b1")
    assert len(shop.campaigns.export_rows("b1", full_phone=True)) == 1
    rows = audit(shop, "customer.full_phone")
    assert [(r["entity"], r["detail"]) for r in rows] == [
        ("export", {"export": what, "rows": n, "fields": ["phone"]})
        for what, n in (("customers", 2), ("purchases", 1), ("feedback", 1),
                        ("coupon_batch", 1))]
    assert "+8613911112222" in (tmp_path / "c.csv").read_text(encoding="utf-8-sig")


def test_a_whole_phone_export_that_cannot_be_recorded_hands_nothing_out(
        shop: Shop, wang: int, tmp_path: Path, unwritable: None) -> None:
    with pytest.raises(StoreError):
        shop.exports.customers(tmp_path / "c.csv", full_phone=True)
    assert not (tmp_path / "c.csv").exists()
    with pytest.raises(StoreError):
        shop.feedback.export_rows(full_phone=True)
    assert shop.exports.customers(tmp_path / "masked.csv") == 2  # masked needs no record


# -- everything held about one person ---------------------------------------------------------
def test_the_personal_export_holds_everything_and_is_audited(shop: Shop, wang: int,
                                                             tmp_path: Path) -> None:
    out = shop.customers.export_personal(wang, tmp_path / "王芳.json")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["format"] == "regulars.personal_data.v1"
    assert doc["profile"]["name"] == "王芳" and doc["profile"]["phone"] == "+8613911112222"
    assert doc["profile"]["wechat_id"] == "wangfang88" and doc["profile"]["notes"] == "爱吃蛋挞"
    assert doc["profile"]["birthday"] == "1990-03-05"
    assert doc["marketing_consent"]["marketing_consent"] is True
    assert doc["marketing_consent"]["source"] == "counter"
    assert doc["tags"] == ["团购"]
    assert [(p["amount_fen"], p["amount"], p["items"]) for p in doc["purchases"]] == [
        (5850, "¥58.50", "蛋挞 ×2")]
    assert [p["change"] for p in doc["points"]] == [58]
    assert [(c["coupon"], c["status"]) for c in doc["coupons"]] == [("满50减10", "issued")]
    assert [(f["words"], f["product"]) for f in doc["feedback"]] == [("蛋挞偏甜", "蛋挞")]
    assert doc["referred_by"] is None and len(doc["referred"]) == 1
    friend = shop.customers.find("13911113333")
    assert doc["referred"][0]["referee_member_code"] == friend.member_code
    assert "李娜" not in out.read_text(encoding="utf-8")  # another person's name: not theirs
    assert [s["to_stage"] for s in doc["stage_history"]] == ["trust"]
    assert doc["stage_history"][0]["reason_params"] == {"text": "常来"}
    assert audit(shop, "customer.export_personal") == [{
        "entity": "customer", "entity_id": wang, "detail": {"sections": {
            "coupons": 1, "feedback": 1, "points": 1, "purchases": 1, "referred": 1,
            "stage_history": 1, "tags": 1}}}]


def test_the_personal_export_is_the_owners_and_needs_a_json_file(shop: Shop, wang: int,
                                                                 tmp_path: Path) -> None:
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    with pytest.raises(AccessDenied) as refused:
        staff_of(shop).customers.export_personal(wang, tmp_path / "x.json")
    assert refused.value.params["needed"] == "owner"
    with pytest.raises(ValidationError) as wrong:
        shop.customers.export_personal(wang, tmp_path / "x.csv")
    assert wrong.value.code == "export.format"
    with pytest.raises(ValidationError):
        shop.customers.export_personal(wang, tmp_path / "no-such-folder" / "x.json")
    assert list(tmp_path.iterdir()) == []
    assert audit(shop, "customer.export_personal") == []


def test_a_personal_export_that_cannot_be_recorded_writes_no_file(
        shop: Shop, wang: int, tmp_path: Path, unwritable: None) -> None:
    (tmp_path / "out").mkdir()
    with pytest.raises(StoreError):
        shop.customers.export_personal(wang, tmp_path / "out" / "x.json")
    assert list((tmp_path / "out").iterdir()) == []


def test_staff_may_not_erase(shop: Shop, wang: int) -> None:
    staff = staff_of(shop)
    for attempt in (lambda: staff.customers.erase(wang),
                    lambda: staff.customers.erase_plan(wang)):
        with pytest.raises(AccessDenied) as refused:
            attempt()
        assert refused.value.params == {"action": "customer.erase", "needed": "owner",
                                        "role": "staff", "name": "小李"}
    assert shop.customers.get(wang).erased_at is None


# -- marketing consent ---------------------------------------------------------------------------
def test_consent_is_recorded_with_its_time_and_source(shop: Shop, wang: int,
                                                      clock: Any) -> None:
    clock.advance(days=1)
    withdrawn = shop.customers.set_consent(wang, False, "wechat")
    assert (withdrawn.marketing_consent, withdrawn.consent_source) == (False, "wechat")
    assert withdrawn.consent_at == shop.store.now()
    given = staff_of(shop).customers.set_consent(wang, True, "paper_form")  # at the counter
    assert (given.marketing_consent, given.consent_source) == (True, "paper_form")
    assert [r["detail"] for r in audit(shop, "customer.consent")] == [
        {"given": False, "source": "wechat"}, {"given": True, "source": "paper_form"}]
    with pytest.raises(ValidationError) as wrong:
        shop.customers.set_consent(wang, False, "telepathy")
    assert set(wrong.value.fields) == {"source"}
    assert shop.customers.get(wang).marketing_consent  # unchanged
    assert set(CONSENT_SOURCES) >= {"counter", "paper_form", "import"}


def test_a_form_edit_of_consent_says_it_was_at_the_counter(shop: Shop) -> None:
    made = shop.customers.add(CustomerInput(name="张三", phone="135 1234 5678"))
    assert (made.consent_source, made.consent_at) == (None, None)
    data = made.as_input()
    data.marketing_consent = True
    changed = shop.customers.update(made.id, data)
    assert changed.consent_source == "counter" and changed.consent_at is not None


@pytest.mark.parametrize("reason", ["winback", "birthday", "other"])
def test_a_marketing_coupon_needs_consent(shop: Shop, reason: str) -> None:
    made = shop.customers.add(CustomerInput(name="张三", phone="135 1234 5678"))
    shop.coupons.add_template("满50减10", "amount", value="10", min_spend="50", valid_days=30,
                              per_customer=5)
    with pytest.raises(RegularsError) as refused:
        shop.coupons.issue("满50减10", made.id, reason)
    assert refused.value.code == "coupon.no_consent"
    with shop.store.read() as conn:
        assert conn.execute("SELECT count(*) FROM coupons").fetchone()[0] == 0
    assert shop.coupons.issue("满50减10", made.id, "apology") is not None  # not marketing
    shop.customers.set_consent(made.id, True, "counter")
    assert shop.coupons.issue("满50减10", made.id, reason) is not None


# -- files are private whatever the umask ---------------------------------------------------
@pytest.fixture
def open_umask() -> Iterator[None]:
    old = os.umask(0)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_every_file_is_private_under_umask_000(tmp_path: Path, open_umask: None) -> None:
    from console.import_errors import write_errors
    from db.imports.model import Refusal

    path = tmp_path / "new" / "shop.db"
    shop = Shop.open(path)
    try:
        made = shop.customers.add(CustomerInput(name="王芳", phone="139 1111 2222"))
        shop.sales.record(made.id, "10.00")
        made_files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
        assert all(p.exists() for p in made_files)
        made_files.append(shop.backups.backup())
        for name in ("c.csv", "c.xlsx"):
            shop.exports.customers(tmp_path / name, full_phone=True)
            made_files.append(tmp_path / name)
        made_files.append(shop.customers.export_personal(made.id, tmp_path / "p.json"))
        write_errors(tmp_path / "m.errors.csv", [Refusal(2, "phone", "x", "phone.invalid")])
        made_files.append(tmp_path / "m.errors.csv")
        modes = {str(p.relative_to(tmp_path)): mode(p) for p in made_files}
    finally:
        shop.close()
    assert modes == {name: 0o600 for name in modes}
    assert mode(path.parent / "backups") == 0o700


def test_consent_from_an_import_says_it_came_from_the_import(shop: Shop, tmp_path: Path
                                                             ) -> None:
    members = tmp_path / "members.csv"
    members.write_text("姓名,手机,营销同意\n王芳,13911112222,是\n李娜,13911113333,否\n",
                       encoding="utf-8")
    shop.imports.run("customers", members)
    wang, li = shop.customers.find("13911112222"), shop.customers.find("13911113333")
    assert (wang.marketing_consent, wang.consent_source) == (True, "import")
    assert (li.marketing_consent, li.consent_source) == (False, None)
    members.write_text("姓名,手机,营销同意\n李娜,13911113333,是\n", encoding="utf-8")
    shop.imports.run("customers", members)
    li = shop.customers.find("13911113333")
    assert (li.marketing_consent, li.consent_source) == (True, "import")
