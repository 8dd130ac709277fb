"""Operator support on the block: the layers of a block whose TFLite operators TFLite's
builtins or TFLite Micro's int8 kernels lack (``analysis.support``), as a badge on the canvas
and a note in the inspector, each with the alternative where the kind names one."""

from __future__ import annotations

import streamlit as st

from lightdesign.analysis import support
from lightdesign.analysis.network import Analysis
from lightdesign.analysis.support import LayerOperators
from lightdesign.ui import icons
from lightdesign.ui.i18n import t
from lightdesign.ui.markup import md

TONE = "unsupported"  # the canvas badge's style (canvas_frontend/src/canvas.css)


def by_block(result: Analysis) -> dict[int, list[LayerOperators]]:
    """Block index -> its layers that TFLite or TFLite Micro cannot run in int8."""
    if result.deployment is None:
        return {}
    index = {row.name: row.index for row in result.blocks}
    found: dict[int, list[LayerOperators]] = {}
    for layer in support.unsupported_operators(result):
        if layer.block in index:
            found.setdefault(index[layer.block], []).append(layer)
    return found


def lines(layers: list[LayerOperators]) -> list[str]:
    """Per layer: what is missing, and what to use instead (plain text)."""
    out = []
    for layer in layers:
        missing = []
        if layer.not_builtin:
            missing.append(t("ops.not_builtin", ops=", ".join(layer.not_builtin)))
        if layer.no_micro_kernel:
            missing.append(t("ops.no_micro_kernel", ops=", ".join(layer.no_micro_kernel)))
        text = f"{layer.layer} ({layer.kind}): " + "; ".join(missing)
        if layer.alternative:
            text += " — " + t("ops.alternative", alternative=t(layer.alternative))
        out.append(text)
    return out


def badge(layers: list[LayerOperators]) -> dict[str, str]:
    """The canvas badge of a block with such layers: short text, the details on hover."""
    return {"text": t("ops.badge"), "title": "\n".join(lines(layers)), "tone": TONE}


def inspector_note(result: Analysis, index: int) -> None:
    """The inspector's note for block ``index`` (nothing when TFLite Micro runs it all)."""
    layers = by_block(result).get(index)
    if layers:
        st.warning(
            md(t("ops.block_head")) + "\n\n" + "\n".join(f"- {md(line)}" for line in lines(layers)),
            icon=icons.WARNING,
        )
