"""LightDesign app entry point (placeholder until the Designer page lands)."""

import streamlit as st

st.set_page_config(page_title="LightDesign", layout="wide")
st.title("LightDesign")
st.write("Design lightweight neural networks. The designer page is coming; use `python -m lightdesign` meanwhile.")
