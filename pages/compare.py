"""Compare page: two to four designs side by side, accuracy against cost, and their diff."""

import streamlit as st

from lightdesign.ui import compare_view, icons, state
from lightdesign.ui.i18n import t
from lightdesign.ui.markup import message

st.title(t("compare.title"))
state.show_messages()
chosen = compare_view.choose()
if len(chosen) < 2:
    st.info(t("compare.pick_two"))
    st.stop()

loaded = [compare_view.load(name) for name in chosen]
designs = [design for design, _ in loaded]
analyses = [state.analysis(design) for design in designs]
broken = [name for name, result in zip(chosen, analyses, strict=True) if result.errors]
if broken:
    st.error(message("compare.broken", names=", ".join(broken)), icon=icons.ERROR)
    st.stop()

compare_view.table(chosen, analyses, [runs for _, runs in loaded])
st.subheader(t("compare.relative"))
compare_view.ratio_bars(chosen, analyses)
st.subheader(t("compare.depth"))
compare_view.profiles(chosen, analyses)
st.subheader(t("compare.timeline"))
compare_view.timelines(chosen, analyses)
st.subheader(t("compare.pareto"))
compare_view.scatter()
st.subheader(t("compare.latency"))
compare_view.latency_against_macs()
st.subheader(t("compare.graphs"))
compare_view.graphs(chosen, analyses)
st.subheader(t("compare.diff"))
compare_view.architecture_diff(chosen, designs)
