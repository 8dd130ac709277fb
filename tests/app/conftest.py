"""AppTest fixtures: the app as a person's browser session would run it."""

import time
from pathlib import Path

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _navigation_app_pages_manager(original):
    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    return init


# AppTest resets PagesManager.uses_pages_directory before every run, so with a pages/
# folder beside app.py every rerun after the first ran as a v1 multipage app: the page
# script alone, without app.py (no state.init, no saving). Under `streamlit run`,
# app.py's st.navigation turns that off for good; do the same here.
PagesManager.__init__ = _navigation_app_pages_manager(PagesManager.__init__)


@pytest.fixture(scope="package", autouse=True)
def _close_analysis_pool():
    """The server's analysis pool outlives a session by design; after the app tests, close it
    (its processes would otherwise stay children of the test process for the rest of the run)."""
    yield
    from lightdesign.ui import background

    background.pool.clear()


def new_app():
    return AppTest.from_file(APP, default_timeout=60)


@pytest.fixture
def session(monkeypatch):
    """A session's state as a plain dict holding a new workspace (the seed CNN), for views called directly."""
    import streamlit as st

    from lightdesign.core.workspace import Workspace
    from lightdesign.ui import state

    values = {
        state.WORKSPACE: Workspace(),
        state.SELECTED: None,
        state.BATCH_SIZE: 32,
        state.OPTIMIZER: "adam",
        state.MESSAGES: [],
    }
    monkeypatch.setattr(st, "session_state", values)
    return values


@pytest.fixture
def app():
    at = new_app()
    at.run()
    assert not at.exception, at.exception
    return at


def open_preset(at, name):
    """Open a preset from the sidebar's preset picker."""
    at.selectbox(key="preset_name").set_value(name).run()
    at.button(key="open_preset").click().run()
    assert not at.exception, at.exception


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


def open_tab(at, tab_key):
    """Open a tab under the Design page's editor (tabs run only when open), as a click on
    it would: ``tab_key`` is its catalogue key, e.g. "tab.budget"."""
    from lightdesign.catalog import CATALOG

    at.session_state["design_tab"] = CATALOG[tab_key][at.session_state["lang"]]
    at.run()
    assert not at.exception, at.exception
    return at
