"""Analyses one person can make long (the scaling scan, the lighter-substitute search on a
1,000-block design take seconds to minutes) run outside the server's threads: in one small
pool of processes shared by the server, at a lower priority, so that they neither hold the
server's interpreter lock nor take a core from the pages. The pool processes import no
Streamlit (``lightdesign.jobs.processes`` starts them).

A session submits a few tasks at a time and tops up as they finish (no session can queue
a hundred tasks ahead of everyone else), keeps the results in its state so that a rerun
does not redo them, stops after a time budget with what it has, and can cancel.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ProcessPoolExecutor

import streamlit as st

from lightdesign.jobs import processes

IN_FLIGHT = 2  # tasks a session may have submitted and not yet received


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
