"""Export page: Keras code, design text, deployable model files and measured latency."""

import streamlit as st

from lightdesign.analysis import analyze
from lightdesign.ui import export_view, state

ws = state.workspace()
result = analyze(ws.design)
st.title(f"Export · {ws.current}")
state.show_messages()
if result.errors:
    st.error(f"Exports are disabled while the design has errors: {result.errors[0].text}", icon="⛔")
    st.stop()

st.subheader("Code and text")
export_view.code_and_text(result)
st.subheader("Deployability")
export_view.deployability(result)
st.subheader("Model files and latency")
export_view.model_files(result)
