"""Every figure the app shows, defined once: its key (used in JSON, budgets, compare,
scaling points, run records and the CLI), the catalogue key of its label, its unit, how
to read it from an analysis and how to format it.

Figures that come from an analysis are listed in ``ANALYSIS``; figures measured by a
training run or an export job (accuracy, latency) in ``MEASURED``. Everything else in the
code reads figures through these definitions rather than spelling the keys again
(``tests/unit/test_metrics.py`` fails on an analysis figure read anywhere else).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from lightdesign.core import format as fmt

if TYPE_CHECKING:
    from lightdesign.analysis.network import Analysis

# Forward + backward pass of one training sample costs about three inference passes
# (the backward pass computes gradients for both activations and weights).
TRAINING_FLOPS_FACTOR = 3


class Unit(StrEnum):
    COUNT = "count"
    BYTES = "bytes"
    PERCENT = "percent"
    MS = "ms"


class Better(StrEnum):
    LOW = "low"
    HIGH = "high"


@dataclass(frozen=True)
class Metric:
    """One figure. ``read`` takes an Analysis (analysis figures) or a dict of measured
    values (measured figures) and returns the raw number, or None where unknown."""

    key: str
    label_key: str  # catalogue key of the label (the UI's catalogue)
    label: str  # English label, for the CLI and logs
    unit: Unit
    read: Callable[[Any], float | int | None]
    better: Better = Better.LOW

    def value(self, source: Any) -> float | int | None:
        return self.read(source)

    def show(self, value: float | None) -> str:
        """The value formatted for people ('3.54 M', '13.5 MB', '91.2%', '1.25 ms')."""
        if value is None:
            return "–"
        if self.unit is Unit.COUNT:
            return fmt.count(value)
        if self.unit is Unit.BYTES:
            return fmt.size(value)
        if self.unit is Unit.PERCENT:
            return f"{value:.1%}"
        return f"{value:.2f} ms"


def _training(result: Analysis) -> int | None:
    return result.training.total if result.training else None


PARAMS = Metric("params", "costs.params", "Params", Unit.COUNT, lambda r: r.params)
TRAINABLE = Metric("trainable_params", "costs.trainable", "Trainable params", Unit.COUNT, lambda r: r.trainable)
NON_TRAINABLE = Metric(
    "non_trainable_params", "costs.non_trainable", "Non-trainable params", Unit.COUNT, lambda r: r.non_trainable
)
MACS = Metric("macs", "costs.macs", "MACs", Unit.COUNT, lambda r: r.macs)
FLOPS = Metric("flops", "costs.flops", "FLOPs", Unit.COUNT, lambda r: r.flops)
WEIGHTS_FP32 = Metric("weights_fp32_bytes", "costs.fp32", "Weights fp32", Unit.BYTES, lambda r: r.weight_bytes["fp32"])
WEIGHTS_FP16 = Metric(
    "weights_fp16_bytes", "metric.weights_fp16", "Weights fp16", Unit.BYTES, lambda r: r.weight_bytes["fp16"]
)
WEIGHTS_INT8 = Metric(
    "weights_int8_bytes", "costs.int8", "Weights int8 (flash)", Unit.BYTES, lambda r: r.weight_bytes["int8"]
)
PEAK = Metric(
    "peak_activation_bytes", "costs.peak", "Peak activations (RAM)", Unit.BYTES, lambda r: r.peak_activation_bytes
)
PEAK_INT8 = Metric(
    "peak_activation_bytes_int8",
    "metric.peak_int8",
    "Peak activations int8 (TFLite Micro arena)",
    Unit.BYTES,
    lambda r: r.peak_activation_bytes_int8,
)
PEAK_INT8_IN_PLACE = Metric(
    "peak_activation_bytes_int8_in_place",
    "metric.peak_int8_in_place",
    "Peak activations int8, in-place depthwise (engine-dependent)",
    Unit.BYTES,
    lambda r: r.peak_activation_bytes_int8_in_place,
)
TRAINING = Metric("training_bytes", "metric.training", "Training memory", Unit.BYTES, _training)
# TensorFlow Lite on this machine's CPU, one thread, as ``analysis.latency`` predicts it (None:
# not calibrated or not known, and ``Analysis.latency`` says why).
PREDICTED_FP32 = Metric(
    "predicted_latency_fp32_ms",
    "metric.predicted_fp32",
    "Predicted latency fp32",
    Unit.MS,
    lambda r: r.latency.fp32_ms if r.latency else None,
)
PREDICTED_INT8 = Metric(
    "predicted_latency_int8_ms",
    "metric.predicted_int8",
    "Predicted latency int8",
    Unit.MS,
    lambda r: r.latency.int8_ms if r.latency else None,
)

ANALYSIS = (
    PARAMS,
    TRAINABLE,
    NON_TRAINABLE,
    MACS,
    FLOPS,
    WEIGHTS_FP32,
    WEIGHTS_FP16,
    WEIGHTS_INT8,
    PEAK,
    PEAK_INT8,
    PEAK_INT8_IN_PLACE,
    TRAINING,
    PREDICTED_FP32,
    PREDICTED_INT8,
)

# Measured by jobs. ``read`` takes a dict holding a run record's ``test_accuracy`` and the
# export job's latency figures (``keras_ms``, ``tflite_int8_ms``), as ``measured`` builds it.
ACCURACY = Metric(
    "test_accuracy", "metric.accuracy", "Last accuracy", Unit.PERCENT, lambda m: m.get("test_accuracy"), Better.HIGH
)
LATENCY_KERAS = Metric(
    "latency_keras_ms", "metric.latency_keras", "Latency, Keras (CPU)", Unit.MS, lambda m: m.get("keras_ms")
)
LATENCY_TFLITE = Metric(
    "latency_tflite_int8_ms",
    "metric.latency_tflite",
    "Latency, TFLite int8 (CPU)",
    Unit.MS,
    lambda m: m.get("tflite_int8_ms"),
)
MEASURED = (ACCURACY, LATENCY_KERAS, LATENCY_TFLITE)

BY_KEY: dict[str, Metric] = {m.key: m for m in (*ANALYSIS, *MEASURED)}


def get(key: str) -> Metric:
    """The metric called ``key``; KeyError naming the valid keys otherwise."""
    try:
        return BY_KEY[key]
    except KeyError:
        raise KeyError(f"unknown metric {key!r}; valid: {', '.join(BY_KEY)}") from None


def summary(result: Analysis) -> dict[str, int | float | None]:
    """Every analysis figure of one design, by metric key (JSON output, run records,
    compare rows, scaling points)."""
    return {m.key: m.read(result) for m in ANALYSIS}


def measured(runs: list[dict] | None = None, latency: dict | None = None) -> dict[str, float | None]:
    """The measured figures of one design, by metric key: the accuracy of its last run
    record and the latency its last export measured (None where unknown)."""
    source = {**(latency or {}), "test_accuracy": runs[-1].get("test_accuracy") if runs else None}
    return {m.key: m.read(source) for m in MEASURED}


# Keys that older run records used for a figure, by today's metric key.
_RECORD_ALIASES = {WEIGHTS_INT8.key: ("int8_bytes",)}


def from_record(record: dict) -> dict[str, float | int | None]:
    """The figures a run record carries (``metrics.summary`` of the design it trained,
    plus its test accuracy), by metric key; records written before the figures were
    keyed by metric read through their old key."""
    figures: dict[str, float | int | None] = {}
    for metric in (*ANALYSIS, ACCURACY):
        value = record.get(metric.key)
        for old in _RECORD_ALIASES.get(metric.key, ()):
            value = record.get(old) if value is None else value
        figures[metric.key] = value
    return figures


def share(part: float, total: float) -> float:
    """``part`` as a percentage of ``total`` (0 when the total is 0): the MAC and
    parameter shares of the per-block tables."""
    return 100 * part / total if total else 0.0


def training_flops(flops: float, samples: float) -> float:
    """FLOPs to train on ``samples`` samples once (forward and backward), given the
    inference FLOPs of one sample (``FLOPS.read(result)`` or a run record's ``flops``)."""
    return TRAINING_FLOPS_FACTOR * flops * samples
