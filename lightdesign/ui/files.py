"""Save, open and share designs: JSON download and upload, a link holding the design, and
importing a model file (.keras, .h5, Keras JSON, .tflite, .onnx) as a new design."""

from __future__ import annotations

import streamlit as st

from lightdesign.core import share
from lightdesign.core.design import MAX_JSON_BYTES, DesignError, from_json
from lightdesign.output.codegen import model_name
from lightdesign.ui import state
from lightdesign.ui.i18n import t
from lightdesign.ui.markup import code, md

UPLOAD_KEY = "design_upload"
MODEL_KEY = "model_upload"
MODEL_SHAPE_KEY = "model_input_shape"
MODEL_FOLD_KEY = "model_fold"
MODEL_TYPES = ["keras", "h5", "hdf5", "json", "tflite", "onnx"]


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


def _model_uploaded() -> None:
    """Import an uploaded model file as a new design; every failure is one line, the
    workspace unchanged (the file is parsed as data, never run; no TensorFlow here)."""
    from lightdesign import importers

    upload = st.session_state.get(MODEL_KEY)
    if upload is None:
        return
    try:
        importers.check_size(upload.size)
        text = (st.session_state.get(MODEL_SHAPE_KEY) or "").strip()
        shape = importers.parse_shape(text) if text else None
        data = upload.getvalue()
        result = importers.import_bytes(data, upload.name, shape, fold=bool(st.session_state.get(MODEL_FOLD_KEY, True)))
        name = state.workspace().add(result.design)
    except (importers.ModelFileError, DesignError) as exc:
        state.flash("error", t("files.import_failed", file=upload.name, error=exc))
        return
    except Exception as exc:  # noqa: BLE001 - a hostile file must never show a traceback (DESIGN.md rule 8)
        state.flash("error", t("files.import_failed", file=upload.name, error=type(exc).__name__))
        return
    st.session_state[state.SELECTED] = None
    from lightdesign.ui import file_weights

    try:  # the file stays with its design: Train and Export can use its weights
        file_weights.keep(state.workspace().current_id, data, upload.name, result, shape)
    except OSError as exc:
        state.flash("warning", t("files.weights_not_kept", error=exc))
    folded = sum(result.folded.values())
    state.flash(
        "success",
        t(
            "files.imported",
            file=upload.name,
            format=result.format,
            name=name,
            layers=result.layers,
            blocks=len(result.design.blocks),
            folded=folded,
        ),
    )
    if result.weights:
        state.flash("info", t("files.weights", count=len(result.weights)))


def opaque_notice(design) -> None:
    """The design's opaque blocks, each with its operation and reason."""
    from lightdesign.core.layers.opaque import opaque_blocks

    found = opaque_blocks(design)
    if not found:
        return
    lines = [
        f"- **{design.blocks.index(b) + 1}. {md(b.name)}** · {code(b.params.get('op'))}: {md(b.params.get('reason'))}"
        for b in found[:20]
    ]
    if len(found) > 20:
        lines.append(f"- … +{len(found) - 20}")
    st.warning(t("files.opaque", count=len(found)) + "\n\n" + "\n".join(lines))


def _make_link() -> None:
    token = share.encode(state.workspace().design)
    base = (st.context.url or "http://localhost:8501/").split("?")[0]
    st.session_state[state.SHARE_URL] = f"{base}?{share.QUERY_KEY}={token}"


def render() -> None:
    design = state.workspace().design
    current = state.workspace_reader()
    cols = st.columns(2)
    cols[0].download_button(
        t("files.download"),
        # read when clicked: the editor's gestures rerun only the editor, not this sidebar
        lambda: current().design.to_json(),
        file_name=f"{model_name(design)}.json",
        mime="application/json",
        key="download_json",
        width="stretch",
    )
    cols[1].button(t("files.link"), key="make_link", on_click=_make_link, width="stretch", help=t("files.link.help"))
    if st.session_state[state.SHARE_URL]:
        st.code(st.session_state[state.SHARE_URL], language="text", wrap_lines=True)
    # Streamlit's own limit is whole megabytes and its drop area would say "1MB per file":
    # the real limit is in the label, the drop area's line is hidden, the size is checked.
    st.html(f'<style>.st-key-{UPLOAD_KEY} [data-testid="stFileUploaderDropzoneInstructions"] {{display: none}}</style>')
    st.file_uploader(
        t("files.upload", kb=MAX_JSON_BYTES // 1024),
        type=["json"],
        key=UPLOAD_KEY,
        on_change=_uploaded,
        max_upload_size=1,
        help=t("files.upload.help"),
    )
    from lightdesign.importers import max_model_bytes

    limit_mb = max(1, max_model_bytes() // (1024 * 1024))
    st.file_uploader(
        t("files.import"),
        type=MODEL_TYPES,
        key=MODEL_KEY,
        on_change=_model_uploaded,
        max_upload_size=limit_mb,
        help=t("files.import.help", mb=limit_mb),
    )
    cols = st.columns([3, 2])
    cols[0].text_input(
        t("files.import.shape"), key=MODEL_SHAPE_KEY, placeholder="224,224,3", help=t("files.import.shape.help")
    )
    cols[1].checkbox(t("files.import.fold"), value=True, key=MODEL_FOLD_KEY, help=t("files.import.fold.help"))
    opaque_notice(design)
