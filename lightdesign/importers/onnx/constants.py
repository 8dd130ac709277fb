"""Constant data resolved before the walk: what an exporter computes at run time from
constants only becomes a constant of the graph, so the mapper sees weights and settings
where the file has them behind a detour.

- pass-throughs of constants: ``Constant`` nodes, ``Identity`` (PyTorch's exporter feeds a
  de-duplicated zero bias to every convolution through one) and ``Cast``;
- shape arithmetic whose inputs are static: ``Shape`` and ``Size`` of a tensor whose shape
  inference fixed, and the small integer computations on them (``Gather``, ``Slice``,
  ``Concat``, ``Unsqueeze``, ``Div`` …) that give a reshape's target or a split's sizes;
  ``CastLike`` of a constant to a tensor's known element type.

What such arithmetic computed is told apart from what the file stores (``computed``): the
zero bias PyTorch's dynamo exporter makes at run time for a convolution without one is no
parameter of the model.

Folding runs in rounds with shape inference between them (a folded reshape target fixes the
shapes after it, whose ``Shape`` nodes fold next), at most ``ROUNDS`` of them. Computed
values are bounded (``MAX_VALUES`` each; pass-throughs keep their tensor as it is), and
nothing else of the file is run."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

MAX_VALUES = 4096  # values a computed constant may hold (shapes, indices, small tables)
ROUNDS = 8


class _Skip(Exception):
    """A node that cannot be folded: it stays in the graph."""


def _np():
    import numpy as np

    return np


def _attr(node, name: str, default: Any = None) -> Any:
    from onnx import helper

    for a in node.attribute:
        if a.name == name:
            return helper.get_attribute_value(a)
    return default


def _integer_div(a, b):
    np = _np()
    if np.issubdtype(a.dtype, np.integer) and np.issubdtype(b.dtype, np.integer):
        if not np.all(b):
            raise _Skip
        return (np.abs(a) // np.abs(b) * np.sign(a) * np.sign(b)).astype(np.result_type(a, b))
    return a / b


def _axes(node, inputs, opset, since=13):
    """The ``axes`` of Unsqueeze/Squeeze/Reduce*: an attribute before opset ``since``, else an input."""
    if opset < since or len(inputs) < 2 or inputs[1] is None:
        found = _attr(node, "axes")
        return None if found is None else [int(a) for a in found]
    return [int(a) for a in inputs[1].reshape(-1)]


def _unsqueeze(node, inputs, opset):
    np = _np()
    x, axes = inputs[0], _axes(node, inputs, opset)
    if axes is None:
        raise _Skip
    rank = x.ndim + len(axes)
    shape = list(x.shape)
    for axis in sorted(a % rank for a in axes):
        shape.insert(axis, 1)
    return [np.reshape(x, shape)]


def _squeeze(node, inputs, opset):
    np = _np()
    axes = _axes(node, inputs, opset)
    x = inputs[0]
    return [np.squeeze(x, axis=None if axes is None else tuple(a % max(x.ndim, 1) for a in axes))]


def _slice(node, inputs, opset):
    np = _np()
    x = inputs[0]
    if opset < 10:
        starts, ends, axes = _attr(node, "starts"), _attr(node, "ends"), _attr(node, "axes")
        steps = None
    else:
        starts, ends = inputs[1].reshape(-1).tolist(), inputs[2].reshape(-1).tolist()
        axes = inputs[3].reshape(-1).tolist() if len(inputs) > 3 and inputs[3] is not None else None
        steps = inputs[4].reshape(-1).tolist() if len(inputs) > 4 and inputs[4] is not None else None
    axes = list(range(len(starts))) if axes is None else axes
    steps = [1] * len(starts) if steps is None else steps
    index = [slice(None)] * x.ndim
    for start, end, axis, step in zip(starts, ends, axes, steps, strict=True):
        if step == 0:
            raise _Skip
        index[int(axis) % x.ndim] = slice(int(start), int(end), int(step))
    return [np.asarray(x[tuple(index)])]


def _reshape(node, inputs, opset):
    np = _np()
    x, shape = inputs[0], [int(d) for d in inputs[1].reshape(-1)]
    if not _attr(node, "allowzero", 0):
        shape = [x.shape[i] if d == 0 and i < x.ndim else d for i, d in enumerate(shape)]
    return [np.reshape(x, shape)]


def _gather(node, inputs, opset):
    np = _np()
    return [np.take(inputs[0], inputs[1].astype(np.int64), axis=int(_attr(node, "axis", 0)))]


def _concat(node, inputs, opset):
    np = _np()
    return [np.concatenate(inputs, axis=int(_attr(node, "axis", 0)))]


def _cast(node, inputs, opset):
    from onnx import helper

    return [inputs[0].astype(helper.tensor_dtype_to_np_dtype(int(_attr(node, "to"))))]


def _constant_of_shape(node, inputs, opset):
    np = _np()
    from onnx import numpy_helper

    shape = [int(d) for d in inputs[0].reshape(-1)]
    if any(d < 0 for d in shape) or math.prod(shape) > MAX_VALUES:
        raise _Skip
    value = _attr(node, "value")
    fill = numpy_helper.to_array(value).reshape(-1) if value is not None else np.zeros(1, np.float32)
    return [np.full(shape, fill[0], dtype=fill.dtype)]


def _range(node, inputs, opset):
    np = _np()
    start, limit, delta = (x.reshape(-1)[0] for x in inputs[:3])
    if delta == 0 or abs((limit - start) / delta) > MAX_VALUES:
        raise _Skip
    return [np.arange(start, limit, delta, dtype=inputs[0].dtype)]


def _expand(node, inputs, opset):
    np = _np()
    shape = [int(d) for d in inputs[1].reshape(-1)]
    target = np.broadcast_shapes(inputs[0].shape, tuple(shape))
    if math.prod(target) > MAX_VALUES:
        raise _Skip
    return [np.broadcast_to(inputs[0], target).copy()]


def _broadcast(*arrays) -> None:
    """Refuse arrays that would broadcast to more than MAX_VALUES values."""
    if math.prod(_np().broadcast_shapes(*(a.shape for a in arrays))) > MAX_VALUES:
        raise _Skip


def _binary(function: Callable) -> Callable:
    def run(node, inputs, opset):
        _broadcast(inputs[0], inputs[1])
        return [function(inputs[0], inputs[1])]

    return run


def _unary(function: Callable) -> Callable:
    return lambda node, inputs, opset: [function(inputs[0])]


def _where(node, inputs, opset):
    _broadcast(*inputs[:3])
    return [_np().where(inputs[0].astype(bool), inputs[1], inputs[2])]


def _transpose(node, inputs, opset):
    perm = _attr(node, "perm")
    return [_np().transpose(inputs[0], None if perm is None else [int(p) for p in perm])]


def _reduce(function: Callable, since: int) -> Callable:
    def run(node, inputs, opset):
        axes = _axes(node, inputs, opset, since)
        keep = bool(_attr(node, "keepdims", 1))
        return [function(inputs[0], axis=None if not axes else tuple(axes), keepdims=keep)]

    return run


def _ops() -> dict[str, Callable]:
    """The operators folded on small constant inputs: (node, arrays, opset) -> output arrays."""
    np = _np()
    return {
        "Gather": _gather,
        "Unsqueeze": _unsqueeze,
        "Squeeze": _squeeze,
        "Concat": _concat,
        "Slice": _slice,
        "Reshape": _reshape,
        "ConstantOfShape": _constant_of_shape,
        "Range": _range,
        "Expand": _expand,
        "Transpose": _transpose,
        "Where": _where,
        "Add": _binary(np.add),
        "Sub": _binary(np.subtract),
        "Mul": _binary(np.multiply),
        "Div": _binary(_integer_div),
        "Min": _binary(np.minimum),
        "Max": _binary(np.maximum),
        "Equal": _binary(np.equal),
        "Less": _binary(np.less),
        "Greater": _binary(np.greater),
        "Neg": _unary(np.negative),
        "Abs": _unary(np.abs),
        "Floor": _unary(np.floor),
        "Ceil": _unary(np.ceil),
        "Not": _unary(np.logical_not),
        "ReduceProd": _reduce(np.prod, 18),
        "ReduceSum": _reduce(np.sum, 13),
    }


class Folder:
    """One round over a model's nodes in order: each node whose inputs are all constant
    (or, for ``Shape``/``Size``, whose input's shape is fixed) becomes constants."""

    def __init__(self, model, shapes: dict[str, list], types: dict[str, int], opset: int, computed: set[str]):
        self.model = model
        self.shapes = shapes
        self.types = types
        self.opset = opset
        self.computed = computed
        self.inits = {t.name: t for t in model.graph.initializer}
        self.arrays: dict[str, Any] = {}
        self.ops = _ops()

    def array(self, name: str, limit: int = MAX_VALUES):
        """A constant's values (small ones only, but for a Cast: a weight is never computed on)."""
        if name not in self.arrays:
            t = self.inits[name]
            if math.prod(t.dims) > limit or t.data_location == 1:
                raise _Skip
            from onnx import numpy_helper

            try:
                self.arrays[name] = numpy_helper.to_array(t)
            except Exception:  # noqa: BLE001 - a tensor ONNX cannot decode is not folded
                raise _Skip from None
        return self.arrays[name]

    def run(self) -> bool:
        """Fold what can be folded; whether anything was."""
        kept, added = [], []
        for node in self.model.graph.node:
            try:
                outputs = self.fold(node)
            except (_Skip, ValueError, TypeError, IndexError, OverflowError, MemoryError):
                outputs = None
            if outputs is None:
                kept.append(node)
                continue
            for name, tensor in outputs:
                self.inits[name] = tensor
                added.append(tensor)
        if not added:
            return False
        graph = self.model.graph
        del graph.node[:]
        graph.node.extend(kept)
        graph.initializer.extend(added)
        return True

    def fold(self, node) -> list | None:
        """The node's outputs as (name, TensorProto), or None when it is not folded."""
        if node.domain not in ("", "ai.onnx") or not node.output or len(node.output) != 1:
            return None
        op, out = node.op_type, node.output[0]
        if op == "Constant":
            return self.constant(node)
        ins = list(node.input)
        if op in ("Shape", "Size"):
            return self.shape_of(node, ins[0], out)
        if op == "CastLike" and len(ins) == 2:
            return self.cast_like(node)
        if not ins or any(i and i not in self.inits for i in ins):
            return None
        if op == "Identity" or op == "Cast" and self.same_type(node, ins[0]):
            return self.passed(ins[0], out, self.renamed(self.inits[ins[0]], out))
        if op == "Cast":  # weights stored in another type (float16): converted, whatever their size
            value = _cast(node, [self.array(ins[0], limit=math.inf)], self.opset)[0]
            return self.passed(ins[0], out, self.tensor(value, out, limit=math.inf))
        if op not in self.ops:
            return None
        arrays = [self.array(i) if i else None for i in ins]
        results = self.ops[op](node, arrays, self.opset)
        self.computed.add(out)
        return [(out, self.tensor(results[0], out))]

    def passed(self, source: str, out: str, tensor) -> list:
        """A constant passed through: computed only if its source was."""
        if source in self.computed:
            self.computed.add(out)
        return [(out, tensor)]

    def cast_like(self, node) -> list | None:
        """CastLike(constant, x): the constant in x's element type, which shape inference knows."""
        from onnx import helper

        source, like = node.input[0], node.input[1]
        target = self.inits[like].data_type if like in self.inits else self.types.get(like)
        if source not in self.inits or not target:
            return None
        value = self.array(source).astype(helper.tensor_dtype_to_np_dtype(target))
        self.computed.add(node.output[0])
        return [(node.output[0], self.tensor(value, node.output[0]))]

    def constant(self, node) -> list | None:
        from onnx import helper

        np = _np()
        for a in node.attribute:
            if a.name == "value" and a.type == a.TENSOR:
                return [(node.output[0], self.renamed(a.t, node.output[0]))]
            if a.name in ("value_float", "value_floats", "value_int", "value_ints"):
                value = helper.get_attribute_value(a)
                dtype = np.float32 if "float" in a.name else np.int64
                return [(node.output[0], self.tensor(np.asarray(value, dtype=dtype), node.output[0]))]
        return None

    def shape_of(self, node, x: str, out: str) -> list | None:
        np = _np()
        shape = self.shapes.get(x)
        if shape is None and x in self.inits:
            shape = list(self.inits[x].dims)
        if shape is None or any(not d for d in shape):
            return None
        self.computed.add(out)
        if node.op_type == "Size":
            return [(out, self.tensor(np.asarray(math.prod(shape), dtype=np.int64), out))]
        start, end = int(_attr(node, "start", 0)), _attr(node, "end")
        picked = shape[start:] if end is None else shape[start : int(end)]
        return [(out, self.tensor(np.asarray(picked, dtype=np.int64), out))]

    def same_type(self, node, x: str) -> bool:
        return int(_attr(node, "to", 0)) == self.inits[x].data_type

    @staticmethod
    def renamed(tensor, name: str):
        from onnx import TensorProto

        copy = TensorProto()
        copy.CopyFrom(tensor)
        copy.name = name
        return copy

    def tensor(self, value, name: str, limit: int = MAX_VALUES):
        from onnx import numpy_helper

        np = _np()
        value = np.asarray(value)
        if value.size > limit:
            raise _Skip
        if value.size <= MAX_VALUES:
            self.arrays[name] = value
        return numpy_helper.from_array(value, name)


def fold(model, infer: Callable[[Any], tuple[dict, dict]], opset: int) -> tuple[dict[str, list], set[str]]:
    """Fold ``model``'s constant computations in place; ``infer(model)`` gives the static
    shapes (name -> dims, batch included) and element types shape inference knows. Returns
    the last shapes and the names of the constants folding computed."""
    shapes, types = infer(model)
    computed: set[str] = set()
    for _ in range(ROUNDS):
        if not Folder(model, shapes, types, opset, computed).run():
            break
        shapes, types = infer(model)
    return shapes, computed
