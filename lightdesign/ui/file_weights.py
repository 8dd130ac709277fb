"""An imported model file kept with its design, and the weights it lends the design on the
Train and Export pages: all of them while the structure is unchanged, those of the layers
the weights plan matches once it is edited (``lightdesign.importers.weights``)."""

from __future__ import annotations

import streamlit as st

from lightdesign.core.design import Design
from lightdesign.importers.weights import LOADABLE, MODEL_FILES, FileWeights, file_record, file_weights, keep_model_file
from lightdesign.ui import persist, state
from lightdesign.ui.i18n import t
from lightdesign.ui.markup import code, md, message

REASONS = {  # why a file's weights are not used, by ``FileWeights.reason``
    "format": "file_weights.format",
    "no_weights": "file_weights.no_weights",
    "missing": "file_weights.missing",
    "none_kept": "file_weights.none_kept",
}
USED = {  # page -> (all layers keep the file's weights, some do)
    "train": ("train.file_weights.all", "train.file_weights.some"),
    "export": ("export.file_weights.all", "export.file_weights.some"),
}
MAX_NAMED = 12  # fresh layers named in the sentence; the table lists them all


def keep(design_id: str, data: bytes, file_name: str, result, input_shape: tuple | None = None) -> None:
    """Keep an imported file with the design made from it: a file with weights (.keras, .h5,
    .tflite, .onnx) is written to the work folder and owned by the design in the store
    (deleted with the workspace); the workspace's settings remember it by design id, with the
    input shape given at import (a job maps a .tflite/.onnx file again with it)."""
    ws = state.workspace()
    path = None
    if result.weights and result.format in LOADABLE:
        path = keep_model_file(data, file_name)
        persist.keep_files(ws, design_id, [str(path.parent)])
    records = dict(ws.settings.get(MODEL_FILES) or {})
    records = {k: v for k, v in records.items() if k in ws.entries}  # forget deleted designs
    records[design_id] = file_record(file_name, result.format, path, result.weights, input_shape)
    ws.set_setting(MODEL_FILES, records)


def lent(design: Design | None = None) -> FileWeights | None:
    """The weights the current design's imported file lends it (None: not imported)."""
    ws = state.workspace()
    record = (ws.settings.get(MODEL_FILES) or {}).get(ws.current_id)
    if not record:
        return None
    return file_weights(design if design is not None else ws.design, record, persist.owned_files(ws))


def notice(page: str, found: FileWeights | None) -> None:
    """Say whether the file's weights are used and, once the structure is edited, which
    layers keep them."""
    if found is None:
        return
    if found.source is None:
        st.info(message(REASONS[found.reason], file=found.file, format=found.format), icon=":material/info:")
        return
    plan = found.plan
    everything, some = USED[page]
    kept, total = len(plan.kept), len(plan.kept) + len(plan.fresh)
    if plan.unchanged:
        st.info(message(everything, file=found.file, kept=kept), icon=":material/info:")
        return
    fresh = ", ".join(code(name) for name in plan.fresh[:MAX_NAMED])
    if len(plan.fresh) > MAX_NAMED:
        fresh += f" … +{len(plan.fresh) - MAX_NAMED}"
    st.warning(t(some, file=md(found.file), kept=kept, total=total, fresh=fresh), icon=":material/warning:")
    with st.expander(t("file_weights.layers")):
        rows = [
            {t("file_weights.col.layer"): name, t("file_weights.col.weights"): t("file_weights.from", layer=source)}
            for name, source in plan.kept.items()
        ]
        rows += [
            {t("file_weights.col.layer"): name, t("file_weights.col.weights"): t("file_weights.new")}
            for name in plan.fresh
        ]
        st.dataframe(rows, hide_index=True, key=f"{page}_file_weights")
