"""Analyses one person can make long (the scaling scan, the lighter-substitute search on a
1,000-block design take seconds to minutes) run outside the server's threads: in one small
pool of processes shared by the server, at a lower priority, so that they neither hold the
server's interpreter lock nor take a core from the pages. The pool processes import no
Streamlit (``lightdesign.jobs.processes`` starts them).

A session's ``Work`` (one of each kind, kept in its state by ``session_work``) submits a few
tasks at a time and tops up as they finish (no session can queue a hundred tasks ahead of
everyone else), keeps the results so that a rerun does not redo them, stops after a time
budget with what it has, and can be cancelled and resumed; ``live`` shows it while it runs.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from lightdesign.core.design import Design
from lightdesign.jobs import processes

IN_FLIGHT = 2  # tasks a session may have submitted and not yet received
INLINE_MAX_BLOCKS = 100  # designs this small are worked on in the page run itself (well under a second)

RUNNING = "running"
DONE = "done"
CANCELLED = "cancelled"
TIMED_OUT = "timed_out"


def _close(executor: ProcessPoolExecutor) -> None:
    executor.shutdown(wait=False, cancel_futures=True)


@st.cache_resource(show_spinner=False, on_release=_close)
def pool() -> ProcessPoolExecutor:
    import multiprocessing

    return ProcessPoolExecutor(
        max_workers=processes.workers(),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=processes.start_worker,
        initargs=(os.getpid(),),
    )


def submit(function, *args) -> Future:
    """Run ``function(*args)`` in the pool (the function and its arguments must pickle).
    A submit may start a pool process: the app script is hidden from it (``plain_main``)."""
    with processes.plain_main():
        try:
            return pool().submit(function, *args)
        except RuntimeError:  # the pool broke (a worker was killed): start a fresh one
            pool.clear()
            return pool().submit(function, *args)


def cancel(futures) -> None:
    for future in futures:
        future.cancel()


def fingerprint(design: Design) -> str:
    """A key for the design's content: work on a design is redone only when it changed."""
    return hashlib.sha256(design.to_json(indent=None).encode("utf-8")).hexdigest()


@dataclass(eq=False)
class Work:
    """A session's one piece of long work of a kind (a scan, a search), for ``key``: what it
    is about, its tasks' results so far, the tasks in the pool, its state, and the seconds
    spent on it since it was started or resumed (page runs and pool together)."""

    key: Hashable
    about: Any = None
    results: dict = field(default_factory=dict)  # task -> its result
    futures: dict = field(default_factory=dict)  # task -> its Future in the pool
    state: str = RUNNING
    seconds: float = 0.0
    since: float = field(default_factory=time.monotonic)

    def collect(self) -> list:
        """Move the finished tasks' results into ``results``; returns the tasks that failed
        (cancelled, or the pool broke)."""
        failed = []
        for task, future in list(self.futures.items()):
            if future.done():
                del self.futures[task]
                try:
                    self.results[task] = future.result()
                except Exception:  # noqa: BLE001 - the caller decides: compute it again or give up
                    failed.append(task)
        return failed

    def room(self) -> int:
        """How many more tasks may go to the pool now (``IN_FLIGHT`` at a time)."""
        return max(0, IN_FLIGHT - len(self.futures))

    def submit(self, task: Hashable, function: Callable, *args) -> None:
        self.futures[task] = submit(function, *args)

    def stop(self, state: str) -> None:
        """Cancel the tasks in the pool and end in ``state`` (the results so far stay)."""
        cancel(self.futures.values())
        self.futures.clear()
        self.state = state


def session_work(name: str, key: Hashable, start: Callable[[], Work]) -> Work:
    """The session's work under ``name``, kept across reruns (a rerun redoes nothing): made by
    ``start`` the first time and whenever ``key`` differs, which cancels the former's tasks."""
    work = st.session_state.get(name)
    if work is None or work.key != key:
        if work is not None:
            cancel(work.futures.values())
        work = start()
        st.session_state[name] = work
    return work


def cancel_work(name: str) -> None:
    """Cancel the session's running work under ``name`` (a button's callback)."""
    work = st.session_state.get(name)
    if work is not None and work.state == RUNNING:
        work.stop(CANCELLED)


def resume_work(name: str) -> None:
    """Resume the session's cancelled or timed-out work under ``name`` (a button's callback)."""
    work = st.session_state.get(name)
    if work is not None and work.state in (CANCELLED, TIMED_OUT):
        work.state = RUNNING
        work.since = time.monotonic()


@st.fragment(run_every=2.0)
def live(name: str, advance: Callable[[Work], None], show: Callable[[Work], None]) -> None:
    """The session's running work under ``name``, advanced and shown every two seconds (only
    this part of the page); the whole page reruns once the work has ended."""
    work = st.session_state.get(name)
    if work is None:
        return
    advance(work)
    if work.state != RUNNING:
        st.rerun()
    show(work)
