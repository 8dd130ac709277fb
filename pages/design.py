"""Design page: stack layers and blocks, configure them, and watch the costs.

The figures are written first and the graph and charts last: Streamlit sends elements in
script order, so the numbers a person is waiting for appear before the slower drawings.
"""

import streamlit as st

from lightdesign.analysis import analyze
from lightdesign.ui import costs, files, form, graph_view, presets_panel, stack, state, workspace_bar

ws = state.workspace()
result = analyze(ws.design, st.session_state[state.BATCH_SIZE], st.session_state[state.OPTIMIZER])
last_valid = st.session_state[state.LAST_VALID]
if result.ok:
    last_valid[ws.current] = result

st.title(f"Design · {ws.current}")
state.show_messages()
workspace_bar.render()
with st.expander("Start from a preset", expanded=not ws.design.blocks):
    presets_panel.preset_picker()
with st.expander("Input shape, classes and width"):
    presets_panel.global_knobs()

left, right = st.columns([5, 7], gap="large")
with right:
    for issue in result.errors:
        st.error(issue.text, icon="⛔")
    for issue in result.warnings:
        st.warning(issue.text, icon="⚠️")
    if result.ok:
        costs.metrics(result)
    elif ws.current in last_valid:
        costs.stale(last_valid[ws.current])
    st.subheader("Graph")
    drawings = st.container()

with left:
    st.subheader("Layers")
    stack.drag_and_drop(result)
    selected = stack.buttons(result)
    st.subheader("Configure")
    form.render(result, selected)
    st.subheader("Save and share")
    files.render()

with drawings:
    graph_view.render(result, selected)
    if result.ok:
        st.subheader("Cost per block")
        costs.charts(result)
        costs.table(result)
