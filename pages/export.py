"""Export page: Keras code, design text, deployable model files and measured latency."""

import streamlit as st

from lightdesign.analysis import analyze
from lightdesign.ui import export_view, i18n, state
from lightdesign.ui.i18n import t

ws = state.workspace()
result = analyze(ws.design)
st.title(t("export.title", name=ws.current))
state.show_messages()
if result.errors:
    st.error(t("export.disabled", error=i18n.issue_text(result.errors[0])), icon="⛔")
    st.stop()

st.subheader(t("export.code"))
export_view.code_and_text(result)
st.subheader(t("export.deploy"))
export_view.deployability(result)
st.subheader(t("export.files"))
export_view.model_files(result)
