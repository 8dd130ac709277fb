"""The editor's frame: the pinned figures' style and the first-run guide (three steps,
dismissed once and remembered with the workspace)."""

from __future__ import annotations

import streamlit as st

from lightdesign.ui import state
from lightdesign.ui.i18n import t

FIGURES = "ld_figures"  # the container of the headline figures, pinned under the app's header
DISMISS = "guide_dismiss"
_STEPS = ("guide.step1", "guide.step2", "guide.step3")

# The figures stay in view while a block is configured: the container sticks under
# Streamlit's header, on an opaque background, with the figures set smaller.
_CSS = f"""
<style>
[data-testid="stMainBlockContainer"] {{ padding-top: 3.2rem; }}
[data-testid="stLayoutWrapper"]:has(> .st-key-{FIGURES}) {{ position: sticky; top: 3.75rem; z-index: 990;
  background-color: var(--st-background-color, #fff); border-bottom: 1px solid rgba(49, 51, 63, 0.15);
  box-shadow: 0 -3.75rem 0 0 var(--st-background-color, #fff); }}
.st-key-{FIGURES}, .st-key-{FIGURES} .st-key-stale_stats {{ display: grid; grid-template-columns: 1fr 1fr;
  column-gap: 1.2rem; row-gap: 0.1rem; padding-bottom: 2px; }}
.st-key-{FIGURES} > *:has(.st-key-stale_stats) {{ grid-column: 1 / -1; }}
[data-testid="stMain"] h1 {{ font-size: 2rem; padding-top: 0.5rem; }}
.st-key-{FIGURES} [data-testid="stMetricValue"] {{ font-size: 1.15rem; line-height: 1.3; }}
.st-key-{FIGURES} [data-testid="stMetricLabel"] p {{ font-size: 0.78rem; }}
.st-key-{FIGURES} [data-testid="stMetricDelta"] {{ font-size: 0.7rem; }}
.st-key-{FIGURES} [data-testid="stCaptionContainer"] p {{ font-size: 0.78rem; margin: 0; }}
.st-key-{FIGURES} [data-testid="stHorizontalBlock"] {{ gap: 0.6rem; }}
.st-key-{FIGURES} [data-testid="stWidgetLabel"] p {{ font-size: 0.78rem; }}
</style>
"""


def styles() -> None:
    st.html(_CSS)


def _dismiss() -> None:
    st.session_state[state.GUIDE_DISMISSED] = True


def first_run() -> None:
    """Three steps for a new person: pick a preset or drag a layer; configure it; train,
    compare, export. Shown until dismissed; the dismissal is kept with the workspace."""
    if st.session_state.get(state.GUIDE_DISMISSED):
        return
    with st.container(border=True, key="ld_guide"):
        head, button = st.columns([5, 1], vertical_alignment="center")
        head.markdown(f"**{t('guide.title')}**")
        button.button(t("guide.dismiss"), key=DISMISS, on_click=_dismiss, width="stretch")
        steps = st.columns(3)
        for number, (column, key) in enumerate(zip(steps, _STEPS, strict=True), start=1):
            column.caption(f"**{number}.** {t(key)}")
