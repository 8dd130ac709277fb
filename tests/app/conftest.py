"""AppTest fixtures: the app as a person's browser session would run it."""

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def new_app():
    return AppTest.from_file(APP, default_timeout=60)


@pytest.fixture
def app():
    at = new_app()
    at.run()
    assert not at.exception, at.exception
    return at


def metric(at, label):
    return next(m for m in at.metric if m.label == label)


def workspace(at):
    return at.session_state["workspace"]


def run_until(app, predicate, timeout=180):
    """Rerun the page (as the browser's polling would) until ``predicate(app)`` holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        app.run()
        assert not app.exception, app.exception
        if predicate(app):
            return
        time.sleep(0.5)
    raise AssertionError("the page never reached the expected state")
