"""Failing workers seen from the Train page: a killed worker and a hung one each become a
message, the job slot is freed, the app keeps serving and no child process is left."""

import multiprocessing
import os
import signal
import time

import pytest

from lightdesign.jobs.messages import Batch
from lightdesign.ui import job_view, train_view

from .conftest import run_until

pytestmark = pytest.mark.keras  # each test trains in a TensorFlow worker


def errors(app):
    return [e.value for e in app.error]


def long_training(app):
    app.switch_page("pages/train.py").run()
    app.number_input(key="set_epochs").set_value(200).run()
    app.number_input(key="set_cap").set_value(0).run()
    app.button(key="start_training").click().run()
    manager = job_view.job_manager()
    job = manager.get(app.session_state[train_view.JOB_KEY])
    run_until(app, lambda a: job.latest(Batch) is not None)
    return job


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_worker_killed_mid_epoch(app):
    job = long_training(app)
    pid = job.pid
    os.kill(pid, signal.SIGKILL)
    run_until(app, lambda a: any(e.startswith("Training failed:") for e in errors(a)))
    assert errors(app) == [
        "Training failed: the worker process was killed (signal 9), most likely because it ran out "
        "of memory; try a smaller batch size, fewer samples or a smaller design"
    ]
    assert not alive(pid)
    assert not app.button(key="start_training").disabled  # the slot is free again
    app.number_input(key="set_epochs").set_value(1).run()
    app.number_input(key="set_cap").set_value(300).run()
    app.button(key="start_training").click().run()
    run_until(app, lambda a: any(m.label == "Test accuracy" for m in a.metric))


SHORT_TIMEOUT_S = 15


@pytest.fixture
def short_timeout():
    """A fresh manager whose time limit the test shortens once the job trains: counted from
    the job's start, it then ends the job mid-epoch however long TensorFlow took to load."""
    job_view.job_manager.clear()
    yield job_view.job_manager()
    job_view.job_manager().shutdown()
    job_view.job_manager.clear()


def test_a_job_past_its_time_limit(short_timeout, app):
    job = long_training(app)
    short_timeout.timeout_s = SHORT_TIMEOUT_S
    pid = job.pid
    run_until(app, lambda a: any(e.startswith("Training failed:") for e in errors(a)), timeout=60)
    assert errors(app) == [
        f"Training failed: the job ran longer than the {SHORT_TIMEOUT_S} s limit and was stopped "
        "(LIGHTDESIGN_JOB_TIMEOUT_S changes the limit)"
    ]
    # killed when the job is failed; the manager's monitor reaps it on its next rounds (until
    # then it is a zombie, which signal 0 still finds)
    deadline = time.monotonic() + 10
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(pid)
    assert not [p for p in multiprocessing.active_children() if p.pid == pid]
    app.switch_page("pages/design.py").run()  # the app keeps serving
    assert not app.exception
