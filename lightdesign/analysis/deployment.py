"""The fully quantized int8 model as TensorFlow Lite Micro runs it: which operations the
TFLite converter makes of the layers, which activation buffers they need, how long each
lives, and where TFLite Micro's memory planner puts them in its arena.

Pure Python (no TensorFlow); ``analysis`` reads the figures from here.

The deployment model
--------------------
Lowering (what the TFLite converter does to the inference graph)
    BatchNormalization folds into the Conv2D, DepthwiseConv2D or Dense before it (when
    that layer has no activation and feeds only the BatchNormalization); elsewhere it
    stays a multiply and an add. ReLU and ReLU6 fuse into the convolution, dense, add,
    multiply, concatenation or pooling that feeds them. A ZeroPadding2D feeding only a
    'valid' convolution fuses into it when it pads exactly as 'same' would. Dropout and
    linear activations vanish. Other activations are operations of their own: hard-swish
    one, swish two (logistic, multiply), hard-sigmoid two (add with ReLU6, multiply),
    softmax, sigmoid and tanh one. SeparableConv2D is a depthwise and a pointwise
    convolution with a tensor between them; Flatten and Reshape compute their shape at run
    time (four small operations); global pooling is a MEAN or REDUCE_MAX with int32 scratch
    buffers; 1-D layers are their 2-D operation between reshapes; an embedding wraps
    negative ids (three small int32 operations) before its lookup; a dilated convolution is
    TensorFlow's space-to-batch form (SPACE_TO_BATCH_ND, the convolution, BATCH_TO_SPACE_ND).
    A multiply by a single constant (BatchNormalization of one channel, hard-sigmoid's / 6)
    folds into a following convolution or dense layer, an add too where the padding is
    'valid'; x * hard_sigmoid(x) is one HARD_SWISH.
Buffers
    One per operation output: 1 byte per element (int32 token ids and scratch buffers 4),
    rounded up to 16 bytes as TFLite Micro aligns them. A buffer lives from the operation
    that writes it to the last one that reads it (the model input from the start, the
    model output to the end); scratch buffers live during their operation.
Arena
    TFLite Micro's greedy planner: buffers sorted by size, largest first, each placed at
    the lowest offset where it does not overlap any buffer that is alive at the same time.
    Its high-water mark is the activation part (the "head") of the arena a microcontroller
    must provide; the rest of the arena (a few kB of per-tensor and per-operation
    structures) is not counted here.
In-place depthwise (engine-dependent)
    Engines such as TinyEngine (MCUNet) write a depthwise convolution's output over its
    input when nothing else reads that input later. The figure assumes that, and perfect
    packing (the largest sum of buffers alive at once); it is a lower figure that TFLite
    Micro itself does not reach.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import prod

from lightdesign.core.symbolic import Node

ALIGNMENT = 16  # TFLite Micro's MicroArenaBufferAlignment()
FUSABLE_ACTIVATIONS = {"relu", "relu6"}
# Operations with a fused-activation field the converter folds ReLU/ReLU6 into.
FUSES_ACTIVATION = {
    "CONV_2D",
    "DEPTHWISE_CONV_2D",
    "FULLY_CONNECTED",
    "ADD",
    "MUL",
    "CONCATENATION",
    "AVERAGE_POOL_2D",
    "MAX_POOL_2D",
}
_FOLDS_BATCHNORM = {"CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"}
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
_INT32 = 4


def aligned(size: int) -> int:
    return -(-size // ALIGNMENT) * ALIGNMENT


@dataclass
class Buffer:
    """One activation or scratch buffer of the deployed model."""

    name: str  # the layer whose operation writes it
    bytes: int  # as requested (before alignment)
    first: int  # index of the operation that writes it (0: the model input, before any)
    last: int  # index of the last operation that reads it
    scratch: bool = False
    tensor: str = ""  # the lowering's id of the tensor it holds

    @property
    def size(self) -> int:
        return aligned(self.bytes)

    def alive(self, step: int) -> bool:
        return self.first <= step <= self.last


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
    padding: str = ""  # convolutions: 'same' or 'valid' as TFLite runs them


@dataclass
class Plan:
    """The int8 deployment of one network: its operations, buffers and arena."""

    ops: list[Op]
    buffers: list[Buffer]
    arena: int  # the greedy planner's high-water mark: the activation part of the arena
    live: list[int]  # bytes of buffers alive at each step (0 = before the first operation)
    peak: int  # the largest of ``live``
    peak_at: str  # the layer whose operation runs at that step
    in_place: int  # the engine-dependent lower figure (in-place depthwise, perfect packing)
    in_place_at: str
    layer_live: dict[str, int]  # each layer's live bytes (the largest over its operations)
    supported: bool = True  # False when a layer has no known TFLite Micro lowering


class _Lowering:
    """Walks the live nodes in execution order, writing operations and buffers."""

    def __init__(self, nodes: list[Node]):
        self.nodes = nodes
        self.by_name = {n.name: n for n in nodes}
        self.consumers: dict[str, int] = {n.name: 0 for n in nodes}
        for node in nodes:
            for name in node.inputs:
                self.consumers[name] = self.consumers.get(name, 0) + 1
        self.output = nodes[-1].name
        self.value: dict[str, str] = {}  # node -> the buffer holding its value
        self.sizes: dict[str, int] = {}
        self.producer: dict[str, Op] = {}
        self.ops: list[Op] = []
        self.supported = True
        self.splits: dict[tuple, Op] = {}
        self.gates: dict[str, tuple[str, list[Op]]] = {}  # hard-sigmoid output -> (its input, its ops)
        self._count = 0

    # -- helpers -------------------------------------------------------------------------
    def tensor(self, name: str, size: int) -> str:
        self._count += 1
        key = f"{name}#{self._count}"
        self.sizes[key] = size
        return key

    def emit(self, layer: str, kind: str, inputs: list[str], sizes: list[int], scratch=()) -> Op:
        outputs = [self.tensor(layer, s) for s in sizes]
        op = Op(layer, kind, list(inputs), outputs, list(scratch))
        self.ops.append(op)
        for out in outputs:
            self.producer[out] = op
        return op

    def single_use(self, name: str) -> bool:
        return self.consumers.get(name, 0) == 1 and name != self.output

    def source(self, node: Node, i: int = 0) -> str:
        return self.value[node.inputs[i]]

    def activation(self, node: Node, act: str | None, tensor: str, size: int, shared: bool = False) -> str:
        """Apply ``act`` to the buffer ``tensor``. Unless other layers read ``tensor`` too
        (``shared``), a ReLU or ReLU6 fuses into the operation that wrote it."""
        if act in (None, "linear"):
            return tensor
        op = self.producer.get(tensor)
        if shared or (op is not None and op.outputs[-1] != tensor):
            op = None
        if act in FUSABLE_ACTIVATIONS and op is not None and op.kind in FUSES_ACTIVATION and op.activation is None:
            op.activation = act
            return tensor
        if act in FUSABLE_ACTIVATIONS and op is not None and op.kind == "HARD_SWISH":
            # x * relu6(x + 3) / 6 is no longer matched as one HARD_SWISH once a ReLU
            # fuses into its last multiply.
            self._drop(op)
            shifted = self.emit(op.layer, "ADD", op.inputs, [size])
            shifted.activation = "relu6"
            product = self.emit(op.layer, "MUL", [op.inputs[0], *shifted.outputs], [size])
            scaled = self.emit(op.layer, "MUL", product.outputs, [size])
            scaled.activation = act
            return scaled.outputs[0]
        kinds = _ACTIVATION_OPS.get(act)
        if kinds is None:
            self.supported = False
            kinds = ("ACTIVATION",)
        if kinds == ("LOGISTIC", "MUL"):
            gate = self.emit(node.name, "LOGISTIC", [tensor], [size]).outputs[0]
            return self.emit(node.name, "MUL", [tensor, gate], [size]).outputs[0]
        if kinds == ("ADD", "MUL"):
            # relu6(x + 3) / 6: after a convolution or dense layer the + 3 joins its bias
            # and the ReLU6 fuses, leaving the multiply.
            if op is not None and op.kind in _FOLDS_BATCHNORM and op.activation is None:
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
        return self.emit(node.name, kinds[0], [tensor], [size]).outputs[0]

    # -- lowering --------------------------------------------------------------------------
    def run(self) -> None:
        first = self.nodes[0]
        item = _INT32 if first.dtype == "int32" else 1
        self.value[first.name] = self.tensor(first.name, prod(first.shape) * item)
        for node in self.nodes[1:]:
            self.value[node.name] = self.lower(node)

    def lower(self, node: Node) -> str:  # noqa: C901 - one branch per layer kind
        kind, cfg, size = node.kind, node.layer.cfg, prod(node.shape)
        src = self.source(node)
        if kind in ("Dropout",):
            return src
        if kind == "Activation":
            return self.activation(node, cfg["activation"], src, size, shared=not self.single_use(node.inputs[0]))
        if kind == "BatchNormalization":
            op = self.producer.get(src)
            if (
                op is not None
                and op.kind in _FOLDS_BATCHNORM
                and op.activation is None
                and self.single_use(node.inputs[0])
                and op.outputs[-1] == src
            ):
                return src
            scalar = node.shape[-1] == 1  # one channel: the constants are scalars
            scaled = self.emit(node.name, "MUL", [src], [size])
            shifted = self.emit(node.name, "ADD", scaled.outputs, [size])
            scaled.scalar = shifted.scalar = scalar
            return shifted.outputs[0]
        if kind in ("Conv2D", "DepthwiseConv2D", "SeparableConv2D"):
            return self._convolution(node, src, size)
        if kind == "Conv1D":
            shape = self.by_name[node.inputs[0]].shape
            expanded = self.emit(node.name, "EXPAND_DIMS", [src], [prod(shape)]).outputs[0]
            conv = self.emit(node.name, "CONV_2D", [expanded], [size])
            act = cfg["activation"]
            if act in FUSABLE_ACTIVATIONS:  # fuses into the convolution, before the reshape
                conv.activation, act = act, None
            out = self.emit(node.name, "RESHAPE", conv.outputs, [size]).outputs[0]
            return self.activation(node, act, out, size)
        if kind == "Dense":
            op = self.emit(node.name, "FULLY_CONNECTED", [self._fold_scalars(src, "valid")], [size])
            return self.activation(node, cfg["activation"], op.outputs[0], size)
        if kind in ("MaxPooling2D", "AveragePooling2D"):
            return self.emit(node.name, "MAX_POOL_2D" if kind[0] == "M" else "AVERAGE_POOL_2D", [src], [size]).outputs[
                0
            ]
        if kind in ("MaxPooling1D", "AveragePooling1D"):
            shape = self.by_name[node.inputs[0]].shape
            expanded = self.emit(node.name, "EXPAND_DIMS", [src], [prod(shape)]).outputs[0]
            pooled = self.emit(node.name, "MAX_POOL_2D" if kind[0] == "M" else "AVERAGE_POOL_2D", [expanded], [size])
            return self.emit(node.name, "RESHAPE", pooled.outputs, [size]).outputs[0]
        if kind in ("GlobalAveragePooling2D", "GlobalAveragePooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling1D"):
            pooled = self.by_name[node.inputs[0]].shape
            if prod(pooled[:-1]) == 1 and cfg["keepdims"]:  # pooling a single position changes nothing
                return src
            rank = len(pooled) + 1
            axes = rank - 2
            channels = node.shape[-1]
            if "Average" in kind:
                scratch = [_INT32 * channels, _INT32 * rank, _INT32 * axes]
                return self.emit(node.name, "MEAN", [src], [size], scratch).outputs[0]
            return self.emit(node.name, "REDUCE_MAX", [src], [size], [_INT32 * rank, _INT32 * axes]).outputs[0]
        if kind in ("Flatten", "Reshape"):
            shape_of = self.emit(node.name, "SHAPE", [src], [_INT32 * (len(self.by_name[node.inputs[0]].shape) + 1)])
            batch = self.emit(node.name, "STRIDED_SLICE", shape_of.outputs, [_INT32])
            target = self.emit(node.name, "PACK", batch.outputs, [_INT32 * (len(node.shape) + 1)])
            return self.emit(node.name, "RESHAPE", [src, *target.outputs], [size]).outputs[0]
        if kind == "ZeroPadding2D":
            return self.emit(node.name, "PAD", [src], [size]).outputs[0]
        if kind in ("Add", "Multiply", "Concatenate"):
            inputs = [self.value[name] for name in node.inputs]
            if kind == "Multiply" and len(inputs) == 2:
                swish = self._hard_swish(inputs, size)
                if swish is not None:
                    return swish
            op_kind = {"Add": "ADD", "Multiply": "MUL", "Concatenate": "CONCATENATION"}[kind]
            return self.emit(node.name, op_kind, inputs, [size]).outputs[0]
        if kind == "ChannelSplit":  # one SPLIT serves every slice of the same tensor
            key = (src, cfg["parts"])
            if key not in self.splits:
                self.splits[key] = self.emit(node.name, "SPLIT", [src], [size] * cfg["parts"])
            return self.splits[key].outputs[cfg["index"]]
        if kind == "ChannelShuffle":
            grouped = self.emit(node.name, "RESHAPE", [src], [size]).outputs[0]
            swapped = self.emit(node.name, "TRANSPOSE", [grouped], [size]).outputs[0]
            return self.emit(node.name, "RESHAPE", [swapped], [size]).outputs[0]
        if kind == "Embedding":  # negative ids wrap around: where(id < 0, id + n, id), then the lookup
            steps = prod(self.by_name[node.inputs[0]].shape)
            negative = self.emit(node.name, "LESS", [src], [steps]).outputs[0]
            wrapped = self.emit(node.name, "ADD", [src], [_INT32 * steps]).outputs[0]
            ids = self.emit(node.name, "SELECT_V2", [negative, wrapped, src], [_INT32 * steps]).outputs[0]
            return self.emit(node.name, "GATHER", [ids], [size]).outputs[0]
        # Recurrent layers and anything else: one operation writing the output. TFLite
        # Micro's int8 kernels for them differ (or are missing); the figure is rough.
        self.supported = False
        return self.emit(node.name, kind.upper(), [src], [size]).outputs[0]

    def _convolution(self, node: Node, src: str, size: int) -> str:
        """Conv2D, DepthwiseConv2D and SeparableConv2D: a fused 'same'-style padding
        before, dilation through SPACE_TO_BATCH_ND / BATCH_TO_SPACE_ND (TensorFlow's atrous
        form, which the converter keeps), the pointwise half of a separable convolution."""
        cfg, kind = node.layer.cfg, node.kind
        src, padding = self._fuse_padding(node, src)
        inner = self.by_name[node.inputs[0]].shape
        mid = inner[-1] * cfg.get("depth_multiplier", 1)
        first = "CONV_2D" if kind == "Conv2D" else "DEPTHWISE_CONV_2D"
        channels = node.shape[-1] if kind != "SeparableConv2D" else mid
        rate = _pair(cfg.get("dilation_rate", 1))
        if max(rate) > 1:
            kernel = _pair(cfg["kernel_size"])
            spread = []
            for length, k, d in zip(inner[:2], kernel, rate, strict=True):
                total = (k - 1) * d if padding == "same" else 0
                spread.append(-(-(length + total) // d))
            # The converted model records these batched tensors with batch 1 (the batch
            # axis is dynamic when converting), and TFLite Micro plans them at that size.
            packed = self.emit(node.name, "SPACE_TO_BATCH_ND", [src], [spread[0] * spread[1] * inner[-1]])
            conv_out = [(spread[0] - kernel[0] + 1) * (spread[1] - kernel[1] + 1) * channels]
            op = self.emit(node.name, first, packed.outputs, conv_out)
            op.padding = "valid"
            out = self.emit(node.name, "BATCH_TO_SPACE_ND", op.outputs, [node.shape[0] * node.shape[1] * channels])
            tensor = out.outputs[0]
        else:
            src = self._fold_scalars(src, padding)
            op = self.emit(node.name, first, [src], [node.shape[0] * node.shape[1] * channels])
            op.padding = padding
            tensor = op.outputs[0]
        if kind != "Conv2D" and cfg["depth_multiplier"] == 1 and max(rate) == 1:
            op.in_place = True
        if kind == "SeparableConv2D":
            tensor = self.emit(node.name, "CONV_2D", [tensor], [size]).outputs[0]
        return self.activation(node, cfg["activation"], tensor, size)

    def _fold_scalars(self, src: str, padding: str) -> str:
        """A multiply by one constant before a convolution or dense layer folds into its
        weights, an add into its bias where the padding is 'valid' (the converter's
        FuseBinaryOpToFollowingAffineOp); returns the buffer the layer then reads."""
        while True:
            op = self.producer.get(src)
            if op is None or not op.scalar or op.activation is not None or op.outputs[-1] != src:
                return src
            if op.kind == "ADD" and padding != "valid":
                return src
            if self._readers(src) <= 1:
                self._drop(op)
            src = op.inputs[0]

    def _hard_swish(self, inputs: list[str], size: int) -> str | None:
        """x * hard_sigmoid(x), the hard-sigmoid computed as its own operations on x,
        is matched by the converter as one HARD_SWISH."""
        for gate, other in (inputs, inputs[::-1]):
            source, ops = self.gates.get(gate, (None, []))
            if source == other and ops and self._readers(gate) <= 1:
                for op in ops:
                    self._drop(op)
                return self.emit(ops[-1].layer, "HARD_SWISH", [other], [size]).outputs[0]
        return None

    def _readers(self, tensor: str) -> int:
        """Layers reading the value ``tensor`` holds (counted on the graph)."""
        holders = [name for name, value in self.value.items() if value == tensor]
        return sum(self.consumers.get(name, 0) for name in holders) + (self.output in holders)

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
        top, bottom, left, right = pad_node.layer._pads()
        before = self.by_name[pad_node.inputs[0]].shape
        if max(_pair(cfg.get("dilation_rate", 1))) > 1 or _same_pads(before, cfg) != ((top, bottom), (left, right)):
            return src, cfg["padding"]
        self._drop(op)
        return op.inputs[0], "same"


def _pair(value) -> tuple[int, int]:
    return (int(value[0]), int(value[1])) if isinstance(value, (list, tuple)) else (int(value), int(value))


def _same_pads(shape: tuple, cfg: dict) -> tuple[tuple[int, int], tuple[int, int]]:
    """The (top, bottom), (left, right) padding TensorFlow's 'same' adds for ``cfg``."""
    kernel, strides = _pair(cfg["kernel_size"]), _pair(cfg["strides"])
    dilation = _pair(cfg.get("dilation_rate", 1))
    result = []
    for size, k, s, d in zip(shape[:2], kernel, strides, dilation, strict=True):
        out = -(-size // s)
        total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
        result.append((total // 2, total - total // 2))
    return tuple(result)


def _lifetimes(lowering: _Lowering) -> list[Buffer]:
    """Tensor buffers in the order TFLite Micro adds them (tensors, then scratch)."""
    ops = lowering.ops
    model_input = lowering.value[lowering.nodes[0].name]
    first: dict[str, int] = {model_input: 0}
    last: dict[str, int] = {model_input: 0}
    scratch: list[Buffer] = []
    for step, op in enumerate(ops, start=1):
        for name in op.outputs:
            first.setdefault(name, step)
            last[name] = step
        for name in op.inputs:
            last[name] = step
        for i, size in enumerate(op.scratch):
            scratch.append(Buffer(op.layer, size, step, step, scratch=True, tensor=f"{op.layer}/scratch{i}"))
    out = lowering.value[lowering.output]
    last[out] = len(ops)
    tensors = [Buffer(name.split("#")[0], lowering.sizes[name], first[name], last[name], tensor=name) for name in first]
    return tensors + scratch


def greedy_arena(buffers: list[Buffer]) -> int:
    """TFLite Micro's GreedyMemoryPlanner (greedy_memory_planner.cc): buffers in
    descending size (a stable bubble sort over the reversed order they were added in),
    each at the lowest offset that overlaps no simultaneously live buffer placed before it
    (scanned in offset order, ties in placement order). Returns the high-water mark.
    Only the buffers alive during a buffer's lifetime are scanned: the planner skips the
    others, so the result is the same and a long chain stays linear."""
    if not buffers:
        return 0
    order = list(reversed(range(len(buffers))))
    order.sort(key=lambda i: -buffers[i].size)  # stable, like its bubble sort
    alive: dict[int, list[int]] = {}
    for i, buffer in enumerate(buffers):
        for step in range(buffer.first, buffer.last + 1):
            alive.setdefault(step, []).append(i)
    offsets: dict[int, tuple[int, int]] = {}  # buffer -> (offset, placement rank)
    top = 0
    for rank, i in enumerate(order):
        wanted = buffers[i]
        placed = {j for step in range(wanted.first, wanted.last + 1) for j in alive[step] if j in offsets}
        offset = 0
        for j in sorted(placed, key=offsets.__getitem__):
            at = offsets[j][0]
            if at - offset >= wanted.size:
                break
            offset = max(offset, at + buffers[j].size)
        offsets[i] = (offset, rank)
        top = max(top, offset + wanted.size)
    return top


def _live(buffers: list[Buffer], steps: int) -> list[int]:
    live = [0] * (steps + 1)
    for buffer in buffers:
        for step in range(buffer.first, buffer.last + 1):
            live[step] += buffer.size
    return live


def _in_place(lowering: _Lowering, buffers: list[Buffer]) -> list[int]:
    """Live bytes per step when each depthwise convolution whose input nothing reads later
    writes its output over that input: the output counts only from the next step on."""
    by_tensor = {b.tensor: b for b in buffers}
    shifted = []
    moved = set()
    for step, op in enumerate(lowering.ops, start=1):
        if op.in_place and by_tensor[op.inputs[0]].last == step and by_tensor[op.outputs[0]].last > step:
            moved.add(op.outputs[0])
    for b in buffers:
        first = b.first + 1 if b.tensor in moved else b.first
        shifted.append(Buffer(b.name, b.bytes, first, b.last, b.scratch, b.tensor))
    return _live(shifted, len(lowering.ops))


def plan(nodes: list[Node]) -> Plan:
    """The int8 deployment plan of the live nodes of a traced network (execution order,
    the model input first and the model output last)."""
    if not nodes:
        return Plan([], [], 0, [0], 0, "", 0, "", {})
    lowering = _Lowering(nodes)
    lowering.run()
    buffers = _lifetimes(lowering)
    ops = lowering.ops
    live = _live(buffers, len(ops))
    names = [nodes[0].name, *(op.layer for op in ops)]
    peak_step = max(range(len(live)), key=live.__getitem__)
    in_place = _in_place(lowering, buffers)
    in_place_step = max(range(len(in_place)), key=in_place.__getitem__)
    layer_live: dict[str, int] = {nodes[0].name: live[0]}
    step_of: dict[str, int] = {}
    for step, op in enumerate(ops, start=1):
        layer_live[op.layer] = max(layer_live.get(op.layer, 0), live[step])
        for out in op.outputs:
            step_of[out] = step
    previous = live[0]
    for node in nodes:  # a folded or vanished layer runs inside the operation holding its value
        if node.name not in layer_live:
            step = step_of.get(lowering.value[node.name])
            layer_live[node.name] = previous if step is None else live[step]
        previous = layer_live[node.name]
    return Plan(
        ops=ops,
        buffers=buffers,
        arena=greedy_arena(buffers),
        live=live,
        peak=live[peak_step],
        peak_at=names[peak_step],
        in_place=in_place[in_place_step],
        in_place_at=names[in_place_step],
        layer_live=layer_live,
        supported=lowering.supported,
    )
