"""Static analysis of a design: shapes, parameters, multiply-adds, FLOPs and memory.

Pure Python; never raises on user input (problems come back as ``issues``).

Counting conventions
--------------------
Params
    Keras's convention: trainable + non-trainable. BatchNormalization has 2 trainable
    (gamma, beta) and 2 non-trainable (moving mean, variance) values per channel.
MACs
    Multiply-accumulates of convolutions (standard, grouped, depthwise, separable),
    dense layers and recurrent matrix products: the "Mult-Adds" of the MobileNet and
    ShuffleNet papers. Pooling, BatchNorm, activations and merges count zero.
Only what the model contains
    A block whose output reaches nothing the model returns (a later block read an earlier
    output instead) is left out of every figure, as Keras leaves it out of the built
    model; a warning names it and the graph marks it.
FLOPs
    TensorFlow profiler's convention on the inference graph: 2 x MACs, plus one per
    output element for each bias add, one per element for each of BatchNorm's scale
    (when ``scale``) and shift (+ per-channel work on the moving statistics) unfused,
    k*k per output element for local pooling, one per input element for
    global average pooling, one per element per extra input of Add/Multiply, 5 per
    element for softmax, 2 for hard-sigmoid and swish, 3 for hard-swish; ReLU, ReLU6,
    sigmoid and tanh count zero (the profiler registers no cost for them). Recurrent
    layers add an estimate of their element-wise gate arithmetic. Dilated convolutions
    count the taps they really multiply; the profiler counts TensorFlow's padded
    space-to-batch computation instead (up to 3x more), so our figure stays the exact one.
Weight memory
    fp32 = 4 bytes and fp16 = 2 bytes per parameter (all parameters, as stored in a
    .keras file). int8 is what a fully quantized TFLite model stores: 1 byte per kernel
    weight, 4 bytes (int32) per bias, BatchNorm folded into the preceding convolution or
    dense layer (it becomes that layer's bias), and per-channel quantization parameters
    (a float32 scale and an int64 zero point per output channel of each weight and bias).
Peak activation memory (fp32)
    Batch 1, 4 bytes per element. Every layer output is its own buffer (no fusion, no
    in-place). A tensor lives from the layer that produces it to the last layer that
    reads it, so a residual or concat branch keeps its input alive; the peak is the
    largest total of live tensors while any layer runs (its inputs and its output both
    count). ``timeline`` holds that total for every layer.
Peak activation memory (int8 deployment)
    What TensorFlow Lite Micro's arena needs for activations when it runs the fully
    quantized model: BatchNorm, ReLU/ReLU6 and 'same'-style padding fused into the
    convolutions as the TFLite converter does, 1 byte per element, buffers aligned to 16
    bytes and placed by TFLite Micro's greedy planner, which shares memory between
    buffers whose lifetimes do not overlap (``lightdesign.analysis.deployment`` states the model).
    Checked against the arena the ``tflite-micro`` interpreter reports. The in-place
    figure is lower and engine-dependent: depthwise convolutions overwriting their input
    (TinyEngine, MCUNet), perfectly packed.
Incomplete figures
    An imported layer that no kind expresses (an opaque block) keeps the file's parameters
    and output shape, but nothing says what it computes: FLOPs and the int8 arena leave it
    out, and MACs too unless the importer counted them; an output shape the file did not
    give leaves every figure made of shapes unknown. ``Analysis.unknown`` lists what each
    figure leaves out, each opaque block is a warning, and ``check`` refuses to pass a budget
    on such a figure.
Predicted latency
    Float32 and int8 TFLite on this machine's CPU, XNNPACK, batch 1, one thread: the sum of
    the converted model's kernels as predictors calibrated on this machine say
    (``lightdesign.analysis.latency``); None with a note where not calibrated or not known.
Training memory
    For a batch size B: weights (4 bytes per parameter) + gradients (4 per trainable
    parameter) + optimizer slots (Adam 2, RMSprop 1, SGD with momentum 1, plain SGD 0
    per trainable parameter) + every layer output kept for the backward pass (4 bytes
    per element, times B) + the input batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lightdesign.analysis import deployment, latency, metrics
from lightdesign.core.design import Design
from lightdesign.core.graph import Graph, trace
from lightdesign.core.issues import Issue
from lightdesign.core.symbolic import Node, fmt_shape

BYTES_FP32 = 4
OPTIMIZER_SLOTS = {"adam": 2, "rmsprop": 1, "sgd_momentum": 1, "sgd": 0}


@dataclass
class Row:
    """One primitive layer."""

    name: str
    kind: str
    block: int  # 0-based design block index, -1 for the input
    shape: tuple
    trainable: int
    non_trainable: int
    macs: int
    flops: int
    activation_bytes: int

    @property
    def params(self) -> int:
        return self.trainable + self.non_trainable


@dataclass
class BlockRow:
    """Subtotal of one design block (all the primitives it expanded into)."""

    index: int
    name: str
    kind: str
    shape: tuple
    trainable: int = 0
    non_trainable: int = 0
    macs: int = 0
    flops: int = 0
    activation_bytes: int = 0  # all outputs the block produces
    output_bytes: int = 0  # its final output only
    layers: int = 0

    @property
    def params(self) -> int:
        return self.trainable + self.non_trainable


@dataclass(frozen=True)
class Step:
    """One layer in execution order, with the activation memory alive while it runs."""

    name: str
    kind: str
    block: int
    fp32: int  # bytes of fp32 tensors alive (the unfused graph)
    int8: int  # bytes of the int8 deployment's buffers alive (0 where fused away: see plan)


@dataclass
class TrainingMemory:
    batch_size: int
    optimizer: str
    weights: int
    gradients: int
    optimizer_slots: int
    activations: int
    input_batch: int

    @property
    def total(self) -> int:
        return self.weights + self.gradients + self.optimizer_slots + self.activations + self.input_batch


@dataclass
class Analysis:
    design: Design
    graph: Graph
    rows: list[Row] = field(default_factory=list)
    blocks: list[BlockRow] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    trainable: int = 0
    non_trainable: int = 0
    macs: int = 0
    flops: int = 0
    weight_bytes: dict[str, int] = field(default_factory=dict)
    peak_activation_bytes: int = 0
    peak_activation_bytes_int8: int = 0
    peak_activation_bytes_int8_in_place: int = 0
    peak_at: str = ""
    peak_at_int8: str = ""
    peak_at_int8_in_place: str = ""
    training: TrainingMemory | None = None
    output_shape: tuple = ()
    dead_blocks: list[int] = field(default_factory=list)  # 0-based indices of blocks that feed nothing
    timeline: list[Step] = field(default_factory=list)
    deployment: deployment.Plan | None = None
    latency: latency.Latency | None = None  # predicted TFLite latency on this machine, 1 thread
    # Figures that leave out layers whose kind does not say how to count them (an opaque
    # layer's MACs the importer did not count, say), or that follow a shape no file gave:
    # metric key -> those layers. Such a figure is incomplete: a lower bound, or unknown.
    unknown: dict[str, list[str]] = field(default_factory=dict)

    @property
    def params(self) -> int:
        return self.trainable + self.non_trainable

    @property
    def incomplete(self) -> bool:
        """Whether some figure leaves out a cost that is not known (``unknown`` says which)."""
        return bool(self.unknown)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "warning"]

    @property
    def ok(self) -> bool:
        return self.graph.complete

    def to_dict(self) -> dict[str, Any]:
        """Machine-readable summary (the CLI's --json output): every figure of
        ``metrics.summary`` by its metric key, the training-memory breakdown, the
        per-block and per-layer rows, and which figures are incomplete (``incomplete``,
        ``unknown``: metric key -> the layers they leave out)."""
        training = self.training
        return {
            "design": self.design.name,
            "input_shape": list(self.design.input_shape),
            "output_shape": list(self.output_shape),
            **metrics.summary(self),
            "training": None
            if training is None
            else {
                "batch_size": training.batch_size,
                "optimizer": training.optimizer,
                "weights": training.weights,
                "gradients": training.gradients,
                "optimizer_slots": training.optimizer_slots,
                "activations": training.activations,
                "input_batch": training.input_batch,
            },
            "latency_note": self.latency.note() if self.latency else None,
            "blocks": [
                {
                    "index": b.index,
                    "name": b.name,
                    "kind": b.kind,
                    "output_shape": list(b.shape),
                    "params": b.params,
                    "trainable_params": b.trainable,
                    "macs": b.macs,
                    "flops": b.flops,
                    "activation_bytes": b.activation_bytes,
                    **self.block_latency(b.index),
                }
                for b in self.blocks
            ],
            "layers": [
                {
                    "name": r.name,
                    "kind": r.kind,
                    "block": r.block,
                    "output_shape": list(r.shape),
                    "params": r.params,
                    "trainable_params": r.trainable,
                    "macs": r.macs,
                    "flops": r.flops,
                    "activation_bytes": r.activation_bytes,
                }
                for r in self.rows
            ],
            "dead_blocks": [self.design.blocks[i].name for i in self.dead_blocks],
            "incomplete": self.incomplete,
            "unknown": {key: list(names) for key, names in self.unknown.items()},
            "timeline": [
                {"layer": step.name, "kind": step.kind, "block": step.block, "fp32": step.fp32, "int8": step.int8}
                for step in self.timeline
            ],
            "errors": [i.to_dict() for i in self.errors],
            "warnings": [i.to_dict() for i in self.warnings],
        }

    def block_latency(self, index: int) -> dict[str, float | None]:
        """A design block's predicted milliseconds by metric key (None where not predicted)."""
        times = self.latency.blocks.get(index) if self.latency else None
        predicted = self.latency is not None and self.latency.fp32_ms is not None
        return {
            metric.key: (times or {}).get(precision, 0.0) if predicted else None
            for metric, precision in ((metrics.PREDICTED_FP32, "fp32"), (metrics.PREDICTED_INT8, "int8"))
        }


def _elements(shape: tuple) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def analyze(design: Design, batch_size: int = 32, optimizer: str = "adam") -> Analysis:
    """Analyse a design. Costs cover the blocks that could be traced; ``ok`` tells
    whether that is all of them."""
    graph = trace(design)
    result = Analysis(design, graph, issues=list(graph.issues))
    # Of a complete graph only what the output depends on is built; while blocks are
    # missing, everything traced so far counts (a later block may read it).
    nodes = graph.live() if graph.complete else graph.nodes
    dead = graph.dead_spans(nodes) if graph.complete else []
    result.dead_blocks = [span.index for span in dead]
    by_name = {n.name: n for n in graph.nodes}
    dead_indices = set(result.dead_blocks)
    block_rows = {
        span.index: BlockRow(span.index, span.block.name, span.block.kind, by_name[span.output].shape)
        for span in graph.spans
        if span.index not in dead_indices
    }
    block_outputs = {span.output for span in graph.spans}
    for node in nodes:
        cost = node.cost
        act = _elements(node.shape) * BYTES_FP32
        result.rows.append(
            Row(
                node.name,
                node.kind,
                node.block,
                node.shape,
                cost.trainable,
                cost.non_trainable,
                cost.macs,
                cost.flops,
                act,
            )
        )
        result.trainable += cost.trainable
        result.non_trainable += cost.non_trainable
        result.macs += cost.macs
        result.flops += cost.flops
        block = block_rows.get(node.block)
        if block is not None:
            block.trainable += cost.trainable
            block.non_trainable += cost.non_trainable
            block.macs += cost.macs
            block.flops += cost.flops
            block.activation_bytes += act
            block.layers += 1
            if node.name in block_outputs:
                block.output_bytes = act
    result.blocks = [block_rows[i] for i in sorted(block_rows)]
    params = result.params
    int8_bytes, int8_unknown = _int8_weight_bytes(nodes)
    result.weight_bytes = {"fp32": 4 * params, "fp16": 2 * params, "int8": int8_bytes}
    if int8_unknown:
        result.unknown[metrics.WEIGHTS_INT8.key] = int8_unknown
    for key, names in _opaque_unknowns(nodes).items():
        result.unknown.setdefault(key, []).extend(n for n in names if n not in result.unknown[key])
    live = _live_bytes(nodes)
    if live:
        peak_index = max(range(len(live)), key=live.__getitem__)
        result.peak_activation_bytes, result.peak_at = live[peak_index], nodes[peak_index].name
    plan = deployment.plan(nodes)
    result.deployment = plan
    result.peak_activation_bytes_int8, result.peak_at_int8 = plan.arena, plan.peak_at
    result.peak_activation_bytes_int8_in_place, result.peak_at_int8_in_place = plan.in_place, plan.in_place_at
    result.timeline = [
        Step(node.name, node.kind, node.block, fp32, plan.layer_live.get(node.name, 0))
        for node, fp32 in zip(nodes, live, strict=True)
    ]
    result.latency = latency.predict(nodes, plan)
    result.training = training_memory(result, batch_size, optimizer)
    result.output_shape = graph.output.shape if nodes else ()
    if graph.complete and design.blocks:
        result.issues.extend(_dead_warnings(dead))
        result.issues.extend(_opaque_warnings(graph, nodes))
        result.issues.extend(_warnings(design, graph))
    return result


# What an opaque layer leaves out of the totals: its FLOPs and its int8 lowering always (no
# kind says how much it computes or how TFLite lowers it), its MACs unless the importer
# counted them; an output shape the file did not give leaves every shape-made figure from it
# on unknown.
_OPAQUE_LEAVES_OUT = (metrics.FLOPS, metrics.PEAK_INT8, metrics.PEAK_INT8_IN_PLACE)
_SHAPE_MADE = (
    metrics.MACS,
    metrics.FLOPS,
    metrics.PEAK,
    metrics.PEAK_INT8,
    metrics.PEAK_INT8_IN_PLACE,
    metrics.TRAINING,
)


def _opaque(node: Node) -> bool:
    return node.layer is not None and getattr(node.layer, "opaque", False)


def _opaque_unknowns(nodes: list[Node]) -> dict[str, list[str]]:
    """Metric key -> the opaque layers whose costs it leaves out (or whose guessed shape it follows)."""
    found: dict[str, list[str]] = {}
    for node in nodes:
        if not _opaque(node):
            continue
        cfg = node.layer.cfg
        leaves_out = [*_OPAQUE_LEAVES_OUT, *(() if cfg.get("macs_known") else (metrics.MACS,))]
        if not cfg.get("shape_known", True):
            leaves_out += _SHAPE_MADE
        for metric in leaves_out:
            names = found.setdefault(metric.key, [])
            if node.name not in names:
                names.append(node.name)
    return found


def _opaque_warnings(graph: Graph, nodes: list[Node]) -> list[Issue]:
    """One warning per opaque block: what it is, why it is opaque, what the totals leave out."""
    live = {n.name for n in nodes}
    found = []
    for span in graph.spans:
        node = graph.nodes[span.first]
        if not _opaque(node) or node.name not in live:
            continue
        cfg = node.layer.cfg
        missing = "its FLOPs and int8 arena" if cfg.get("macs_known") else "its MACs, FLOPs and int8 arena"
        text = (
            f"an imported {cfg.get('op', 'unknown')} layer that no kind expresses ({cfg.get('reason') or 'not mapped'})"
            f"; the totals leave out {missing}"
        )
        if not cfg.get("shape_known", True):
            text += ", and its output shape is not known, so every figure after it is unknown"
        found.append(Issue("warning", text, span.index + 1, span.block.name, span.block.kind))
    return found


def predicted_latency(result: Analysis, threads: int = 1) -> latency.Latency:
    """The analysed design's predicted latency on ``threads`` threads (the analysis itself
    predicts one thread; the machine's core count is the second setting a calibration takes)."""
    if threads == 1 and result.latency is not None:
        return result.latency
    nodes = result.graph.live() if result.graph.complete else result.graph.nodes
    return latency.predict(nodes, result.deployment, threads)


def ends_with_softmax(result: Analysis) -> bool:
    """Whether the model's output is already probabilities (softmax or sigmoid): the loss
    then reads probabilities, not logits."""
    node = result.graph.output
    act = node.layer.cfg.get("activation") if node.layer is not None else None
    return act in ("softmax", "sigmoid")


def _dead_warnings(dead: list) -> list[Issue]:
    return [
        Issue(
            "warning",
            "feeds nothing and is not part of the model: no later block reads its output, so Keras leaves it "
            "out and no figure counts it. It stays in the design; read it from a later block or delete it",
            span.index + 1,
            span.block.name,
            span.block.kind,
        )
        for span in dead
    ]


def training_memory(result: Analysis, batch_size: int, optimizer: str) -> TrainingMemory:
    """Memory to train with this batch size and optimizer (see the module docstring)."""
    slots = OPTIMIZER_SLOTS.get(optimizer, 2)
    dead = set(result.dead_blocks)
    nodes = [n for n in result.graph.nodes if n.block not in dead]
    saved = sum(_elements(n.shape) for n in nodes[1:]) if nodes else 0
    input_elements = _elements(nodes[0].shape) if nodes else 0
    return TrainingMemory(
        batch_size=batch_size,
        optimizer=optimizer,
        weights=BYTES_FP32 * result.params,
        gradients=BYTES_FP32 * result.trainable,
        optimizer_slots=BYTES_FP32 * slots * result.trainable,
        activations=BYTES_FP32 * batch_size * saved,
        input_batch=BYTES_FP32 * batch_size * input_elements,
    )


def _live_bytes(nodes: list[Node]) -> list[int]:
    """Bytes of fp32 tensors alive while each node runs (its inputs and output included)."""
    if not nodes:
        return []
    last_use = {n.name: i for i, n in enumerate(nodes)}
    for i, node in enumerate(nodes):
        for name in node.inputs:
            last_use[name] = i
    last_use[nodes[-1].name] = len(nodes)  # the model output survives to the end
    size = {n.name: _elements(n.shape) * BYTES_FP32 for n in nodes}
    expiring: dict[int, list[str]] = {}
    for name, i in last_use.items():
        expiring.setdefault(i, []).append(name)
    live = 0
    out = []
    for i, node in enumerate(nodes):
        live += size[node.name]
        out.append(live)
        for name in expiring.get(i, ()):
            live -= size[name]
    return out


def _int8_weight_bytes(nodes: list[Node]) -> tuple[int, list[str]]:
    """Weight bytes of the fully quantized model, as each kind stores its weights, and the
    layers whose kind does not say."""
    by_name = {n.name: n for n in nodes}
    total, unknown = 0, []
    for node in nodes:
        if node.layer is None:
            continue
        size = node.layer.int8_weight_bytes(node, [by_name[name] for name in node.inputs])
        if size is None:
            unknown.append(node.name)
        else:
            total += size
    return total, unknown


def _activation_of(node: Node) -> str | None:
    """The activation a layer ends with, for kinds that take an ``activation`` argument."""
    if node.layer is None or "activation" not in node.layer.cfg:
        return None
    act = node.layer.cfg.get("activation")
    return None if act in (None, "linear") else act


def _warnings(design: Design, graph: Graph) -> list[Issue]:
    found: list[Issue] = []
    nodes = graph.nodes
    by_name = {n.name: n for n in nodes}
    for span in graph.spans:
        block = span.block
        position = span.index + 1
        first = nodes[span.first]
        source = by_name.get(first.inputs[0]) if first.inputs else None
        if block.kind == "Dense" and source is not None and len(source.shape) == 3:
            found.append(
                Issue(
                    "warning",
                    f"Dense is applied to the image tensor {fmt_shape(source.shape)}: it acts on the last axis "
                    "only and keeps height and width. Add Flatten or GlobalAveragePooling2D before it",
                    position,
                    block.name,
                    block.kind,
                )
            )
        if block.kind == "Activation" and source is not None:
            act = _activation_of(first)
            if act is not None and act == _activation_of(source):
                found.append(
                    Issue(
                        "warning",
                        f"{act} is applied twice in a row ({source.name} already ends with it); this block "
                        "changes nothing and can be removed",
                        position,
                        block.name,
                        block.kind,
                        "activation",
                        act,
                    )
                )
    out = graph.output
    classes = design.num_classes
    if out.shape != (classes,):
        found.append(
            Issue(
                "warning",
                f"the network outputs {fmt_shape(out.shape)}, not a vector of {classes} class scores. End with "
                f"Flatten or GlobalAveragePooling and a Dense layer of {classes} units",
            )
        )
    final = _activation_of(out)
    wanted = "sigmoid" if classes == 1 else "softmax"
    if final != wanted:
        found.append(
            Issue(
                "warning",
                f"the last layer has no {wanted}; add Activation('{wanted}') or set the final Dense "
                f"activation to '{wanted}' (or train with from_logits=True)",
            )
        )
    return found
