"""Design page: an editor. The figures pinned at the top; the palette and the canvas in the
middle, the selected block's inspector on the right; charts, table, budget, scaling search,
suggestions, the sortable list and the drawings for export in tabs under the editor; the
workspace, presets, knobs and files in the sidebar.

The figures come first, right under the title, and the tabs last: Streamlit sends elements
in script order and the browser redraws the page for each one, so the numbers a person is
waiting for appear before the slower widgets and drawings.
"""

import time

import streamlit as st

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
    stack,
    state,
    workspace_bar,
)
from lightdesign.ui.i18n import t
from lightdesign.ui.markup import md, message

ws = state.workspace()

with st.sidebar:
    workspace_bar.render()
    with st.expander(t("design.presets"), expanded=True):
        presets_panel.preset_picker()
    with st.expander(t("design.knobs")):
        presets_panel.global_knobs()
    with st.expander(t("design.save")):
        files.render()
        link = st.session_state[state.SHARE_URL]
        if link and st.session_state.get(state.COPIED_LINK) != link:  # "Copy link" was just clicked
            st.session_state[state.COPIED_LINK] = link
            clipboard.copy(link, nonce=link, key="copy_link")
            st.success(t("files.copied"), icon=":material/content_copy:")
    with st.expander(t("store.recent")):
        persist.recent_list(ws.id)
    state.sidebar_drawn()

guide.styles()


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
    # The page's places first, filled below in the order that shows what the gesture changed
    # soonest; the elements keep their places whatever the order (the canvas is updated in
    # place, never mounted afresh, which would lose its view). The first container holds what
    # varies in number (messages, errors).
    heading = st.container()
    figures = st.container(key=guide.FIGURES)
    first_run = st.container()  # shown or not, the elements after it keep their places
    drawing_area, inspector = st.columns([7, 3], gap="small")
    selected = stack.selected_id(result)

    def show_heading() -> None:
        with heading:
            st.title(message("design.title", name=ws.current))
            persist.status_line()
            state.show_messages()
            for issue in result.errors:
                st.error(md(i18n.issue_text(issue)), icon=icons.ERROR)
            for issue in result.warnings:
                st.warning(md(i18n.issue_text(issue)), icon=icons.WARNING)

    def show_figures() -> None:
        with figures:
            if result.ok:
                costs.metrics(result)
            elif state.last_valid() is not None:
                costs.stale(state.last_valid())

    def show_guide() -> None:
        with first_run:
            guide.first_run()

    def show_inspector() -> None:
        with inspector, st.container(height=canvas.HEIGHT, key="ld_inspector"):
            stack.buttons(result)
            form.render(result, selected)

    def show_canvas() -> None:
        with drawing_area:
            canvas.render_canvas(result, selected)

    def pause() -> None:
        # Streamlit's server thread sends what is ready now: while this script runs, the two
        # threads take turns on the GIL and it would reach the browser with the rest of the
        # page, about 100 ms later.
        time.sleep(0.02)

    changed = st.session_state.get(state.FIGURES_OF) is not result
    st.session_state[state.FIGURES_OF] = result
    on_canvas = st.session_state.pop(canvas.GESTURE, False)
    if changed and on_canvas:  # a drop, a connection: the new drawing and the figures first
        order = (show_canvas, show_figures, pause, show_heading, show_inspector, show_guide)
    elif changed:  # a field, a button: the figures, then the inspector the person is in
        order = (show_figures, pause, show_heading, show_inspector, show_canvas, show_guide)
    else:  # a click that selects: the inspector first; the figures are as they were
        order = (show_inspector, show_canvas, show_heading, show_figures, show_guide)
    for show in order:
        show()
    time.sleep(0.03)  # the browser draws the editor before the charts under it arrive

    tabs = st.tabs(
        [
            t("tab.charts"),
            t("tab.memory"),
            t("tab.table"),
            t("tab.budget"),
            t("tab.scaling"),
            t("tab.suggestions"),
            t("tab.list"),
            t("tab.drawing"),
        ],
        key=state.DESIGN_TAB,
        on_change="rerun",
    )
    charts, memory, table, budget, scaling, suggestions, listing, drawing = tabs
    for tab, show in ((charts, costs.charts), (memory, costs.timeline), (table, costs.table)):
        if tab.open:
            with tab:
                if result.ok:
                    show(result)
                else:
                    st.info(t("tab.needs_valid"))
    if budget.open:
        with budget:
            budget_view.budget_inputs(result)
    if scaling.open:
        with scaling:
            if result.ok and ws.design.blocks:
                # On demand: a 10 x 10 grid is 100 full analyses, too much to redo on every edit.
                if st.toggle(t("scaling.show"), **state.persistent_widget(state.SHOW_SCALING)):
                    budget_view.scaling_search(result)
            else:
                st.info(t("tab.needs_valid"))
    if suggestions.open:
        with suggestions:
            if result.ok and ws.design.blocks:
                if st.toggle(t("suggest.show"), **state.persistent_widget(state.SHOW_SUGGESTIONS)):
                    budget_view.lighter_substitutes(result)
            else:
                st.info(t("tab.needs_valid"))
    if listing.open:
        with listing:
            st.caption(t("tab.list.help"))
            stack.drag_and_drop(result)
    if drawing.open:
        with drawing:
            graph_view.render(result, selected)


editor()
