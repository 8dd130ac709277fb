"""ONNX models -> designs, read with the ``onnx`` package (protobuf parsing and shape
inference only; nothing is run and external data files are never opened).

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
from typing import Any

from lightdesign.importers import recurrent
from lightdesign.importers.base import MAX_LAYERS, Builder, ImportResult, ModelFileError, lent_arrays, too_many_layers

MIN_OPSET, MAX_OPSET = 7, 23
KERAS_EPSILON = 1e-3  # BatchNormalization's epsilon in Keras (the generated code keeps the default)
WEIGHTED = {"ConvTranspose", "PRelu", "LSTM", "GRU", "RNN", "InstanceNormalization", "LayerNormalization"}
# operators mapped on a tensor in the file's (batch, steps, features) order too (the others
# assume channels-first and stay opaque on one): elementwise ones, and those that read its axes
FILE_ORDER_OPS = {
    *("Relu", "Sigmoid", "Tanh", "HardSwish", "HardSigmoid", "Clip", "Dropout", "Identity"),
    *("Add", "Sum", "Mul", "MatMul", "Flatten", "Reshape", "Softmax", "Concat", "Split", "Slice"),
    *("ReduceMean", "Gather", "LSTM", "GRU", "RNN", "Transpose", "Squeeze"),
}


class _Opaque(Exception):
    """This node has no registered kind (the message says why)."""


def _onnx():
    import onnx

    return onnx


def _load(data: bytes):
    onnx = _onnx()
    from google.protobuf.message import DecodeError

    try:
        model = onnx.ModelProto.FromString(data)
    except (DecodeError, ValueError, RuntimeError, RecursionError):
        raise ModelFileError("the .onnx file is not a complete ONNX model (truncated or damaged protobuf)") from None
    if not model.HasField("graph") or not model.graph.node:
        raise ModelFileError("the .onnx file holds no graph: not an ONNX model (or truncated)")
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), None)
    if opset is None or not MIN_OPSET <= opset <= MAX_OPSET:
        raise ModelFileError(
            f"ONNX opset {opset} is not supported; LightDesign reads opsets {MIN_OPSET} to {MAX_OPSET}"
        )
    if len(model.graph.node) > 4 * MAX_LAYERS:
        raise too_many_layers(len(model.graph.node))
    try:
        inferred = onnx.shape_inference.infer_shapes(model, strict_mode=False)
    except Exception:  # noqa: BLE001 - a model shape inference cannot follow still imports, with fewer shapes
        inferred = model
    return model, inferred, opset


def _dims(value_info) -> list | None:
    t = value_info.type.tensor_type
    if not t.HasField("shape"):
        return None
    return [d.dim_value if d.HasField("dim_value") else None for d in t.shape.dim]


def to_last(dims: list | tuple) -> tuple:
    """(N, C, ...spatial) -> per-sample channels-last (...spatial, C); (N, F) -> (F,)."""
    dims = list(dims)[1:]
    if len(dims) >= 2:
        return (*dims[1:], dims[0])
    return tuple(dims)


def _channels_last_rows(a, order: tuple | None):
    """Rows (the first axis) in the file's order put in the design's. ``order`` lists the
    parts of a flat tensor, each the design's (*spatial, C) shape of a channels-first
    (C, *spatial) tensor flattened there (its rows reordered), or ``(n,)``: n rows in the
    same order in both (see ``_Reader.reordered``)."""
    if not order:
        return a
    import numpy as np

    if sum(math.prod(part) for part in order) != a.shape[0]:
        raise ValueError(f"{a.shape[0]} rows where the order {order} has {sum(math.prod(p) for p in order)}")
    pieces, start, rest = [], 0, a.shape[1:]
    for part in order:
        piece = a[start : start + math.prod(part)]
        start += math.prod(part)
        if len(part) >= 2:
            spatial, channels = tuple(part[:-1]), part[-1]
            piece = np.moveaxis(piece.reshape(channels, *spatial, *rest), 0, len(spatial)).reshape(-1, *rest)
        pieces.append(piece)
    return np.ascontiguousarray(np.concatenate(pieces))


def _same_flat_order(shape: tuple) -> bool:
    """Whether a channels-first tensor of the design's ``shape`` (*spatial, C) flattens in the
    same order in the file and in the design (one channel, or one position)."""
    return len(shape) < 2 or shape[-1] == 1 or math.prod(shape[:-1]) == 1


def _sub_order(order: tuple, lo: int, hi: int) -> tuple | None:
    """The order of rows ``lo:hi`` of a flat tensor in ``order``, or None when the range cuts
    a reordered part (those rows are different features in the file and in the design)."""
    out, start = [], 0
    for part in order:
        size = math.prod(part)
        a, b = max(lo, start), min(hi, start + size)
        if a < b:
            if len(part) >= 2 and (a, b) != (start, start + size):
                return None
            out.append(part if len(part) >= 2 else (b - a,))
        start += size
    return tuple(out)


def _normal(order: tuple | None) -> tuple | None:
    """None for an order whose parts all keep the file's row order."""
    return order if order and any(len(part) >= 2 for part in order) else None


def convert(data: bytes, name: str, input_shape: tuple | None = None) -> ImportResult:
    return _convert(data, name, input_shape)[0]


def _convert(data: bytes, name: str, input_shape: tuple | None = None):
    onnx = _onnx()
    model, inferred, opset = _load(data)
    graph = model.graph
    inits = {t.name: t for t in graph.initializer}
    inputs = [i for i in graph.input if i.name not in inits]
    if len(inputs) != 1 or len(graph.output) != 1:
        raise ModelFileError(
            f"the model has {len(inputs)} inputs and {len(graph.output)} outputs; LightDesign designs have one of each"
        )
    raw = _dims(inputs[0]) or []
    if input_shape:
        shape = tuple(input_shape)
    else:
        if len(raw) < 2 or any(not d for d in raw[1:]):
            dims = ", ".join(str(d) if d else "?" for d in raw[1:]) or "?"
            raise ModelFileError(
                f"the model input has no fixed shape ({dims}); give the input shape (channels last), e.g. 224,224,3"
            )
        shape = to_last(raw)
    elem = inputs[0].type.tensor_type.elem_type
    dtype = "int32" if elem in (onnx.TensorProto.INT32, onnx.TensorProto.INT64) else "float32"
    shapes = {}
    for vi in [*inferred.graph.value_info, *inferred.graph.output, *graph.output]:
        dims = _dims(vi)
        if dims and all(d for d in dims):
            shapes[vi.name] = dims
    builder = Builder(inputs[0].name, shape, dtype)
    reader = _Reader(builder, graph, inits, shapes, input_shape is not None)
    reader.opset = opset
    reader.run()
    notes = ["converted from channels-first (N, C, H, W) to the design's channels-last (H, W, C)"]
    notes += recurrent.notes(reader)
    return builder.result(graph.name or name, graph.output[0].name, "onnx", notes), reader


def weight_values(data: bytes, input_shape: tuple | None = None) -> dict[str, list]:
    """The weights of every mapped layer with weights, by block name, as the NumPy arrays the
    Keras layer of the generated code holds (same order, layout and shapes). ``input_shape``:
    the shape given when the file was imported, if one was. Runs the import's mapping again."""
    result, reader = _convert(data, "weights", input_shape)
    return lent_arrays(result, reader.sources, reader.array)


class _Reader:
    def __init__(self, builder: Builder, graph, inits: dict, shapes: dict, user_shape: bool):
        self.b = builder
        self.graph = graph
        self.inits = inits
        self.shapes = shapes  # channels-first inferred shapes, with batch
        self.user_shape = user_shape
        self.constants: dict[str, Any] = {}  # Constant node outputs: name -> TensorProto
        self.nodes = list(graph.node)
        self.consumers: dict[str, list[int]] = {}
        self.producer: dict[str, int] = {}
        for k, node in enumerate(self.nodes):
            for i in node.input:
                self.consumers.setdefault(i, []).append(k)
            for o in node.output:
                self.producer[o] = k
        self.skip: set[int] = set()
        # block -> how its Keras weights are read: (layout, initializer, extra) per weight
        self.sources: dict[str, list[tuple[str, str, Any]]] = {}
        # block -> the order of a flat tensor whose features are in channels-first (C, H, W)
        # order in the file but (H, W, C) order in the design: its parts in turn (a Concat of
        # several), each the (H, W, C) shape a Flatten read, or (n,) for n features in the same
        # order in both; the layers reading it reorder their weights or stay opaque
        self.reordered: dict[str, tuple] = {}
        # blocks whose output keeps the file's own axis order (batch, steps, features): an
        # embedding, a recurrent layer and what follows them; every other tensor of rank 3 or
        # more is channels-first in the file, its channels moved last in the design
        self.file_order: set[str] = set()
        self.opset = MAX_OPSET

    # -- constants ---------------------------------------------------------------------------
    def tensor(self, name: str):
        return self.inits.get(name) or self.constants.get(name)

    def is_const(self, name: str) -> bool:
        return name in self.inits or name in self.constants

    def size(self, name: str) -> int:
        t = self.tensor(name)
        return math.prod(t.dims) if t is not None else 0

    def values(self, name: str, limit: int = 64) -> list | None:
        t = self.tensor(name)
        if t is None or math.prod(t.dims) > limit or t.data_location == 1:  # 1: external data, never opened
            return None
        from onnx import numpy_helper

        try:
            return numpy_helper.to_array(t).reshape(-1).tolist()
        except Exception:  # noqa: BLE001 - a tensor ONNX cannot decode has no known values
            return None

    def stored(self, name: str) -> bool:
        """Whether a constant's values are in the file (external data files are never opened)."""
        t = self.tensor(name)
        return t is not None and t.data_location != 1

    def array(self, layout: str, name: str, extra: Any = None):
        """One weight in Keras's layout (see ``weight_values``)."""
        import numpy as np
        from onnx import numpy_helper

        a = numpy_helper.to_array(self.tensor(name)).astype(np.float32)
        if layout == "conv2d":  # (O, I/g, kh, kw) -> (kh, kw, I/g, O)
            return a.transpose(2, 3, 1, 0)
        if layout == "conv1d":  # (O, I/g, k) -> (k, I/g, O)
            return a.transpose(2, 1, 0)
        if layout == "depthwise":  # (C*m, 1, kh, kw) -> (kh, kw, C, m)
            return a.reshape(-1, extra, *a.shape[2:]).transpose(2, 3, 0, 1)
        if layout == "dense":  # (in, out), or (out, in) with transB; times alpha; rows (columns) reordered
            trans, alpha, flat, *columns = extra
            a = _channels_last_rows((a.T if trans else a) * np.float32(alpha), flat)
            return np.ascontiguousarray(_channels_last_rows(a.T, columns[0]).T) if columns else a
        if layout == "vector":  # a per-channel vector; times a scale; reordered after a Flatten
            scale, flat = extra
            return _channels_last_rows(a.reshape(-1) * np.float32(scale), flat)
        if layout == "variance":  # Keras adds its own epsilon: var + eps_file - eps_keras
            eps, flat = extra
            return _channels_last_rows(a.reshape(-1) + np.float32(eps - KERAS_EPSILON), flat)
        if layout == "table":
            return a
        if layout in ("rnn_kernel", "rnn_bias"):  # a recurrent layer's (importers/recurrent.py)
            return recurrent.onnx_weight(layout, a, extra)
        raise ValueError(f"unknown weight layout {layout!r}")

    def record(self, block: str, kind: str, recipe: list[tuple[str, str, Any]]) -> None:
        """Remember how a block's weights are read when it mapped to ``kind`` (not opaque)."""
        last = self.b.blocks[-1] if self.b.blocks else None
        if last is None or last.name != block or last.kind != kind:
            return
        if not all(self.stored(name) for _, name, _ in recipe):
            self.b.weights.pop(block, None)  # weights in an external file: the layer starts fresh
            return
        self.sources[block] = recipe

    def in_file_order(self, x: str) -> bool:
        """Whether ``x`` has two or more axes per sample and keeps the file's axis order."""
        return len(self.b.shape(x) or ()) >= 2 and self.b.block_of.get(x) in self.file_order

    def channel_axis(self, x: str) -> int:
        """The file's axis (batch included) that is the design's last axis of ``x``."""
        rank = len(self.b.shape(x)) + 1
        return rank - 1 if rank == 2 or self.in_file_order(x) else 1

    def keeps_file_order(self, x: str, block: str) -> None:
        """``block`` maps a layer that keeps the axis order of its input ``x``."""
        if self.in_file_order(x):
            self.file_order.add(block)

    def flat_order(self, x: str) -> tuple | None:
        """The order of a flat input's features (see ``reordered``), when it differs from the file's."""
        return self.reordered.get(self.b.block_of.get(x, ""))

    def parts(self, x: str) -> tuple:
        """The order of a flat input as parts, ``(n,)`` for one in the file's order."""
        return self.flat_order(x) or ((self.b.shape(x)[-1],),)

    def only_reader(self, block: str, reader: int) -> bool:
        """Whether node ``reader`` is the only one reading ``block``'s output (the file's nodes
        that alias it, such as a bias Add, aside) and it is not the graph's output."""
        tensors = {t for t, b in self.b.block_of.items() if b == block}
        if self.graph.output[0].name in tensors:
            return False
        inside = {self.producer[t] for t in tensors if t in self.producer}
        return all(k == reader or k in inside for t in tensors for k in self.consumers.get(t, []))

    def reorder_columns(self, x: str, reader: int, shape: tuple) -> bool:
        """Make the flat ``x`` come out in the design's (H, W, C) order of ``shape`` by
        reordering the columns (and bias) of the Dense computing it, through the elementwise
        layers between: when each is read by the next only. Returns whether it did."""
        while True:
            block = self.b.block_of.get(x, "")
            kind = next((b.kind for b in self.b.blocks if b.name == block), None)
            if kind is None or not self.only_reader(block, reader) or x not in self.producer:
                return False
            if kind == "Dense":
                break
            if kind not in ("Activation", "Dropout"):
                return False
            reader = self.producer[x]
            inputs = {i for i in self.nodes[reader].input if i in self.b.tensors and self.b.block_of[i] != block}
            if len(inputs) != 1:
                return False
            x = inputs.pop()
        order = ((*shape,),)
        recipe = self.sources.get(block)
        if recipe is not None:
            dense = [entry for entry in recipe if entry[0] == "dense"]
            if len(dense) != 1 or len(dense[0][2]) != 3:
                return False
            self.sources[block] = [
                (layout, name, (*extra, order) if layout == "dense" else (extra[0], order))
                for layout, name, extra in recipe
            ]
        return True

    def attrs(self, node) -> dict:
        from onnx import helper

        out = {}
        for a in node.attribute:
            if a.type == a.TENSOR:
                out[a.name] = a.t
            elif a.type in (a.INT, a.FLOAT, a.STRING, a.INTS, a.FLOATS):
                value = helper.get_attribute_value(a)
                out[a.name] = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
        return out

    def out_shape(self, name: str) -> tuple | None:
        """Per-sample channels-last shape shape inference found, unless the user overrode the input."""
        if self.user_shape or name not in self.shapes:
            return None
        return to_last(self.shapes[name])

    def only_consumer(self, tensor: str) -> int | None:
        found = self.consumers.get(tensor, [])
        return found[0] if len(found) == 1 else None

    # -- the walk ----------------------------------------------------------------------------
    def run(self) -> None:
        for k, node in enumerate(self.nodes):
            if k in self.skip or not node.output:
                continue
            if node.op_type == "Constant":
                value = self.attrs(node).get("value")
                if value is not None:
                    self.constants[node.output[0]] = value
                continue
            data_in = [i for i in node.input if i and i in self.b.tensors]
            if not data_in:
                # computes constants or shapes only: leave it out of the design
                continue
            self.map(k, node, data_in)

    def map(self, k: int, node, data_in: list[str]) -> None:
        op = node.op_type
        out = node.output[0]
        name = node.name or out
        attrs = self.attrs(node)
        if node.domain not in ("", "ai.onnx"):
            return self.opaque(node, name, data_in, f"an operator of the custom domain {node.domain!r}")
        try:
            handler = getattr(self, f"op_{op}", None)
            if handler is None:
                raise _Opaque(f"the operator {op} has no LightDesign kind")
            if op not in FILE_ORDER_OPS and any(self.in_file_order(x) for x in data_in):
                raise _Opaque(f"{op} of a (batch, steps, features) tensor: mapped on channels-first tensors only")
            handler(node, name, attrs, data_in)
        except _Opaque as exc:
            self.opaque(node, name, data_in, str(exc))

    def opaque(self, node, name, data_in, reason) -> None:
        # float constants only: integer ones are indices, axes and shapes, not parameters
        consts = [
            i
            for i in node.input
            if i and self.is_const(i) and self.size(i) > 1 and self.tensor(i).data_type not in (6, 7)
        ]
        count = sum(self.size(i) for i in consts)
        params = (count, 0) if node.op_type in WEIGHTED else (0, count)
        shape = self.out_shape(node.output[0])
        ordered = any(self.in_file_order(x) for x in data_in)
        if ordered and shape is not None:  # the file's own order, as its input's
            shape = tuple(self.shapes[node.output[0]][1:])
        block = self.b.opaque(node.output[0], name, node.op_type, data_in, shape, params, reason)
        if ordered:
            self.file_order.add(block)
        for extra in node.output[1:]:
            if extra:
                self.b.alias(extra, node.output[0])

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

    # -- padding -----------------------------------------------------------------------------------
    def _window(self, node, name, x: str, kernel: int, stride: int, dilation: int, attrs: dict, ceil: bool = False):
        """Padding of a conv or pool window: 'same', 'valid', or explicit pads as a
        ZeroPadding2D before a 'valid' window. Returns (input tensor id, padding)."""
        spatial = self.b.shape(x)[:-1]
        auto = attrs.get("auto_pad", "NOTSET")
        if auto in ("SAME_UPPER", "SAME_LOWER"):
            return x, "same"
        if auto == "VALID":
            return x, "valid"
        pads = list(attrs.get("pads") or [0] * (2 * len(spatial)))
        if len(pads) != 2 * len(spatial):
            raise _Opaque(f"pads {pads}")
        begins, ends = pads[: len(spatial)], pads[len(spatial) :]
        span = (kernel - 1) * dilation + 1
        outs = []
        for size, lo, hi in zip(spatial, begins, ends, strict=True):
            total = size + lo + hi - span
            if total < 0:
                raise _Opaque("a window larger than its padded input")
            outs.append((-(-total // stride) if ceil else total // stride) + 1)
        if not any(pads) and not ceil:
            return x, "valid"
        same = [-(-size // stride) for size in spatial]
        keras_pads = []
        for size, want in zip(spatial, same, strict=True):
            need = max((want - 1) * stride + span - size, 0)
            keras_pads.append((need // 2, need - need // 2))
        if outs == same and all((lo, hi) == kp for lo, hi, kp in zip(begins, ends, keras_pads, strict=True)):
            return x, "same"
        if len(spatial) != 2:
            raise _Opaque(f"explicit pads {pads} on a 1-D window")
        # ceil mode: pad the end so floor division gives the same size
        extra = [
            max(0, (o - 1) * stride + span - (size + lo + hi))
            for o, size, lo, hi in zip(outs, spatial, begins, ends, strict=True)
        ]
        top, left = begins
        bottom, right = ends[0] + extra[0], ends[1] + extra[1]
        padded = f"{node.output[0]}\x00pad"
        self.b.add(
            padded,
            f"{name}_pad",
            node.op_type,
            "ZeroPadding2D",
            dict(top=top, bottom=bottom, left=left, right=right),
            [x],
        )
        return padded, "valid"

    # -- operators -----------------------------------------------------------------------------------
    def op_Conv(self, node, name, attrs, data_in):
        x = data_in[0]
        if len(node.input) < 2 or not self.is_const(node.input[1]):
            raise _Opaque("its weights are not a constant")
        w = self.tensor(node.input[1]).dims
        rank = len(self.b.shape(x))
        kernel = list(w[2:])
        strides = list(attrs.get("strides") or [1] * len(kernel))
        dilations = list(attrs.get("dilations") or [1] * len(kernel))
        if len(set(kernel)) != 1 or len(set(strides)) != 1 or len(set(dilations)) != 1:
            raise _Opaque(f"a kernel {kernel}, strides {strides} or dilations {dilations} that are not square")
        group = int(attrs.get("group", 1))
        channels = self.b.shape(x)[-1]
        bias = len(node.input) > 2 and bool(node.input[2])
        count = (self.size(node.input[1]) + (self.size(node.input[2]) if bias else 0), 0)
        k, s, d = kernel[0], strides[0], dilations[0]
        bias_recipe = [("vector", node.input[2], (1.0, None))] if bias else []
        bias_shape = [(w[0],)] if bias else []
        if rank == 2:  # (L, C): Conv1D
            if any(attrs.get("pads") or []):
                raise _Opaque("a padded 1-D convolution")
            params = dict(
                filters=w[0], kernel_size=k, strides=s, padding="valid", dilation_rate=d, groups=group, use_bias=bias
            )
            shapes = [(k, w[1], w[0]), *bias_shape]
            block = self.add(node, name, "Conv1D", params, [x], count, shapes=shapes)
            return self.record(block, "Conv1D", [("conv1d", node.input[1], None), *bias_recipe])
        x, padding = self._window(node, name, x, k, s, d, attrs)
        common = dict(kernel_size=k, strides=s, padding=padding, dilation_rate=d, use_bias=bias)
        if group == channels and group > 1 and w[1] == 1:
            multiplier = w[0] // channels
            common["depth_multiplier"] = multiplier
            shapes = [(k, k, channels, multiplier), *bias_shape]
            block = self.add(node, name, "DepthwiseConv2D", common, [x], count, shapes=shapes)
            return self.record(block, "DepthwiseConv2D", [("depthwise", node.input[1], multiplier), *bias_recipe])
        shapes = [(k, k, w[1], w[0]), *bias_shape]
        block = self.add(node, name, "Conv2D", dict(common, filters=w[0], groups=group), [x], count, shapes=shapes)
        return self.record(block, "Conv2D", [("conv2d", node.input[1], None), *bias_recipe])

    def op_BatchNormalization(self, node, name, attrs, data_in):
        count = sum(self.size(i) for i in node.input[1:5] if i)
        channels = self.b.shape(data_in[0])[-1]
        flat = self.flat_order(data_in[0])  # a BatchNorm of flattened (C, H, W) features
        block = self.add(
            node,
            name,
            "BatchNormalization",
            dict(center=True, scale=True),
            [data_in[0]],
            (count // 2, count - count // 2),
            shapes=[(channels,)] * 4,
        )
        if len(node.input) < 5 or not all(node.input[1:5]) or any(self.size(i) != channels for i in node.input[1:5]):
            self.b.weights.pop(block, None)
            return
        eps = float(attrs.get("epsilon", 1e-5))
        gamma, beta, mean, var = node.input[1:5]
        recipe = [
            ("vector", gamma, (1.0, flat)),
            ("vector", beta, (1.0, flat)),
            ("vector", mean, (1.0, flat)),
            ("variance", var, (eps, flat)),
        ]
        self.record(block, "BatchNormalization", recipe)
        self.keep_order(block, data_in[0])

    def keep_order(self, block: str, x: str) -> None:
        """A layer that keeps its flat input's feature order passes the reordering on."""
        self.keeps_file_order(x, block)
        flat = self.flat_order(x)
        if flat and self.b.blocks and self.b.blocks[-1].name == block:
            self.reordered[block] = flat

    def _act(self, node, name, data_in, activation):
        block = self.add(node, name, "Activation", dict(activation=activation), [data_in[0]])
        self.keep_order(block, data_in[0])

    def op_Relu(self, node, name, attrs, data_in):
        self._act(node, name, data_in, "relu")

    def op_Sigmoid(self, node, name, attrs, data_in):
        k = self.only_consumer(node.output[0])
        if k is not None and self.nodes[k].op_type == "Mul" and data_in[0] in self.nodes[k].input:
            # x * sigmoid(x): swish, built at the Mul
            self.b.alias(node.output[0], data_in[0])
            self.swish = getattr(self, "swish", set()) | {k}
            return
        self._act(node, name, data_in, "sigmoid")

    def op_Tanh(self, node, name, attrs, data_in):
        self._act(node, name, data_in, "tanh")

    def op_HardSwish(self, node, name, attrs, data_in):
        self._act(node, name, data_in, "hard_swish")

    def op_HardSigmoid(self, node, name, attrs, data_in):
        # Keras's hard_sigmoid is relu6(x + 3) / 6: ONNX's max(0, min(1, alpha * x + beta))
        # with alpha 1/6 and beta 0.5 (PyTorch's Hardsigmoid), not ONNX's defaults (0.2, 0.5)
        alpha, beta = float(attrs.get("alpha", 0.2)), float(attrs.get("beta", 0.5))
        if abs(alpha - 1 / 6) > 1e-6 or abs(beta - 0.5) > 1e-6:
            raise _Opaque(f"a hard sigmoid with alpha {alpha:g} and beta {beta:g} (Keras's has alpha 1/6, beta 0.5)")
        self._act(node, name, data_in, "hard_sigmoid")

    def op_Softmax(self, node, name, attrs, data_in):
        x = data_in[0]
        rank = len(self.b.shape(x)) + 1
        axis = int(attrs.get("axis", -1 if self.opset >= 13 else 1))
        # before opset 13 a softmax spans every axis from ``axis`` on
        if axis % rank != self.channel_axis(x) or self.opset < 13 and axis % rank != rank - 1:
            raise _Opaque(f"softmax over axis {axis}, not the channels (axis {self.channel_axis(x)})")
        self._act(node, name, data_in, "softmax")

    def op_Clip(self, node, name, attrs, data_in):
        lo = attrs.get("min")
        hi = attrs.get("max")
        if len(node.input) > 1 and node.input[1]:
            v = self.values(node.input[1], 1)
            lo = v[0] if v else None
        if len(node.input) > 2 and node.input[2]:
            v = self.values(node.input[2], 1)
            hi = v[0] if v else None
        if lo == 0 and hi is not None and math.isclose(hi, 6.0):
            return self._act(node, name, data_in, "relu6")
        if lo == 0 and hi is None:
            return self._act(node, name, data_in, "relu")
        raise _Opaque(f"clip to [{lo}, {hi}]")

    def _pool(self, node, name, attrs, data_in, kind):
        x = data_in[0]
        kernel = list(attrs.get("kernel_shape") or [])
        strides = list(attrs.get("strides") or [1] * len(kernel))
        if (
            not kernel
            or len(set(kernel)) != 1
            or len(set(strides)) != 1
            or any(d != 1 for d in attrs.get("dilations") or [])
        ):
            raise _Opaque(f"a window {kernel} with strides {strides} that is not square")
        rank = len(self.b.shape(x))
        if rank == 2:
            if any(attrs.get("pads") or []) or attrs.get("ceil_mode"):
                raise _Opaque("a padded 1-D pooling")
            return self.add(
                node,
                name,
                kind.replace("2D", "1D"),
                dict(pool_size=kernel[0], strides=strides[0], padding="valid"),
                [x],
            )
        x, padding = self._window(node, name, x, kernel[0], strides[0], 1, attrs, ceil=bool(attrs.get("ceil_mode", 0)))
        self.add(node, name, kind, dict(pool_size=kernel[0], strides=strides[0], padding=padding), [x])

    def op_MaxPool(self, node, name, attrs, data_in):
        if len(node.output) > 1 and node.output[1]:
            raise _Opaque("max pooling that also returns indices")
        self._pool(node, name, attrs, data_in, "MaxPooling2D")

    def op_AveragePool(self, node, name, attrs, data_in):
        self._pool(node, name, attrs, data_in, "AveragePooling2D")

    def _global(self, node, name, data_in, kind, keepdims=True):
        rank = len(self.b.shape(data_in[0]))
        kind = kind if rank == 3 else kind.replace("2D", "1D")
        self.add(node, name, kind, dict(keepdims=keepdims), [data_in[0]])

    def op_GlobalAveragePool(self, node, name, attrs, data_in):
        self._global(node, name, data_in, "GlobalAveragePooling2D")

    def op_GlobalMaxPool(self, node, name, attrs, data_in):
        self._global(node, name, data_in, "GlobalMaxPooling2D")

    def op_ReduceMean(self, node, name, attrs, data_in):
        axes = attrs.get("axes")
        if axes is None and len(node.input) > 1 and node.input[1]:
            axes = self.values(node.input[1])
        rank = len(self.b.shape(data_in[0])) + 1
        # the axes besides the batch and the channels (the steps of a file-order sequence)
        first = 1 if self.in_file_order(data_in[0]) else 2
        if axes is None or sorted(int(a) % rank for a in axes) != list(range(first, first + rank - 2)):
            raise _Opaque(f"a mean over axes {axes}")
        self._global(node, name, data_in, "GlobalAveragePooling2D", bool(attrs.get("keepdims", 1)))

    def op_Flatten(self, node, name, attrs, data_in):
        if int(attrs.get("axis", 1)) != 1:
            raise _Opaque(f"flatten from axis {attrs.get('axis')}")
        if len(self.b.shape(data_in[0])) == 1:
            return self.b.alias(node.output[0], data_in[0])
        self.flatten(node, name, data_in[0])

    def flatten(self, node, name, x: str) -> None:
        """A Flatten; when it flattens more than channels, the file's features are in (C, H, W)
        order and the design's in (H, W, C): the layers reading them reorder their weights."""
        shape = self.b.shape(x)
        block = self.add(node, name, "Flatten", {}, [x])
        if len(shape) == 1:  # already flat: its order stays
            return self.keep_order(block, x)
        # a tensor in the file's order flattens in the same order in both
        if len(shape) >= 2 and math.prod(shape[:-1]) > 1 and shape[-1] > 1 and not self.in_file_order(x):
            self.reordered[block] = (tuple(shape),)

    def op_Identity(self, node, name, attrs, data_in):
        self.b.alias(node.output[0], data_in[0])

    def op_Dropout(self, node, name, attrs, data_in):
        rate = attrs.get("ratio", 0.5)
        if len(node.input) > 1 and node.input[1]:
            v = self.values(node.input[1], 1)
            rate = v[0] if v else 0.5
        block = self.add(node, name, "Dropout", dict(rate=min(max(float(rate), 0.0), 0.95)), [data_in[0]])
        self.keep_order(block, data_in[0])

    def op_Gemm(self, node, name, attrs, data_in):
        if not self.is_const(node.input[1]) or attrs.get("transA", 0):
            raise _Opaque("a matrix product with computed weights")
        w = self.tensor(node.input[1]).dims
        units = w[0] if attrs.get("transB", 0) else w[1]
        bias = len(node.input) > 2 and bool(node.input[2])
        count = self.size(node.input[1]) + (self.size(node.input[2]) if bias else 0)
        if bias and self.size(node.input[2]) not in (units,):
            raise _Opaque("a bias that is not one per unit")
        inputs = self.size(node.input[1]) // units
        shapes = [(inputs, units)] + ([(units,)] if bias else [])
        block = self.add(node, name, "Dense", dict(units=units, use_bias=bias), [data_in[0]], (count, 0), shapes=shapes)
        trans, flat = bool(attrs.get("transB", 0)), self.flat_order(data_in[0])
        recipe = [("dense", node.input[1], (trans, float(attrs.get("alpha", 1.0)), flat))]
        if bias:
            recipe.append(("vector", node.input[2], (float(attrs.get("beta", 1.0)), None)))
        self.record(block, "Dense", recipe)

    def op_MatMul(self, node, name, attrs, data_in):
        if len(data_in) != 1 or not self.is_const(node.input[1]) or len(self.tensor(node.input[1]).dims) != 2:
            raise _Opaque("a matrix product of two computed tensors")
        x = data_in[0]
        if len(self.b.shape(x)) >= 2 and not self.in_file_order(x):
            # (N, C, L) @ (L, U) contracts L; a Dense on the design's (L, C) would read C
            raise _Opaque("a matrix product over the last axis of a channels-first tensor, not its channels")
        rows, units = self.tensor(node.input[1]).dims
        block = self.add(
            node,
            name,
            "Dense",
            dict(units=units, use_bias=False),
            [data_in[0]],
            (self.size(node.input[1]), 0),
            shapes=[(rows, units)],
        )
        self.record(block, "Dense", [("dense", node.input[1], (False, 1.0, self.flat_order(data_in[0])))])
        self.keeps_file_order(x, block)

    def _merge(self, node, name, data_in, kind, channel_axis=False):
        if len(data_in) >= 2:
            ordered = {self.in_file_order(x) for x in data_in if len(self.b.shape(x)) >= 2}
            if len(ordered) > 1:
                raise _Opaque(f"{node.op_type} of a (batch, steps, features) tensor and a channels-first one")
            if len({self.flat_order(x) for x in data_in}) > 1:
                # the design would pair features that are not paired in the file
                raise _Opaque(
                    f"{node.op_type} of flattened features in different orders (channels-first (C, H, W) "
                    "in the file, (H, W, C) in the design)"
                )
            block = self.add(node, name, kind, {}, data_in)
            self.keep_order(block, data_in[0])  # flat features in one order stay in it
            return block
        const = [i for i in node.input if i and i not in data_in]
        x = data_in[0]
        if node.op_type == "Add" and const and self.is_const(const[0]) and self.b.blocks:
            block = self.b.blocks[-1]
            # MatMul + Add(bias): the Dense gets its bias
            if (
                self.b.block_of.get(x) == block.name
                and block.kind == "Dense"
                and not block.params["use_bias"]
                and self.size(const[0]) == block.params["units"]
            ):
                block.params["use_bias"] = True
                self.b.trace.nodes[-1].cost.trainable += self.size(const[0])
                if block.name in self.sources and self.stored(const[0]):
                    self.sources[block.name].append(("vector", const[0], (1.0, None)))
                    self.b.weights[block.name].append((self.size(const[0]),))
                else:
                    self.sources.pop(block.name, None)
                    self.b.weights.pop(block.name, None)
                return self.b.alias(node.output[0], x)
        if not const or not self.is_const(const[0]):
            raise _Opaque(f"{node.op_type} with one computed input")
        size = self.size(const[0])
        if size == 1:
            v = self.values(const[0], 1)
            reason = f"{node.op_type} by the constant {v[0]:g}" if v else f"{node.op_type} by a constant"
        else:
            reason = f"{node.op_type} with a constant of {size} values"
        block = self.b.opaque(
            node.output[0], name, node.op_type, [x], self.b.shape(x), (0, size if size > 1 else 0), reason
        )
        self.keeps_file_order(x, block)

    def op_Add(self, node, name, attrs, data_in):
        self._merge(node, name, data_in, "Add")

    op_Sum = op_Add

    def op_Mul(self, node, name, attrs, data_in):
        k = self.producer.get(node.output[0])
        if k in getattr(self, "swish", set()):
            x = next(i for i in node.input if self.nodes[self.producer[i]].op_type != "Sigmoid" if i in self.producer)
            block = self.add(node, name, "Activation", dict(activation="swish"), [x])
            return self.keep_order(block, x)
        self._merge(node, name, data_in, "Multiply")

    def op_Concat(self, node, name, attrs, data_in):
        rank = len(self.b.shape(data_in[0])) + 1
        axis = int(attrs.get("axis", 1)) % rank
        if len({self.in_file_order(x) for x in data_in}) > 1:
            raise _Opaque("concatenation of a (batch, steps, features) tensor and a channels-first one")
        if axis != self.channel_axis(data_in[0]) or len(data_in) != len([i for i in node.input if i]):
            raise _Opaque(f"concatenation along axis {attrs.get('axis')} (only channels are mapped)")
        order = None
        if len(self.b.shape(data_in[0])) == 1:  # flat features: the parts in turn
            order = _normal(tuple(part for x in data_in for part in self.parts(x)))
        block = self.add(node, name, "Concatenate", {}, data_in)
        self.keeps_file_order(data_in[0], block)
        if order and self.b.blocks and self.b.blocks[-1].name == block and self.b.blocks[-1].kind == "Concatenate":
            self.reordered[block] = order

    def op_Pad(self, node, name, attrs, data_in):
        if attrs.get("mode", "constant") != "constant":
            raise _Opaque(f"{attrs.get('mode')} padding")
        pads = attrs.get("pads")
        if pads is None and len(node.input) > 1:
            pads = self.values(node.input[1], 16)
        if pads is None or len(pads) != 8 or any(pads[i] for i in (0, 1, 4, 5)) or len(self.b.shape(data_in[0])) != 3:
            raise _Opaque(f"padding {pads} (only height and width padding is mapped)")
        top, left, bottom, right = (int(pads[i]) for i in (2, 3, 6, 7))
        self.add(node, name, "ZeroPadding2D", dict(top=top, bottom=bottom, left=left, right=right), [data_in[0]])

    def op_Reshape(self, node, name, attrs, data_in):
        if recurrent.onnx_follow(self, node, attrs, data_in):
            return
        x = data_in[0]
        if not self.in_file_order(x) and self._shuffle(node, name, x):
            return
        target = self.shapes.get(node.output[0])
        if target is None and len(node.input) > 1:
            target = self.values(node.input[1], 8)
        if not target:
            raise _Opaque("a reshape whose target is unknown")
        target = list(target)
        if len(target) == 2:
            return self.flatten(node, name, x)
        if len(target) >= 3 and all(d and d > 0 for d in target[1:]) and self.in_file_order(x):
            # row-major in both: the file's order stays
            block = self.add(node, name, "Reshape", dict(target_shape=list(target[1:])), [x])
            return self.file_order.add(block)
        if len(target) >= 3 and all(d and d > 0 for d in target[1:]):
            shape = to_last(target)
            why = self._moves_channels(x, shape, target, self.producer[node.output[0]])
            if why:
                raise _Opaque(why)
            return self.add(node, name, "Reshape", dict(target_shape=list(shape)), [x])
        raise _Opaque(f"a reshape to {target}")

    def _moves_channels(self, x: str, shape: tuple, target: list, reader: int) -> str | None:
        """Why a Reshape of the channels-first ``x`` to ``target`` (the design's ``shape``,
        channels last) would not compute the file's tensor, or None when it does: the file
        reads the features in (C, H, W) order, the design in (H, W, C) order."""
        source = self.b.shape(x)
        if len(source) >= 2:
            if target[1] == source[-1] or _same_flat_order(source) and _same_flat_order(shape):
                return None  # the channels stay; the positions are regrouped in the same order
            return (
                f"a reshape to {target} that moves the channel axis of its input "
                f"({source[-1]} channels; channels-first in the file, last in the design)"
            )
        order = self.flat_order(x)
        if order is None and _same_flat_order(shape):
            return None
        if order and len(order) == 1 and len(order[0]) >= 2 and order[0][-1] == shape[-1]:
            return None  # flattened from (C, H, W) and back to C channels: the (H, W, C) order of both
        if order is None and self.reorder_columns(x, reader, shape):
            return None
        return (
            f"a reshape of flat features to {target}: the file reads them in (C, H, W) order, the design "
            "in (H, W, C) order, and no Dense read only by this reshape computes them"
        )

    def _shuffle(self, node, name, x) -> bool:
        """Reshape (N, g, C/g, H, W) -> Transpose (0, 2, 1, 3, 4) -> Reshape (N, C, H, W)."""
        first = self.shapes.get(node.output[0]) or (self.values(node.input[1], 8) if len(node.input) > 1 else None)
        if not first or len(first) != 5:
            return False
        k = self.only_consumer(node.output[0])
        if k is None or self.nodes[k].op_type != "Transpose":
            return False
        if list(self.attrs(self.nodes[k]).get("perm") or []) != [0, 2, 1, 3, 4]:
            return False
        m = self.only_consumer(self.nodes[k].output[0])
        if m is None or self.nodes[m].op_type != "Reshape":
            return False
        self.skip.update((k, m))
        self.b.add(
            self.nodes[m].output[0],
            name,
            "Reshape+Transpose+Reshape",
            "ChannelShuffle",
            dict(groups=int(first[1])),
            [x],
        )
        return True

    def op_Split(self, node, name, attrs, data_in):
        x = data_in[0]
        rank = len(self.b.shape(x)) + 1
        if int(attrs.get("axis", 0)) % rank != self.channel_axis(x):
            raise _Opaque(f"a split along axis {attrs.get('axis', 0)}")
        channels = self.b.shape(x)[-1]
        parts = len(node.output)
        sizes = attrs.get("split")
        if sizes is None and len(node.input) > 1 and node.input[1]:
            sizes = self.values(node.input[1], 64)
        if sizes is not None and len(set(sizes)) != 1 or channels % parts:
            raise _Opaque("a split into unequal parts")
        width = channels // parts
        orders = [self.sub_order(x, index * width, (index + 1) * width) for index in range(parts)]
        for index, out in enumerate(node.output):
            block = self.b.add(out, f"{name}_{index}", "Split", "ChannelSplit", dict(parts=parts, index=index), [x])
            self.keeps_file_order(x, block)
            if orders[index] and self.b.blocks[-1].name == block and self.b.blocks[-1].kind == "ChannelSplit":
                self.reordered[block] = orders[index]

    def sub_order(self, x: str, lo: int, hi: int) -> tuple | None:
        """The order of features ``lo:hi`` of ``x``; opaque where they are not the same
        features in the file and in the design."""
        order = self.flat_order(x)
        if not order:
            return None
        part = _sub_order(order, lo, hi)
        if part is None:
            raise _Opaque(
                f"features {lo}:{hi} of flattened channels-first (C, H, W) features, which the design "
                "holds in (H, W, C) order: not the same features"
            )
        return _normal(part)

    def op_Slice(self, node, name, attrs, data_in):
        x = data_in[0]
        if len(node.input) < 4:
            raise _Opaque("a slice without axes")
        starts, ends, axes = (self.values(node.input[i], 8) for i in (1, 2, 3))
        steps = self.values(node.input[4], 8) if len(node.input) > 4 and node.input[4] else [1]
        channels = self.b.shape(x)[-1]
        rank = len(self.b.shape(x)) + 1
        if (
            not starts
            or not ends
            or not axes
            or [int(a) % rank for a in axes] != [self.channel_axis(x)]
            or steps != [1]
        ):
            raise _Opaque("a slice that is not a channel split")
        lo, hi = int(starts[0]), min(int(ends[0]), channels)
        width = hi - lo
        if width <= 0 or channels % width or lo % width:
            raise _Opaque("a slice that is not an equal channel split")
        order = self.sub_order(x, lo, hi)
        block = self.add(node, name, "ChannelSplit", dict(parts=channels // width, index=lo // width), [x])
        self.keeps_file_order(x, block)
        if order and self.b.blocks[-1].name == block and self.b.blocks[-1].kind == "ChannelSplit":
            self.reordered[block] = order

    def op_Gather(self, node, name, attrs, data_in):
        if recurrent.onnx_follow(self, node, attrs, data_in):
            return
        table = self.tensor(node.input[0])
        if table is None or len(table.dims) != 2 or int(attrs.get("axis", 0)) != 0:
            raise _Opaque("a gather that is not an embedding lookup")
        params = dict(input_dim=table.dims[0], output_dim=table.dims[1])
        block = self.add(
            node, name, "Embedding", params, [node.input[1]], (self.size(node.input[0]), 0), shapes=[tuple(table.dims)]
        )
        self.record(block, "Embedding", [("table", node.input[0], None)])
        self.file_order.add(block)  # (N, steps) ids -> (N, steps, features): features last in both

    # -- recurrent layers and the axes moved around them (importers/recurrent.py) --------------------
    def op_LSTM(self, node, name, attrs, data_in):
        why = recurrent.onnx_recurrent(self, node, name, attrs, data_in)
        if why:
            raise _Opaque(why)

    op_GRU = op_RNN = op_LSTM

    def op_Transpose(self, node, name, attrs, data_in):
        if not recurrent.onnx_follow(self, node, attrs, data_in):
            raise _Opaque("the operator Transpose has no LightDesign kind")

    def op_Squeeze(self, node, name, attrs, data_in):
        if not recurrent.onnx_follow(self, node, attrs, data_in):
            raise _Opaque("the operator Squeeze has no LightDesign kind")
