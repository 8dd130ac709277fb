"""Deployability check before any export: which layers TFLite's built-in operators or full
int8 quantization would not support, as each kind says (its ``tflite`` fact; the rules were
found by converting every registered kind with TensorFlow 2.21, and tests/keras/test_export.py
keeps them honest). A kind that does not say is reported as not known, never as supported."""

from __future__ import annotations

from dataclasses import dataclass

from lightdesign.analysis.network import Analysis
from lightdesign.catalog import CATALOG

UNKNOWN = "deploy.why.unknown"


@dataclass(frozen=True)
class Finding:
    layer: str
    kind: str
    block: str
    builtin_ok: bool
    int8_ok: bool
    reason: str  # the catalogue key of why

    @property
    def why(self) -> str:
        return CATALOG[self.reason]["en"]


def check(result: Analysis) -> list[Finding]:
    """Layers that would not export to a TFLite model of built-in int8 operators."""
    blocks = {b.index: b.name for b in result.blocks}
    nodes = {n.name: n for n in result.graph.nodes}
    findings = []
    for row in result.rows[1:]:
        support = nodes[row.name].layer.tflite
        block = blocks.get(row.block, "")
        if support is None:
            findings.append(Finding(row.name, row.kind, block, False, False, UNKNOWN))
        elif not (support.builtin and support.int8):
            findings.append(Finding(row.name, row.kind, block, support.builtin, support.int8, support.reason))
    return findings
