"""Pilot tests of the audit trail screen (F10 on the lookup screen, owner only)."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Static

from console.app import RegularsApp
from db.shop import Shop
from screens.audit import PAGE, AuditScreen
from screens.lookup import LookupScreen
from tests.screens_helpers import settle


def status(app: RegularsApp) -> str:
    return str(app.screen.query_one("#status", Static).render())


def table(app: RegularsApp) -> DataTable[object]:
    found: DataTable[object] = app.screen.query_one("#audit", DataTable)
    return found


def audit_count(shop: Shop) -> int:
    with shop.store.read() as conn:
        return int(conn.execute("SELECT count(*) FROM audit_log").fetchone()[0])


async def test_f10_lists_the_trail_newest_first_and_esc_goes_back(
        app: RegularsApp, shop: Shop, people: dict[str, int]) -> None:
    shop.customers.add_tag(people["王伟"], "熟客")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)  # the console's own start-up writes (a daily backup, stages)
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, AuditScreen)
        rows = table(app)
        assert rows.row_count == audit_count(shop) < PAGE
        ids = [int(str(k.value)) for k in rows.rows]
        assert ids == sorted(ids, reverse=True)  # newest first
        tagged = next([str(c) for c in rows.get_row_at(i)] for i in range(rows.row_count)
                      if str(rows.get_row_at(i)[2]) == "tag a customer")
        assert tagged[1] == "owner"
        assert tagged[3] == shop.customers.get(people["王伟"]).member_code
        assert "rows shown" in status(app)
        shown = " ".join(str(c) for i in range(rows.row_count) for c in rows.get_row_at(i))
        assert "王伟" not in shown and "158" not in shown  # no personal values
        await pilot.press("escape")
        assert isinstance(app.screen, LookupScreen)


async def test_filters_by_action_customer_and_day(app: RegularsApp, shop: Shop,
                                                  people: dict[str, int]) -> None:
    shop.customers.add_tag(people["张三"], "熟客")
    shop.sales.record(people["张三"], "20.00")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)  # the console's own start-up writes (a daily backup, stages)
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, AuditScreen)
        app.screen.query_one("#filter-customer", Input).value = "135 1234 5678"
        app.screen.query_one("#filter-customer", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        rows = table(app)
        code = shop.customers.get(people["张三"]).member_code
        assert rows.row_count >= 3 and all(str(rows.get_row_at(i)[3]) == code
                                           for i in range(rows.row_count))
        app.screen.query_one("#filter-action", Input).value = "tag"
        app.screen.query_one("#filter-action", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert rows.row_count == 1 and str(rows.get_row_at(0)[2]) == "tag a customer"
        app.screen.query_one("#filter-since", Input).value = "2026-02-30"
        app.screen.query_one("#filter-since", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert "is not a date" in status(app) and rows.row_count == 1  # the list stays
        app.screen.query_one("#filter-since", Input).value = "2099-01-01"
        await pilot.press("enter")
        await settle(pilot)
        assert rows.row_count == 0 and status(app) == "No audit rows match."
        app.screen.query_one("#filter-customer", Input).value = "NOSUCH9"
        app.screen.query_one("#filter-customer", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert "No customer has that code or phone" in status(app)


async def test_pagedown_reads_older_pages(app: RegularsApp, shop: Shop) -> None:
    with shop.store.write(shop.actor, "customer.edit") as tx:
        for i in range(PAGE * 2):
            tx.audit("customer.edit", "customer", None, fields=[f"f{i}"])
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)  # the console's own start-up writes (a daily backup, stages)
        total = audit_count(shop)
        await pilot.press("f10")
        await settle(pilot)
        rows = table(app)
        assert rows.row_count == PAGE and "PageDown" in status(app)
        for _ in range(PAGE // 10 + 1):  # to the end of the first page, then one more
            await pilot.press("pagedown")
            await settle(pilot)
        assert rows.row_count == 2 * PAGE
        for _ in range(PAGE // 10 + 2):
            await pilot.press("pagedown")
            await settle(pilot)
        assert rows.row_count == total and status(app) == f"{total} rows shown."
        ids = [int(str(k.value)) for k in rows.rows]
        assert ids == sorted(ids, reverse=True) and len(set(ids)) == total


async def test_staff_are_refused_with_the_owners_role_named(shop: Shop,
                                                            people: dict[str, int]) -> None:
    with shop.store.write(shop.actor, "customer.edit") as tx:
        tx.execute("INSERT INTO staff(name, role, created_at) VALUES ('小李', 'staff', ?)",
                   (tx.now,))
        tx.audit("staff.add", "staff", None, name="小李")
    app = RegularsApp(Shop(shop.store, shop.store.actor("小李")))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)  # the console's own start-up writes (a daily backup, stages)
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, LookupScreen)
        said = [n.message for n in app._notifications]
        assert any("Only the owner may" in m and "audit" in m for m in said), said


async def test_brackets_in_a_value_are_shown_not_read_as_markup(app: RegularsApp,
                                                                shop: Shop) -> None:
    with shop.store.write(shop.actor, "setting.set") as tx:
        tx.audit("setting.set", "setting", None, key="[/red][bold]x")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        rows = table(app)
        shown = [str(rows.get_row_at(i)[4]) for i in range(rows.row_count)]
        assert "key=[/red][bold]x" in shown
        app.screen.query_one("#filter-since", Input).value = "[/x]"
        app.screen.query_one("#filter-since", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert "[/x]" in status(app)
