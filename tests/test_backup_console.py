"""The console's side of backups (issue 13): one backup on start, off the counter's
thread, and a warning when the shop file lies in a sync folder."""

from __future__ import annotations

from pathlib import Path

from console.app import RegularsApp
from db.shop import Shop
from tests.conftest import HandClock


async def started(app: RegularsApp) -> list[str]:
    """Run the console until its start-up workers are done; the notifications it showed."""
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        return [str(n.message) for n in app._notifications]


async def test_the_console_backs_up_once_a_day_on_start(shop: Shop, clock: HandClock) -> None:
    folder = shop.path.parent / "backups"
    assert await started(RegularsApp(shop)) == []
    assert [p.name for p in folder.iterdir()] == [f"{shop.path.stem}-20261124-103000.db"]
    await started(RegularsApp(shop))  # the same day: nothing more
    assert len(list(folder.iterdir())) == 1
    clock.advance(days=1)
    await started(RegularsApp(shop))
    assert len(list(folder.iterdir())) == 2


async def test_a_shop_file_in_a_sync_folder_gets_a_warning_at_start(
        tmp_path: Path, clock: HandClock) -> None:
    shop = Shop.open(tmp_path / "Dropbox" / "shop.db", clock=clock)
    try:
        shown = await started(RegularsApp(shop))
    finally:
        shop.close()
    assert any("Dropbox" in text and "sync folder" in text for text in shown)
