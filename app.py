"""LightDesign: design lightweight neural networks in the browser.

Run with ``streamlit run app.py``. The app process never imports TensorFlow: training,
export and latency run in worker processes (lightdesign.jobs).
"""

import streamlit as st

from lightdesign.ui import i18n, job_view, state
from lightdesign.ui.i18n import t

st.set_page_config(page_title="LightDesign", page_icon=":material/memory:", layout="wide")
i18n.init()
state.init()
job_view.job_manager()  # made with the first page anyone opens: its warm worker loads TensorFlow meanwhile

pages = [
    st.Page("pages/design.py", title=t("nav.design"), icon=":material/account_tree:", default=True),
    st.Page("pages/compare.py", title=t("nav.compare"), icon=":material/balance:"),
    st.Page("pages/train.py", title=t("nav.train"), icon=":material/monitoring:"),
    st.Page("pages/export.py", title=t("nav.export"), icon=":material/package_2:"),
    st.Page("pages/learn.py", title=t("nav.learn"), icon=":material/school:"),
]
page = st.navigation(pages)
i18n.switcher()
page.run()
state.finish_run()
