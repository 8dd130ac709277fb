"""Compare page: two to four designs side by side, accuracy against cost, and their diff."""

import streamlit as st

from lightdesign.analysis import analyze
from lightdesign.ui import compare_view, state

st.title("Compare")
state.show_messages()
chosen = compare_view.choose()
if len(chosen) < 2:
    st.info("Pick at least two designs (from your workspace or the presets).")
    st.stop()

loaded = [compare_view.load(name) for name in chosen]
designs = [design for design, _ in loaded]
analyses = [analyze(design) for design in designs]
broken = [name for name, result in zip(chosen, analyses, strict=True) if result.errors]
if broken:
    st.error(f"Fix the errors of {', '.join(broken)} on the Design page to compare it.", icon="⛔")
    st.stop()

compare_view.table(chosen, analyses, [runs for _, runs in loaded])
st.subheader("Cost relative to the first design")
compare_view.ratio_bars(chosen, analyses)
st.subheader("Where the cost is, over depth")
compare_view.profiles(chosen, analyses)
st.subheader("Accuracy against cost")
compare_view.scatter()
st.subheader("Graphs")
compare_view.graphs(chosen, analyses)
st.subheader("Architecture diff")
compare_view.architecture_diff(chosen, designs)
