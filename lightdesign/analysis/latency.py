"""Predicted latency: how long TensorFlow Lite takes to run a design on this machine's CPU,
float32 and fully quantized int8, with its default delegate (XNNPACK), batch 1.

The model (nn-Meter's): the converted model is the sequence of operations the TFLite
converter makes of the layers (``analysis.lowering``, the same lowering as the TFLite
Micro plan: BatchNormalization, ReLU and 'same' padding fused into the convolutions); each
operation is a kernel whose time a predictor fitted on micro-benchmarks of single
operations on this machine says (``analysis.latency_model``, calibrated by ``lightdesign
calibrate``); the design's latency is their sum plus the cost of one ``invoke()`` and of
the delegate's call into each further operation (about 0.04 us: a single operation timed
against an empty model, itself one operation, cannot show it, chains of tiny ones do). The
float32 and int8 graphs hold the same operations (checked against the converter); each
precision has its own predictors.

One effect single operations cannot show: timed alone and again, an operation finds its
weights in the cache; inside a model whose weights together outgrow the cache, each
operation reads them from memory again on every run. The calibration times chains of
1x1 convolutions with 1 to 64 MB of weights against their links timed alone, and keeps
the extra milliseconds per megabyte of weights as a curve of the model's total weight
bytes (``LatencyModel.streaming_ms_per_byte``); each kernel is charged its own weight
bytes at the rate of the whole model's total. On the calibration machine this took the
share of float32 designs predicted within ±10% from 57% to 75% (GhostNet and MobileNetV3
at width 1.5, 40-45 MB of float32 weights, ran 1.4-1.5x their kernels' sum).

What a kernel is
----------------
The operation, the element counts of the buffers it reads and writes, its fused
activation, and for the operations that compute over windows or matrices (convolutions,
dense layers, pooling, reductions, concatenation, padding, channel split and shuffle,
space-to-batch) the geometry its kind attached when it lowered itself. An operation that
needs a geometry and has none, an operation no predictor was fitted for, or a layer without
a known lowering makes the prediction ``None`` with a note saying why: never a guess.

Units: microseconds per kernel inside, milliseconds in the results.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from math import log2, prod

from lightdesign.analysis import latency_model
from lightdesign.analysis.deployment import Plan
from lightdesign.analysis.lowering import Geometry, Op
from lightdesign.catalog import CATALOG
from lightdesign.core.symbolic import Node

PRECISIONS = ("fp32", "int8")


@dataclass(frozen=True)
class Kernel:
    """One operation of the converted model as the latency model sees it."""

    op: str  # the TFLite builtin operator
    inputs: tuple[int, ...]  # elements of each activation buffer it reads (weights and constants not counted)
    outputs: tuple[int, ...]  # elements of each buffer it writes
    geometry: Geometry | None = None
    activation: str | None = None  # a fused ReLU or ReLU6
    padding: str = ""  # convolutions and pooling: 'same' or 'valid' as TFLite runs them


def image_shape(shape: tuple) -> tuple[int, int, int]:
    """(height, width, channels) of a geometry shape (a vector is one pixel)."""
    if len(shape) == 3:
        return shape
    if len(shape) == 2:
        return (1, *shape)
    return (1, 1, shape[-1])


def _convolution(k: Kernel) -> tuple[list[float], float]:
    g = k.geometry
    h, w, cin = image_shape(g.input)
    ho, wo, cout = image_shape(g.output)
    taps = g.kernel[0] * g.kernel[1]
    per_output = taps * cin // g.groups
    macs = g.batch * ho * wo * cout * per_output
    row = [h * w, cin, cout, taps, g.strides[0], g.groups, ho * wo, g.batch, per_output, cout * per_output, macs]
    return row + _elements(g), macs


def _elements(g: Geometry) -> list[float]:
    """The input's and the output's elements: whether a kernel's buffers outgrow a cache
    (a 1x1 convolution of 3 channels runs at 33 ps per multiply-add into an 11 MB output,
    106 into a 21 MB one) is a product of sizes, which trees on their logs see badly."""
    return [g.batch * prod(image_shape(g.input)), g.batch * prod(image_shape(g.output))]


def _depthwise(k: Kernel) -> tuple[list[float], float]:
    g = k.geometry
    h, w, cin = image_shape(g.input)
    ho, wo, cout = image_shape(g.output)
    taps = g.kernel[0] * g.kernel[1]
    macs = g.batch * ho * wo * cout * taps
    return [h * w, cin, cout // cin, taps, g.strides[0], ho * wo, g.batch, macs, *_elements(g)], macs


def _fully_connected(k: Kernel) -> tuple[list[float], float]:
    g = k.geometry
    rows, cin, cout = prod(g.input[:-1]), g.input[-1], g.output[-1]
    return [rows, cin, cout, rows * cin * cout], rows * cin * cout


def _pool(k: Kernel) -> tuple[list[float], float]:
    g = k.geometry
    h, w, c = image_shape(g.input)
    ho, wo, _ = image_shape(g.output)
    taps = g.kernel[0] * g.kernel[1]
    return [h * w, c, taps, g.strides[0], ho * wo, *_elements(g)], ho * wo * c * taps


def _reduce(k: Kernel) -> tuple[list[float], float]:
    g = k.geometry
    elements, channels = prod(g.input), g.input[-1]
    return [elements, channels, elements // channels], elements


def _channels(k: Kernel) -> tuple[list[float], float]:
    """Concatenation, split, pad, transpose and space-to-batch: copies whose speed depends on
    how many pixels and how many channels each copy moves."""
    g = k.geometry
    h, w, c = image_shape(g.input)
    moved = sum(k.inputs) + sum(k.outputs)
    return [sum(k.inputs), sum(k.outputs), h * w, c, len(k.inputs), len(k.outputs), g.groups], moved


def _pad(k: Kernel) -> tuple[list[float], float]:
    """A zero pad: a copy, row by row when it pads the columns (a row padded alone is one
    block), so how much each axis grows matters beside the sizes."""
    g = k.geometry
    h, w, c = image_shape(g.input)
    ho, wo, co = image_shape(g.output)
    moved = sum(k.inputs) + sum(k.outputs)
    return [sum(k.inputs), sum(k.outputs), h * w, w, c, ho - h, wo - w, co - c], moved


def _elementwise(k: Kernel) -> tuple[list[float], float]:
    moved = sum(k.inputs) + sum(k.outputs)
    return [max(k.outputs), min(k.inputs, default=0), len(k.inputs)], moved


# The feature function of each operation with a predictor, and whether it needs a geometry.
FEATURES = {
    "CONV_2D": (_convolution, True),
    "DEPTHWISE_CONV_2D": (_depthwise, True),
    "FULLY_CONNECTED": (_fully_connected, True),
    "MAX_POOL_2D": (_pool, True),
    "AVERAGE_POOL_2D": (_pool, True),
    "MEAN": (_reduce, True),
    "REDUCE_MAX": (_reduce, True),
    "CONCATENATION": (_channels, True),
    "SPLIT": (_channels, True),
    "PAD": (_pad, True),
    "TRANSPOSE": (_channels, True),
    "SPACE_TO_BATCH_ND": (_channels, True),
    "BATCH_TO_SPACE_ND": (_channels, True),
    "ADD": (_elementwise, False),
    "MUL": (_elementwise, False),
    "HARD_SWISH": (_elementwise, False),
    "LOGISTIC": (_elementwise, False),
    "TANH": (_elementwise, False),
    "RELU": (_elementwise, False),
    "RELU6": (_elementwise, False),
    "SOFTMAX": (_elementwise, False),
    "RESHAPE": (_elementwise, False),
    "EXPAND_DIMS": (_elementwise, False),
    # Flatten's and Reshape's run-time shape: small int32 operations outside the delegate
    "SHAPE": (_elementwise, False),
    "STRIDED_SLICE": (_elementwise, False),
    "PACK": (_elementwise, False),
}
ACTIVATION_CODES = {None: 0, "relu": 1, "relu6": 2}
# The delegate's matrix kernels compute output channels in tiles (XNNPACK's ``nr``: 16 or 32
# floats on AVX-512): a dense layer of 40 outputs runs at half the speed per multiply-add of
# one of 32 or 64. The channels short of a whole tile are a feature of their own.
TILES = (16, 32)
TILED = ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED")
WEIGHT_BYTES = {"fp32": 4, "int8": 1}  # bytes of one weight in each precision


@functools.lru_cache(maxsize=100_000)  # designs and their variants repeat most kernels
def features(kernel: Kernel) -> tuple[tuple[float, ...], float] | None:
    """The predictor's inputs for a kernel (log2 of the sizes, then the fused activation,
    then 1 for 'valid' padding of a window larger than 1x1, then for convolutions and dense
    layers the output channels short of a whole tile) and its work (multiply-adds, or
    elements moved), which the predicted time per unit of work multiplies; None when no
    predictor takes this operation or its geometry is missing."""
    entry = FEATURES.get(kernel.op)
    if entry is None or (entry[1] and kernel.geometry is None):
        return None
    raw, work = entry[0](kernel)
    window = kernel.geometry.kernel if kernel.geometry is not None else (1, 1)
    valid = kernel.padding == "valid" and window != (1, 1)  # a 1x1 window pads nothing either way
    codes = (ACTIVATION_CODES.get(kernel.activation, 0), int(valid))
    if kernel.op in TILED:
        outputs = image_shape(kernel.geometry.output)[-1]
        codes += tuple(-outputs % tile for tile in TILES)
    return tuple(log2(1 + v) for v in raw) + codes, max(float(work), 1.0)


@functools.lru_cache(maxsize=100_000)
def weight_elements(kernel: Kernel) -> int:
    """The weights a kernel reads on every run (convolutions' and dense layers' kernels;
    biases and the small constants of element-wise operations are left out)."""
    g = kernel.geometry
    if g is None or kernel.op not in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"):
        return 0
    cout = image_shape(g.output)[-1]
    if kernel.op == "FULLY_CONNECTED":
        return g.input[-1] * cout
    taps = g.kernel[0] * g.kernel[1]
    if kernel.op == "DEPTHWISE_CONV_2D":
        return taps * cout
    return taps * image_shape(g.input)[-1] // g.groups * cout


def kernels(ops: list[Op], sizes: dict[str, int]) -> list[Kernel]:
    """The kernels of lowered operations; ``sizes``: bytes of each buffer of the int8 plan
    (one per element; int32 buffers count their bytes). A multiply or add by a per-channel
    constant is the broadcast of a channel vector over the map (as slow: XNNPACK has a fast
    path for one constant only)."""
    return [
        Kernel(
            op.kind,
            tuple(sizes.get(name, 0) for name in op.inputs) + ((op.channels,) if op.channels else ()),
            tuple(sizes.get(name, 0) for name in op.outputs),
            op.geometry,
            op.activation,
            op.padding,
        )
        for op in ops
    ]


@dataclass
class Latency:
    """The predicted latency of one design, milliseconds (None where not predicted, with the
    catalogue key of the reason in ``note_key``)."""

    fp32_ms: float | None
    int8_ms: float | None
    threads: int
    machine: str  # the CPU, its cores and the TensorFlow version, in words
    note_key: str = ""
    note_values: dict[str, str] = field(default_factory=dict)
    layers: dict[str, dict[str, float]] = field(default_factory=dict)  # layer -> precision -> ms
    blocks: dict[int, dict[str, float]] = field(default_factory=dict)  # design block -> precision -> ms

    def note(self, lang: str = "en") -> str | None:
        """Why a figure is missing (or whose machine it describes), in ``lang``."""
        if not self.note_key:
            return None
        return CATALOG[self.note_key][lang].format(**self.note_values)

    def ms(self, precision: str) -> float | None:
        """The figure of ``precision`` ("fp32" or "int8")."""
        return self.fp32_ms if precision == "fp32" else self.int8_ms

    def figure(self, lang: str = "en") -> str:
        """The pinned figure ("≈ 4.12 ms fp32 · 1.90 ms int8 · 1 thread · <CPU>"), or the note."""
        if self.fp32_ms is None:
            return self.note(lang) or ""
        from lightdesign.analysis import metrics

        return CATALOG["latency.figure"][lang].format(
            fp32=metrics.PREDICTED_FP32.show(self.fp32_ms),
            int8=metrics.PREDICTED_INT8.show(self.int8_ms),
            threads=self.threads,
            cpu=self.machine,
        )


def not_predicted(threads: int, words: str, key: str, /, **values) -> Latency:
    """No figures: why (the catalogue ``key`` and its ``values``)."""
    return Latency(None, None, threads, words, key, {k: str(v) for k, v in values.items()})


Row = tuple[str, tuple[float, ...], float]  # (operation, features, work): what a predictor takes


@dataclass
class Rows:
    """What the latency model needs of a plan: each operation's predictor row and weights."""

    rows: list[Row]
    weights: list[int]  # weight elements of each operation (``weight_elements``)
    free: set[int] = field(default_factory=set)  # operations the delegate folds into the next (``folded_by_delegate``)

    def streamed_bytes(self, precision: str) -> int:
        """Bytes of weights the operations read on every run, in ``precision``."""
        return WEIGHT_BYTES[precision] * sum(self.weights)


WINDOWED = ("CONV_2D", "DEPTHWISE_CONV_2D")


def folded_by_delegate(plan: Plan) -> set[int]:
    """The operations XNNPACK folds into the one after them at run time, which then cost
    nothing: a spatial zero PAD whose only reader is a 'valid' convolution or depthwise
    convolution with a window larger than 1x1 takes the padding into that convolution
    (XNNPACK's subgraph optimisation, ``src/subgraph.c``: "fuse Constant Pad Node into
    [Depthwise] Convolution 2D Node"; timed: a pad before a 3x3 'valid' convolution adds
    nothing, before a 1x1 one all its own time, as 1x1 convolutions run as a matrix product).
    (The converter already made 'same' convolutions of the pads that equal 'same'.)"""
    readers: dict[str, list[Op]] = {}
    for op in plan.ops:
        for name in op.inputs:
            readers.setdefault(name, []).append(op)
    folded = set()
    for index, op in enumerate(plan.ops):
        if op.kind != "PAD" or op.geometry is None or len(op.outputs) != 1:
            continue
        spatial = image_shape(op.geometry.input)[-1] == image_shape(op.geometry.output)[-1]
        after = readers.get(op.outputs[0], [])
        if not spatial or len(after) != 1:
            continue
        reader = after[0]
        window = reader.geometry.kernel if reader.geometry is not None else (1, 1)
        if reader.kind in WINDOWED and reader.padding == "valid" and window != (1, 1):
            folded.add(index)
    return folded


def rows(plan: Plan, covers=lambda op: True) -> tuple[Rows, tuple[str, dict[str, str]] | None]:
    """The predictor rows of a plan's operations, or why they cannot all be predicted (a
    catalogue key and its values); ``covers(op)``: whether a predictor takes ``op``."""
    if not plan.supported:
        return Rows([], []), ("latency.note.unsupported", {"layers": ", ".join(plan.refused[:5])})
    found = Rows([], [])
    for op, kernel in zip(plan.ops, kernels(plan.ops, plan.sizes()), strict=True):
        made = features(kernel)
        if made is None or not covers(kernel.op):
            key = "latency.note.no_geometry" if made is None and kernel.op in FEATURES else "latency.note.no_predictor"
            return Rows([], []), (key, {"op": kernel.op, "layer": op.layer})
        found.rows.append((kernel.op, *made))
        found.weights.append(weight_elements(kernel))
    found.free = folded_by_delegate(plan)
    return found, None


def predict(nodes: list[Node], plan: Plan, threads: int = 1) -> Latency:
    """The predicted latency of the live nodes of a traced network, from their lowered
    operations (``deployment.plan``), on ``threads`` threads of this machine."""
    model, machine = latency_model.current(threads)
    words = machine.words()
    if not plan.supported:
        return not_predicted(threads, words, "latency.note.unsupported", layers=", ".join(plan.refused[:5]))
    if model is None:
        return not_predicted(threads, words, "latency.note.not_calibrated", machine=words, threads=threads)
    found, refusal = rows(plan, model.covers)
    if refusal is not None:
        return not_predicted(threads, words, refusal[0], **refusal[1])
    block_of = {node.name: node.block for node in nodes}
    result = Latency(None, None, threads, words)
    times = model.predict_all(found.rows)
    for precision in PRECISIONS:
        total = 0.0
        per_byte = model.streaming_ms_per_byte(precision, found.streamed_bytes(precision))
        streaming = [per_byte * WEIGHT_BYTES[precision] * w for w in found.weights]
        call = model.operation_ms(precision)  # each operation's share of the fixed time, the invoke's aside
        for index, (op, kernel_ms, streaming_ms) in enumerate(zip(plan.ops, times[precision], streaming, strict=True)):
            ms = 0.0 if index in found.free else kernel_ms + streaming_ms + call
            total += ms
            layer = result.layers.setdefault(op.layer, dict.fromkeys(PRECISIONS, 0.0))
            layer[precision] += ms
            block = result.blocks.setdefault(block_of.get(op.layer, -1), dict.fromkeys(PRECISIONS, 0.0))
            block[precision] += ms
        operations = len(plan.ops) - len(found.free)
        setattr(result, f"{precision}_ms", total - operations * call + model.fixed_ms(precision, operations))
    return result
