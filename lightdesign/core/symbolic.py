"""Symbolic stand-ins for Keras tensors and layers.

A primitive layer kind is a class with Keras's constructor signature. Calling it on a
``Tensor`` computes the output shape and the cost and records a ``Node`` in the
``Trace`` the tensor belongs to. Composite blocks are plain functions written against
``keras.layers``; run with ``lightdesign.core.layers`` in its place they trace themselves,
and the same source is pasted into the generated Keras code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from lightdesign.core.fields import Field

Shape = tuple  # per-sample shape, no batch axis; entries are ints


class LayerError(ValueError):
    """A layer cannot be applied as configured; ``field`` names the culprit if known."""

    def __init__(self, message: str, field: str | None = None, valid: str | None = None):
        super().__init__(message)
        self.field = field
        self.valid = valid


def check_computed_shape(kind: str, out: tuple[int, ...]) -> None:
    """Every size a layer computes stays within the limits its fields have: an image side
    at most MAX_RESOLUTION, a sequence at most MAX_SEQUENCE steps, image channels at most
    MAX_CHANNELS, other feature axes at most MAX_UNITS, and no tensor larger than the
    largest valid input (so that every figure stays a number a table can hold)."""
    from lightdesign.core.fields import MAX_CHANNELS, MAX_RESOLUTION, MAX_SEQUENCE, MAX_UNITS

    largest = MAX_RESOLUTION * MAX_RESOLUTION * MAX_CHANNELS
    elements = 1
    for size in out:
        elements *= size
    limits: list[tuple[int, str]] = []
    if len(out) == 3:
        limits = [(MAX_RESOLUTION, "height"), (MAX_RESOLUTION, "width"), (MAX_CHANNELS, "channels")]
    elif len(out) == 2:
        limits = [(MAX_SEQUENCE, "steps"), (MAX_UNITS, "features")]
    for size, (limit, what) in zip(out, limits, strict=False):
        if size > limit:
            raise LayerError(
                f"{kind} would produce {what} = {size:,} (output {fmt_shape(out)}); at most {limit:,} are allowed"
            )
    if elements > largest:
        raise LayerError(
            f"{kind} would produce {elements:,} values per sample (output {fmt_shape(out)}); "
            f"at most {largest:,} are allowed"
        )


@dataclass(slots=True)
class Cost:
    trainable: int = 0
    non_trainable: int = 0
    macs: int = 0
    flops: int = 0

    @property
    def params(self) -> int:
        return self.trainable + self.non_trainable


@dataclass(frozen=True)
class TFLiteSupport:
    """Whether TFLite's built-in operators run a kind and whether full int8 quantization
    is possible; ``reason``: the catalogue key of what stands in the way, ``alternative``:
    the catalogue key of what to use instead."""

    builtin: bool
    int8: bool
    reason: str = ""
    alternative: str = ""


SUPPORTED = TFLiteSupport(builtin=True, int8=True)


class Unmappable(Exception):
    """A layer no kind expresses (the message says why): an importer keeps it as an opaque block."""


@dataclass(slots=True)
class Node:
    """One primitive layer application in a traced network."""

    name: str
    layer: Layer | None  # None for the model input
    inputs: tuple[str, ...]
    shape: Shape
    cost: Cost
    block: int  # index of the design block that produced it; -1 for the input
    dtype: str = "float32"

    @property
    def kind(self) -> str:
        return self.layer.kind if self.layer is not None else "Input"


class Trace:
    """The nodes recorded while a network is traced, in execution order."""

    def __init__(self) -> None:
        self.nodes: list[Node] = []
        self.by_name: dict[str, Node] = {}
        self.block = -1
        self._counts: dict[str, int] = {}

    def input(self, shape: Shape, name: str = "input_layer", dtype: str = "float32") -> Tensor:
        node = Node(name, None, (), tuple(shape), Cost(), -1, dtype)
        self._append(node)
        return Tensor(node.shape, name, self, dtype)

    def auto_name(self, kind: str) -> str:
        base = snake_case(kind)
        count = self._counts.get(base, 0)
        self._counts[base] = count + 1
        return base if count == 0 else f"{base}_{count}"

    def add(self, layer: Layer, inputs: list[Tensor], shape: Shape, cost: Cost, dtype: str) -> Node:
        name = layer.name or self.auto_name(layer.kind)
        if name in self.by_name:
            raise LayerError(f"the layer name {name!r} is used twice; layer names must be unique")
        node = Node(name, layer, tuple(t.node for t in inputs), shape, cost, self.block, dtype)
        self._append(node)
        return node

    def truncate(self, length: int) -> None:
        """Forget the nodes recorded after the first ``length``."""
        for node in self.nodes[length:]:
            del self.by_name[node.name]
        del self.nodes[length:]

    def _append(self, node: Node) -> None:
        self.nodes.append(node)
        self.by_name[node.name] = node


class Tensor:
    """A symbolic tensor: its per-sample shape and the node that produced it."""

    __slots__ = ("dims", "node", "trace", "dtype")

    def __init__(self, dims: Shape, node: str, trace: Trace, dtype: str = "float32"):
        self.dims = dims
        self.node = node
        self.trace = trace
        self.dtype = dtype

    @property
    def shape(self) -> tuple:
        """Keras-style shape with the batch axis first (``None``)."""
        return (None, *self.dims)

    def __repr__(self) -> str:
        return f"<Tensor {self.node} shape={self.shape}>"


def snake_case(kind: str) -> str:
    """Keras-style layer name stem: Conv2D -> conv2d, SimpleRNN -> simple_rnn."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z][a-z])|(?<=[a-z])(?=[A-Z])", "_", kind).lower()


def pair(value: Any) -> tuple[int, int]:
    """Keras accepts an int or a pair for sizes and strides."""
    if isinstance(value, (list, tuple)):
        return int(value[0]), int(value[1])
    return int(value), int(value)


def fmt_shape(dims: Shape) -> str:
    return "(" + ", ".join(str(d) for d in dims) + ")"


class Layer:
    """Base of primitive layer kinds.

    Subclasses declare ``fields`` (the UI and JSON view), ``keras_defaults`` (Keras's
    own constructor defaults, in signature order, for the arguments we model) and
    ``positional`` (arguments Keras takes by position), and implement
    ``output_shape`` and ``cost``.
    """

    kind: ClassVar[str] = ""
    category: ClassVar[str] = ""
    doc: ClassVar[str] = ""
    fields: ClassVar[tuple[Field, ...]] = ()
    keras_defaults: ClassVar[dict[str, Any]] = {}
    positional: ClassVar[tuple[str, ...]] = ()
    multi_input: ClassVar[bool] = False
    custom: ClassVar[bool] = False  # defined in the generated code, not in keras.layers
    composite: ClassVar[bool] = False
    ref_fields: ClassVar[tuple[str, ...]] = ()  # fields naming another block's output

    # -- facts beyond shape and cost, each read where its figure is made. The defaults
    # refuse rather than guess: a kind that does not say is reported as not known. --------
    # TFLite's support (``analysis.support``); None: not known, the check says so.
    tflite: ClassVar[TFLiteSupport | None] = None
    # A following BatchNormalization folds into this layer's kernel and bias when the model
    # is converted to int8 (the kernel quantized per channel, the bias int32).
    folds_batchnorm: ClassVar[bool] = False
    # The tutorial's stage this layer is drawn as (``output.article``); None: a shape-only
    # layer folded into an arrow.
    article_stage: ClassVar[str | None] = "other"
    # A merge whose inputs may come in any order (Add, Multiply; not Concatenate).
    commutative: ClassVar[bool] = False
    # Keras class names a saved model's layer is imported as this kind from
    # (``importers.keras``), each read by ``from_keras``; none: never imported as this kind.
    keras_classes: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *args: Any, name: str | None = None, **kwargs: Any):
        cfg = dict(self.keras_defaults)
        if len(args) > len(self.positional):
            raise TypeError(f"{self.kind} takes at most {len(self.positional)} positional arguments")
        for key, value in zip(self.positional, args, strict=False):
            cfg[key] = value
        for key, value in kwargs.items():
            if key not in cfg:
                raise TypeError(f"{self.kind} got an unexpected argument {key!r}")
            cfg[key] = value
        self.cfg = cfg
        self.name = name

    # -- design view -------------------------------------------------------------
    @classmethod
    def to_keras(cls, params: dict[str, Any]) -> dict[str, Any]:
        """Keras constructor arguments for validated design params."""
        return {k: v for k, v in params.items() if k not in cls.ref_fields}

    @classmethod
    def from_params(cls, params: dict[str, Any], name: str) -> Layer:
        return cls(name=name, **cls.to_keras(params))

    def source(self) -> str:
        """The Keras constructor call that builds this layer."""
        args = []
        positional = True
        for key, value in self.cfg.items():
            default = self.keras_defaults.get(key)
            # Required arguments (Keras default None) read best by position, as in Keras docs.
            if positional and key in self.positional and default is None and value is not None:
                args.append(repr(value))
                continue
            positional = False
            if value != default:
                args.append(f"{key}={value!r}")
        args.append(f"name={self.name!r}")
        prefix = "" if self.custom else "layers."
        return f"{prefix}{self.kind}({', '.join(args)})"

    # -- tracing -------------------------------------------------------------------
    def __call__(self, inputs: Tensor | list[Tensor]) -> Tensor:
        tensors = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        shapes = [t.dims for t in tensors]
        out = tuple(self.output_shape(shapes))
        for size in out:
            if size < 1:
                raise LayerError(
                    f"{self.kind} would produce the empty shape {fmt_shape(out)} from {fmt_shape(shapes[0])}"
                )
        check_computed_shape(self.kind, out)
        cost = self.cost(shapes, out)
        dtype = self.output_dtype(tensors)
        node = tensors[0].trace.add(self, tensors, out, cost, dtype)
        return Tensor(out, node.name, tensors[0].trace, dtype)

    def output_dtype(self, tensors: list[Tensor]) -> str:
        return "float32"

    def output_shape(self, shapes: list[Shape]) -> Shape:
        raise NotImplementedError

    def cost(self, shapes: list[Shape], out: Shape) -> Cost:
        return Cost()

    # -- deployment and import ---------------------------------------------------------
    def int8_weight_bytes(self, node: Node, inputs: list[Node]) -> int | None:
        """Bytes of this layer's weights in a fully quantized TFLite model; None when the
        kind does not say (a layer without parameters stores nothing)."""
        return 0 if node.cost.params == 0 else None

    def weight_sizes(self, node: Node, inputs: list[Node]) -> tuple[int, ...]:
        """Sizes of the weight tensors Keras holds for this layer, in its order."""
        return (node.cost.params,)

    def lower(self, node: Node, low: Any) -> str:
        """Emit the TFLite operations the converter makes of this layer on ``low`` (an
        ``analysis.lowering.Lowering``) and return the buffer holding its output. The
        default refuses: the plan is marked unsupported and one operation stands in."""
        return low.unsupported(node)

    @classmethod
    def from_keras(cls, class_name: str, config: dict[str, Any], rank: int) -> dict[str, Any]:
        """Design params from a saved Keras layer's config (``class_name`` is one of
        ``keras_classes``; ``rank``: the axes of its input per sample); Unmappable when
        this kind cannot express it."""
        raise Unmappable(f"{class_name} has no LightDesign kind")

    # -- shared checks ---------------------------------------------------------------
    def need_rank(self, shape: Shape, rank: int, what: str, hint: str = "") -> None:
        if len(shape) != rank:
            got = {1: "a vector", 2: "a sequence", 3: "an image tensor"}.get(len(shape), "a tensor")
            raise LayerError(
                f"{self.kind} needs {what}; got {got} {fmt_shape(shape)}" + (f". {hint}" if hint else ""),
                field=None,
            )

    # -- the registry interface shared with composite blocks ---------------------------
    @classmethod
    def apply(cls, inputs: list[Tensor], params: dict[str, Any], name: str) -> Tensor:
        """Trace this kind on symbolic inputs."""
        layer = cls.from_params(params, name)
        return layer(inputs if cls.multi_input else inputs[0])

    @classmethod
    def call_source(cls, params: dict[str, Any], name: str, inputs: list[str]) -> str:
        """Keras source applying this kind to the named input variables."""
        arg = f"[{', '.join(inputs)}]" if cls.multi_input else inputs[0]
        return f"{cls.from_params(params, name).source()}({arg})"

    @classmethod
    def helpers(cls) -> tuple:
        """Functions and custom layer classes the generated code must define."""
        return (cls,) if cls.custom else ()
