"""Design page: stack layers and blocks, configure them, and watch the costs.

The figures come first, right under the title, and the graph and charts last: Streamlit
sends elements in script order and the browser redraws the page for each one, so the
numbers a person is waiting for appear before the slower widgets and drawings.
"""

import time

import streamlit as st

from lightdesign.analysis import analyze
from lightdesign.ui import (
    budget_view,
    costs,
    files,
    form,
    graph_view,
    i18n,
    icons,
    persist,
    presets_panel,
    stack,
    state,
    workspace_bar,
)
from lightdesign.ui.i18n import t

ws = state.workspace()
result = analyze(ws.design, st.session_state[state.BATCH_SIZE], st.session_state[state.OPTIMIZER])
last_valid = st.session_state[state.LAST_VALID]
if result.ok:
    last_valid[ws.current] = result

st.title(t("design.title", name=ws.current))
persist.status_line()
state.show_messages()
for issue in result.errors:
    st.error(i18n.issue_text(issue), icon=icons.ERROR)
for issue in result.warnings:
    st.warning(i18n.issue_text(issue), icon=icons.WARNING)
if result.ok:
    costs.metrics(result)
elif ws.current in last_valid:
    costs.stale(last_valid[ws.current])
# Pause so Streamlit's server thread sends the figures now: while this script runs, the two
# threads take turns on the GIL and the figures would reach the browser with the rest of
# the page, about 100 ms later.
time.sleep(0.02)
workspace_bar.render()
with st.expander(t("design.presets"), expanded=not ws.design.blocks):
    presets_panel.preset_picker()
with st.expander(t("design.knobs")):
    presets_panel.global_knobs()
with st.expander(t("design.budget"), expanded=budget_view.current_budget().active):
    budget_view.budget_inputs(result)

left, right = st.columns([5, 7], gap="large")
with right:
    st.subheader(t("design.graph"))
    drawings = st.container()

with left:
    st.subheader(t("design.layers"))
    stack.drag_and_drop(result)
    selected = stack.buttons(result)
    st.subheader(t("design.configure"))
    form.render(result, selected)
    st.subheader(t("design.save"))
    files.render()
    with st.expander(t("store.recent")):
        persist.recent_list(ws.id)

with drawings:
    graph_view.render(result, selected)
    if result.ok:
        st.subheader(t("design.cost"))
        costs.charts(result)
        costs.table(result)

if result.ok and ws.design.blocks:
    # On demand: a 10 x 10 grid is 100 full analyses, too much to redo on every edit.
    st.subheader(t("design.scaling"))
    if st.toggle(t("scaling.show"), **state.persistent_widget(state.SHOW_SCALING)):
        budget_view.scaling_search(result)
    st.subheader(t("design.suggestions"))
    if st.toggle(t("suggest.show"), **state.persistent_widget(state.SHOW_SUGGESTIONS)):
        budget_view.lighter_substitutes(result)
