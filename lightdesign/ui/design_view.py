"""The Design page's parts: the sidebar (workspace, presets, knobs, files, recent designs)
and the editor fragment (the figures, the canvas and the inspector, the tabs under them).

The figures come first, right under the title, and the tabs last: Streamlit sends elements
in script order and the browser redraws the page for each one, so the numbers a person is
waiting for appear before the slower widgets and drawings.
"""

from __future__ import annotations

import time

import streamlit as st

from lightdesign.analysis.network import Analysis
from lightdesign.core.workspace import Workspace
from lightdesign.ui import (
    budget_view,
    canvas,
    clipboard,
    costs,
    files,
    form,
    graph_view,
    guide,
    i18n,
    icons,
    persist,
    presets_panel,
    scaling_view,
    stack,
    state,
    suggestions_view,
    workspace_bar,
)
from lightdesign.ui.i18n import t
from lightdesign.ui.markup import md, message

# The tabs under the editor, in their order on the page (each runs only while open).
TABS = (
    "tab.charts",
    "tab.memory",
    "tab.table",
    "tab.budget",
    "tab.scaling",
    "tab.suggestions",
    "tab.list",
    "tab.drawing",
)


def sidebar(ws: Workspace) -> None:
    """The workspace bar, the presets, the global knobs, saving and sharing, recent designs."""
    with st.sidebar:
        workspace_bar.render()
        with st.expander(t("design.presets"), expanded=True):
            presets_panel.preset_picker()
        with st.expander(t("design.knobs")):
            presets_panel.global_knobs()
        with st.expander(t("design.save")):
            files.render()
            _copy_share_link()
        with st.expander(t("store.recent")):
            persist.recent_list(ws.id)
        state.sidebar_drawn()


def _copy_share_link() -> None:
    link = st.session_state[state.SHARE_URL]
    if link and st.session_state.get(state.COPIED_LINK) != link:  # "Copy link" was just clicked
        st.session_state[state.COPIED_LINK] = link
        clipboard.copy(link, nonce=link, key="copy_link")
        st.success(t("files.copied"), icon=":material/content_copy:")


@st.fragment
def editor() -> None:
    """Everything but the sidebar. A gesture on the canvas or in the inspector reruns only
    this (about a third of the page's elements): the sidebar stays as it was, unless what
    it shows changed (an undone input shape, a reloaded workspace), which reruns the page."""
    # What syncing writes (the browser's note of a workspace created late) gets a place of its
    # own: an element added at the top would move every element after it, remounting the canvas.
    sync_slot = st.container()
    if state.sidebar_outdated():
        st.rerun(scope="app")
    try:
        _editor_body()
    finally:
        # What app.py does around a whole run, after the drawing here (a gesture's result is
        # not kept waiting for the store): save, then pick up other tabs' saves, or create the
        # workspace if the store was away; a replaced workspace reruns the page just below.
        if state.fragment_rerun():
            state.finish_run()
            with sync_slot:
                state.sync()
    if state.sidebar_outdated():
        st.rerun(scope="app")


def _editor_body() -> None:
    ws = state.workspace()
    result = state.analysis(ws.design, st.session_state[state.BATCH_SIZE], st.session_state[state.OPTIMIZER])
    if result.ok:
        state.remember_valid(result)
    places = _Places(ws, result)
    for show in _fill_order(places, result):
        show()
    time.sleep(0.03)  # the browser draws the editor before the charts under it arrive
    _tabs(ws, result, places.selected)


class _Places:
    """The editor's places, made in page order, and what fills each.

    The places come first, filled afterwards in the order that shows what the gesture changed
    soonest; the elements keep their places whatever the order (the canvas is updated in place,
    never mounted afresh, which would lose its view). The first place holds what varies in
    number (messages, errors)."""

    def __init__(self, ws: Workspace, result: Analysis):
        self.ws = ws
        self.result = result
        self.heading = st.container()
        self.figures = st.container(key=guide.FIGURES)
        self.first_run = st.container()  # shown or not, the elements after it keep their places
        # the canvas takes three quarters of the width beside the inspector, or all of it
        # while the canvas's bar has the inspector hidden
        if canvas.inspector_open():
            self.drawing_area, self.inspector = st.columns([3, 1], gap="small")
        else:
            self.drawing_area, self.inspector = st.container(), None
        self.selected = stack.selected_id(result)

    def show_heading(self) -> None:
        with self.heading:
            title, status = st.columns([3, 2], vertical_alignment="bottom")
            title.title(message("design.title", name=self.ws.current))
            with status:
                persist.status_line(self.ws)
            state.show_messages()
            for issue in self.result.errors:
                st.error(md(i18n.issue_text(issue)), icon=icons.ERROR)
            for issue in self.result.warnings:
                st.warning(md(i18n.issue_text(issue)), icon=icons.WARNING)

    def show_figures(self) -> None:
        with self.figures:
            if self.result.ok:
                costs.metrics(self.result)
            elif state.last_valid() is not None:
                costs.stale(state.last_valid())

    def show_guide(self) -> None:
        with self.first_run:
            guide.first_run()

    def show_inspector(self) -> None:
        if self.inspector is None:
            return
        # its height follows the canvas's (the page's style); 620 px until the style applies
        with self.inspector, st.container(height=620, key=guide.INSPECTOR):
            stack.undo_redo()
            form.render(self.result, self.selected)
            with st.expander(t("stack.controls")):
                stack.buttons(self.result)

    def show_canvas(self) -> None:
        with self.drawing_area:
            canvas.render_canvas(self.result, self.selected)


def _pause() -> None:
    # Streamlit's server thread sends what is ready now: while this script runs, the two
    # threads take turns on the GIL and it would reach the browser with the rest of the
    # page, about 100 ms later.
    time.sleep(0.02)


def _fill_order(places: _Places, result: Analysis) -> tuple:
    """The order in which to fill the editor's places: what the gesture changed first."""
    changed = st.session_state.get(state.FIGURES_OF) is not result
    st.session_state[state.FIGURES_OF] = result
    on_canvas = st.session_state.pop(canvas.GESTURE, False)
    p = places
    if changed and on_canvas:  # a drop, a connection: the new drawing and the figures first
        return (p.show_canvas, p.show_figures, _pause, p.show_heading, p.show_inspector, p.show_guide)
    if changed:  # a field, a button: the figures, then the inspector the person is in
        return (p.show_figures, _pause, p.show_heading, p.show_inspector, p.show_canvas, p.show_guide)
    # a click that selects: the inspector first; the figures are as they were
    return (p.show_inspector, p.show_canvas, p.show_heading, p.show_figures, p.show_guide)


def _tabs(ws: Workspace, result: Analysis, selected: str | None) -> None:
    """The tabs under the editor; only the open one runs its content."""
    panels = {
        "tab.charts": lambda: _needs_valid(result, costs.charts),
        "tab.memory": lambda: _needs_valid(result, costs.timeline),
        "tab.table": lambda: _needs_valid(result, costs.table),
        "tab.budget": lambda: budget_view.budget_inputs(result),
        # On demand: a 10 x 10 grid is 100 full analyses, too much to redo on every edit.
        "tab.scaling": lambda: _on_demand(ws, result, "scaling.show", state.SHOW_SCALING, scaling_view.scaling_search),
        "tab.suggestions": lambda: _on_demand(
            ws, result, "suggest.show", state.SHOW_SUGGESTIONS, suggestions_view.lighter_substitutes
        ),
        "tab.list": lambda: _sortable_list(result),
        "tab.drawing": lambda: graph_view.render(result, selected),
    }
    tabs = st.tabs([t(key) for key in TABS], key=state.DESIGN_TAB, on_change="rerun")
    for key, tab in zip(TABS, tabs, strict=True):
        if tab.open:
            with tab:
                panels[key]()


def _needs_valid(result: Analysis, show) -> None:
    if result.ok:
        show(result)
    else:
        st.info(t("tab.needs_valid"))


def _on_demand(ws: Workspace, result: Analysis, label_key: str, setting: str, show) -> None:
    """A tab whose content is computed only while its toggle is on (kept across pages)."""
    if result.ok and ws.design.blocks:
        if st.toggle(t(label_key), **state.persistent_widget(setting)):
            show(result)
    else:
        st.info(t("tab.needs_valid"))


def _sortable_list(result: Analysis) -> None:
    st.caption(t("tab.list.help"))
    stack.drag_and_drop(result)
