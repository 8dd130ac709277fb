"""ONNX models -> designs: the walk over the nodes of the graph (read by ``reader``), each
mapped by its handler in ``HANDLERS`` onto a kind, or kept as an opaque block with the reason.

ONNX (as PyTorch exports it) is channels-first: (N, C, H, W) becomes the design's channels-last
(H, W, C), channel axes become the last axis, and explicit pads become ``same`` where they
match it and a ZeroPadding2D before a ``valid`` window otherwise (ceil-mode pooling too).
Sequences are the exception: an embedding's or a recurrent layer's output, (N, steps,
features), keeps the file's axis order in the design (features last in both), and so does
what maps from it (activations, merges, MatMul, flatten, softmax, concat and splits along
the features, a mean over the steps); any other operator reading such a tensor stays opaque,
as does a MatMul over the last axis of a channels-first tensor (its steps or width in the
file, its channels in the design: the same numbers only by accident, even when the sizes
agree).

``weight_values`` reads the weights of the mapped layers in Keras's layout and order (a job's
worker calls it; the import itself records their shapes only): kernels transposed from
channels-first, BatchNorm's epsilon moved into its variance, and the rows of a Dense after a
Flatten of a (C, H, W) tensor put in the (H, W, C) order the design's Flatten produces. That
reordering follows the flat features through what keeps them in order (activations, BatchNorm,
Dropout, an Add of two in one order), a Concat (a permutation per part) and a Split or Slice at
the parts' boundaries; the other way, a Dense read only by a Reshape to (N, C, H, W) gets its
columns and bias put in the (H, W, C) order the design's Reshape reads. A merge, split or
reshape that would pair or read different features in the design than in the file is opaque.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lightdesign.core.symbolic import Unmappable
from lightdesign.importers.base import Builder, ImportResult, ModelFileError, lent_arrays
from lightdesign.importers.onnx import (
    elementwise,
    external,
    layers,
    reader,
    recurrent,
    sequences,
    shapes,
    weights,
    windows,
)
from lightdesign.importers.onnx.layout import Layout, to_last

# operator -> its handler (mapper, node, name, attrs, data_in); Unmappable keeps the node opaque
HANDLERS: dict[str, Callable[..., Any]] = {
    "Conv": windows.conv,
    "MaxPool": windows.max_pool,
    "AveragePool": windows.average_pool,
    "GlobalAveragePool": windows.global_average_pool,
    "GlobalMaxPool": windows.global_max_pool,
    "ReduceMean": windows.reduce_mean,
    "BatchNormalization": layers.batch_normalization,
    "Gemm": layers.gemm,
    "MatMul": layers.mat_mul,
    "Gather": layers.gather,
    "Relu": elementwise.relu,
    "Sigmoid": elementwise.sigmoid,
    "Tanh": elementwise.tanh,
    "HardSwish": elementwise.hard_swish,
    "HardSigmoid": elementwise.hard_sigmoid,
    "Softmax": elementwise.softmax,
    "Clip": elementwise.clip,
    "Identity": elementwise.identity,
    "Dropout": elementwise.dropout,
    "Add": elementwise.add,
    "Sum": elementwise.add,
    "Mul": elementwise.mul,
    "Flatten": shapes.flatten,
    "Reshape": shapes.reshape,
    "Concat": shapes.concat,
    "Split": shapes.split,
    "SplitToSequence": shapes.split_to_sequence,
    "SequenceAt": shapes.sequence_at,
    "Slice": shapes.slice_channels,
    "Pad": shapes.pad,
    "LSTM": recurrent.layer,
    "GRU": recurrent.layer,
    "RNN": recurrent.layer,
    "Transpose": sequences.transpose,
    "Squeeze": sequences.squeeze,
}
# operators whose constants are trainable weights when they stay opaque (others' are not)
WEIGHTED = {"ConvTranspose", "PRelu", "LSTM", "GRU", "RNN", "InstanceNormalization", "LayerNormalization"}
# inputs of an operator that are settings, not weights (an Upsample's or Resize's scales)
SETTINGS = {"Upsample": (1,), "Resize": (1, 2, 3)}
# operators with no multiply-accumulates under the counting convention (pooling, normalization,
# activations, elementwise arithmetic, moving data): an opaque one counts zero MACs, exactly
NO_MACS = {
    *("Add", "Sub", "Mul", "Div", "Pow", "Sqrt", "Exp", "Log", "Neg", "Abs", "Reciprocal", "Min", "Max", "Mean"),
    *("Relu", "LeakyRelu", "PRelu", "Elu", "Selu", "Celu", "Gelu", "Erf", "Sigmoid", "HardSigmoid", "HardSwish"),
    *("Tanh", "Softplus", "Softsign", "Softmax", "LogSoftmax", "Clip", "Mish", "Where", "Cast", "Identity"),
    *("MaxPool", "AveragePool", "LpPool", "GlobalAveragePool", "GlobalMaxPool", "ReduceMean", "ReduceMax"),
    *("ReduceMin", "ReduceSum", "ReduceL2", "BatchNormalization", "InstanceNormalization", "LayerNormalization"),
    *("LRN", "Dropout", "Upsample", "Resize", "Pad", "Transpose", "Reshape", "Flatten", "Squeeze", "Unsqueeze"),
    *("Concat", "Split", "Slice", "Gather", "Expand", "Tile", "DepthToSpace", "SpaceToDepth"),
}
# operators mapped on a tensor in the file's (batch, steps, features) order too (the others
# assume channels-first and stay opaque on one): elementwise ones, and those that read its axes
FILE_ORDER_OPS = {
    *("Relu", "Sigmoid", "Tanh", "HardSwish", "HardSigmoid", "Clip", "Dropout", "Identity"),
    *("Add", "Sum", "Mul", "MatMul", "Flatten", "Reshape", "Softmax", "Concat", "Split", "Slice"),
    *("ReduceMean", "Gather", "LSTM", "GRU", "RNN", "Transpose", "Squeeze"),
}


def convert(data: bytes, name: str, input_shape: tuple | None = None, folder: Path | None = None) -> ImportResult:
    """A .onnx file's contents -> ImportResult; ``input_shape`` (channels last) fixes an input
    the file leaves open; ``folder`` is the file's own, where its external data files lie."""
    return _convert(data, name, input_shape, folder)[0]


def weight_values(data: bytes, input_shape: tuple | None = None) -> dict[str, list]:
    """The weights of every mapped layer with weights, by block name, as the NumPy arrays the
    Keras layer of the generated code holds (same order, layout and shapes). ``input_shape``:
    the shape given when the file was imported, if one was. Runs the import's mapping again."""
    result, mapper = _convert(data, "weights", input_shape)
    return lent_arrays(result, mapper.sources, lambda *entry: weights.array(mapper.graph, *entry))


def _convert(
    data: bytes, name: str, input_shape: tuple | None = None, folder: Path | None = None
) -> tuple[ImportResult, Mapper]:
    graph = reader.read(data, folder)
    inputs = graph.inputs
    if len(inputs) != 1 or len(graph.outputs) != 1:
        raise ModelFileError(
            f"the model has {len(inputs)} inputs and {len(graph.outputs)} outputs; LightDesign designs have one of each"
        )
    raw = reader.dims(inputs[0]) or []
    if input_shape:
        shape = tuple(input_shape)
    else:
        if len(raw) < 2 or any(not d for d in raw[1:]):
            dims = ", ".join(str(d) if d else "?" for d in raw[1:]) or "?"
            raise ModelFileError(
                f"the model input has no fixed shape ({dims}); give the input shape (channels last), e.g. 224,224,3"
            )
        shape = to_last(raw)
    dtype = "int32" if graph.reads_integers() else "float32"
    builder = Builder(inputs[0].name, shape, dtype)
    mapper = Mapper(graph, builder, input_shape is not None)
    mapper.run()
    notes = ["converted from channels-first (N, C, H, W) to the design's channels-last (H, W, C)", *mapper.notes]
    if graph.missing:
        notes.append(external.missing_note(graph.missing, folder is not None))
    return builder.result(graph.name or name, graph.outputs[0].name, "onnx", notes), mapper


class Mapper:
    """The walk: each node in the graph's order becomes blocks of ``b`` (the Builder), tensors
    named as in the file. Handlers read the file through ``graph`` and keep its axis and feature
    orders in ``layout``."""

    def __init__(self, graph: reader.Graph, builder: Builder, user_shape: bool):
        self.graph = graph
        self.b = builder
        self.user_shape = user_shape  # the input shape was given: inferred shapes do not hold
        self.skip: set[int] = set()  # nodes mapped with an earlier one
        self.swish: set[int] = set()  # Mul nodes of an x * sigmoid(x), built at the Mul
        # block -> how its Keras weights are read: (layout, initializer, extra) per weight
        self.sources: dict[str, list[tuple[str, str, Any]]] = {}
        self.layout = Layout(builder, graph, self.sources)
        self.sequence_tags: dict[str, tuple] = {}  # how a sequence tensor's axes differ (``sequences``)
        self.channel_sequences: dict[str, tuple[str, int]] = {}  # split into a sequence -> (input, parts)
        self.notes: list[str] = []  # what the import leaves a note about, once each

    # -- the walk ----------------------------------------------------------------------------
    def run(self) -> None:
        for k, node in enumerate(self.graph.nodes):
            if k in self.skip or not node.output:
                continue
            data_in = [i for i in node.input if i and i in self.b.tensors]
            if not data_in:
                # computes constants or shapes only: leave it out of the design
                continue
            self.map(node, data_in)

    def map(self, node, data_in: list[str]) -> None:
        op = node.op_type
        out = node.output[0]
        name = node.name or out
        attrs = self.graph.attrs(node)
        if node.domain not in ("", "ai.onnx"):
            return self.opaque(node, name, data_in, f"an operator of the custom domain {node.domain!r}")
        try:
            handler = HANDLERS.get(op)
            if handler is None:
                raise Unmappable(f"the operator {op} has no LightDesign kind")
            if op not in FILE_ORDER_OPS and any(self.layout.in_file_order(x) for x in data_in):
                raise Unmappable(f"{op} of a (batch, steps, features) tensor: mapped on channels-first tensors only")
            handler(self, node, name, attrs, data_in)
        except Unmappable as exc:
            self.opaque(node, name, data_in, str(exc))

    def opaque(self, node, name, data_in, reason) -> None:
        """Keep a node as an opaque block with its file's figures."""
        graph = self.graph
        settings = SETTINGS.get(node.op_type, ())
        # float constants only: integer ones are indices, axes and shapes, not parameters
        consts = [
            i
            for index, i in enumerate(node.input)
            if i
            and index not in settings
            and graph.is_const(i)
            and graph.size(i) > 1
            and graph.tensor(i).data_type not in (6, 7)
        ]
        count = sum(graph.size(i) for i in consts)
        params = (count, 0) if node.op_type in WEIGHTED else (0, count)
        shape = self.out_shape(node.output[0])
        ordered = any(self.layout.in_file_order(x) for x in data_in)
        if ordered and shape is not None:  # the file's own order, as its input's
            shape = tuple(graph.shapes[node.output[0]][1:])
        macs = self.opaque_macs(node, shape)
        block = self.b.opaque(node.output[0], name, node.op_type, data_in, shape, params, reason, macs)
        if ordered:
            self.layout.file_order.add(block)
        for extra in node.output[1:]:
            if extra:
                self.b.alias(extra, node.output[0])

    def opaque_macs(self, node, shape: tuple | None) -> int | None:
        """The MACs of a node kept opaque, where they are known: none for the operators that
        have none, those of a convolution or matrix product with constant weights and a known
        output; None otherwise."""
        if node.op_type in NO_MACS:
            return 0
        if shape is None or len(node.input) < 2 or not self.graph.is_const(node.input[1]):
            return None
        w = self.graph.tensor(node.input[1]).dims
        if node.op_type == "Conv" and len(w) >= 3:
            return math.prod(shape) * math.prod(w[1:])  # every output value: (C/g) x kernel taps
        if node.op_type in ("Gemm", "MatMul") and len(w) == 2:
            return math.prod(shape) * (
                w[1] if node.op_type == "Gemm" and self.graph.attrs(node).get("transB") else w[0]
            )
        return None

    # -- what handlers share ----------------------------------------------------------------------
    def add(
        self,
        node,
        name,
        kind,
        params,
        inputs,
        weights: tuple[int, int] | None = None,
        out: str | None = None,
        shapes: list[tuple] | None = None,
    ) -> str:
        """Map a node to ``kind``; ``weights`` is the file's (trainable, non-trainable) count,
        ``shapes`` its weights' shapes in Keras's layout. Returns the block's name."""
        return self.b.add(out or node.output[0], name, node.op_type, kind, params, inputs, weights, shapes)

    def record(self, block: str, kind: str, recipe: list[tuple[str, str, Any]]) -> None:
        """Remember how a block's weights are read when it mapped to ``kind`` (not opaque)."""
        last = self.b.blocks[-1] if self.b.blocks else None
        if last is None or last.name != block or last.kind != kind:
            return
        if not all(self.graph.stored(name) for _, name, _ in recipe):
            self.b.weights.pop(block, None)  # weights in an external file: the layer starts fresh
            return
        self.sources[block] = recipe

    def out_shape(self, name: str) -> tuple | None:
        """Per-sample channels-last shape shape inference found, unless the user overrode the input."""
        if self.user_shape or name not in self.graph.shapes:
            return None
        return to_last(self.graph.shapes[name])

    def note(self, text: str) -> None:
        """A note on the import (once, however many layers leave it)."""
        if text not in self.notes:
            self.notes.append(text)
