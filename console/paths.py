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
