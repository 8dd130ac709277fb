"""Save, open and share designs: JSON download and upload, and a link holding the design."""

from __future__ import annotations

import streamlit as st

from lightdesign import share
from lightdesign.codegen import model_name
from lightdesign.design import MAX_JSON_BYTES, DesignError, from_json
from lightdesign.ui import state

UPLOAD_KEY = "design_upload"


def _uploaded() -> None:
    upload = st.session_state.get(UPLOAD_KEY)
    if upload is None:
        return
    try:
        if upload.size > MAX_JSON_BYTES:
            raise DesignError(f"the file is {upload.size:,} bytes; the limit is {MAX_JSON_BYTES:,} bytes")
        design = from_json(upload.getvalue())
        name = state.workspace().add(design)
        st.session_state[state.SELECTED] = None
        state.flash("success", f"Opened {upload.name!r} as the design {name!r}.")
    except DesignError as exc:
        state.flash("error", f"Could not open {upload.name!r}: {exc}. Your workspace is unchanged.")


def _make_link() -> None:
    token = share.encode(state.workspace().design)
    base = (st.context.url or "http://localhost:8501/").split("?")[0]
    st.session_state[state.SHARE_URL] = f"{base}?{share.QUERY_KEY}={token}"


def render() -> None:
    design = state.workspace().design
    cols = st.columns(2)
    cols[0].download_button("Download design JSON", design.to_json(), file_name=f"{model_name(design)}.json",
                            mime="application/json", key="download_json", width="stretch")
    cols[1].button("Copy link", key="make_link", on_click=_make_link, width="stretch",
                   help="A link that opens this design in LightDesign (the design travels in the URL)")
    if st.session_state[state.SHARE_URL]:
        st.code(st.session_state[state.SHARE_URL], language="text", wrap_lines=True)
    st.file_uploader("Open a design JSON", type=["json"], key=UPLOAD_KEY, on_change=_uploaded,
                     max_upload_size=1, help=f"At most {MAX_JSON_BYTES // 1024} KB")
