"""TensorFlow Lite flatbuffers -> designs, read by a small bounds-checked flatbuffer reader
(no TensorFlow, no generated schema code): every offset and vector length is checked against
the file, so a truncated or crafted file ends in one clear message.

TFLite stores BatchNorm folded into the convolutions and activations fused into them, so an
imported convolution has a bias and its activation; the parameter count is that of the
file's weights (the Keras model's trainable count with BatchNorm folded).

``weight_values`` reads the weights of the mapped layers in Keras's layout (a job's worker
calls it; the import records their shapes only): float32 buffers, float16 ones behind a
DEQUANTIZE, and int8/int32 ones dequantized with their (per-channel) scale and zero point.
"""

from __future__ import annotations

import math
import struct
from typing import Any

from lightdesign.importers import recurrent
from lightdesign.importers.base import MAX_LAYERS, Builder, ImportResult, ModelFileError, lent_arrays, too_many_layers

# BuiltinOperator codes of the schema (tensorflow/lite/schema/schema.fbs)
OPS = {
    0: "ADD",
    1: "AVERAGE_POOL_2D",
    2: "CONCATENATION",
    3: "CONV_2D",
    4: "DEPTHWISE_CONV_2D",
    6: "DEQUANTIZE",
    7: "EMBEDDING_LOOKUP",
    9: "FULLY_CONNECTED",
    14: "LOGISTIC",
    16: "LSTM",
    17: "MAX_POOL_2D",
    18: "MUL",
    19: "RELU",
    21: "RELU6",
    22: "RESHAPE",
    25: "SOFTMAX",
    28: "TANH",
    32: "CUSTOM",
    34: "PAD",
    35: "UNIDIRECTIONAL_SEQUENCE_RNN",
    36: "GATHER",
    39: "TRANSPOSE",
    40: "MEAN",
    41: "SUB",
    42: "DIV",
    43: "SQUEEZE",
    44: "UNIDIRECTIONAL_SEQUENCE_LSTM",
    45: "STRIDED_SLICE",
    49: "SPLIT",
    53: "CAST",
    54: "PRELU",
    58: "LESS",
    60: "PADV2",
    64: "SELECT",
    65: "SLICE",
    67: "TRANSPOSE_CONV",
    77: "SHAPE",
    82: "REDUCE_MAX",
    83: "PACK",
    97: "RESIZE_NEAREST_NEIGHBOR",
    98: "LEAKY_RELU",
    102: "SPLIT_V",
    105: "REVERSE_V2",
    114: "QUANTIZE",
    117: "HARD_SWISH",
    119: "WHILE",
    123: "SELECT_V2",
    150: "GELU",
}
FUSED = {0: "linear", 1: "relu", 3: "relu6", 4: "tanh"}
SIMPLE_ACTIVATIONS = {
    "RELU": "relu",
    "RELU6": "relu6",
    "TANH": "tanh",
    "LOGISTIC": "sigmoid",
    "HARD_SWISH": "hard_swish",
}
PASS_THROUGH = {"QUANTIZE", "DEQUANTIZE", "CAST"}
WEIGHTED = {
    "TRANSPOSE_CONV",
    "PRELU",
    "CONV_3D",
    "BATCH_MATMUL",
    "UNIDIRECTIONAL_SEQUENCE_LSTM",
    "UNIDIRECTIONAL_SEQUENCE_RNN",
    "LSTM",
}
TYPE_SIZES = {0: 4, 1: 2, 2: 4, 3: 1, 4: 8, 6: 1, 7: 2, 9: 1, 10: 8}
# TensorType -> NumPy dtype of the weights read (float32, float16, int32, uint8, int64, int16, int8, float64)
DTYPES = {0: "<f4", 1: "<f2", 2: "<i4", 3: "u1", 4: "<i8", 7: "<i2", 9: "i1", 10: "<f8"}
MAX_TENSORS = 200_000
SUPPORTED_VERSION = 3


def _truncated() -> ModelFileError:
    return ModelFileError("the .tflite file is truncated or damaged (an offset points outside the file)")


class _Table:
    """One flatbuffer table; every read checked against the buffer."""

    __slots__ = ("data", "pos", "vtable", "vlen")

    def __init__(self, data: bytes, pos: int):
        self.data = data
        self.pos = pos
        self.vtable = pos - self._unpack("<i", pos)
        self.vlen = self._unpack("<H", self.vtable)

    def _unpack(self, fmt: str, pos: int):
        if pos < 0:
            raise _truncated()
        try:
            return struct.unpack_from(fmt, self.data, pos)[0]
        except struct.error:
            raise _truncated() from None

    def _field(self, slot: int) -> int:
        offset = 4 + 2 * slot
        if offset >= self.vlen:
            return 0
        return self._unpack("<H", self.vtable + offset)

    def scalar(self, slot: int, fmt: str, default: Any = 0) -> Any:
        off = self._field(slot)
        return self._unpack(fmt, self.pos + off) if off else default

    def table(self, slot: int) -> _Table | None:
        off = self._field(slot)
        if not off:
            return None
        at = self.pos + off
        return _Table(self.data, at + self._unpack("<I", at))

    def _vector(self, slot: int, size: int) -> tuple[int, int]:
        off = self._field(slot)
        if not off:
            return 0, 0
        at = self.pos + off
        at += self._unpack("<I", at)
        length = self._unpack("<I", at)
        if at + 4 + length * size > len(self.data):
            raise _truncated()
        return at + 4, length

    def ints(self, slot: int, fmt: str = "<i", size: int = 4) -> list[int]:
        start, length = self._vector(slot, size)
        return [self._unpack(fmt, start + i * size) for i in range(length)]

    def length(self, slot: int, size: int = 1) -> int:
        return self._vector(slot, size)[1]

    def tables(self, slot: int) -> list[_Table]:
        start, length = self._vector(slot, 4)
        out = []
        for i in range(length):
            at = start + 4 * i
            out.append(_Table(self.data, at + self._unpack("<I", at)))
        return out

    def count(self, slot: int) -> int:
        return self._vector(slot, 4)[1]

    def string(self, slot: int, limit: int = 256) -> str:
        start, length = self._vector(slot, 1)
        return self.data[start : start + min(length, limit)].decode("utf-8", "replace")

    def bytes(self, slot: int, limit: int) -> bytes:
        start, length = self._vector(slot, 1)
        return self.data[start : start + min(length, limit)]


class _Tensor:
    __slots__ = ("index", "shape", "signature", "type", "buffer", "name", "table")

    def __init__(self, index: int, table: _Table):
        self.index = index
        self.table = table
        self.shape = table.ints(0)
        self.type = table.scalar(1, "<b")
        self.buffer = table.scalar(2, "<I")
        self.name = table.string(3, 120)
        self.signature = table.ints(7) or self.shape

    @property
    def size(self) -> int:
        return math.prod(max(d, 1) for d in self.shape) if self.shape else 1

    def dims(self) -> tuple | None:
        """Per-sample shape (batch axis dropped) when the file fixes every size."""
        sig = self.signature
        if len(sig) < 2 or any(d < 1 for d in sig[1:]):
            return None
        return tuple(sig[1:])


def _read_model(data: bytes):
    if len(data) < 8 or data[4:8] != b"TFL3":
        raise ModelFileError("not a TensorFlow Lite file (no TFL3 identifier)")
    root = _Table(data, struct.unpack_from("<I", data, 0)[0])
    version = root.scalar(0, "<I")
    if version != SUPPORTED_VERSION:
        raise ModelFileError(f"TFLite schema version {version} is not supported; LightDesign reads version 3")
    codes = []
    for code in root.tables(1):
        builtin = max(code.scalar(0, "<b"), code.scalar(3, "<i"))
        custom = code.string(1, 64) if builtin == 32 else ""
        codes.append(f"CUSTOM:{custom}" if custom else OPS.get(builtin, f"BUILTIN_{builtin}"))
    graphs = root.tables(2)
    if not graphs:
        raise ModelFileError("the .tflite file has no subgraph")
    buffers = root.tables(4)
    filled = set()
    for i, buf in enumerate(buffers):
        if buf.length(0) > 0 or buf.scalar(2, "<Q") > 0:
            filled.add(i)
    return codes, graphs, filled, len(graphs), buffers


def convert(data: bytes, name: str, input_shape: tuple | None = None) -> ImportResult:
    return _convert(data, name, input_shape)[0]


def weight_values(data: bytes, input_shape: tuple | None = None) -> dict[str, list]:
    """The weights of every mapped layer with weights, by block name, as the NumPy arrays the
    Keras layer of the generated code holds (same order, layout and shapes). ``input_shape``:
    the shape given when the file was imported, if one was. Runs the import's mapping again."""
    result, reader = _convert(data, "weights", input_shape)
    return lent_arrays(result, reader.sources, reader.array)


def _convert(data: bytes, name: str, input_shape: tuple | None = None):
    codes, graphs, filled, subgraphs, buffers = _read_model(data)  # parsed once: loops read ``reader.graphs``
    graph = graphs[0]
    if graph.count(0) > MAX_TENSORS:
        raise ModelFileError(f"the .tflite file has {graph.count(0):,} tensors; at most {MAX_TENSORS:,} are read")
    tensors = [_Tensor(i, t) for i, t in enumerate(graph.tables(0))]
    operators = graph.tables(3)
    if len(operators) > 4 * MAX_LAYERS:
        raise too_many_layers(len(operators))
    inputs, outputs = graph.ints(1), graph.ints(2)
    if len(inputs) != 1 or len(outputs) != 1:
        raise ModelFileError(
            f"the model has {len(inputs)} inputs and {len(outputs)} outputs; LightDesign designs have one of each"
        )

    def tensor(i: int) -> _Tensor:
        if not 0 <= i < len(tensors):
            raise ModelFileError(f"an operator reads tensor {i}, which the file does not define (damaged file)")
        return tensors[i]

    source = tensor(inputs[0])
    shape = tuple(input_shape) if input_shape else source.dims()
    if shape is None:
        dims = ", ".join("?" if d < 1 else str(d) for d in source.signature[1:]) or "?"
        raise ModelFileError(f"the model input has no fixed shape ({dims}); give the input shape, e.g. 224,224,3")
    dynamic = input_shape is not None and tuple(input_shape) != source.dims()
    dtype = "int32" if source.type in (2, 4) else "float32"
    builder = Builder(str(inputs[0]), shape, dtype)
    reader = _Reader(data, buffers, tensors, filled, builder, dynamic, graphs)
    ops = []
    for op in operators:
        index = op.scalar(0, "<I")
        if index >= len(codes):
            raise ModelFileError("an operator names an operator code the file does not define (damaged file)")
        ops.append((codes[index], op, [i for i in op.ints(1)], [i for i in op.ints(2)]))
    reader.run(ops)
    notes = []
    if subgraphs > 1:
        notes.append(f"the file has {subgraphs} subgraphs; the first (the model) was imported")
    notes.append("TFLite folds BatchNormalization into the convolutions: they import with a bias and no BatchNorm")
    out = str(outputs[0])
    if out not in builder.tensors:
        out = reader.last or out
    return builder.result(name, out, "tflite", notes), reader


class _Reader:
    def __init__(self, data, buffers, tensors, filled, builder: Builder, dynamic: bool, graphs=()):
        self.data = data
        self.buffers = buffers
        self.graphs = graphs  # every subgraph (a WHILE loop's body is one)
        self.body_weights: dict[int, int] = {}  # subgraph -> the weights it holds (``tflite_while``)
        self.tensors = tensors
        self.filled = filled
        self.b = builder
        self.dynamic = dynamic
        self.constant: set[int] = {t.index for t in tensors if t.buffer in filled and t.buffer > 0}
        self.meta: set[int] = set()
        self.consumers: dict[int, list[int]] = {}
        self.producer: dict[int, int] = {}
        self.skip: set[int] = set()
        self.aliases: list[tuple[str, str]] = []  # (tensor, tensor it stands for), once that exists
        self.last: str | None = None
        self.dequantized: dict[int, int] = {}  # DEQUANTIZE of a constant: its output -> its input
        # block -> how its Keras weights are read: (layout, tensor, extra) per weight
        self.sources: dict[str, list[tuple[str, int, Any]]] = {}

    # -- constants ----------------------------------------------------------------------------
    def values(self, index: int, limit: int = 64) -> list[float] | None:
        """A small constant tensor's values (axes, paddings, scalars)."""
        if index not in self.constant:
            return None
        t = self.tensors[index]
        if t.size > limit or t.buffer >= len(self.buffers):
            return None
        raw = self.buffers[t.buffer].bytes(0, 8 * limit)
        fmt = {0: "f", 2: "i", 4: "q", 9: "b", 3: "B", 7: "h"}.get(t.type)
        if fmt is None:
            return None
        size = struct.calcsize(fmt)
        count = min(len(raw) // size, t.size)
        return list(struct.unpack_from(f"<{count}{fmt}", raw, 0))

    def dims(self, index: int) -> tuple | None:
        if self.dynamic:
            return None
        return self.tensors[index].dims()

    # -- weights in Keras's layout (``weight_values``) --------------------------------------------
    def raw(self, index: int):
        """A constant tensor's values as float32 (dequantized), in the file's layout; None when
        they cannot be read (no buffer, sparse, an unknown type)."""
        import numpy as np

        index = self.dequantized.get(index, index)
        t = self.tensors[index]
        dtype = DTYPES.get(t.type)
        if dtype is None or not 0 < t.buffer < len(self.buffers) or t.table.table(6) is not None:
            return None
        buffer = self.buffers[t.buffer]
        count = math.prod(t.shape) if t.shape else 1
        size = count * np.dtype(dtype).itemsize
        start, length = buffer._vector(0, 1)
        if not length:  # a buffer stored after the flatbuffer (models over 2 GB): offset and size
            start, length = buffer.scalar(1, "<Q"), buffer.scalar(2, "<Q")
        if length < size or start + size > len(self.data):
            raise _truncated()
        values = np.frombuffer(self.data, dtype, count, start).reshape(t.shape or ())
        quant = t.table.table(4)
        scale = quant.ints(2, "<f") if quant is not None else []
        if t.type not in (0, 1, 10) and scale:  # quantized: (q - zero point) * scale, per channel
            zero = quant.ints(3, "<q", 8) or [0]
            axis = quant.scalar(6, "<i") if len(scale) > 1 else 0
            if len(scale) > 1 and (values.ndim <= axis or values.shape[axis] != len(scale)):
                return None
            if len(zero) not in (1, len(scale)):
                return None
            shape = [1] * values.ndim
            if len(scale) > 1:
                shape[axis] = len(scale)
            scale = np.asarray(scale, np.float32).reshape(shape)
            zero = np.asarray(zero, np.float32).reshape(shape if len(zero) > 1 else [1] * values.ndim)
            return ((values.astype(np.float32) - zero) * scale).astype(np.float32)
        if t.type not in (0, 1, 10):
            return None  # integer values with no scale are not weights
        return values.astype(np.float32)

    def array(self, layout: str, index: int, extra: Any = None):
        """One weight in Keras's layout."""
        if layout == "gates":  # an LSTM's per-gate tensors (i, f, c, o) stacked as Keras stacks them
            import numpy as np

            parts = [self.raw(i) for i in index]
            if any(p is None for p in parts) or len({p.shape for p in parts}) != 1:
                return None
            stacked = np.concatenate(parts)  # (4 * units, ...)
            return np.ascontiguousarray(stacked.T)
        a = self.raw(index)
        if a is None:
            return None
        if layout == "conv":  # (O, kh, kw, I/g) -> (kh, kw, I/g, O)
            return a.transpose(1, 2, 3, 0)
        if layout == "depthwise":  # (1, kh, kw, C*m) -> (kh, kw, C, m)
            return a.reshape(a.shape[1], a.shape[2], extra, -1)
        if layout == "dense":  # (O, I) -> (I, O)
            return a.T
        if layout == "vector":  # a bias; ``extra`` added (the +3 a hard sigmoid moved into it)
            return a.reshape(-1) + a.dtype.type(extra or 0)
        if layout == "scale":  # a per-channel scale as a 1x1 depthwise kernel (1, 1, C, 1)
            return a.reshape(1, 1, -1, 1)
        if layout == "table":
            return a
        raise ValueError(f"unknown weight layout {layout!r}")

    def record(self, block: str, kind: str, recipe: list[tuple[str, int, Any]]) -> None:
        """Remember how a block's weights are read when it mapped to ``kind`` (not opaque)."""
        last = self.b.blocks[-1] if self.b.blocks else None
        if last is not None and last.name == block and last.kind == kind:
            self.sources[block] = recipe

    def _recipe(self, ins: list[int], kernel: str, extra: Any = None, bias_shift: float = 0.0) -> list:
        recipe = [(kernel, ins[1], extra)]
        if self.has_bias(ins):
            recipe.append(("vector", ins[2], bias_shift))
        return recipe

    # -- the walk -------------------------------------------------------------------------------
    def run(self, ops) -> None:
        for k, (_, _, ins, outs) in enumerate(ops):
            for i in ins:
                if i >= 0:
                    self.consumers.setdefault(i, []).append(k)
            for o in outs:
                self.producer[o] = k
        self.ops = ops
        for k, (code, op, ins, outs) in enumerate(ops):
            if k in self.skip or not outs:
                continue
            for i in [*ins, *outs]:
                if i >= len(self.tensors) or i < -1:
                    raise ModelFileError(f"an operator reads tensor {i}, which the file does not define (damaged file)")
            data_in = [i for i in ins if i >= 0 and str(i) in self.b.tensors]
            if not data_in:  # computes constants or shapes only (SHAPE, PACK, DEQUANTIZE of weights)
                if code == "DEQUANTIZE" and ins and ins[0] in self.constant:
                    self.constant.update(outs)
                    self.dequantized.update((o, ins[0]) for o in outs)
                else:
                    self.meta.update(outs)
                continue
            if code == "SHAPE":
                self.meta.update(outs)
                continue
            self.map(k, code, op, ins, outs, data_in)
            while self.aliases and self.aliases[0][1] in self.b.tensors:
                alias, target = self.aliases.pop(0)
                self.b.alias(alias, target)
            if str(outs[0]) in self.b.tensors:
                self.last = str(outs[0])

    def only_consumer(self, tensor: int) -> int | None:
        found = self.consumers.get(tensor, [])
        return found[0] if len(found) == 1 else None

    def output(self, k: int) -> int:
        """The first output of operator ``k``, which an operator fused with another has; a
        damaged file's operator without one is refused in one line."""
        outs = self.ops[k][3]
        if not outs:
            raise ModelFileError(f"a {self.ops[k][0]} operator has no output tensor (damaged file)")
        return outs[0]

    def name(self, index: int) -> str:
        """The Keras layer name inside a converted tensor name ('Model_1/block_1_add_1/add'
        -> 'block_1_add'), else the tensor's own name."""
        raw = self.tensors[index].name.split(";")[0]
        parts = [p for p in raw.split("/") if p]
        if len(parts) >= 3:
            scope, layer = parts[0], parts[1]
            suffix = scope[scope.rfind("_") :] if "_" in scope and scope[scope.rfind("_") + 1 :].isdigit() else ""
            return layer[: -len(suffix)] if suffix and layer.endswith(suffix) else layer
        return parts[-1].split(":")[0] if parts else f"t{index}"

    def weight_count(self, ins: list[int]) -> int:
        return sum(self.tensors[i].size for i in ins if i >= 0 and i in self.constant)

    def has_bias(self, ins: list[int]) -> bool:
        """Whether an operator's bias input holds anything: the converter gives a zero bias to
        convolutions that have none in Keras (the depthwise half of a separable conv)."""
        if len(ins) < 3 or ins[2] < 0:
            return False
        t = self.tensors[ins[2]]
        if ins[2] not in self.constant or t.buffer >= len(self.buffers):
            return True
        raw = self.buffers[t.buffer].bytes(0, 4 * 65536 + 16)
        return bool(raw.strip(b"\0")) or not raw

    def weight_inputs(self, ins: list[int]) -> list[int]:
        """The weight tensors of a conv or fully connected operator (a zero bias left out)."""
        return [ins[1]] + ([ins[2]] if self.has_bias(ins) else [])

    # -- one operator ---------------------------------------------------------------------------
    def map(self, k: int, code: str, op, ins: list[int], outs: list[int], data_in: list[int]) -> None:
        b = self.b
        out = outs[0]
        tid, name = str(out), self.name(out)
        x = str(data_in[0])
        options = op.table(4)
        if code in PASS_THROUGH:
            b.alias(tid, x)
            return
        try:
            handler = getattr(self, f"op_{code.lower()}", None)
            if handler is not None and handler(tid, name, op, options, ins, outs, data_in) is not False:
                return
        except _Opaque as exc:
            return self.opaque(tid, name, code, ins, outs, data_in, str(exc))
        if code in SIMPLE_ACTIVATIONS:
            b.add(tid, name, code, "Activation", dict(activation=SIMPLE_ACTIVATIONS[code]), [x])
            return
        self.opaque(tid, name, code, ins, outs, data_in, f"the operator {code} has no LightDesign kind")

    def opaque(self, tid, name, code, ins, outs, data_in, reason) -> None:
        # float constants only: integer ones are indices, axes and shapes, not parameters
        consts = [
            i
            for i in ins
            if i >= 0 and i in self.constant and self.tensors[i].size > 1 and self.tensors[i].type not in (2, 4)
        ]
        count = sum(self.tensors[i].size for i in consts)
        params = (count, 0) if code in WEIGHTED else (0, count)
        self.b.opaque(tid, name, code, [str(i) for i in data_in], self.dims(outs[0]), params, reason)
        for extra in outs[1:]:
            self.b.alias(str(extra), tid)

    def with_activation(self, tid, name, code, kind, params, inputs, fused, weights=None) -> None:
        """A block plus the activation TFLite fused into it (kinds without their own)."""
        act = FUSED.get(fused)
        if act is None:
            raise _Opaque(f"fused activation {fused} has no LightDesign equivalent")
        if act == "linear":
            self.b.add(tid, name, code, kind, params, inputs, weights)
            return
        inner = f"{tid}\x00pre"
        self.b.add(inner, name, code, kind, params, inputs, weights)
        self.b.add(tid, f"{name}_{act}", code, "Activation", dict(activation=act), [inner])

    def _conv_common(self, options, ins, dw: bool) -> dict:
        if options is None:
            raise _Opaque("no options")
        padding = {0: "same", 1: "valid"}.get(options.scalar(0, "<b"))
        sw, sh = options.scalar(1, "<i"), options.scalar(2, "<i")
        slots = (5, 6) if dw else (4, 5)
        dw_, dh = options.scalar(slots[0], "<i", 1), options.scalar(slots[1], "<i", 1)
        fused = options.scalar(4 if dw else 3, "<b")
        if padding is None or sw != sh or dw_ != dh:
            raise _Opaque("non-square strides or dilation, or an unknown padding")
        act = FUSED.get(fused)
        if act is None:
            raise _Opaque(f"fused activation {fused} has no LightDesign equivalent")
        filt = self.tensors[ins[1]]
        if len(filt.shape) != 4 or filt.shape[1] != filt.shape[2]:
            raise _Opaque(f"a filter of shape {filt.shape} (only square 2-D kernels are mapped)")
        return dict(
            kernel_size=filt.shape[1],
            strides=sh,
            padding=padding,
            dilation_rate=dh,
            use_bias=self.has_bias(ins),
            activation=act,
        )

    def _params(self, ins) -> tuple[int, int]:
        return (self.weight_count(self.weight_inputs(ins)), 0)

    def op_conv_2d(self, tid, name, op, options, ins, outs, data_in):
        if len(ins) < 2 or ins[1] not in self.constant:
            raise _Opaque("its filter is not a constant")
        params = self._conv_common(options, ins, dw=False)
        filt = self.tensors[ins[1]]
        in_channels = self.b.shape(str(ins[0]))[-1]
        if filt.shape[3] < 1 or in_channels % filt.shape[3]:
            raise _Opaque("its filter does not divide the input channels")
        params.update(filters=filt.shape[0], groups=in_channels // filt.shape[3])
        params = self._hard_sigmoid(outs[0], params)
        block = self.b.add(tid, name, "CONV_2D", "Conv2D", params, [str(ins[0])], self._params(ins), self._shapes(ins))
        self.record(block, "Conv2D", self._recipe(ins, "conv", bias_shift=self._shift(params)))

    def op_depthwise_conv_2d(self, tid, name, op, options, ins, outs, data_in):
        if len(ins) < 2 or ins[1] not in self.constant:
            raise _Opaque("its filter is not a constant")
        params = self._conv_common(options, ins, dw=True)
        filt = self.tensors[ins[1]]
        in_channels = self.b.shape(str(ins[0]))[-1]
        if in_channels < 1 or filt.shape[3] % in_channels:
            raise _Opaque("its filter does not match the input channels")
        params.update(depth_multiplier=filt.shape[3] // in_channels)
        params = self._hard_sigmoid(outs[0], params)
        block = self.b.add(
            tid,
            name,
            "DEPTHWISE_CONV_2D",
            "DepthwiseConv2D",
            params,
            [str(ins[0])],
            self._params(ins),
            self._shapes(ins),
        )
        self.record(block, "DepthwiseConv2D", self._recipe(ins, "depthwise", in_channels, self._shift(params)))

    @staticmethod
    def _shift(params: dict) -> float:
        """What the Keras bias lacks of the file's: hard_sigmoid(x) = relu6(x + 3) / 6 adds
        the 3 the converter put into the bias."""
        return -3.0 if params.get("activation") == "hard_sigmoid" else 0.0

    def _shapes(self, ins) -> list[tuple]:
        return [tuple(self.tensors[i].shape) for i in self.weight_inputs(ins) if i in self.constant]

    def _hard_sigmoid(self, out: int, params: dict) -> dict:
        """relu6(x + 3) / 6 converts to a conv with fused RELU6 (the +3 in its bias) and a MUL
        by 1/6: the conv becomes one with a hard_sigmoid activation."""
        if params["activation"] != "relu6":
            return params
        k = self.only_consumer(out)
        if k is None or self.ops[k][0] != "MUL":
            return params
        ins = self.ops[k][2]
        other = [i for i in ins if i != out]
        if len(other) == 1:
            values = self.values(other[0], 1)
            if values and math.isclose(values[0], 1 / 6, rel_tol=1e-3):
                self.skip.add(k)
                self.aliases.append((str(self.output(k)), str(out)))
                return dict(params, activation="hard_sigmoid")
        return params

    def op_fully_connected(self, tid, name, op, options, ins, outs, data_in):
        if len(ins) < 2 or ins[1] not in self.constant:
            raise _Opaque("its weights are not a constant")
        weights = self.tensors[ins[1]]
        fused = options.scalar(0, "<b") if options else 0
        act = FUSED.get(fused)
        if act is None or len(weights.shape) != 2:
            raise _Opaque("an unusual fully connected layer")
        x = str(ins[0])
        shape = self.b.shape(x)
        if shape[-1] != weights.shape[1]:
            if math.prod(shape) != weights.shape[1]:
                raise _Opaque("its weights do not match the input")
            flat = f"{tid}\x00flat"
            self.b.add(flat, f"{name}_flatten", "RESHAPE", "Flatten", {}, [x])
            x = flat
        params = dict(units=weights.shape[0], use_bias=self.has_bias(ins), activation=act)
        block = self.b.add(tid, name, "FULLY_CONNECTED", "Dense", params, [x], self._params(ins), self._shapes(ins))
        # TFLite flattens channels-last tensors in (H, W, C) order, as the design's Flatten does
        self.record(block, "Dense", self._recipe(ins, "dense"))

    def _pool(self, tid, name, options, data_in, code, kind):
        if options is None:
            raise _Opaque("no options")
        padding = {0: "same", 1: "valid"}.get(options.scalar(0, "<b"))
        sw, sh = options.scalar(1, "<i"), options.scalar(2, "<i")
        fw, fh = options.scalar(3, "<i"), options.scalar(4, "<i")
        if padding is None or sw != sh or fw != fh:
            raise _Opaque("a non-square window or stride")
        params = dict(pool_size=fh, strides=sh, padding=padding)
        self.with_activation(tid, name, code, kind, params, [str(data_in[0])], options.scalar(5, "<b"))

    def op_average_pool_2d(self, tid, name, op, options, ins, outs, data_in):
        self._pool(tid, name, options, data_in, "AVERAGE_POOL_2D", "AveragePooling2D")

    def op_max_pool_2d(self, tid, name, op, options, ins, outs, data_in):
        self._pool(tid, name, options, data_in, "MAX_POOL_2D", "MaxPooling2D")

    def _reduce(self, tid, name, op, options, ins, data_in, kinds):
        axes = self.values(ins[1]) if len(ins) > 1 else None
        x = str(data_in[0])
        rank = len(self.b.shape(x)) + 1
        keep = bool(options.scalar(0, "<B")) if options else False
        wanted = {4: [1, 2], 3: [1]}.get(rank)
        if axes is None or sorted(int(a) % rank for a in axes) != wanted:
            raise _Opaque(f"a reduction over axes {axes}")
        kind = kinds[rank]
        self.b.add(tid, name, op, kind, dict(keepdims=keep), [x])

    def op_mean(self, tid, name, op, options, ins, outs, data_in):
        self._reduce(
            tid, name, "MEAN", options, ins, data_in, {4: "GlobalAveragePooling2D", 3: "GlobalAveragePooling1D"}
        )

    def op_reduce_max(self, tid, name, op, options, ins, outs, data_in):
        self._reduce(tid, name, "REDUCE_MAX", options, ins, data_in, {4: "GlobalMaxPooling2D", 3: "GlobalMaxPooling1D"})

    def _elementwise(self, tid, name, code, options, ins, outs, data_in, kind):
        fused = options.scalar(0, "<b") if options else 0
        if len(data_in) >= 2:
            self.with_activation(tid, name, code, kind, {}, [str(i) for i in data_in], fused)
            return
        const = [i for i in ins if i >= 0 and i not in data_in]
        if not const or const[0] not in self.constant:
            raise _Opaque(f"{code} with a computed second operand")
        c = self.tensors[const[0]]
        x = str(data_in[0])
        channels = self.b.shape(x)[-1]
        if code == "MUL" and c.size == channels and c.size > 1 and FUSED.get(fused) is not None:
            # a per-channel scale (BatchNorm that could not be folded): a 1x1 depthwise conv
            params = dict(kernel_size=1, use_bias=False, padding="same", activation=FUSED[fused])
            block = self.b.add(tid, name, code, "DepthwiseConv2D", params, [x], (c.size, 0), [(1, 1, c.size, 1)])
            self.record(block, "DepthwiseConv2D", [("scale", const[0], None)])
            return
        if c.size == 1:
            value = self.values(const[0], 1)
            shown = f"{value[0]:g}" if value else "a scalar"
            reason = f"{code} by the constant {shown}"
        else:
            reason = f"{code} with a constant of {c.size} values"
        self.b.opaque(tid, name, code, [x], self.b.shape(x), (0, c.size if c.size > 1 else 0), reason)

    def op_add(self, tid, name, op, options, ins, outs, data_in):
        # the per-channel shift after a per-channel scale: the 1x1 depthwise conv gets its bias
        if len(data_in) == 1:
            const = [i for i in ins if i >= 0 and i not in data_in]
            x = str(data_in[0])
            block = self.b.blocks[-1] if self.b.blocks else None
            if (
                const
                and const[0] in self.constant
                and block is not None
                and self.b.block_of.get(x) == block.name
                and block.kind == "DepthwiseConv2D"
                and block.params.get("kernel_size") == 1
                and not block.params.get("use_bias")
                and block.params.get("activation") == "linear"
                and self.tensors[const[0]].size == self.b.shape(x)[-1]
                and FUSED.get(options.scalar(0, "<b") if options else 0) is not None
            ):
                block.params["use_bias"] = True
                block.params["activation"] = FUSED[options.scalar(0, "<b") if options else 0]
                self.b.trace.nodes[-1].cost.trainable += self.tensors[const[0]].size
                if block.name in self.sources:
                    self.sources[block.name].append(("vector", const[0], 0.0))
                    self.b.weights[block.name].append((self.tensors[const[0]].size,))
                self.b.alias(tid, x)
                return
        self._elementwise(tid, name, "ADD", options, ins, outs, data_in, "Add")

    def op_mul(self, tid, name, op, options, ins, outs, data_in):
        # x * sigmoid(x): the swish the converter splits in two
        if len(data_in) == 2:
            a, c = data_in
            for x, s in ((a, c), (c, a)):
                k = self.producer.get(s)
                if k is not None and self.ops[k][0] == "LOGISTIC" and self.ops[k][2][:1] == [x] and k in self.swish:
                    self.b.add(tid, name, "LOGISTIC+MUL", "Activation", dict(activation="swish"), [str(x)])
                    return
        self._elementwise(tid, name, "MUL", options, ins, outs, data_in, "Multiply")

    @property
    def swish(self) -> set[int]:
        if not hasattr(self, "_swish"):
            found = set()
            for k, (code, _, ins, outs) in enumerate(self.ops):
                if code != "LOGISTIC" or not outs:
                    continue
                m = self.only_consumer(outs[0])
                if m is not None and self.ops[m][0] == "MUL" and ins[:1] and ins[0] in self.ops[m][2]:
                    found.add(k)
            self._swish = found
        return self._swish

    def op_logistic(self, tid, name, op, options, ins, outs, data_in):
        k = self.producer.get(outs[0])
        if k in self.swish:
            # produced at the MUL; give the sigmoid's output a stand-in so the MUL sees it
            self.b.alias(tid, str(data_in[0]))
            return
        return False

    def op_concatenation(self, tid, name, op, options, ins, outs, data_in):
        axis = options.scalar(0, "<i") if options else 0
        rank = len(self.b.shape(str(data_in[0]))) + 1
        if axis % rank != rank - 1 or len(data_in) != len([i for i in ins if i >= 0]):
            raise _Opaque(f"concatenation along axis {axis}")
        self.with_activation(
            tid, name, "CONCATENATION", "Concatenate", {}, [str(i) for i in data_in], options.scalar(1, "<b")
        )

    def op_softmax(self, tid, name, op, options, ins, outs, data_in):
        beta = options.scalar(0, "<f", 1.0) if options else 1.0
        if not math.isclose(beta, 1.0):
            raise _Opaque(f"softmax with beta {beta}")
        self.b.add(tid, name, "SOFTMAX", "Activation", dict(activation="softmax"), [str(data_in[0])])

    def op_pad(self, tid, name, op, options, ins, outs, data_in):
        pads = self.values(ins[1], 16) if len(ins) > 1 else None
        x = str(data_in[0])
        if pads is None or len(pads) != 8 or len(self.b.shape(x)) != 3 or any(pads[i] for i in (0, 1, 6, 7)):
            raise _Opaque(f"padding {pads} (only height and width padding is mapped)")
        top, bottom, left, right = (int(v) for v in pads[2:6])
        self.b.add(tid, name, "PAD", "ZeroPadding2D", dict(top=top, bottom=bottom, left=left, right=right), [x])

    op_padv2 = op_pad

    def op_reshape(self, tid, name, op, options, ins, outs, data_in):
        if self._shuffle(tid, name, ins, outs, data_in) or recurrent.tflite_follow(self, ins, outs, data_in):
            return
        x = str(data_in[0])
        target = [int(v) if v > 0 and not self.dynamic else -1 for v in self.tensors[outs[0]].signature[1:]]
        if self.dynamic and len(target) > 1:
            known = self.tensors[outs[0]].signature[1:]
            target = [int(v) if v > 0 else -1 for v in known]
        if not target or target.count(-1) > 1:
            raise _Opaque("a reshape whose target depends on the input size")
        if len(target) == 1:
            self.b.add(tid, name, "RESHAPE", "Flatten", {}, [x])
            return
        self.b.add(tid, name, "RESHAPE", "Reshape", dict(target_shape=target), [x])

    op_squeeze = op_reshape

    def _shuffle(self, tid, name, ins, outs, data_in) -> bool:
        """RESHAPE to (H, W, g, C/g) -> TRANSPOSE (0, 1, 2, 4, 3) -> RESHAPE back: a channel shuffle."""
        first = self.tensors[outs[0]].signature
        if len(first) != 5:
            return False
        k = self.only_consumer(outs[0])
        if k is None or self.ops[k][0] != "TRANSPOSE":
            return False
        perm = self.values(self.ops[k][2][1]) if len(self.ops[k][2]) > 1 else None
        if perm != [0, 1, 2, 4, 3]:
            return False
        m = self.only_consumer(self.output(k))
        if m is None or self.ops[m][0] != "RESHAPE":
            return False
        final = self.output(m)
        self.skip.update((k, m))
        x = str(data_in[0])
        self.b.add(str(final), name, "RESHAPE+TRANSPOSE+RESHAPE", "ChannelShuffle", dict(groups=int(first[3])), [x])
        return True

    def _split(self, tid, name, outs, data_in, parts: int):
        x = str(data_in[0])
        channels = self.b.shape(x)[-1]
        if parts < 2 or channels % parts:
            raise _Opaque(f"a split into {parts} parts")
        for index, out in enumerate(outs):
            self.b.add(str(out), f"{name}_{index}", "SPLIT", "ChannelSplit", dict(parts=parts, index=index), [x])

    def op_split(self, tid, name, op, options, ins, outs, data_in):
        axis = self.values(ins[0], 1)
        x = data_in[0]
        rank = len(self.b.shape(str(x))) + 1
        if not axis or int(axis[0]) % rank != rank - 1:
            raise _Opaque(f"a split along axis {axis}")
        self._split(tid, name, outs, data_in, len(outs))

    def op_strided_slice(self, tid, name, op, options, ins, outs, data_in):
        """A slice of the last axis into equal parts: ChannelSplit."""
        x = str(data_in[0])
        shape = self.b.shape(x)
        begin = self.values(ins[1], 8) if len(ins) > 3 else None
        end = self.values(ins[2], 8) if len(ins) > 3 else None
        strides = self.values(ins[3], 8) if len(ins) > 3 else None
        if not begin or not end or not strides or len(begin) != len(shape) + 1 or any(int(s) != 1 for s in strides):
            raise _Opaque("a slice that is not a channel split")
        masks = (options.scalar(0, "<i"), options.scalar(1, "<i")) if options else (0, 0)
        lo = [0 if masks[0] >> i & 1 else int(v) for i, v in enumerate(begin)]
        hi = [(shape[i - 1] if i else 1) if masks[1] >> i & 1 else int(v) for i, v in enumerate(end)]
        channels = shape[-1]
        width = hi[-1] - lo[-1]
        if any(lo[i] != 0 or hi[i] not in (shape[i - 1], 0) for i in range(1, len(shape))) or width <= 0:
            raise _Opaque("a slice that is not a channel split")
        if channels % width or lo[-1] % width:
            raise _Opaque("a slice that is not an equal channel split")
        self.b.add(
            tid, name, "STRIDED_SLICE", "ChannelSplit", dict(parts=channels // width, index=lo[-1] // width), [x]
        )

    def op_gather(self, tid, name, op, options, ins, outs, data_in):
        table = self.tensors[ins[0]]
        if ins[0] not in self.constant or len(table.shape) != 2:
            raise _Opaque("a gather that is not an embedding lookup")
        block = self.b.add(
            tid,
            name,
            "GATHER",
            "Embedding",
            dict(input_dim=table.shape[0], output_dim=table.shape[1]),
            [str(ins[1])],
            (table.size, 0),
            [tuple(table.shape)],
        )
        self.record(block, "Embedding", [("table", ins[0], None)])

    # -- recurrent layers and Keras 3's id wrap before an embedding (importers/recurrent.py) ----------
    def op_unidirectional_sequence_lstm(self, tid, name, op, options, ins, outs, data_in):
        why = recurrent.tflite_sequence(self, "UNIDIRECTIONAL_SEQUENCE_LSTM", tid, name, options, ins, outs)
        if why:
            raise _Opaque(why)

    def op_unidirectional_sequence_rnn(self, tid, name, op, options, ins, outs, data_in):
        why = recurrent.tflite_sequence(self, "UNIDIRECTIONAL_SEQUENCE_RNN", tid, name, options, ins, outs)
        if why:
            raise _Opaque(why)

    def op_transpose(self, tid, name, op, options, ins, outs, data_in):
        return None if recurrent.tflite_follow(self, ins, outs, data_in) else False

    def op_while(self, tid, name, op, options, ins, outs, data_in):
        recurrent.tflite_while(self, tid, name, options, ins, outs, data_in)

    def op_less(self, tid, name, op, options, ins, outs, data_in):
        return None if recurrent.tflite_index_wrap(self, self.producer[outs[0]], ins, outs) else False


class _Opaque(Exception):
    """This operator has no registered kind (the message says why)."""
