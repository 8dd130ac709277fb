"""Deployability check before any export: which layers TFLite's built-in operators or full
int8 quantization would not support, as each kind says (its ``tflite`` fact; the rules were
found by converting every registered kind with TensorFlow 2.21, and tests/keras/test_export.py
keeps them honest). A kind that does not say is reported as not known, never as supported.

``operator_support`` goes one level down: the TFLite operators each layer becomes (the
lowering, ``analysis.deployment``), each checked against TFLite's builtin operators and the
kernels TFLite Micro has (``analysis.tflite_operators``, read from the installed
``tflite-micro`` package), with the kind's ``alternative`` where it names one."""

from __future__ import annotations

from dataclasses import dataclass

from lightdesign.analysis import tflite_operators
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


# Types a TFLite Micro kernel refuses although the operator has a kernel (TFLite Micro's select.cc:
# "Does not support type other than int8|int16|float32"; found running the TextCNN preset's int8
# file in the tflite-micro interpreter, which tests/keras/test_mcu_bundle.py keeps checking).
MICRO_TYPES: dict[str, frozenset[str]] = {"SELECT_V2": frozenset({"int8", "int16", "float32"})}


def _micro_runs(op) -> bool:
    return op.kind in tflite_operators.MICRO and op.dtype in MICRO_TYPES.get(op.kind, {op.dtype})


@dataclass(frozen=True)
class LayerOperators:
    """The TFLite operators one layer becomes in the int8 model, and which of them TFLite's
    builtins (``not_builtin``) or TFLite Micro's kernels (``no_micro_kernel``; "SELECT_V2
    (int32)" where the kernel exists but not for that type) lack.
    ``alternative``: the catalogue key of what to use instead ('' where the kind names none)."""

    layer: str
    kind: str
    block: str
    operators: tuple[str, ...]  # in execution order, repeats removed; () where fused into another layer's
    not_builtin: tuple[str, ...]
    no_micro_kernel: tuple[str, ...]
    alternative: str = ""

    @property
    def ok(self) -> bool:
        return not self.not_builtin and not self.no_micro_kernel


def operator_support(result: Analysis) -> list[LayerOperators]:
    """Every layer with the TFLite operators the converter makes of it, checked against
    TFLite's builtins and TFLite Micro's kernels."""
    blocks = {b.index: b.name for b in result.blocks}
    nodes = {n.name: n for n in result.graph.nodes}
    emitted: dict[str, list[str]] = {}
    missing: dict[str, list[str]] = {}
    for op in result.deployment.ops:
        kinds = emitted.setdefault(op.layer, [])
        if op.kind not in kinds:
            kinds.append(op.kind)
        absent = missing.setdefault(op.layer, [])
        name = op.kind if op.kind not in tflite_operators.MICRO else f"{op.kind} ({op.dtype})"
        if not _micro_runs(op) and name not in absent:
            absent.append(name)
    out = []
    for row in result.rows[1:]:
        ops = tuple(emitted.get(row.name, ()))
        support = nodes[row.name].layer.tflite
        out.append(
            LayerOperators(
                layer=row.name,
                kind=row.kind,
                block=blocks.get(row.block, ""),
                operators=ops,
                not_builtin=tuple(op for op in ops if op not in tflite_operators.BUILTIN),
                no_micro_kernel=tuple(missing.get(row.name, ())),
                alternative=support.alternative if support is not None else "",
            )
        )
    return out


def unsupported_operators(result: Analysis) -> list[LayerOperators]:
    """The layers whose operators TFLite's builtins or TFLite Micro's kernels lack."""
    return [layer for layer in operator_support(result) if not layer.ok]


@dataclass(frozen=True)
class OperatorCheck:
    """The operators a converted file holds against those the lowering predicted."""

    predicted: tuple[str, ...]
    found: tuple[str, ...]

    @property
    def agrees(self) -> bool:
        return set(self.predicted) == set(self.found)


def check_converted(result: Analysis, found: tuple[str, ...] | list[str]) -> OperatorCheck:
    """The converted int8 file's operators (an export's ``ExportResult.operators``) against
    the prediction."""
    predicted = tuple(sorted({op.kind for op in result.deployment.ops}))
    return OperatorCheck(predicted, tuple(sorted(set(found))))
