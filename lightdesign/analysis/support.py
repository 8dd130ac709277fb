"""Deployability check before any export: which layers TFLite's built-in operators or
full int8 quantization would not support. The rules were found by converting every
registered kind with TensorFlow 2.21 (tests/keras/test_export.py keeps them honest)."""

from __future__ import annotations

from dataclasses import dataclass

from lightdesign.analysis.network import Analysis

_RECURRENT = {"SimpleRNN", "LSTM", "GRU"}
_RECURRENT_WHY = (
    "Keras recurrent layers convert to a TensorFlow while-loop over tensor lists, which TFLite's "
    "built-in operators cannot run: the float model needs the Select TF ops (Flex) delegate, which "
    "microcontrollers lack, and int8 quantization is not possible"
)


@dataclass(frozen=True)
class Finding:
    layer: str
    kind: str
    block: str
    builtin_ok: bool
    int8_ok: bool
    why: str


def check(result: Analysis) -> list[Finding]:
    """Layers that would not export to a TFLite model of built-in int8 operators."""
    blocks = {b.index: b.name for b in result.blocks}
    findings = []
    for row in result.rows[1:]:
        if row.kind in _RECURRENT:
            findings.append(Finding(row.name, row.kind, blocks.get(row.block, ""), False, False, _RECURRENT_WHY))
    return findings
