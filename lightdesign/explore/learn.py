"""The formulas the Learn page teaches, as plain functions (so they can be tested against
the analysis that the rest of the app uses).

Where the page shows a network's figures (recurrent and dense calculators, the seed CNN's
head, the RNN against its Conv1D alternative) they come from ``analysis.analyze`` of a
small design, the function every other page uses; the closed-form formulas beside them
are the textbook's, and the tests check that both agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lightdesign.analysis import metrics, support
from lightdesign.analysis.network import Analysis, analyze
from lightdesign.core import presets
from lightdesign.core.design import Design, new_block
from lightdesign.data import sources
from lightdesign.explore import suggestions


def conv_output_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """floor((H + 2P - K) / S) + 1."""
    return (size + 2 * padding - kernel) // stride + 1


def conv_cost(size: int, kernel: int, stride: int, padding: int, c_in: int, c_out: int) -> dict[str, int]:
    """Output size, weights and MACs of a standard convolution with bias."""
    out = conv_output_size(size, kernel, stride, padding)
    return {
        "output": out,
        "params": kernel * kernel * c_in * c_out + c_out,
        "macs": max(out, 0) ** 2 * kernel * kernel * c_in * c_out,
    }


def separable_cost(size: int, kernel: int, c_in: int, c_out: int) -> dict[str, float]:
    """MACs of a standard and of a depthwise-separable convolution ('same', stride 1) and
    their ratio, which the MobileNet paper writes as 1/N + 1/Dk^2."""
    standard = size * size * kernel * kernel * c_in * c_out
    separable = size * size * kernel * kernel * c_in + size * size * c_in * c_out
    return {
        "standard": standard,
        "separable": separable,
        "ratio": separable / standard,
        "formula": 1 / c_out + 1 / (kernel * kernel),
    }


ACTIVATIONS = {
    "sigmoid": (lambda x: 1 / (1 + np.exp(-x)), r"\sigma(x) = \frac{1}{1 + e^{-x}}"),
    "tanh": (np.tanh, r"\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}"),
    "relu": (lambda x: np.maximum(x, 0), r"\mathrm{ReLU}(x) = \max(0, x)"),
    "relu6": (lambda x: np.clip(x, 0, 6), r"\mathrm{ReLU6}(x) = \min(\max(0, x), 6)"),
    "hard_sigmoid": (
        lambda x: np.clip(x + 3, 0, 6) / 6,
        r"\mathrm{h\text{-}sigmoid}(x) = \frac{\mathrm{ReLU6}(x + 3)}{6}",
    ),
    "swish": (lambda x: x / (1 + np.exp(-x)), r"\mathrm{swish}(x) = x \cdot \sigma(x)"),
    "hard_swish": (
        lambda x: x * np.clip(x + 3, 0, 6) / 6,
        r"\mathrm{h\text{-}swish}(x) = x \cdot \frac{\mathrm{ReLU6}(x + 3)}{6}",
    ),
}


def pool(matrix: np.ndarray, size: int, stride: int, kind: str) -> np.ndarray:
    """Max or average pooling of a 2-D matrix ('valid' windows)."""
    rows = (matrix.shape[0] - size) // stride + 1
    cols = (matrix.shape[1] - size) // stride + 1
    out = np.empty((max(rows, 0), max(cols, 0)))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            window = matrix[i * stride : i * stride + size, j * stride : j * stride + size]
            out[i, j] = window.max() if kind == "max" else window.mean()
    return out


# -- recurrent layers ------------------------------------------------------------------

RECURRENT_KINDS = ("SimpleRNN", "LSTM", "GRU")
# Weight matrices per direction: SimpleRNN one, LSTM four (input, forget, cell, output
# gates), GRU three (update, reset, candidate).
GATES = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}
# Bias vectors per gate: Keras's GRU (reset_after=True, the cuDNN-compatible default)
# keeps one bias for the input product and one for the recurrent product.
BIASES_PER_GATE = {"SimpleRNN": 1, "LSTM": 1, "GRU": 2}


def recurrent_formula(kind: str, steps: int, features: int, units: int, bidirectional: bool = False) -> dict[str, int]:
    """Params and MACs by the textbook formula: per direction g * (h*(h + d) + b*h) params and
    T * g * h * (h + d) MACs, with g gates and b bias vectors per gate."""
    gates, biases, directions = GATES[kind], BIASES_PER_GATE[kind], 2 if bidirectional else 1
    return {
        "params": directions * gates * (units * (units + features) + biases * units),
        "macs": directions * steps * gates * units * (units + features),
    }


def recurrent_cost(kind: str, steps: int, features: int, units: int, bidirectional: bool = False) -> dict[str, Any]:
    """The analysis's figures for one recurrent layer reading a (T, d) sequence: the same
    ``analyze`` that the Design page runs, on a one-layer design."""
    layer = new_block(kind, "rnn", units=units, bidirectional=bidirectional)
    result = analyze(Design("recurrent", (steps, features), 2, [layer]))
    row = result.rows[-1]
    return {
        "params": row.params,
        "macs": row.macs,
        "flops": row.flops,
        "output": row.shape,
        metrics.WEIGHTS_INT8.key: metrics.WEIGHTS_INT8.read(result),
        metrics.WEIGHTS_FP32.key: metrics.WEIGHTS_FP32.read(result),
    }


def recurrent_sweep(kind: str, features: int, units: list[int], steps: list[int], bidirectional: bool = False):
    """MACs for every (h, T) of a grid, from ``recurrent_cost``: {h: [MACs at each T]}."""
    return {h: [recurrent_cost(kind, t, features, h, bidirectional)["macs"] for t in steps] for h in units}


@dataclass(frozen=True)
class Comparison:
    """Two designs for the same task side by side, with what blocks their int8 export."""

    name: str
    result: Analysis
    int8_blockers: list[support.Finding]

    @property
    def int8_ok(self) -> bool:
        return not self.int8_blockers


def rnn_against_conv1d(sequence_length: int = 100, classes: int = 2) -> tuple[Comparison, Comparison]:
    """The text RNN preset and its Conv1D alternative, analysed and checked for int8."""
    out = []
    for name in ("text_rnn", "text_cnn"):
        result = analyze(presets.build(name, resolution=sequence_length, classes=classes))
        out.append(Comparison(name, result, [f for f in support.check(result) if not f.int8_ok]))
    return out[0], out[1]


# -- dense layers ----------------------------------------------------------------------


def dense_formula(fan_in: int, units: int, use_bias: bool = True) -> dict[str, int]:
    """A fully connected layer on a vector: d*u weights + u biases, d*u MACs."""
    return {"params": fan_in * units + (units if use_bias else 0), "macs": fan_in * units}


def dense_cost(fan_in: int, units: int, use_bias: bool = True) -> dict[str, int]:
    """The analysis's figures for one Dense layer on a vector of ``fan_in`` values."""
    layer = new_block("Dense", "dense", units=units, use_bias=use_bias, activation="linear")
    row = analyze(Design("dense", (fan_in,), units, [layer])).rows[-1]
    return {"params": row.params, "macs": row.macs}


@dataclass(frozen=True)
class HeadLesson:
    """The seed CNN's Flatten + Dense head, and the same network with a global-pooling head."""

    before: Analysis
    after: Analysis
    dense_params: int  # the Dense layer right after Flatten
    design: Design  # the network with the suggestion applied

    @property
    def dense_share(self) -> float:
        return self.dense_params / self.before.params

    @property
    def params_saved(self) -> int:
        return self.before.params - self.after.params

    @property
    def macs_saved(self) -> int:
        return self.before.macs - self.after.macs


HEAD_RULE = "global_pool"


def seed_cnn_head(resolution: int = 28, classes: int = 10) -> HeadLesson:
    """The article's CNN, its Flatten + Dense(128) share of the parameters, and the
    global-pooling head suggestion (the Design page's) applied to it."""
    design = presets.build("seed_cnn", resolution=resolution, classes=classes)
    before = analyze(design)
    flatten = next(i for i, b in enumerate(design.blocks) if b.kind == "Flatten")
    dense_block = flatten + 1
    dense_params = sum(b.params for b in before.blocks if b.index == dense_block)
    suggestion = next(s for s in suggestions.suggest(design) if s.rule == HEAD_RULE)
    after_design = suggestions.substitute(design, HEAD_RULE, suggestion.block_ids)
    after_design.name = "seed_cnn_global_pool"
    return HeadLesson(before, analyze(after_design), dense_params, after_design)


# -- quantization ------------------------------------------------------------------------

QMIN, QMAX = -128, 127
SCHEMES = ("per_tensor_affine", "per_tensor_symmetric", "per_channel_symmetric")


@dataclass
class Quantized:
    """int8 values of a weight tensor (output channels on axis 0), their scales and zero
    points (one per tensor, or one per channel), the values they stand for and the error."""

    weights: np.ndarray
    q: np.ndarray
    scale: np.ndarray  # shape (channels, 1) or (1, 1)
    zero_point: np.ndarray
    dequantized: np.ndarray = field(init=False)
    error: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.dequantized = self.scale * (self.q.astype(np.float64) - self.zero_point)
        self.error = self.weights - self.dequantized

    @property
    def max_error(self) -> float:
        return float(np.abs(self.error).max())

    @property
    def rms_error(self) -> float:
        return float(np.sqrt(np.mean(self.error**2)))


def quantize(weights: np.ndarray, scheme: str = "per_channel_symmetric") -> Quantized:
    """int8 quantization as TensorFlow Lite does it:

    - ``per_tensor_affine``: x = s (q - z), s = (max - min) / 255 over a range that
      includes 0, z = round(-128 - min / s); what TFLite uses for activations;
    - ``per_tensor_symmetric``: z = 0, s = max|x| / 127;
    - ``per_channel_symmetric``: z = 0 and one s = max|x_c| / 127 per output channel; what
      TFLite uses for convolution and dense weights.

    q = clamp(round(x / s) + z, -128, 127).
    """
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 2:
        raise ValueError(f"expected a 2-D weight matrix (channels, values); got shape {w.shape}")
    if scheme == "per_tensor_affine":
        low, high = min(float(w.min()), 0.0), max(float(w.max()), 0.0)
        scale = np.full((1, 1), (high - low) / (QMAX - QMIN) or 1.0)
        zero = np.clip(np.round(QMIN - low / scale), QMIN, QMAX)
    elif scheme == "per_tensor_symmetric":
        scale = np.full((1, 1), float(np.abs(w).max()) / QMAX or 1.0)
        zero = np.zeros((1, 1))
    elif scheme == "per_channel_symmetric":
        scale = np.abs(w).max(axis=1, keepdims=True) / QMAX
        scale[scale == 0] = 1.0
        zero = np.zeros_like(scale)
    else:
        raise ValueError(f"unknown scheme {scheme!r}; valid schemes: {', '.join(SCHEMES)}")
    q = np.clip(np.round(w / scale) + zero, QMIN, QMAX).astype(np.int8)
    return Quantized(w, q, scale, zero)


def example_weights(seed: int = 0, channels: int = 4, values: int = 6) -> np.ndarray:
    """A small weight matrix whose output channels have very different ranges (as trained
    depthwise kernels do), so that per-channel scales visibly help."""
    rng = np.random.default_rng(seed)
    spread = np.geomspace(0.02, 1.0, channels)[:, None]
    return np.round(rng.normal(0.0, 1.0, (channels, values)) * spread, 4)


# -- where lightweight networks are used ----------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """An application of the article's section 6: a preset and the built-in dataset that
    trains it, chosen together by one click."""

    key: str
    domain: str  # image, text or audio
    preset: str
    dataset: str
    options: dict = field(default_factory=dict)

    def design(self) -> Design:
        return presets.build(self.preset, **self.options)

    @property
    def source(self) -> sources.Source:
        return sources.BUILTIN[self.dataset][0]


SCENARIOS = (
    Scenario("digits", "image", "seed_cnn", "digits28"),
    Scenario("shapes", "image", "seed_cnn", "shapes", {"resolution": 32, "classes": 4}),
    Scenario("text", "text", "text_rnn", "tokens"),
    Scenario("text_conv", "text", "text_cnn", "tokens"),
    Scenario("audio", "audio", "wave_cnn", "waves"),
)


@dataclass(frozen=True)
class EqualMacs:
    """Two preset variants of (nearly) equal MACs and their predicted latencies on this
    machine (None where not calibrated): the Learn page's "MACs are not latency"."""

    first: Analysis
    second: Analysis

    @property
    def macs_ratio(self) -> float:
        return self.second.macs / self.first.macs

    @property
    def latency_ratio(self) -> float | None:
        """The second's predicted float32 latency over the first's (None: not predicted)."""
        a, b = (metrics.PREDICTED_FP32.read(r) for r in (self.first, self.second))
        return b / a if a and b else None


# Known to differ in speed at equal MACs: many thin depthwise layers against few wide
# convolutions (ShuffleNetV2's guideline 1 and the MobileNets' depthwise cost per MAC).
EQUAL_MACS_PAIRS = (("mobilenet_v2", "squeezenet_1_1"), ("mobilenet_v1", "shufflenet_v2"))


def equal_macs(first: str = "mobilenet_v2", second: str = "squeezenet_1_1", resolution: int = 224) -> EqualMacs:
    """``first`` at ``resolution`` and ``second`` at the resolution (a multiple of 8, found by
    bisection: MACs grow with the resolution) whose MACs come closest to it."""
    from lightdesign.explore import scaling

    one = analyze(presets.build(first, resolution=resolution))
    base = presets.build(second)
    low, high = 4, 64  # sides 32 to 512, in eighths
    while high - low > 1:
        middle = (low + high) // 2
        if analyze(scaling.with_resolution(base, 8 * middle)).macs < one.macs:
            low = middle
        else:
            high = middle
    near = [analyze(scaling.with_resolution(base, 8 * side)) for side in (low, high)]
    return EqualMacs(one, min(near, key=lambda r: abs(r.macs - one.macs)))
