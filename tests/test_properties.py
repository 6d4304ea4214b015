"""Invariants under random data: the index answers exactly what a full scan would."""

from __future__ import annotations

import tempfile
from contextlib import closing
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.customers import CustomerInput
from db.errors import ValidationError
from db.pinyin import variants
from db.search_keys import rows_for_record
from db.shop import Shop
from db.store import Store
from tests.conftest import fixed_clock

SURNAMES = ["王", "李", "张", "单", "曾", "欧阳", "长孙", "乐", "解", "查"]
GIVEN = ["小明", "伟", "芳", "乐乐", "长青", "三", "三丰", "娜娜", "国藩", "田芳"]

person = st.tuples(st.sampled_from(SURNAMES), st.sampled_from(GIVEN),
                   st.integers(min_value=0, max_value=99_999_999),
                   st.sampled_from(["138", "139", "186", "150"]))


def open_shop(folder: str) -> Shop:
    store = Store(Path(folder) / "p.db", clock=fixed_clock)
    return Shop(store, store.actor())


def add_all(shop: Shop, people: list[tuple[str, str, int, str]]) -> list[tuple[str, str]]:
    added = []
    for surname, given_name, tail, prefix in people:
        phone = f"{prefix}{tail:08d}"
        try:
            shop.customers.add(CustomerInput(name=surname + given_name, phone=phone))
            added.append((surname + given_name, phone))
        except ValidationError:
            pass  # duplicate phone drawn twice: refused, as it should be
    return added


def brute_force(added: list[tuple[str, str]], query: str) -> set[str]:
    """What the search promises, checked row by row."""
    out = set()
    for name, phone in added:
        if query.isdigit():
            ok = phone.endswith(query) or (len(query) >= 7 and phone.startswith(query))
        elif query.isascii():
            ok = any(v.startswith(query) for v in variants(name))
        else:
            ok = query in name
        if ok:
            out.add(phone)
    return out


queries = st.one_of(
    st.text(alphabet="0123456789", min_size=3, max_size=8),
    st.sampled_from(["z", "zs", "zh", "zhang", "zhangsan", "s", "d", "dtf", "shan", "wxm",
                     "ouyang", "oy", "yue", "le", "l", "zgf", "cgf", "x", "xie", "jie"]),
    st.sampled_from(["王", "张", "单", "小明", "乐", "欧阳", "长", "三丰", "娜", "芳"]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(person, min_size=1, max_size=25), st.lists(queries, min_size=1, max_size=6))
def test_search_returns_exactly_the_brute_force_set(people: list[tuple[str, str, int, str]],
                                                     qs: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder, closing(open_shop(folder)) as shop:
        added = add_all(shop, people)
        for q in qs:
            found = {(h.phone or "")[3:] for h in shop.customers.search(q, limit=1000).hits}
            assert found == brute_force(added, q), q


@settings(max_examples=25, deadline=None)
@given(st.lists(person, min_size=1, max_size=12), st.data())
def test_index_equals_recomputation_after_edits(people: list[tuple[str, str, int, str]],
                                                data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as folder, closing(open_shop(folder)) as shop:
        # closing() even when a draw ends the example early
        add_all(shop, people)
        with shop.store.read() as conn:
            ids = [r[0] for r in conn.execute("SELECT id FROM customers")]
        for cid in data.draw(st.lists(st.sampled_from(ids), max_size=6)):
            c = shop.customers.get(cid)
            edit = c.as_input()
            edit.name = data.draw(st.sampled_from(SURNAMES)) + data.draw(st.sampled_from(GIVEN))
            shop.customers.update(cid, edit)
        with shop.store.read() as conn:
            stored = set(map(tuple, conn.execute("SELECT * FROM search_keys")))
            expected = {k for row in conn.execute("SELECT * FROM customers")
                        for k in rows_for_record(row)}
        assert stored == expected
