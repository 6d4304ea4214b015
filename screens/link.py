"""The screens' typed link to the app that hosts them.

A screen needs two things of its app: the shop it works on (through the door's typed
surface, ``ShopDoor``, so a second backend can stand behind it) and the key gate that
hands it keys (a question is answered only by a key typed after it appeared).
``console/app.py`` checks with mypy that ``RegularsApp`` satisfies ``ShopApp``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

from db.shop import ShopDoor

if TYPE_CHECKING:
    from console.keys import KeyGate


@runtime_checkable
class ShopApp(Protocol):
    """What the screens need of the app."""

    @property
    def shop(self) -> ShopDoor: ...

    @property
    def key_gate(self) -> KeyGate: ...


def app_link(app: object) -> ShopApp:
    """The app as the screens know it; a screen run outside one is a programming error."""
    if not isinstance(app, ShopApp):
        raise TypeError(f"{type(app).__name__} does not host Regulars screens: "
                        "it needs a shop and a key gate")
    return app


def shop_of(app: object) -> ShopDoor | None:
    """The app's shop, or None for an app that holds none (a widget shown on its own)."""
    return app.shop if isinstance(app, ShopApp) else None
