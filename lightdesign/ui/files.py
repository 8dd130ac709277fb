"""Save, open and share designs: JSON download and upload, and a link holding the design."""

from __future__ import annotations

import streamlit as st

from lightdesign import share
from lightdesign.codegen import model_name
from lightdesign.design import MAX_JSON_BYTES, DesignError, from_json
from lightdesign.ui import state
from lightdesign.ui.i18n import t

UPLOAD_KEY = "design_upload"


def _uploaded() -> None:
    upload = st.session_state.get(UPLOAD_KEY)
    if upload is None:
        return
    try:
        if upload.size > MAX_JSON_BYTES:
            raise DesignError(t("files.too_big", size=upload.size, limit=MAX_JSON_BYTES))
        design = from_json(upload.getvalue())
        name = state.workspace().add(design)
        st.session_state[state.SELECTED] = None
        state.flash("success", t("files.opened", file=upload.name, name=name))
    except DesignError as exc:
        state.flash("error", t("files.failed", file=upload.name, error=exc))


def _make_link() -> None:
    token = share.encode(state.workspace().design)
    base = (st.context.url or "http://localhost:8501/").split("?")[0]
    st.session_state[state.SHARE_URL] = f"{base}?{share.QUERY_KEY}={token}"


def render() -> None:
    design = state.workspace().design
    cols = st.columns(2)
    cols[0].download_button(
        t("files.download"),
        design.to_json(),
        file_name=f"{model_name(design)}.json",
        mime="application/json",
        key="download_json",
        width="stretch",
    )
    cols[1].button(t("files.link"), key="make_link", on_click=_make_link, width="stretch", help=t("files.link.help"))
    if st.session_state[state.SHARE_URL]:
        st.code(st.session_state[state.SHARE_URL], language="text", wrap_lines=True)
    st.file_uploader(
        t("files.upload"),
        type=["json"],
        key=UPLOAD_KEY,
        on_change=_uploaded,
        max_upload_size=1,
        help=t("files.upload.help", kb=MAX_JSON_BYTES // 1024),
    )
