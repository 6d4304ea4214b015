"""Tags: made on the fly, renamed or merged, #tag and stage: in search, never sensitive."""

from __future__ import annotations

import pytest

from db.errors import ValidationError
from db.shop import Shop


def test_add_remove_and_list(shop: Shop, people: dict[str, int]) -> None:
    assert shop.customers.add_tag(people["张三"], "#团购") == "团购"
    shop.customers.add_tag(people["王伟"], "团购")
    shop.customers.add_tag(people["王伟"], "咖啡控")
    shop.customers.add_tag(people["王伟"], "咖啡控")  # twice is once
    assert shop.customers.tags_of(people["王伟"]) == ["咖啡控", "团购"]
    assert [(x.name, x.customers) for x in shop.customers.all_tags()] == [
        ("团购", 2), ("咖啡控", 1)]
    shop.customers.remove_tag(people["王伟"], "团购")
    assert shop.customers.tags_of(people["王伟"]) == ["咖啡控"]


@pytest.mark.parametrize("bad", ["糖尿病", "孕妇", "身份证已登记", "对花生过敏", "基督徒",
                                 "Diabetes", "passport"])
def test_sensitive_tags_are_refused(shop: Shop, people: dict[str, int], bad: str) -> None:
    with pytest.raises(ValidationError) as err:
        shop.customers.add_tag(people["张三"], bad)
    assert err.value.fields["tag"][0] == "tag.sensitive"
    assert shop.customers.all_tags() == []


def test_tag_shape(shop: Shop, people: dict[str, int]) -> None:
    for bad, code in (("", "tag.empty"), ("两 个词", "tag.shape"), ("长" * 21, "tag.shape")):
        with pytest.raises(ValidationError) as err:
            shop.customers.add_tag(people["张三"], bad)
        assert err.value.fields["tag"][0] == code


def test_rename_and_merge(shop: Shop, people: dict[str, int]) -> None:
    shop.customers.add_tag(people["张三"], "团购")
    shop.customers.add_tag(people["王伟"], "团购客户")
    shop.customers.add_tag(people["王伟"], "团购")
    shop.customers.rename_tag("团购客户", "团购")  # onto an existing tag: merged
    assert [(x.name, x.customers) for x in shop.customers.all_tags()] == [("团购", 2)]
    shop.customers.rename_tag("团购", "拼单")
    assert shop.customers.tags_of(people["张三"]) == ["拼单"]


def test_tag_and_stage_in_search(shop: Shop, people: dict[str, int]) -> None:
    shop.customers.add_tag(people["张三"], "团购")
    shop.customers.add_tag(people["张三丰"], "团购")
    assert {h.name for h in shop.customers.search("#团购").hits} == {"张三", "张三丰"}
    assert [h.name for h in shop.customers.search("#团购 5678").hits] == ["张三"]
    assert [h.name for h in shop.customers.search("zs #团购").hits] == ["张三", "张三丰"]
    assert shop.customers.search("#没有").hits == []
    for _ in range(3):
        shop.sales.record(people["王伟"], "20")
    assert [h.name for h in shop.customers.search("stage:trust").hits] == ["王伟"]
    assert [h.name for h in shop.customers.search("阶段:信任").hits] == ["王伟"]
    assert [h.name for h in shop.customers.search("王 stage:trust").hits] == ["王伟"]
    assert len(shop.customers.search("stage:initial").hits) == len(people) - 1


@pytest.mark.parametrize("query", ["#团购", "stage:trust", "#团购 zs", "王 stage:trust"])
def test_tag_and_stage_use_indexes(shop: Shop, people: dict[str, int], query: str) -> None:
    from db.search import explain

    shop.customers.add_tag(people["张三"], "团购")
    with shop.store.read() as conn:
        plan = explain(conn, query)
    scans = [d for d in plan if d.startswith("SCAN") and "CONSTANT" not in d]
    assert not scans, plan
