"""Search: each mode finds the right people, best first, and never scans a table."""

from __future__ import annotations

import pytest

from db.search import explain, parse_terms
from db.shop import Shop


def names(shop: Shop, query: str) -> list[str]:
    return [h.name for h in shop.customers.search(query).hits]


def test_phone_tail_finds_everyone_ending_so(shop: Shop, people: dict[str, int]) -> None:
    assert set(names(shop, "8000")) == {"单田芳", "李王芳", "张三丰"}
    assert set(names(shop, "38000")) == {"单田芳", "李王芳"}
    assert names(shop, "5678") == ["张三"]


def test_full_phone_is_an_exact_match_first(shop: Shop, people: dict[str, int]) -> None:
    hits = shop.customers.search("138 0013 8000").hits
    assert hits[0].name == "单田芳" and hits[0].exact
    assert shop.customers.search("+86 138-0013-8000").hits[0].name == "单田芳"


def test_tail_starting_with_zeros(shop: Shop) -> None:
    from db.customers import CustomerInput

    shop.customers.add(CustomerInput(name="赵敏", phone="139 8888 0000"))
    shop.customers.add(CustomerInput(name="周芷若", phone="139 8888 0012"))
    assert names(shop, "0000") == ["赵敏"]
    assert names(shop, "0012") == ["周芷若"]
    assert names(shop, "880012") == ["周芷若"]


def test_phone_prefix_from_seven_digits(shop: Shop, people: dict[str, int]) -> None:
    assert names(shop, "1358765") == ["张三丰"]


def test_too_few_digits_gives_a_hint(shop: Shop, people: dict[str, int]) -> None:
    result = shop.customers.search("80")
    assert result.hits == [] and result.hints == ["search.short_digits"]


def test_pinyin_initials_prefix(shop: Shop, people: dict[str, int]) -> None:
    assert names(shop, "zs") == ["张三", "张三丰"]  # exact initials first
    assert names(shop, "zsf") == ["张三丰"]


def test_full_pinyin_prefix_including_past_the_stored_key(shop: Shop,
                                                          people: dict[str, int]) -> None:
    assert names(shop, "zhangsan") == ["张三", "张三丰"]
    assert names(shop, "zhangsanfeng") == ["张三丰"]
    assert names(shop, "ouyangnana") == ["欧阳娜娜"]


@pytest.mark.parametrize(("query", "name"), [
    ("s", "单田芳"), ("d", "单田芳"), ("stf", "单田芳"), ("dtf", "单田芳"),
    ("shantian", "单田芳"), ("z", "曾国藩"), ("zgf", "曾国藩"), ("cgf", "曾国藩"),
    ("oynn", "欧阳娜娜"),
])
def test_polyphonic_and_compound_surnames(shop: Shop, people: dict[str, int],
                                          query: str, name: str) -> None:
    assert name in names(shop, query)


def test_one_character_surname_lists_that_family_first(shop: Shop,
                                                       people: dict[str, int]) -> None:
    assert names(shop, "王") == ["王伟", "王小明", "李王芳"]  # Wangs, then 王 inside a name


def test_full_name_and_given_name(shop: Shop, people: dict[str, int]) -> None:
    hits = shop.customers.search("王小明").hits
    assert [h.name for h in hits] == ["王小明"] and hits[0].exact
    assert names(shop, "小明") == ["王小明"]
    assert names(shop, "欧阳娜娜") == ["欧阳娜娜"]


def test_member_code_any_case(shop: Shop, people: dict[str, int]) -> None:
    code = shop.customers.get(people["曾国藩"]).member_code
    hits = shop.customers.search(code.lower()).hits
    assert hits[0].name == "曾国藩" and hits[0].exact


def test_mistyped_member_code_gets_a_hint(shop: Shop, people: dict[str, int]) -> None:
    from db import codes

    body = "23ABCD"
    good = body + codes.check_char(body)
    wrong = body + next(c for c in codes.ALPHABET if c != good[-1])
    assert "search.code_check" in shop.customers.search(wrong.lower()).hints
    assert "search.code_check" not in shop.customers.search(good.lower()).hints


def test_wechat_prefix(shop: Shop) -> None:
    from db.customers import CustomerInput

    shop.customers.add(CustomerInput(name="王五", wechat_id="Wangwu_Tea"))
    assert names(shop, "wangwu_t") == ["王五"]


def test_mixed_terms_narrow_each_other(shop: Shop, people: dict[str, int]) -> None:
    assert names(shop, "zs 8000") == ["张三丰"]
    assert names(shop, "王 8000") == ["李王芳"]
    assert names(shop, "8000 s") == ["单田芳"]  # 张三丰 also ends in 8000 but is z…


def test_full_width_input(shop: Shop, people: dict[str, int]) -> None:
    assert set(names(shop, "８０００")) == {"单田芳", "李王芳", "张三丰"}
    assert names(shop, "ＺＳＦ") == ["张三丰"]


def test_no_match(shop: Shop, people: dict[str, int]) -> None:
    result = shop.customers.search("赵钱孙")
    assert result.hits == [] and not result.more


def test_more_is_reported_when_the_list_is_cut(shop: Shop, people: dict[str, int]) -> None:
    result = shop.customers.search("8000", limit=2)
    assert len(result.hits) == 2 and result.more


def test_query_is_split_into_kinds() -> None:
    kinds = [(t.kind, t.text) for t in parse_terms("zs 138 0013 8000 王 wxid_a")]
    assert kinds == [("latin", "zs"), ("digits", "13800138000"), ("cjk", "王"),
                     ("handle", "wxid_a")]


@pytest.mark.parametrize("query", [
    "8000", "138", "13800", "1380013", "13800138000", "zs", "zhangsanfeng", "s", "王",
    "王小明", "欧阳娜娜阿", "wangwu_t", "ABCDEF7", "zs 8000", "王 8000 zs",
])
def test_every_mode_uses_an_index(shop: Shop, people: dict[str, int], query: str) -> None:
    with shop.store.read() as conn:
        plan = explain(conn, query)
    assert plan, f"no statement planned for {query!r}"
    scans = [d for d in plan if d.startswith("SCAN") and "CONSTANT" not in d]
    assert not scans, f"{query!r} scans: {plan}"
