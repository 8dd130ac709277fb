"""The layers as the TFLite converter lowers them for a fully quantized model: operations in
execution order, each writing buffers. Each kind says how it lowers (its ``lower`` method,
beside its shape and cost rules); this module holds what they share: emitting operations,
fusing activations, folding BatchNormalization, padding and scalar constants the way the
converter does. ``analysis.deployment`` places the buffers in TFLite Micro's arena.

What the converter does
-----------------------
BatchNormalization folds into the Conv2D, DepthwiseConv2D or Dense before it (when that
layer has no activation and feeds only the BatchNormalization); elsewhere it stays a
multiply and an add. ReLU and ReLU6 fuse into the convolution, dense, add, multiply or
pooling that feeds them (not into a concatenation); the same one again after it vanishes
(a ReLU6 after a fused ReLU stays). A ZeroPadding2D feeding only a 'valid'
convolution fuses into it when it pads exactly as 'same' would. Dropout and linear
activations vanish. Other activations are operations of their own: hard-swish one, swish
two (logistic, multiply), hard-sigmoid two (add with ReLU6, multiply), softmax, sigmoid and
tanh one. SeparableConv2D is a depthwise and a pointwise convolution with a tensor between
them; Flatten and Reshape compute their shape at run time (four small operations); global
pooling is a MEAN or REDUCE_MAX with int32 scratch buffers; 1-D layers are their 2-D
operation between reshapes; an embedding wraps negative ids (three small int32 operations)
before its lookup; a dilated convolution is TensorFlow's space-to-batch form
(SPACE_TO_BATCH_ND, the convolution, BATCH_TO_SPACE_ND). A multiply by a single constant
(BatchNormalization of one channel, hard-sigmoid's / 6) folds into a following convolution
or dense layer, an add too where the padding is 'valid' (a Dropout between them changes nothing; when
another layer reads the constant's result too, it stays); a constant add before
hard-sigmoid's + 3 joins it; x * hard_sigmoid(x) is one HARD_SWISH. Buffers hold 1 byte per element (int32 token ids and scratch buffers 4).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import prod

from lightdesign.core.symbolic import Node, pair

INT32 = 4  # bytes of an int32 element (token ids, shapes, scratch buffers)
FUSABLE_ACTIVATIONS = {"relu", "relu6"}
# Operations with a fused-activation field the converter folds ReLU/ReLU6 into.
# (CONCATENATION has the field too, but the converter leaves a RELU after it: checked
# against TensorFlow 2.21's converter in tests/keras/test_latency.py.)
FUSES_ACTIVATION = {
    "CONV_2D",
    "DEPTHWISE_CONV_2D",
    "FULLY_CONNECTED",
    "ADD",
    "MUL",
    "AVERAGE_POOL_2D",
    "MAX_POOL_2D",
}
FOLDS_BATCHNORM = {"CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"}
# Our activation names -> the TFLite operations computing them (each writes a buffer).
_ACTIVATION_OPS = {
    "relu": ("RELU",),
    "relu6": ("RELU6",),
    "sigmoid": ("LOGISTIC",),
    "tanh": ("TANH",),
    "softmax": ("SOFTMAX",),
    "hard_swish": ("HARD_SWISH",),
    "hard_silu": ("HARD_SWISH",),
    "swish": ("LOGISTIC", "MUL"),
    "silu": ("LOGISTIC", "MUL"),
    "hard_sigmoid": ("ADD", "MUL"),
}


@dataclass(frozen=True)
class Geometry:
    """What a windowed or matrix operation computes over, beyond its buffers' sizes: the
    shapes it reads and writes (no batch axis), as the converted model runs them. The
    latency model (``analysis.latency``) needs it for the operations that do the arithmetic."""

    input: tuple[int, ...]
    output: tuple[int, ...]
    kernel: tuple[int, int] = (1, 1)
    strides: tuple[int, int] = (1, 1)  # space-to-batch and back: the block
    groups: int = 1  # a grouped convolution's groups; a depthwise convolution's input channels
    batch: int = 1  # the images it runs on (a dilated convolution's space-to-batch blocks)


@dataclass
class Op:
    """One operation of the deployed model, in execution order (from 1)."""

    layer: str  # the layer (graph node) it implements
    kind: str  # the TFLite builtin operator
    inputs: list[str]
    outputs: list[str]
    scratch: list[int] = field(default_factory=list)
    activation: str | None = None  # fused activation
    in_place: bool = False  # a depthwise convolution an MCU engine can run in place
    scalar: bool = False  # a multiply or add by a single constant (foldable into a following conv)
    channels: int = 0  # a multiply or add by a per-channel constant: its length (runs as a broadcast)
    padding: str = ""  # convolutions: 'same' or 'valid' as TFLite runs them
    dtype: str = "int8"  # the type it computes in (int32 for token ids)
    geometry: Geometry | None = None  # set by the kinds whose operations compute over windows or matrices


class Lowering:
    """Walks the live nodes in execution order; each node's kind emits its operations
    through the methods below (``Layer.lower``)."""

    INT32 = INT32
    Geometry = Geometry  # for the kinds, which describe their operations without importing this tier

    def __init__(self, nodes: list[Node]):
        self.nodes = nodes
        self.by_name = {n.name: n for n in nodes}
        self.readers: dict[str, list[str]] = {n.name: [] for n in nodes}  # node -> the nodes reading it
        for node in nodes:
            for name in node.inputs:
                self.readers.setdefault(name, []).append(node.name)
        self.consumers = {name: len(readers) for name, readers in self.readers.items()}
        self.output = nodes[-1].name
        self.value: dict[str, str] = {}  # node -> the buffer holding its value
        self.sizes: dict[str, int] = {}
        self.producer: dict[str, Op] = {}
        self.ops: list[Op] = []
        self.supported = True
        self.refused: list[str] = []  # the layers without a known lowering
        self.splits: dict[tuple, Op] = {}  # (tensor, parts) -> the one SPLIT of that tensor
        self.gates: dict[str, tuple[str, list[Op]]] = {}  # hard-sigmoid output -> (its input, its ops)
        self._count = 0

    def run(self) -> None:
        first = self.nodes[0]
        item = INT32 if first.dtype == "int32" else 1
        self.value[first.name] = self.tensor(first.name, prod(first.shape) * item)
        for node in self.nodes[1:]:
            self.value[node.name] = node.layer.lower(node, self)

    # -- what every kind uses ------------------------------------------------------------
    def tensor(self, name: str, size: int) -> str:
        self._count += 1
        key = f"{name}#{self._count}"
        self.sizes[key] = size
        return key

    def emit(
        self, layer: str, kind: str, inputs: list[str], sizes: list[int], scratch=(), geometry: Geometry | None = None
    ) -> Op:
        """Append an operation writing one buffer per entry of ``sizes`` (bytes)."""
        outputs = [self.tensor(layer, s) for s in sizes]
        op = Op(layer, kind, list(inputs), outputs, list(scratch), geometry=geometry)
        self.ops.append(op)
        for out in outputs:
            self.producer[out] = op
        return op

    def unsupported(self, node: Node) -> str:
        """A layer with no known lowering: one operation stands in and the plan says so."""
        self.supported = False
        self.refused.append(node.name)
        return self.emit(node.name, node.kind.upper(), [self.source(node)], [prod(node.shape)]).outputs[0]

    def source(self, node: Node, i: int = 0) -> str:
        """The buffer holding a node's ``i``-th input."""
        return self.value[node.inputs[i]]

    def input_shape(self, node: Node, i: int = 0) -> tuple:
        return self.by_name[node.inputs[i]].shape

    def single_use(self, name: str) -> bool:
        return self.consumers.get(name, 0) == 1 and name != self.output

    def activation(self, node: Node, act: str | None, tensor: str, size: int, shared: bool = False) -> str:
        """Apply ``act`` to the buffer ``tensor``. Unless other layers read ``tensor`` too
        (``shared``), a ReLU or ReLU6 fuses into the operation that wrote it; one that
        operation already applies vanishes, whoever else reads ``tensor``."""
        if act in (None, "linear"):
            return tensor
        op = self.producer.get(tensor)
        if op is not None and op.outputs[-1] != tensor:
            op = None
        if op is not None and _applies(op, act):  # the same activation again changes nothing: the converter drops it
            return tensor
        if shared:
            op = None
        if act in FUSABLE_ACTIVATIONS and op is not None and op.kind in FUSES_ACTIVATION and op.activation is None:
            op.activation = act
            return tensor
        if act in FUSABLE_ACTIVATIONS and op is not None and op.kind == "HARD_SWISH":
            return self._unfused_hard_swish(op, act, size)
        kinds = _ACTIVATION_OPS.get(act)
        if kinds is None:
            self.supported = False
            self.refused.append(node.name)
            kinds = ("ACTIVATION",)
        if kinds == ("LOGISTIC", "MUL"):
            gate = self.emit(node.name, "LOGISTIC", [tensor], [size]).outputs[0]
            return self.emit(node.name, "MUL", [tensor, gate], [size]).outputs[0]
        if kinds == ("ADD", "MUL"):
            return self._hard_sigmoid(node, op, tensor, size)
        return self.emit(node.name, kinds[0], [tensor], [size]).outputs[0]

    def fuse_activation(self, op: Op, act: str | None) -> str | None:
        """Fuse a ReLU or ReLU6 into ``op``; returns the activation still to apply (None when fused)."""
        if act in FUSABLE_ACTIVATIONS:
            op.activation = act
            return None
        return act

    def batchnorm(self, node: Node, src: str, size: int) -> str:
        """Folded into the convolution or dense layer that wrote ``src`` when it has no
        activation and feeds only this; else a multiply and an add."""
        op = self.producer.get(src)
        if (
            op is not None
            and op.kind in FOLDS_BATCHNORM
            and op.activation is None
            and self.single_use(node.inputs[0])
            and op.outputs[-1] == src
        ):
            return src
        scalar = node.shape[-1] == 1  # one channel: the constants are scalars
        scaled = self.emit(node.name, "MUL", [src], [size])
        shifted = self.emit(node.name, "ADD", scaled.outputs, [size])
        scaled.scalar = shifted.scalar = scalar
        if not scalar:
            scaled.channels = shifted.channels = node.shape[-1]
        return shifted.outputs[0]

    def convolution(self, node: Node, src: str, size: int) -> str:
        """Conv2D, DepthwiseConv2D and SeparableConv2D: a fused 'same'-style padding
        before, dilation through SPACE_TO_BATCH_ND / BATCH_TO_SPACE_ND (TensorFlow's atrous
        form, which the converter keeps), the pointwise half of a separable convolution."""
        cfg, kind = node.layer.cfg, node.kind
        src, padding = self._fuse_padding(node, src)
        inner = self.input_shape(node)
        if padding != cfg["padding"]:  # a ZeroPadding2D fused in: the convolution reads the unpadded tensor
            inner = self.input_shape(self.by_name[node.inputs[0]])
        mid = inner[-1] * cfg.get("depth_multiplier", 1)
        first = "CONV_2D" if kind == "Conv2D" else "DEPTHWISE_CONV_2D"
        channels = node.shape[-1] if kind != "SeparableConv2D" else mid
        groups = cfg["groups"] if kind == "Conv2D" else inner[-1]
        rate = pair(cfg.get("dilation_rate", 1))
        if max(rate) > 1:
            op, tensor = self._atrous(node, src, padding, first, channels, groups)
        else:
            src = self.fold_scalars(src, padding)
            out = (*node.shape[:2], channels)
            window = Geometry(inner, out, pair(cfg["kernel_size"]), pair(cfg["strides"]), groups)
            op = self.emit(node.name, first, [src], [node.shape[0] * node.shape[1] * channels], geometry=window)
            op.padding = padding
            tensor = op.outputs[0]
        if kind != "Conv2D" and cfg["depth_multiplier"] == 1 and max(rate) == 1:
            op.in_place = True
        if kind == "SeparableConv2D":
            pointwise = Geometry((*node.shape[:2], mid), node.shape)
            tensor = self.emit(node.name, "CONV_2D", [tensor], [size], geometry=pointwise).outputs[0]
        return self.activation(node, cfg["activation"], tensor, size)

    def one_dimensional(self, node: Node, src: str, operation: str, size: int, window: int, stride: int) -> Op:
        """A 1-D layer as its 2-D operation (a ``window`` x ``stride`` one row high) between
        EXPAND_DIMS and RESHAPE; returns the 2-D operation (a ReLU may still fuse into it)."""
        steps = self.input_shape(node)
        expanded = self.emit(node.name, "EXPAND_DIMS", [src], [prod(steps)]).outputs[0]
        groups = node.layer.cfg.get("groups", 1)
        geometry = Geometry((1, *steps), (1, *node.shape), (1, window), (1, stride), groups)
        return self.emit(node.name, operation, [expanded], [size], geometry=geometry)

    def fold_scalars(self, src: str, padding: str) -> str:
        """A multiply by one constant before a convolution or dense layer folds into its
        weights, an add into its bias where the padding is 'valid' (the converter's
        FuseBinaryOpToFollowingAffineOp); returns the buffer the layer then reads. An
        operation other layers read too stays, and so do the ones before it."""
        shared = False
        while True:
            op = self.producer.get(src)
            if op is None or not op.scalar or op.activation is not None or op.outputs[-1] != src:
                return src
            if op.kind == "ADD" and padding != "valid":
                return src
            shared = shared or self._readers(src) > 1
            if not shared:
                self._drop(op)
            src = op.inputs[0]

    def hard_swish(self, inputs: list[str], size: int) -> str | None:
        """x * hard_sigmoid(x), the hard-sigmoid computed as its own operations on x,
        is matched by the converter as one HARD_SWISH."""
        for gate, other in (inputs, inputs[::-1]):
            source, ops = self.gates.get(gate, (None, []))
            if source == other and ops and self._readers(gate) <= 1:
                for op in ops:
                    self._drop(op)
                return self.emit(ops[-1].layer, "HARD_SWISH", [other], [size]).outputs[0]
        return None

    # -- internals -------------------------------------------------------------------------
    def _unfused_hard_swish(self, op: Op, act: str, size: int) -> str:
        """x * relu6(x + 3) / 6 is no longer matched as one HARD_SWISH once a ReLU fuses
        into its last multiply."""
        self._drop(op)
        shifted = self.emit(op.layer, "ADD", op.inputs, [size])
        shifted.activation = "relu6"
        product = self.emit(op.layer, "MUL", [op.inputs[0], *shifted.outputs], [size])
        scaled = self.emit(op.layer, "MUL", product.outputs, [size])
        scaled.activation = act
        return scaled.outputs[0]

    def _hard_sigmoid(self, node: Node, op: Op | None, tensor: str, size: int) -> str:
        """relu6(x + 3) / 6: after a convolution or dense layer the + 3 joins its bias
        and the ReLU6 fuses, leaving the multiply; after an add of a constant (a
        BatchNormalization's shift) read by nothing else, the two constants add up."""
        constant_add = op is not None and op.kind == "ADD" and len(op.inputs) == 1 and self._readers(tensor) <= 1
        if op is not None and (op.kind in FOLDS_BATCHNORM or constant_add) and op.activation is None:
            op.activation = "relu6"
            shifted = tensor
        else:
            add = self.emit(node.name, "ADD", [tensor], [size])
            add.activation = "relu6"
            shifted = add.outputs[0]
        divide = self.emit(node.name, "MUL", [shifted], [size])
        divide.scalar = True
        self.gates[divide.outputs[0]] = (tensor, [self.producer[shifted], divide] if shifted != tensor else [])
        return divide.outputs[0]

    def _atrous(self, node: Node, src: str, padding: str, first: str, channels: int, groups: int) -> tuple[Op, str]:
        cfg = node.layer.cfg
        inner = self.input_shape(node)
        kernel, rate = pair(cfg["kernel_size"]), pair(cfg.get("dilation_rate", 1))
        spread = []
        for length, k, d in zip(inner[:2], kernel, rate, strict=True):
            total = (k - 1) * d if padding == "same" else 0
            spread.append(-(-(length + total) // d))
        # The converted model records these batched tensors with batch 1 (the batch
        # axis is dynamic when converting), and TFLite Micro plans them at that size;
        # TFLite runs the convolution on rate x rate blocks (its geometry's batch), and
        # the reordering operations move all of them (the blocks stacked on the rows).
        blocks = rate[0] * rate[1]
        packed_shape = (spread[0], spread[1], inner[-1])
        conv_shape = (spread[0] - kernel[0] + 1, spread[1] - kernel[1] + 1, channels)
        packed = self.emit(
            node.name,
            "SPACE_TO_BATCH_ND",
            [src],
            [prod(packed_shape)],
            geometry=Geometry(inner, (blocks * spread[0], *packed_shape[1:]), strides=rate),
        )
        op = self.emit(
            node.name,
            first,
            packed.outputs,
            [prod(conv_shape)],
            geometry=Geometry(packed_shape, conv_shape, kernel, groups=groups, batch=blocks),
        )
        op.padding = "valid"
        out_shape = (*node.shape[:2], channels)
        unpacked = Geometry((blocks * conv_shape[0], *conv_shape[1:]), out_shape, strides=rate)
        out = self.emit(node.name, "BATCH_TO_SPACE_ND", op.outputs, [prod(out_shape)], geometry=unpacked)
        return op, out.outputs[0]

    def _readers(self, tensor: str) -> int:
        """Layers reading the value ``tensor`` holds (counted on the graph; a layer passing
        the value on unchanged, such as Dropout, holds it rather than reads it)."""
        holders = {name for name, value in self.value.items() if value == tensor}
        readers = {reader for name in holders for reader in self.readers.get(name, ()) if reader not in holders}
        return len(readers) + (self.output in holders)

    def _drop(self, op: Op) -> None:
        self.ops.remove(op)
        for out in op.outputs:
            self.producer.pop(out, None)

    def _fuse_padding(self, node: Node, src: str) -> tuple[str, str]:
        """A ZeroPadding2D feeding only this 'valid' convolution with exactly the padding
        of 'same' is folded into it (the converter turns the pair into a 'same' convolution).
        Returns the buffer the convolution reads and its padding."""
        pad_node = self.by_name[node.inputs[0]]
        op = self.producer.get(src)
        cfg = node.layer.cfg
        if (
            pad_node.kind != "ZeroPadding2D"
            or cfg["padding"] != "valid"
            or op is None
            or op.kind != "PAD"
            or not self.single_use(pad_node.name)
        ):
            return src, cfg["padding"]
        top, bottom, left, right = pad_node.layer.pads()
        before = self.by_name[pad_node.inputs[0]].shape
        if max(pair(cfg.get("dilation_rate", 1))) > 1 or _same_pads(before, cfg) != ((top, bottom), (left, right)):
            return src, cfg["padding"]
        self._drop(op)
        return op.inputs[0], "same"


def _same_pads(shape: tuple, cfg: dict) -> tuple[tuple[int, int], tuple[int, int]]:
    """The (top, bottom), (left, right) padding TensorFlow's 'same' adds for ``cfg``."""
    kernel, strides = pair(cfg["kernel_size"]), pair(cfg["strides"])
    dilation = pair(cfg.get("dilation_rate", 1))
    result = []
    for size, k, s, d in zip(shape[:2], kernel, strides, dilation, strict=True):
        out = -(-size // s)
        total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
        result.append((total // 2, total - total // 2))
    return tuple(result)


def _applies(op: Op, act: str) -> bool:
    """Whether ``op``'s output already is ``act`` (ReLU or ReLU6) of something: fused into
    it, or the operation itself."""
    if act not in FUSABLE_ACTIVATIONS:
        return False
    return (op.kind in FUSES_ACTIVATION and op.activation == act) or op.kind == _ACTIVATION_OPS[act][0]
