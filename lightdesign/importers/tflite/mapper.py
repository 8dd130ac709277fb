"""TensorFlow Lite flatbuffers -> designs: the walk over the operators of the file's first
subgraph (read by ``reader``), each mapped by its handler in ``HANDLERS`` onto a kind, or
kept as an opaque block with the reason.

TFLite stores BatchNorm folded into the convolutions and activations fused into them, so an
imported convolution has a bias and its activation; the parameter count is that of the
file's weights (the Keras model's trainable count with BatchNorm folded, and the zero bias
the converter gives a convolution that has none in Keras).

``weight_values`` reads the weights of the mapped layers in Keras's layout (a job's worker
calls it; the import records their shapes only): float32 buffers, float16 ones behind a
DEQUANTIZE, and int8/int32 ones dequantized with their (per-channel) scale and zero point.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from lightdesign.core.symbolic import Unmappable
from lightdesign.importers.base import Builder, ImportResult, ModelFileError, lent_arrays
from lightdesign.importers.tflite import elementwise, layers, reader, recurrent, shapes, weights
from lightdesign.importers.tflite.schema import FUSED

# operator code -> its handler (mapper, tid, name, operator, options, ins, outs, data_in): None
# when it mapped the operator, False to fall back to the tables below; Unmappable keeps it opaque
HANDLERS: dict[str, Callable[..., Any]] = {
    "CONV_2D": layers.conv_2d,
    "DEPTHWISE_CONV_2D": layers.depthwise_conv_2d,
    "FULLY_CONNECTED": layers.fully_connected,
    "GATHER": layers.gather,
    "ADD": elementwise.add,
    "MUL": elementwise.mul,
    "LOGISTIC": elementwise.logistic,
    "SOFTMAX": elementwise.softmax,
    "CONCATENATION": shapes.concatenation,
    "AVERAGE_POOL_2D": shapes.average_pool_2d,
    "MAX_POOL_2D": shapes.max_pool_2d,
    "MEAN": shapes.mean,
    "REDUCE_MAX": shapes.reduce_max,
    "PAD": shapes.pad,
    "PADV2": shapes.pad,
    "RESHAPE": shapes.reshape,
    "SQUEEZE": shapes.reshape,
    "SPLIT": shapes.split,
    "STRIDED_SLICE": shapes.strided_slice,
    "UNIDIRECTIONAL_SEQUENCE_LSTM": recurrent.sequence_lstm,
    "UNIDIRECTIONAL_SEQUENCE_RNN": recurrent.sequence_rnn,
    "TRANSPOSE": recurrent.transpose,
    "WHILE": recurrent.while_loop,
    "LESS": recurrent.index_wrap,
}
SIMPLE_ACTIVATIONS = {
    "RELU": "relu",
    "RELU6": "relu6",
    "TANH": "tanh",
    "LOGISTIC": "sigmoid",
    "HARD_SWISH": "hard_swish",
}
PASS_THROUGH = {"QUANTIZE", "DEQUANTIZE", "CAST"}
# operators whose constants are trainable weights when they stay opaque (others' are not)
WEIGHTED = {
    "TRANSPOSE_CONV",
    "PRELU",
    "CONV_3D",
    "BATCH_MATMUL",
    "UNIDIRECTIONAL_SEQUENCE_LSTM",
    "UNIDIRECTIONAL_SEQUENCE_RNN",
    "LSTM",
}
# operators with no multiply-accumulates under the counting convention: an opaque one counts zero
NO_MACS = {
    *("ADD", "SUB", "MUL", "DIV", "POW", "SQRT", "RSQRT", "EXP", "LOG", "NEG", "ABS", "MINIMUM", "MAXIMUM"),
    *("RELU", "RELU6", "RELU_N1_TO_1", "LEAKY_RELU", "PRELU", "ELU", "GELU", "LOGISTIC", "TANH", "HARD_SWISH"),
    *("SOFTMAX", "LOG_SOFTMAX", "MAX_POOL_2D", "AVERAGE_POOL_2D", "L2_POOL_2D", "MEAN", "SUM", "REDUCE_MAX"),
    *("REDUCE_MIN", "REDUCE_PROD", "L2_NORMALIZATION", "LOCAL_RESPONSE_NORMALIZATION", "PAD", "PADV2"),
    *("MIRROR_PAD", "RESIZE_BILINEAR", "RESIZE_NEAREST_NEIGHBOR", "RESHAPE", "SQUEEZE", "EXPAND_DIMS"),
    *("TRANSPOSE", "CONCATENATION", "SPLIT", "SPLIT_V", "SLICE", "STRIDED_SLICE", "GATHER", "TILE"),
    *("DEPTH_TO_SPACE", "SPACE_TO_DEPTH", "PACK", "UNPACK", "QUANTIZE", "DEQUANTIZE", "CAST"),
}


# Tensor names the converter takes from TensorFlow's function calls, not from a layer (the
# model's output is "StatefulPartitionedCall_1:0"): such a block is named after its input.
GRAPH_ARTEFACT = re.compile(r"(StatefulPartitionedCall|PartitionedCall|Identity)(_\d+)?")


def convert(data: bytes, name: str, input_shape: tuple | None = None) -> ImportResult:
    """A .tflite file's contents -> ImportResult; ``input_shape`` fixes an input the file leaves open."""
    return _convert(data, name, input_shape)[0]


def weight_values(data: bytes, input_shape: tuple | None = None) -> dict[str, list]:
    """The weights of every mapped layer with weights, by block name, as the NumPy arrays the
    Keras layer of the generated code holds (same order, layout and shapes). ``input_shape``:
    the shape given when the file was imported, if one was. Runs the import's mapping again."""
    result, mapper = _convert(data, "weights", input_shape)
    return lent_arrays(result, mapper.sources, lambda *entry: weights.array(mapper.graph, *entry))


def _convert(data: bytes, name: str, input_shape: tuple | None = None) -> tuple[ImportResult, Mapper]:
    model = reader.read_model(data)  # parsed once: a WHILE loop's body is read from it
    graph = reader.Subgraph(model)
    inputs, outputs = graph.inputs, graph.outputs
    if len(inputs) != 1 or len(outputs) != 1:
        raise ModelFileError(
            f"the model has {len(inputs)} inputs and {len(outputs)} outputs; LightDesign designs have one of each"
        )
    source = graph.tensor(inputs[0])
    shape = tuple(input_shape) if input_shape else source.dims()
    if shape is None:
        dims = ", ".join("?" if d < 1 else str(d) for d in source.signature[1:]) or "?"
        raise ModelFileError(f"the model input has no fixed shape ({dims}); give the input shape, e.g. 224,224,3")
    dynamic = input_shape is not None and tuple(input_shape) != source.dims()
    dtype = "int32" if source.type in (2, 4) else "float32"
    builder = Builder(str(inputs[0]), shape, dtype)
    mapper = Mapper(graph, builder, dynamic)
    graph.read_operators()
    mapper.run()
    notes = []
    if len(model.graphs) > 1:
        notes.append(f"the file has {len(model.graphs)} subgraphs; the first (the model) was imported")
    notes.append(
        "TFLite folds BatchNormalization into the convolutions: they import with the bias the file stores (zeros "
        "included: the converter gives one to every convolution) and no BatchNorm"
    )
    out = str(outputs[0])
    if out not in builder.tensors:
        out = mapper.last or out
    return builder.result(name, out, "tflite", notes), mapper


class Mapper:
    """The walk: each operator in the file's order becomes blocks of ``b`` (the Builder),
    tensors named by their index. Handlers read the file through ``graph``."""

    def __init__(self, graph: reader.Subgraph, builder: Builder, dynamic: bool):
        self.graph = graph
        self.b = builder
        self.dynamic = dynamic  # the input shape given differs from the file's: its other shapes do not hold
        self.skip: set[int] = set()  # operators mapped with an earlier one
        self.aliases: list[tuple[str, str]] = []  # (tensor, tensor it stands for), once that exists
        self.last: str | None = None
        self.swish: set[int] = set()  # LOGISTIC operators of an x * sigmoid(x), built at the MUL
        # block -> how its Keras weights are read: (layout, tensor, extra) per weight
        self.sources: dict[str, list[tuple[str, Any, Any]]] = {}

    # -- the walk -------------------------------------------------------------------------------
    def run(self) -> None:
        graph = self.graph
        self.swish = elementwise.swish_sigmoids(graph)
        for k, (code, op, ins, outs) in enumerate(graph.ops):
            if k in self.skip or not outs:
                continue
            for i in [*ins, *outs]:
                if i >= len(graph.tensors) or i < -1:
                    raise ModelFileError(f"an operator reads tensor {i}, which the file does not define (damaged file)")
            data_in = [i for i in ins if i >= 0 and str(i) in self.b.tensors]
            if not data_in:  # computes constants or shapes only (SHAPE, PACK, DEQUANTIZE of weights)
                if code == "DEQUANTIZE" and ins and ins[0] in graph.constant:
                    graph.dequantize(ins[0], outs)
                continue
            if code == "SHAPE":
                continue
            self.map(code, op, ins, outs, data_in)
            while self.aliases and self.aliases[0][1] in self.b.tensors:
                alias, target = self.aliases.pop(0)
                self.b.alias(alias, target)
            if str(outs[0]) in self.b.tensors:
                self.last = str(outs[0])

    def map(self, code: str, op, ins: list[int], outs: list[int], data_in: list[int]) -> None:
        b = self.b
        out = outs[0]
        tid, name = str(out), self.name(out)
        if GRAPH_ARTEFACT.fullmatch(name):  # the model's output, named after the call that returned it
            name = f"{self.name(data_in[0])}_{code.lower()}"
        x = str(data_in[0])
        options = op.table(4)
        if code in PASS_THROUGH:
            b.alias(tid, x)
            return
        try:
            handler = HANDLERS.get(code)
            if handler is not None and handler(self, tid, name, op, options, ins, outs, data_in) is not False:
                return
        except Unmappable as exc:
            return self.opaque(tid, name, code, ins, outs, data_in, str(exc))
        if code in SIMPLE_ACTIVATIONS:
            b.add(tid, name, code, "Activation", dict(activation=SIMPLE_ACTIVATIONS[code]), [x])
            return
        self.opaque(tid, name, code, ins, outs, data_in, f"the operator {code} has no LightDesign kind")

    def opaque(self, tid, name, code, ins, outs, data_in, reason) -> None:
        """Keep an operator as an opaque block with its file's figures."""
        tensors, constant = self.graph.tensors, self.graph.constant
        # float constants only: integer ones are indices, axes and shapes, not parameters
        consts = [i for i in ins if i >= 0 and i in constant and tensors[i].size > 1 and tensors[i].type not in (2, 4)]
        count = sum(tensors[i].size for i in consts)
        params = (count, 0) if code in WEIGHTED else (0, count)
        macs = 0 if code in NO_MACS else None
        self.b.opaque(tid, name, code, [str(i) for i in data_in], self.dims(outs[0]), params, reason, macs)
        for extra in outs[1:]:
            self.b.alias(str(extra), tid)

    # -- what handlers share ----------------------------------------------------------------------
    def with_activation(self, tid, name, code, kind, params, inputs, fused, weights=None) -> None:
        """A block plus the activation TFLite fused into it (kinds without their own)."""
        act = FUSED.get(fused)
        if act is None:
            raise Unmappable(f"fused activation {fused} has no LightDesign equivalent")
        if act == "linear":
            self.b.add(tid, name, code, kind, params, inputs, weights)
            return
        inner = f"{tid}\x00pre"
        self.b.add(inner, name, code, kind, params, inputs, weights)
        self.b.add(tid, f"{name}_{act}", code, "Activation", dict(activation=act), [inner])

    def record(self, block: str, kind: str, recipe: list[tuple[str, Any, Any]]) -> None:
        """Remember how a block's weights are read when it mapped to ``kind`` (not opaque)."""
        last = self.b.blocks[-1] if self.b.blocks else None
        if last is not None and last.name == block and last.kind == kind:
            self.sources[block] = recipe

    def dims(self, index: int) -> tuple | None:
        """A tensor's per-sample shape as the file records it (None once the input shape was changed)."""
        if self.dynamic:
            return None
        return self.graph.tensors[index].dims()

    def name(self, index: int) -> str:
        """The Keras layer name inside a converted tensor name ('Model_1/block_1_add_1/add'
        -> 'block_1_add'), else the tensor's own name."""
        raw = self.graph.tensors[index].name.split(";")[0]
        parts = [p for p in raw.split("/") if p]
        if len(parts) >= 3:
            scope, layer = parts[0], parts[1]
            suffix = scope[scope.rfind("_") :] if "_" in scope and scope[scope.rfind("_") + 1 :].isdigit() else ""
            return layer[: -len(suffix)] if suffix and layer.endswith(suffix) else layer
        return parts[-1].split(":")[0] if parts else f"t{index}"

    def weight_count(self, ins: list[int]) -> int:
        """The values the constants among ``ins`` hold."""
        return sum(self.graph.tensors[i].size for i in ins if i >= 0 and i in self.graph.constant)

    def has_bias(self, ins: list[int]) -> bool:
        """Whether an operator has a bias input. One of zeros counts as the file stores it: the
        converter gives one to convolutions that have none in Keras (the depthwise half of a
        separable conv), and an untrained model's folded BatchNorm is one."""
        return len(ins) >= 3 and ins[2] >= 0

    def weight_inputs(self, ins: list[int]) -> list[int]:
        """The weight tensors of a conv or fully connected operator."""
        return [ins[1]] + ([ins[2]] if self.has_bias(ins) else [])
