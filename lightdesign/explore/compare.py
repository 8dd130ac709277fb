"""Comparing designs: a metrics table with ratios and the best value per row, the Pareto
front of accuracy against cost, and an architecture diff. Pure Python."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from lightdesign.analysis import metrics
from lightdesign.analysis.metrics import Metric
from lightdesign.analysis.network import Analysis
from lightdesign.core import format as fmt
from lightdesign.core.design import Design

# The rows of the comparison table, in order (all of them metrics.Metric).
METRICS: tuple[Metric, ...] = (
    metrics.PARAMS,
    metrics.MACS,
    metrics.FLOPS,
    metrics.WEIGHTS_FP32,
    metrics.WEIGHTS_INT8,
    metrics.PEAK,
    metrics.PEAK_INT8,
    metrics.TRAINING,
    metrics.PREDICTED_FP32,
    metrics.PREDICTED_INT8,
    *metrics.MEASURED,
)
METRIC_BY_KEY = {m.key: m for m in METRICS}


def summarize(result: Analysis, runs: list[dict] | None = None, measured: dict | None = None) -> dict[str, Any]:
    """The figures of one design by metric key (None where unknown): ``metrics.summary``
    of its analysis, the accuracy of its last run and the latency its export measured."""
    return {**metrics.summary(result), **metrics.measured(runs, measured)}


@dataclass
class Row:
    metric: Metric
    values: list[float | None]
    ratios: list[float | None]  # value / first design's value
    best: int | None  # index of the best value


def comparison(summaries: list[dict[str, Any]]) -> list[Row]:
    """One row per metric with each design's value, its ratio to the first, and the best."""
    rows = []
    for metric in METRICS:
        values = [s.get(metric.key) for s in summaries]
        first = values[0]
        ratios = [v / first if v is not None and first else None for v in values]
        known = [(v, i) for i, v in enumerate(values) if v is not None]
        best = None
        if len(known) > 1 and len({v for v, _ in known}) > 1:
            best = (min(known) if metric.better is metrics.Better.LOW else max(known))[1]
        rows.append(Row(metric, values, ratios, best))
    return rows


def pareto_front(points: list[tuple[float, float]]) -> list[int]:
    """Indices of the points no other point beats (lower x and higher y), by rising x."""
    order = sorted(range(len(points)), key=lambda i: (points[i][0], -points[i][1]))
    front, best_y = [], float("-inf")
    for i in order:
        if points[i][1] > best_y:
            front.append(i)
            best_y = points[i][1]
    return front


@dataclass(frozen=True)
class Change:
    kind: str  # "added", "removed", "changed"
    block: str
    detail: str

    @property
    def text(self) -> str:
        sign = {"added": "+", "removed": "−", "changed": "~"}[self.kind]
        return f"{sign} {self.block}: {self.detail}"


def _describe(block) -> str:
    return f"{block.kind}({', '.join(f'{k}={v!r}' for k, v in block.params.items())})"


def _field_changes(a, b) -> str:
    parts = []
    if a.kind != b.kind:
        parts.append(f"kind {a.kind} → {b.kind}")
    for key in sorted(set(a.params) | set(b.params)):
        if a.params.get(key) != b.params.get(key):
            parts.append(f"{key} {a.params.get(key)!r} → {b.params.get(key)!r}")
    if a.input != b.input:
        parts.append(f"input {a.input or 'previous'} → {b.input or 'previous'}")
    if a.name != b.name:
        parts.insert(0, f"renamed to {b.name}")
    return ", ".join(parts)


def diff(a: Design, b: Design) -> list[Change]:
    """Blocks added, removed or changed from design ``a`` to design ``b``."""
    changes: list[Change] = []
    if tuple(a.input_shape) != tuple(b.input_shape):
        changes.append(Change("changed", "input", f"shape {fmt.shape(a.input_shape)} → {fmt.shape(b.input_shape)}"))
    if a.num_classes != b.num_classes:
        changes.append(Change("changed", "classes", f"{a.num_classes} → {b.num_classes}"))
    keys_a = [(blk.kind, blk.name) for blk in a.blocks]
    keys_b = [(blk.kind, blk.name) for blk in b.blocks]
    matcher = difflib.SequenceMatcher(a=keys_a, b=keys_b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for old, new in zip(a.blocks[i1:i2], b.blocks[j1:j2], strict=True):
                detail = _field_changes(old, new)
                if detail:
                    changes.append(Change("changed", old.name, detail))
            continue
        old_blocks, new_blocks = a.blocks[i1:i2], b.blocks[j1:j2]
        paired = min(len(old_blocks), len(new_blocks)) if tag == "replace" else 0
        for old, new in zip(old_blocks[:paired], new_blocks[:paired], strict=True):
            if old.kind == new.kind:
                changes.append(Change("changed", old.name, _field_changes(old, new)))
            else:
                changes.append(Change("removed", old.name, _describe(old)))
                changes.append(Change("added", new.name, _describe(new)))
        changes += [Change("removed", old.name, _describe(old)) for old in old_blocks[paired:]]
        changes += [Change("added", new.name, _describe(new)) for new in new_blocks[paired:]]
    return changes
