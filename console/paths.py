"""Where the shop's file lives: the platform's user data folder unless told otherwise."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "regulars"
ENV_DB = "REGULARS_DB"


def data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def default_db() -> Path:
    return data_dir() / "shop.db"


def demo_db() -> Path:
    return data_dir() / "demo.db"


def resolve_db(explicit: Path | None) -> Path:
    """--db beats $REGULARS_DB beats the platform default."""
    if explicit is not None:
        return explicit.expanduser()
    env = os.environ.get(ENV_DB)
    return Path(env).expanduser() if env else default_db()


ENV_EXPORTS = "REGULARS_EXPORTS"


def exports_dir() -> Path:
    """Where the console saves files for people (coupon codes to send): the user's
    Documents/Regulars, or $REGULARS_EXPORTS. Created on first use."""
    env = os.environ.get(ENV_EXPORTS)
    if env:
        folder = Path(env).expanduser()
    else:
        from platformdirs import user_documents_path

        folder = user_documents_path() / "Regulars"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
