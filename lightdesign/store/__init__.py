"""The only code that talks to the database (SQLAlchemy Core): workspaces, every design's
edit history, training runs, export results and the files they own.

SQLite in WAL mode in the work folder is the embedded default; ``LIGHTDESIGN_DATABASE_URL``
points the same code at PostgreSQL (or any SQLAlchemy URL).
"""

from __future__ import annotations

import secrets

from lightdesign import config
from lightdesign.store.store import StaleWrite, Store, StoreError, describe_url

__all__ = ["StaleWrite", "Store", "StoreError", "describe_url", "new_workspace_id", "open_store", "valid_workspace_id"]


def new_workspace_id() -> str:
    """An unguessable workspace id: 128 random bits, URL-safe (22 characters), never starting with "-"
    (which leaves 1/64 of the draws out: still about 128 bits)."""
    while True:
        # An id that starts with "-" reads as an option on the command line (`workspace export ID`).
        workspace_id = secrets.token_urlsafe(16)
        if not workspace_id.startswith("-"):
            return workspace_id


def valid_workspace_id(text: object) -> bool:
    """Whether ``text`` looks like an id ``new_workspace_id`` makes (checked before any query)."""
    return (
        isinstance(text, str)
        and 16 <= len(text) <= 64
        and all(c.isascii() and (c.isalnum() or c in "-_") for c in text)
    )


def open_store(url: str | None = None) -> Store:
    """The store at ``url``, else at ``LIGHTDESIGN_DATABASE_URL``, else SQLite in the work folder."""
    return Store(url or config.database_url())
