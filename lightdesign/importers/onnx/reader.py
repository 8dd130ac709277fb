"""An ONNX model read as plain data with the ``onnx`` package: protobuf parsing and shape
inference only (nothing is run, external data files are never opened). The graph's nodes with
who reads and writes each tensor, its constants (initializers and Constant nodes), the shapes
inference found, the attributes of a node. What the nodes map to is the mapper's business."""

from __future__ import annotations

import math
from collections import deque
from typing import Any

from lightdesign.importers.base import MAX_LAYERS, ModelFileError, too_many_layers

MIN_OPSET, MAX_OPSET = 7, 23


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
    _check_text(model)
    try:
        inferred = onnx.shape_inference.infer_shapes(model, strict_mode=False)
    except Exception:  # noqa: BLE001 - a model shape inference cannot follow still imports, with fewer shapes
        inferred = model
    return model, inferred, opset


def _check_text(model) -> None:
    """Refuse a file whose text (a name, an operator, a domain, anywhere in the model) is not
    UTF-8: protobuf hands such a field over as bytes, which nothing downstream expects."""
    from google.protobuf.message import Message

    pending = deque([("model", model)])
    while pending:
        path, message = pending.popleft()
        for spec, value in message.ListFields():
            where = f"{path}.{spec.name}"
            if spec.type == spec.TYPE_MESSAGE:
                items = [(where, value)] if isinstance(value, Message) else _numbered(where, value)
                pending.extend(items)
            elif spec.type == spec.TYPE_STRING:
                for place, text in [(where, value)] if isinstance(value, str | bytes) else _numbered(where, value):
                    if isinstance(text, bytes):
                        shown = text[:60].decode("utf-8", "replace")
                        raise ModelFileError(
                            f"the .onnx file is damaged: {place} ({shown!r}) is not UTF-8 text, as ONNX requires"
                        )


def _numbered(path: str, values) -> list[tuple[str, Any]]:
    return [(f"{path}[{i}]", value) for i, value in enumerate(values)]


def dims(value_info) -> list | None:
    """A tensor's recorded dims (None for a size left open), or None when it has no shape."""
    t = value_info.type.tensor_type
    if not t.HasField("shape"):
        return None
    return [d.dim_value if d.HasField("dim_value") else None for d in t.shape.dim]


class Graph:
    """The model's graph: its nodes in order, who reads and writes each tensor, its constants
    (initializers; Constant nodes are added by the walk as it meets them), the inputs that are
    not initializers, the outputs, and the channels-first shapes (batch included) that shape
    inference fixed."""

    def __init__(self, model, inferred, opset: int):
        graph = model.graph
        self.name = graph.name
        self.opset = opset
        self.inits = {t.name: t for t in graph.initializer}
        self.inputs = [i for i in graph.input if i.name not in self.inits]
        self.outputs = list(graph.output)
        self.shapes: dict[str, list] = {}  # channels-first inferred shapes, with batch
        for vi in [*inferred.graph.value_info, *inferred.graph.output, *graph.output]:
            found = dims(vi)
            if found and all(d for d in found):
                self.shapes[vi.name] = found
        self.constants: dict[str, Any] = {}  # Constant node outputs: name -> TensorProto
        self.nodes = list(graph.node)
        self.consumers: dict[str, list[int]] = {}
        self.producer: dict[str, int] = {}
        for k, node in enumerate(self.nodes):
            for i in node.input:
                self.consumers.setdefault(i, []).append(k)
            for o in node.output:
                self.producer[o] = k

    def reads_integers(self) -> bool:
        """Whether the model's input holds integers (token ids)."""
        onnx = _onnx()
        elem = self.inputs[0].type.tensor_type.elem_type
        return elem in (onnx.TensorProto.INT32, onnx.TensorProto.INT64)

    def tensor(self, name: str):
        """A constant's TensorProto (an initializer or a Constant node's value); None when computed."""
        return self.inits.get(name) or self.constants.get(name)

    def is_const(self, name: str) -> bool:
        """Whether the tensor ``name`` is a constant."""
        return name in self.inits or name in self.constants

    def size(self, name: str) -> int:
        """How many values a constant holds (0 for a computed tensor)."""
        t = self.tensor(name)
        return math.prod(t.dims) if t is not None else 0

    def values(self, name: str, limit: int = 64) -> list | None:
        """A small constant's values, flat (axes, pads, scalars); None for another tensor."""
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

    def attrs(self, node) -> dict:
        """A node's attributes by name: numbers, strings, their lists, and tensors."""
        from onnx import helper

        out = {}
        for a in node.attribute:
            if a.type == a.TENSOR:
                out[a.name] = a.t
            elif a.type in (a.INT, a.FLOAT, a.STRING, a.INTS, a.FLOATS):
                value = helper.get_attribute_value(a)
                out[a.name] = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
        return out

    def only_consumer(self, tensor: str) -> int | None:
        found = self.consumers.get(tensor, [])
        return found[0] if len(found) == 1 else None


def read(data: bytes) -> Graph:
    """An ONNX file's graph; ModelFileError when it is no complete model of a supported opset."""
    model, inferred, opset = _load(data)
    return Graph(model, inferred, opset)
