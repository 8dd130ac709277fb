"""After an export: the microcontroller bundle to download, the converted int8 file's real
operators beside those the lowering predicted, and the fit with the export's measurements."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from lightdesign.analysis import fit, support
from lightdesign.analysis.network import Analysis
from lightdesign.core import format as fmt
from lightdesign.jobs.messages import ExportResult, ModelFormat
from lightdesign.ui import icons
from lightdesign.ui.i18n import t
from lightdesign.ui.markup import md

DOWNLOAD = "download_mcu_bundle"


def bundle(out: ExportResult, stem: str, read: Callable[[str], bytes | None]) -> None:
    """The "Microcontroller bundle" download (a .zip the Export job made), or why there is none;
    ``read`` gives a file's bytes when it may be offered (the Export page's rule)."""
    st.markdown(t("mcu.head"))
    entry = out.bundle
    if entry is None or entry.error or not entry.path:
        st.caption(t("mcu.none", why=entry.error if entry is not None and entry.error else t("mcu.not_made")))
        return
    data = read(entry.path)
    if data is None:
        st.caption(t("mcu.none", why=t("mcu.not_made")))
        return
    st.download_button(
        t("mcu.download"),
        data,
        file_name=f"{stem}_mcu.zip",
        mime="application/zip",
        key=DOWNLOAD,
        help=t("mcu.download.help"),
    )
    st.caption(t("mcu.contents", size=fmt.size(len(data))))


def operator_rows(checked: support.OperatorCheck) -> list[dict[str, str]]:
    """Each operator in either list: whether it was predicted and whether the file has it."""
    every = sorted(set(checked.predicted) | set(checked.found))
    return [
        {
            t("mcu.col.operator"): op,
            t("mcu.col.predicted"): t("yes") if op in checked.predicted else t("no"),
            t("mcu.col.found"): t("yes") if op in checked.found else t("no"),
        }
        for op in every
    ]


def operators(out: ExportResult, result: Analysis) -> None:
    """The converted file's operators against the prediction, agreement stated."""
    st.markdown(t("mcu.ops_head"))
    if not out.operators:
        st.caption(t("mcu.ops_none"))
        return
    checked = support.check_converted(result, out.operators)
    if checked.agrees:
        st.success(t("mcu.ops_agree", count=len(checked.found)), icon=icons.OK)
    else:
        missing = ", ".join(sorted(set(checked.predicted) - set(checked.found))) or "—"
        extra = ", ".join(sorted(set(checked.found) - set(checked.predicted))) or "—"
        st.warning(md(t("mcu.ops_disagree", missing=missing, extra=extra)), icon=icons.WARNING)
    st.dataframe(operator_rows(checked), hide_index=True, key="mcu_operators")


def measured_fit(out: ExportResult, result: Analysis) -> None:
    """The deployment's RAM and flash with the export's measurements in place of estimates."""
    if result.deployment is None:
        return
    int8 = out.files.get(ModelFormat.TFLITE_INT8)
    arena = out.arena
    measured = fit.Measured(
        flatbuffer=int8.bytes if int8 is not None and not int8.error else None,
        arena_head=arena.head if arena is not None and not arena.error and arena.head else None,
    )
    footprint = fit.footprint(result, measured)
    st.caption(t("mcu.measured_fit", ram=fmt.size(footprint.ram), flash=fmt.size(footprint.flash)))
