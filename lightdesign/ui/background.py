"""Analyses one person can make long (the scaling scan, the lighter-substitute search on a
1,000-block design take seconds to minutes) run outside the server's threads: in one small
pool of processes shared by the server, at a lower priority, so that they neither hold the
server's interpreter lock nor take a core from the pages.

A session submits a few tasks at a time and tops up as they finish (no session can queue
a hundred tasks ahead of everyone else), keeps the results in its state so that a rerun
does not redo them, stops after a time budget with what it has, and can cancel.
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor

import streamlit as st

IN_FLIGHT = 2  # tasks a session may have submitted and not yet received


def _workers() -> int:
    try:
        configured = int(os.environ.get("LIGHTDESIGN_BACKGROUND_WORKERS", "0"))
    except ValueError:
        configured = 0
    return configured if configured > 0 else max(1, (os.cpu_count() or 2) - 1)


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(3)  # the server is gone


def _start_worker(parent: int) -> None:
    """In each pool process: a lower priority, and an exit when the server goes away."""
    try:
        os.nice(int(os.environ.get("LIGHTDESIGN_WORKER_NICE", "15")))
    except (OSError, ValueError):
        pass
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


@st.cache_resource(show_spinner=False)
def pool() -> ProcessPoolExecutor:
    import multiprocessing

    return ProcessPoolExecutor(
        max_workers=_workers(),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(os.getpid(),),
    )


def submit(function, *args) -> Future:
    """Run ``function(*args)`` in the pool (the function and its arguments must pickle)."""
    try:
        return pool().submit(function, *args)
    except RuntimeError:  # the pool broke (a worker was killed): start a fresh one
        pool.clear()
        return pool().submit(function, *args)


def cancel(futures) -> None:
    for future in futures:
        future.cancel()
