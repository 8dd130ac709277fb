"""Where LightDesign keeps its data: the work folder (database, trained models, exports,
datasets) and the database URL, both overridable from the environment."""

from __future__ import annotations

import os
from pathlib import Path

WORK_DIR_ENV = "LIGHTDESIGN_WORK_DIR"
DATABASE_URL_ENV = "LIGHTDESIGN_DATABASE_URL"
KEEP_DAYS_ENV = "LIGHTDESIGN_KEEP_DAYS"
DEFAULT_KEEP_DAYS = 90.0


def work_dir() -> Path:
    """``LIGHTDESIGN_WORK_DIR``, else the per-user data folder (e.g. ~/.local/share/lightdesign
    on Linux): not the system temp folder, whose files vanish on reboot."""
    configured = os.environ.get(WORK_DIR_ENV)
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("lightdesign", appauthor=False))


def database_url() -> str:
    """``LIGHTDESIGN_DATABASE_URL`` (any SQLAlchemy URL, e.g. PostgreSQL), else SQLite in the work folder."""
    return os.environ.get(DATABASE_URL_ENV) or f"sqlite:///{work_dir() / 'lightdesign.db'}"


def keep_days() -> float:
    """Days an untouched workspace is kept (``LIGHTDESIGN_KEEP_DAYS``, default 90)."""
    try:
        days = float(os.environ.get(KEEP_DAYS_ENV, DEFAULT_KEEP_DAYS))
    except ValueError:
        return DEFAULT_KEEP_DAYS
    return days if days > 0 else DEFAULT_KEEP_DAYS
