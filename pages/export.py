"""Export page: Keras code, design text, deployable model files and measured latency."""

import streamlit as st

from lightdesign.ui import export_view, state
from lightdesign.ui.i18n import t

_, result = state.page_header("export.title", "export.disabled")
if result.errors:
    st.stop()

st.subheader(t("export.code"))
export_view.code_and_text(result)
st.subheader(t("export.deploy"))
export_view.deployability(result)
st.subheader(t("export.files"))
export_view.model_files(result)
