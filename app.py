"""LightDesign: design lightweight neural networks in the browser.

Run with ``streamlit run app.py``. The app process never imports TensorFlow: training,
export and latency run in worker processes (lightdesign.jobs).
"""

import streamlit as st

from lightdesign.ui import state

st.set_page_config(page_title="LightDesign", page_icon="🪶", layout="wide")
state.init()

pages = [
    st.Page("pages/design.py", title="Design", icon="🧩", default=True),
    st.Page("pages/compare.py", title="Compare", icon="⚖️"),
    st.Page("pages/train.py", title="Train", icon="📈"),
    st.Page("pages/export.py", title="Export", icon="📦"),
    st.Page("pages/learn.py", title="Learn", icon="🎓"),
]
page = st.navigation(pages)
page.run()
