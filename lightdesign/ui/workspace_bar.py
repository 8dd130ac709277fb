"""The workspace bar (in the Design page's sidebar): switch between designs, create, duplicate, rename and delete them.
The design picker alone serves the other pages that work on the current design (Train)."""

from __future__ import annotations

import streamlit as st

from lightdesign.core.design import Design
from lightdesign.ui import actions, icons, state
from lightdesign.ui.i18n import t
from lightdesign.ui.markup import md

SWITCH_KEY = "ws_switch"
RENAME_KEY = "ws_rename"
RENAME_ERROR = ("workspace", "rename")  # the field error of a refused rename, shown under its box


def _switch() -> None:
    actions.workspace_action("switch", st.session_state[SWITCH_KEY])
    st.session_state[state.SELECTED] = None


def _new_blank() -> None:
    actions.workspace_action("add", Design("untitled", (28, 28, 1), 10, []))
    st.session_state[state.SELECTED] = None


def _rename() -> None:
    ws = state.workspace()
    actions.attempt(RENAME_ERROR, ws.rename, ws.current, st.session_state[RENAME_KEY])


def design_picker() -> None:
    """Which of the workspace's designs this page works on."""
    ws = state.workspace()
    st.session_state[SWITCH_KEY] = ws.current
    st.selectbox(t("ws.design"), ws.names, key=SWITCH_KEY, on_change=_switch, help=t("ws.design.help"))


def render() -> None:
    ws = state.workspace()
    design_picker()
    st.session_state[RENAME_KEY] = ws.current
    st.text_input(t("ws.rename"), key=RENAME_KEY, on_change=_rename, max_chars=100)
    refused = actions.field_error(RENAME_ERROR)
    if refused:  # under the box it concerns, not at the top of a page that may be scrolled
        st.error(md(refused), icon=icons.ERROR)
    cols = st.columns(3)
    cols[0].button(t("ws.new"), key="ws_new", on_click=_new_blank, help=t("ws.new.help"), width="stretch")
    cols[1].button(
        t("ws.copy"),
        key="ws_duplicate",
        on_click=actions.workspace_action,
        args=("duplicate",),
        help=t("ws.copy.help"),
        width="stretch",
    )
    cols[2].button(
        t("ws.delete"),
        key="ws_delete",
        on_click=actions.workspace_action,
        args=("delete", ws.current),
        help=t("ws.delete.help"),
        width="stretch",
        disabled=len(ws.names) == 1,
    )
