"""The editor's frame: the Design page's style (the figures pinned in one row, the canvas and
the inspector given the room) and the first-run guide (three steps on one row, dismissed once
and remembered with the workspace)."""

from __future__ import annotations

import streamlit as st

from lightdesign.ui import canvas, state
from lightdesign.ui.i18n import t

FIGURES = "ld_figures"  # the container of the headline figures, pinned under the app's header
INSPECTOR = "ld_inspector"  # the container of the inspector, beside the canvas
GUIDE = "ld_guide"
DISMISS = "guide_dismiss"
_STEPS = ("guide.step1", "guide.step2", "guide.step3")

# The page gives the editor the room: narrow side margins; the title and the save status on
# one line; the figures in one compact row that stays in view under Streamlit's header (made
# opaque, so what scrolls under it is hidden); the canvas and the inspector as tall as the
# window allows (the canvas's bundle reads --ld-editor-height).
_CSS = f"""
<style>
:root {{ --ld-editor-height: {canvas.HEIGHT_CSS}; }}
[data-testid="stMainBlockContainer"] {{ padding: 3.4rem 1.5rem 6rem; max-width: none; }}
[data-testid="stHeader"] {{ background-color: var(--st-background-color, #fff); }}
[data-testid="stMain"] h1 {{ font-size: 1.75rem; padding: 0.25rem 0 0; }}
[data-testid="stLayoutWrapper"]:has(> .st-key-{FIGURES}) {{ position: sticky; top: 3.75rem; z-index: 990;
  background-color: var(--st-background-color, #fff); border-bottom: 1px solid rgba(49, 51, 63, 0.15); }}
.st-key-{FIGURES} {{ gap: 0.1rem; padding-bottom: 2px; }}
.st-key-{FIGURES} [data-testid="stMetricValue"] {{ font-size: 1.15rem; line-height: 1.3; }}
.st-key-{FIGURES} [data-testid="stMetricLabel"] p {{ font-size: 0.78rem; }}
.st-key-{FIGURES} [data-testid="stMetricDelta"] {{ font-size: 0.7rem; }}
.st-key-{FIGURES} [data-testid="stCaptionContainer"] p {{ font-size: 0.78rem; margin: 0; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; }}
.st-key-{FIGURES} [data-testid="stHorizontalBlock"] {{ gap: 0.6rem; }}
.st-key-{FIGURES} [data-testid="stPopover"] button {{ min-height: 2rem; padding: 0.1rem 0.5rem; }}
.st-key-{INSPECTOR} {{ height: var(--ld-editor-height) !important; }}
.st-key-{GUIDE} {{ padding: 0.4rem 0.8rem; gap: 0.2rem; }}
.st-key-{GUIDE} [data-testid="stCaptionContainer"] p {{ margin: 0; font-size: 0.8rem; line-height: 1.35; }}
.st-key-{GUIDE} [data-testid="stMarkdownContainer"] p {{ font-size: 0.9rem; line-height: 1.3; margin: 0; }}
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
    with st.container(border=True, key=GUIDE):
        # one row: the title, the three steps, the button (the canvas below keeps its room)
        head, *steps, button = st.columns([1.2, 2, 2.2, 2, 0.6], vertical_alignment="center")
        head.markdown(f"**{t('guide.title')}**")
        for number, (column, key) in enumerate(zip(steps, _STEPS, strict=True), start=1):
            column.caption(f"**{number}.** {t(key)}")
        button.button(t("guide.dismiss"), key=DISMISS, on_click=_dismiss, width="stretch")
