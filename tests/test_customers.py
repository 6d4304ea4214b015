"""Customers: validation with every error at once, duplicates, edits, the audit trail."""

from __future__ import annotations

import pytest

from db.customers import CustomerInput
from db.errors import DuplicatePhone, ValidationError
from db.shop import Shop


def test_add_stores_normalised_values(shop: Shop) -> None:
    c = shop.customers.add(CustomerInput(
        name="\u3000单田芳 ", phone="１３８ ００１３ ８０００", wechat_id="shan_tf88",
        birthday="1988年3月5日", gender="male", channel="wechat_group",
        is_seed_user=True, marketing_consent=True))
    assert c.name == "单田芳"
    assert c.phone == "+8613800138000"
    assert c.birthday == "1988-03-05"
    assert c.consent_at == "2026-11-24T02:30:00+00:00"
    assert "shantianfang" in c.pinyin.split() and "dtf" in c.pinyin.split()
    assert c.created_at.endswith("+00:00")


def test_all_bad_fields_are_reported_together_and_nothing_saved(shop: Shop) -> None:
    with pytest.raises(ValidationError) as err:
        shop.customers.add(CustomerInput(name=" ", phone="12345", birthday="02-30",
                                        wechat_id="has space", channel="tv"))
    assert set(err.value.fields) == {"name", "phone", "birthday", "wechat_id", "channel"}
    assert shop.customers.search("").hits == []


def test_birthday_without_year_allows_feb_29_but_not_the_future(shop: Shop) -> None:
    c = shop.customers.add(CustomerInput(name="王五", phone="13912345678", birthday="02-29"))
    assert c.birthday == "02-29"
    with pytest.raises(ValidationError) as err:
        shop.customers.add(CustomerInput(name="赵六", phone="13912345679",
                                        birthday="2030-01-01"))
    assert err.value.fields["birthday"][0] == "birthday.year"


def test_a_phone_or_wechat_is_needed(shop: Shop) -> None:
    with pytest.raises(ValidationError) as err:
        shop.customers.add(CustomerInput(name="王五"))
    assert err.value.fields["phone"][0] == "contact.missing"
    assert shop.customers.add(CustomerInput(name="王五", wechat_id="wangwu_2024")).phone is None


def test_duplicate_phone_in_any_form_is_refused_naming_the_owner(shop: Shop) -> None:
    first = shop.customers.add(CustomerInput(name="单田芳", phone="138 0013 8000"))
    with pytest.raises(DuplicatePhone) as err:
        shop.customers.add(CustomerInput(name="别人", phone="+86１３８００１３８０００"))
    assert err.value.existing_id == first.id
    assert err.value.fields["phone"][1]["name"] == "单田芳"
    assert shop.customers.phone_owner("0086 138 0013 8000") == first
    assert shop.customers.phone_owner("0086 138 0013 8000", exclude_id=first.id) is None


def test_duplicate_wechat_is_refused_case_insensitively(shop: Shop) -> None:
    shop.customers.add(CustomerInput(name="王五", wechat_id="WangWu_88"))
    with pytest.raises(ValidationError) as err:
        shop.customers.add(CustomerInput(name="赵六", wechat_id="wangwu_88"))
    assert err.value.fields["wechat_id"][0] == "wechat.duplicate"


def test_edit_reindexes_and_audits_changed_fields(shop: Shop) -> None:
    c = shop.customers.add(CustomerInput(name="王五", phone="13912345678"))
    data = c.as_input()
    data.name = "赵六"
    data.phone = "13800001111"
    edited = shop.customers.update(c.id, data)
    assert edited.name == "赵六" and edited.phone == "+8613800001111"
    assert shop.customers.search("王五").hits == []
    assert [h.id for h in shop.customers.search("zl").hits] == [c.id]
    assert [h.id for h in shop.customers.search("1111").hits] == [c.id]
    assert shop.customers.search("5678").hits == []
    with shop.store.read() as conn:
        detail = conn.execute("SELECT detail FROM audit_log WHERE action='customer.edit'"
                              ).fetchone()[0]
    assert '"name"' in detail and '"phone"' in detail


def test_edit_keeping_own_phone_is_not_a_duplicate(shop: Shop) -> None:
    c = shop.customers.add(CustomerInput(name="王五", phone="13912345678"))
    data = c.as_input()
    data.notes = "喜欢新品"
    assert shop.customers.update(c.id, data).notes == "喜欢新品"


def test_consent_time_moves_when_consent_changes(shop: Shop) -> None:
    c = shop.customers.add(CustomerInput(name="王五", phone="13912345678"))
    assert c.consent_at is None
    data = c.as_input()
    data.marketing_consent = True
    assert shop.customers.update(c.id, data).consent_at == "2026-11-24T02:30:00+00:00"


def test_find_customer_by_code_or_phone(shop: Shop) -> None:
    c = shop.customers.add(CustomerInput(name="王五", phone="13912345678"))
    assert shop.customers.find(c.member_code.lower()).id == c.id
    assert shop.customers.find("139 1234 5678").id == c.id


def test_recent_views_come_first_on_an_empty_query(shop: Shop, people: dict[str, int]) -> None:
    shop.customers.record_view(people["张三"])
    shop.customers.record_view(people["王伟"])
    shop.customers.record_view(people["张三"])
    hits = shop.customers.search("").hits
    assert [h.id for h in hits[:2]] == [people["张三"], people["王伟"]]
    assert len(hits) == len(people)
