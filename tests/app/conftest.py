"""AppTest fixtures: the app as a person's browser session would run it."""

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
