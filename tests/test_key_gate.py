"""Keys typed in one burst do what the same keys typed slowly do (console/keys.py).

Each test posts its keys straight to the App, all before any is handled, as a terminal
delivers a paste, a slow SSH link or a keyboard wedge in one read; the key that opens
the dialog is part of the burst. (tests/test_pty.py does the same through a real
terminal.)
"""

from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.message_pump import MessagePump
from textual.pilot import Pilot
from textual.widgets import Static

from console.app import RegularsApp
from db.shop import Shop
from screens.customer import CustomerScreen


def burst(app: RegularsApp, *keys: str) -> None:
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


async def settle(pilot: Pilot[None]) -> None:
    """Until every held key has gone through and every worker has answered."""
    app = pilot.app
    assert isinstance(app, RegularsApp)
    for _ in range(200):
        await pilot.pause(0.02)
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not app.key_gate.held and not app.key_gate.busy:
            return
    raise AssertionError(f"keys still held: {list(app.key_gate.held)}")


async def open_customer(pilot: Pilot[None], tail: str) -> CustomerScreen:
    await pilot.press(*tail, "enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CustomerScreen)
    return screen


async def test_tab_burst_with_the_opening_key(app: RegularsApp, shop: Shop,
                                              people: dict[str, int]) -> None:
    """'p30⇥⇥⇥500⏎' in one read: 30 yuan less 500 points, never ¥305,000."""
    cid = people["张三"]
    shop.rewards.opening_points(cid, "600")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_customer(pilot, "5678")
        burst(app, "p", *"30", "tab", "tab", "tab", *"500", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
    assert [s.amount_fen for s in shop.sales.history(cid)] == [2500]
    assert shop.customers.get(cid).points == 600 - 500 + 25


async def test_tab_to_items_in_a_burst(app: RegularsApp, shop: Shop,
                                       people: dict[str, int]) -> None:
    """'p12⇥cake⏎' said “12cake” is not an amount: the Tab came after the letters."""
    cid = people["张三"]
    async with app.run_test(size=(80, 24)) as pilot:
        await open_customer(pilot, "5678")
        burst(app, "p", *"12", "tab", *"cake", "enter")
        await settle(pilot)
    [sale] = shop.sales.history(cid)
    assert (sale.amount_fen, sale.items) == (1200, "cake")


async def test_feedback_digits_and_words_in_one_burst(app: RegularsApp, shop: Shop,
                                                      people: dict[str, int]) -> None:
    """'f13abc' set the category and lost the sentiment and the words."""
    cid = people["张三"]
    async with app.run_test(size=(80, 24)) as pilot:
        await open_customer(pilot, "5678")
        burst(app, "f", "1", "3", *"abc", "ctrl+s")
        await settle(pilot)
    [item] = shop.feedback.of_customer(cid)
    assert (item.category, item.sentiment, item.words) == ("quality", "complaint", "abc")


async def test_keys_after_enter_wait_for_the_save(app: RegularsApp, shop: Shop,
                                                  people: dict[str, int]) -> None:
    """Two sales in one burst: the second 'p' reaches the customer screen, not the
    first dialog's amount, because keys after Enter wait until the save has answered."""
    cid = people["张三"]
    async with app.run_test(size=(80, 24)) as pilot:
        await open_customer(pilot, "5678")
        burst(app, "p", *"10", "enter", "p", *"20", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
    assert sorted(s.amount_fen for s in shop.sales.history(cid)) == [1000, 2000]


async def test_escape_in_a_burst_cancels_only_its_own_dialog(
        app: RegularsApp, shop: Shop, people: dict[str, int]) -> None:
    cid = people["张三"]
    async with app.run_test(size=(80, 24)) as pilot:
        await open_customer(pilot, "5678")
        burst(app, "p", *"99", "escape", "p", "5", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
    assert [s.amount_fen for s in shop.sales.history(cid)] == [500]


async def test_a_refused_save_keeps_the_following_keys_in_the_dialog(
        app: RegularsApp, shop: Shop, people: dict[str, int]) -> None:
    """A bad amount is refused beside the field; keys typed after it are a correction,
    typed into the same field, as a person who saw the message would."""
    cid = people["张三"]
    async with app.run_test(size=(80, 24)) as pilot:
        await open_customer(pilot, "5678")
        burst(app, "p", *"abc", "enter", "ctrl+u", *"42", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
    assert [s.amount_fen for s in shop.sales.history(cid)] == [4200]


async def test_burst_from_lookup_to_a_sale(app: RegularsApp, shop: Shop,
                                           people: dict[str, int]) -> None:
    """Search, open, sell: all typed ahead before the first search has answered."""
    cid = people["张三"]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        burst(app, *"5678", "enter", "p", *"7.5", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
    assert [s.amount_fen for s in shop.sales.history(cid)] == [750]


async def test_a_line_feed_is_enter(app: RegularsApp, shop: Shop,
                                    people: dict[str, int]) -> None:
    """A paste or a scanner may end with LF (ctrl+j), which no field takes: it is Enter."""
    cid = people["张三"]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        burst(app, *"5678", "ctrl+j", "p", *"8", "ctrl+j")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
    assert [s.amount_fen for s in shop.sales.history(cid)] == [800]


async def test_escape_then_a_key_in_one_read_is_both_keys(
        app: RegularsApp, shop: Shop, people: dict[str, int]) -> None:
    """'p99␛p5⏎' in one read arrives as Alt+P after the 99: it is Esc, then p."""
    cid = people["张三"]
    async with app.run_test(size=(80, 24)) as pilot:
        await open_customer(pilot, "5678")
        app.post_message(events.Key("p", "p"))
        burst(app, *"99")
        app.post_message(events.Key("alt+p", "p"))
        burst(app, "5", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
    assert [s.amount_fen for s in shop.sales.history(cid)] == [500]


async def test_a_dropped_marker_never_stops_the_keyboard(app: RegularsApp) -> None:
    """A widget that closes drops what was queued for it, the gate's marker too (a
    dialog dismissed by the very key): the next key goes on after a timeout."""
    from textual.widgets import Input

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        box = app.screen.query_one("#query", Input)
        relay = app.key_gate._relay

        def dropped_at_the_box(nodes: list[MessagePump], then: Callable[[], object]) -> None:
            if nodes and nodes[0] is box:
                return  # as if the box had closed with the marker in its queue
            relay(nodes, then)

        app.key_gate._relay = dropped_at_the_box  # type: ignore[method-assign]  # the stand-in
        burst(app, "5", "6")
        await settle(pilot)
        assert box.value == "56"


async def test_language_switch_on_the_settings_screen(app: RegularsApp) -> None:
    """F2 on F9 closed the console: the list was focused before the new tabs mounted."""
    from screens.settings import SettingsScreen

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, SettingsScreen)
        await pilot.press("right", "f2")
        await settle(pilot)
        assert isinstance(app.screen, SettingsScreen) and app.return_code is None


async def test_an_enter_typed_ahead_does_not_answer_a_question(
        app: RegularsApp, shop: Shop, people: dict[str, int]) -> None:
    """'p5000⏎⏎' in one burst, or a CR LF line end: the second Enter was typed before
    "far above this shop's usual sales… Enter again" appeared, so it is no answer."""
    cid = people["张三"]
    async with app.run_test(size=(80, 24)) as pilot:
        await open_customer(pilot, "5678")
        burst(app, "p", *"5000", "enter", "enter")
        await settle(pilot)
        assert shop.sales.history(cid) == []
        error = app.screen.query_one("#amount-error", Static)
        assert error.display and "Enter again" in str(error.render())
        await pilot.press("enter")  # read, then confirmed
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        burst(app, "p", *"6000", "enter", "ctrl+j")  # CR LF: one Enter
        await settle(pilot)
    assert [s.amount_fen for s in shop.sales.history(cid)] == [500000]
