"""A TensorFlow Lite flatbuffer read as plain data: its operator codes, subgraphs, tensors,
buffers and operators, and the values of its constant tensors (small ones as numbers, weights
dequantized to float32). What the operators map to is the mapper's business.

Every read is bounds-checked (``flatbuffers``), so a truncated or crafted file ends in one
clear message."""

from __future__ import annotations

import math
import struct

from lightdesign.importers.base import MAX_LAYERS, ModelFileError, too_many_layers
from lightdesign.importers.tflite.flatbuffers import Table, truncated
from lightdesign.importers.tflite.schema import DTYPES, OPS, SUPPORTED_VERSION

MAX_TENSORS = 200_000


class Tensor:
    """One tensor of a subgraph: its shape, type, buffer and name."""

    __slots__ = ("index", "shape", "signature", "type", "buffer", "name", "table")

    def __init__(self, index: int, table: Table):
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


class Model:
    """The whole file: operator codes by index, every subgraph (a WHILE loop's body is one),
    the buffers and which of them hold data."""

    def __init__(self, data: bytes, codes: list[str], graphs: list[Table], buffers: list[Table], filled: set[int]):
        self.data = data
        self.codes = codes
        self.graphs = graphs
        self.buffers = buffers
        self.filled = filled
        self._weights_in: dict[int, int] = {}

    def weights_in(self, index: int) -> int:
        """How many float weights subgraph ``index`` holds, counted once per file (a file with
        many WHILE operators over one body reads that body once)."""
        if index not in self._weights_in:
            count = 0
            for table in self.graphs[index].tables(0):
                t = Tensor(-1, table)
                if t.buffer in self.filled and t.buffer > 0 and t.type not in (2, 4, 6) and t.size > 1:
                    count += t.size
            self._weights_in[index] = count
        return self._weights_in[index]


def read_model(data: bytes) -> Model:
    """The file's header, operator codes, subgraphs and buffers (the subgraphs' contents are read on demand)."""
    if len(data) < 8 or data[4:8] != b"TFL3":
        raise ModelFileError("not a TensorFlow Lite file (no TFL3 identifier)")
    root = Table(data, struct.unpack_from("<I", data, 0)[0])
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
    return Model(data, codes, graphs, buffers, filled)


class Subgraph:
    """The model's first subgraph: its tensors, inputs and outputs, operators (read by
    ``read_operators``) with who reads and writes each tensor, and its constants."""

    def __init__(self, model: Model):
        graph = model.graphs[0]
        if graph.count(0) > MAX_TENSORS:
            raise ModelFileError(f"the .tflite file has {graph.count(0):,} tensors; at most {MAX_TENSORS:,} are read")
        self.model = model
        self.data = model.data
        self.buffers = model.buffers
        self.tensors = [Tensor(i, t) for i, t in enumerate(graph.tables(0))]
        self._operators = graph.tables(3)
        if len(self._operators) > 4 * MAX_LAYERS:
            raise too_many_layers(len(self._operators))
        self.inputs, self.outputs = graph.ints(1), graph.ints(2)
        self.constant: set[int] = {t.index for t in self.tensors if t.buffer in model.filled and t.buffer > 0}
        self.dequantized: dict[int, int] = {}  # DEQUANTIZE of a constant: its output -> its input
        # (code, operator table, input tensors, output tensors), in the file's order
        self.ops: list[tuple[str, Table, list[int], list[int]]] = []
        self.consumers: dict[int, list[int]] = {}
        self.producer: dict[int, int] = {}

    def tensor(self, i: int) -> Tensor:
        if not 0 <= i < len(self.tensors):
            raise ModelFileError(f"an operator reads tensor {i}, which the file does not define (damaged file)")
        return self.tensors[i]

    def read_operators(self) -> None:
        """Read every operator with its code, and which operators read and write each tensor."""
        codes = self.model.codes
        for op in self._operators:
            index = op.scalar(0, "<I")
            if index >= len(codes):
                raise ModelFileError("an operator names an operator code the file does not define (damaged file)")
            self.ops.append((codes[index], op, [i for i in op.ints(1)], [i for i in op.ints(2)]))
        for k, (_, _, ins, outs) in enumerate(self.ops):
            for i in ins:
                if i >= 0:
                    self.consumers.setdefault(i, []).append(k)
            for o in outs:
                self.producer[o] = k

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

    def dequantize(self, source: int, outs: list[int]) -> None:
        """The outputs of a DEQUANTIZE of the constant ``source`` are constants with its values."""
        self.constant.update(outs)
        self.dequantized.update((o, source) for o in outs)

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
        start, length = buffer.vector(0, 1)
        if not length:  # a buffer stored after the flatbuffer (models over 2 GB): offset and size
            start, length = buffer.scalar(1, "<Q"), buffer.scalar(2, "<Q")
        if length < size or start + size > len(self.data):
            raise truncated()
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
