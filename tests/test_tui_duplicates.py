"""The possible-duplicates screen (F8 on lookup): pairs with reasons, `s` swaps which one
stays, `m` asks once and `m` again merges, in a worker."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Static

from console.app import RegularsApp
from db.customers import CustomerInput
from db.errors import NotFound
from db.shop import Shop
from screens.lookup import LookupScreen
from tests.screens_helpers import burst, settle, text_of


@pytest.fixture
def twin(shop: Shop, people: dict[str, int]) -> int:
    """王伟 again, with a new number that ends like the old one."""
    return shop.customers.add(CustomerInput(name="王伟", phone="137 5555 3333")).id


def status(app: RegularsApp) -> str:
    return text_of(app.screen.query_one("#status", Static))


async def test_f8_lists_the_pair_and_m_twice_merges_it(
        app: RegularsApp, shop: Shop, people: dict[str, int], twin: int) -> None:
    from screens.duplicates import DuplicatesScreen

    keep = shop.customers.get(people["王伟"])
    other = shop.customers.get(twin)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("f8")
        await settle(pilot)
        assert isinstance(app.screen, DuplicatesScreen)
        table = app.screen.query_one("#pairs", DataTable)
        assert table.row_count == 1
        row = [str(cell) for cell in table.get_row_at(0)]
        assert keep.member_code in row[0] and other.member_code in row[1]
        assert "same name and last 4 phone digits" in row[2]
        assert "158****3333" in row[0] and "15822223333" not in " ".join(row)
        await pilot.press("m")
        await settle(pilot)
        assert "m again merges" in status(app)
        assert shop.customers.get(twin).id == twin  # asked, nothing merged yet
        await pilot.press("m")
        await settle(pilot)
        with pytest.raises(NotFound):
            shop.customers.get(twin)
        assert table.row_count == 0 and "No possible duplicates" in status(app)
        await pilot.press("escape")
        assert isinstance(app.screen, LookupScreen)


async def test_s_swaps_which_one_stays(app: RegularsApp, shop: Shop,
                                       people: dict[str, int], twin: int) -> None:
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("f8")
        await settle(pilot)
        await pilot.press("s", "m")
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
    assert shop.customers.get(twin).name == "王伟"
    with pytest.raises(NotFound):
        shop.customers.get(people["王伟"])


async def test_mm_typed_before_the_question_showed_does_not_merge(
        app: RegularsApp, shop: Shop, people: dict[str, int], twin: int) -> None:
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("f8")
        await settle(pilot)
        burst(app, "m", "m")  # the second m never saw the question
        await settle(pilot)
        assert "m again merges" in status(app)
    assert shop.customers.get(twin).id == twin
