"""An ONNX model read as plain data with the ``onnx`` package: protobuf parsing, shape
inference and the folding of constant computations (``constants``: nothing else is run).
Weights kept in external data files are read from the model's own folder when one is given
(``external``), else their shapes alone are known. The graph's nodes with who reads and
writes each tensor, its constants, the shapes inference found, the attributes of a node.
What the nodes map to is the mapper's business."""

from __future__ import annotations

import math
from collections import deque
from pathlib import Path
from typing import Any

from lightdesign.importers.base import MAX_LAYERS, ModelFileError, too_many_layers
from lightdesign.importers.onnx import constants, external

MIN_OPSET, MAX_OPSET = 7, 23


def _onnx():
    import onnx

    return onnx


def _load(data: bytes, folder: Path | None = None):
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
        raise too_many_layers(len(model.graph.node), nodes=True)
    _check_text(model)
    missing = external.load(model, folder)
    shapes, computed = constants.fold(model, _inferred, opset)
    return model, shapes, computed, opset, missing


def _without_weights(model):
    """A copy of ``model`` for shape inference: its large constants become inputs of the same
    type and shape (their values play no part, and copying them would cost most of the time)."""
    onnx = _onnx()
    from onnx import helper

    graph = model.graph
    light = onnx.GraphProto(name=graph.name)
    light.node.extend(graph.node)
    light.input.extend(graph.input)
    light.output.extend(graph.output)
    light.value_info.extend(graph.value_info)
    declared = {i.name for i in graph.input}
    for tensor in graph.initializer:
        if math.prod(tensor.dims) <= constants.MAX_VALUES:
            light.initializer.append(tensor)
        elif tensor.name not in declared:
            light.input.append(helper.make_tensor_value_info(tensor.name, tensor.data_type, list(tensor.dims)))
    copy = onnx.ModelProto(ir_version=model.ir_version, graph=light)
    copy.opset_import.extend(model.opset_import)
    copy.functions.extend(model.functions)
    return copy


def _inferred(model) -> tuple[dict[str, list], dict[str, int]]:
    """The shapes (batch included) that shape inference fixes completely, and the element
    types it knows, by tensor name."""
    onnx = _onnx()
    try:
        inferred = onnx.shape_inference.infer_shapes(_without_weights(model), strict_mode=False, data_prop=True)
    except Exception:  # noqa: BLE001 - a model shape inference cannot follow still imports, with fewer shapes
        inferred = model
    shapes, types = {}, {}
    graph = inferred.graph
    for vi in [*graph.input, *graph.value_info, *graph.output, *model.graph.output]:
        shape = dims(vi)
        if shape and all(d for d in shape):
            shapes[vi.name] = shape
        if vi.type.tensor_type.elem_type:
            types[vi.name] = vi.type.tensor_type.elem_type
    return shapes, types


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
    not initializers, the outputs, the channels-first shapes (batch included) that shape
    inference fixed, the constants folding computed (``computed``: not stored in the file),
    and the external data files that were not found (``missing``)."""

    def __init__(
        self,
        model,
        shapes: dict[str, list],
        opset: int,
        missing: list[str] | None = None,
        computed: set[str] | None = None,
    ):
        graph = model.graph
        self.name = graph.name
        self.opset = opset
        self.inits = {t.name: t for t in graph.initializer}
        self.inputs = [i for i in graph.input if i.name not in self.inits]
        self.outputs = list(graph.output)
        self.shapes = shapes  # channels-first inferred shapes, with batch
        self.missing = missing or []
        self.computed = computed or set()
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
        """A constant's TensorProto (an initializer, or a folded constant); None when computed."""
        return self.inits.get(name)

    def is_const(self, name: str) -> bool:
        """Whether the tensor ``name`` is a constant."""
        return name in self.inits

    def size(self, name: str) -> int:
        """How many values a constant holds (0 for a computed tensor)."""
        t = self.tensor(name)
        return math.prod(t.dims) if t is not None else 0

    def values(self, name: str, limit: int = 64) -> list | None:
        """A small constant's values, flat (axes, pads, scalars); None for another tensor."""
        t = self.tensor(name)
        if t is None or math.prod(t.dims) > limit or t.data_location == 1:  # 1: external data not read
            return None
        from onnx import numpy_helper

        try:
            return numpy_helper.to_array(t).reshape(-1).tolist()
        except Exception:  # noqa: BLE001 - a tensor ONNX cannot decode has no known values
            return None

    def zeros_made_at_run_time(self, name: str) -> bool:
        """Whether a constant is a run of zeros the graph computes (not stored in the file):
        an exporter's stand-in for a bias the model does not have."""
        if name not in self.computed:
            return False
        found = self.values(name, limit=constants.MAX_VALUES)
        return found is not None and not any(found)

    def stored(self, name: str) -> bool:
        """Whether a constant's values were read (external data files may be missing)."""
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


def read(data: bytes, folder: Path | None = None) -> Graph:
    """An ONNX file's graph, its external data read from ``folder`` (the model's own) when
    given; ModelFileError when it is no complete model of a supported opset."""
    model, shapes, computed, opset, missing = _load(data, folder)
    return Graph(model, shapes, opset, missing, computed)
