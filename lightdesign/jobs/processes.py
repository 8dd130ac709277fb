"""The processes that run long analyses away from the server (see ``ui/background.py``):
how many, and how each starts. Free of Streamlit, so that a pool process imports only
what the analyses need."""

from __future__ import annotations

import os
import sys
import threading
import time
import types
from collections.abc import Iterator
from contextlib import contextmanager

from lightdesign import config


def workers() -> int:
    """LIGHTDESIGN_BACKGROUND_WORKERS, else one less than the cores (at least one)."""
    return config.value("LIGHTDESIGN_BACKGROUND_WORKERS") or max(1, (os.cpu_count() or 2) - 1)


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(3)  # the server is gone


def start_worker(parent: int) -> None:
    """In each pool process: a lower priority, and an exit when the server goes away."""
    try:
        os.nice(config.value("LIGHTDESIGN_WORKER_NICE"))
    except OSError:
        pass
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


@contextmanager
def plain_main() -> Iterator[None]:
    """Start processes with this held: a spawned process imports the parent's ``__main__``
    from its file, and under ``streamlit run`` that is the app script itself (Streamlit
    installs each page's module as ``__main__``), so every worker would run the whole app,
    in bare mode, before its job. While held, ``__main__`` is an empty module."""
    saved = sys.modules.get("__main__")
    if saved is None or not getattr(saved, "__file__", None):
        yield
        return
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = saved
