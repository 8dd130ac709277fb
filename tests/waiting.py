"""Polling helper shared by the job tests."""

import multiprocessing
import time


def wait_until(predicate, timeout: float = 30.0, step: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(step)
    raise AssertionError("condition not reached in time")


def job_processes() -> list:
    """The job workers still alive in this process tree (named ``lightdesign-<kind>-<id>``);
    other children, such as the analysis pool an app test started, are not theirs."""
    return [p for p in multiprocessing.active_children() if p.name.startswith("lightdesign-")]
