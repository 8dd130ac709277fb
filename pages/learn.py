"""Learn page: the principles of lightweight networks with live calculators."""

import streamlit as st

from lightdesign.ui import learn_view, state
from lightdesign.ui.i18n import t

learn_view.handle_open()
st.title(t("learn.title"))
state.show_messages()
st.markdown(t("learn.intro"))
learn_view.article_flow()
learn_view.convolution()
learn_view.activations()
learn_view.pooling()
learn_view.dense()
learn_view.separable()
learn_view.networks()
learn_view.macs_and_latency()
learn_view.recurrent()
learn_view.quantization()
learn_view.scenarios()
