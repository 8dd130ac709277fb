"""The fully quantized int8 model as TensorFlow Lite Micro runs it: which operations the
TFLite converter makes of the layers, which activation buffers they need, how long each
lives, and where TFLite Micro's memory planner puts them in its arena.

Pure Python (no TensorFlow); ``analysis`` reads the figures from here.

The deployment model
--------------------
Lowering
    What the TFLite converter makes of the layers: ``analysis.lowering`` and each kind's
    ``lower`` method.
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

from lightdesign.analysis.lowering import Lowering, Op
from lightdesign.core.symbolic import Node

ALIGNMENT = 16  # TFLite Micro's MicroArenaBufferAlignment()


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
    refused: list[str] = field(default_factory=list)  # those layers

    def sizes(self) -> dict[str, int]:
        """Bytes of each operation's output buffer, by the lowering's tensor id."""
        return {b.tensor: b.bytes for b in self.buffers if not b.scratch}


def _lifetimes(lowering: Lowering) -> list[Buffer]:
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


def _in_place(lowering: Lowering, buffers: list[Buffer]) -> list[int]:
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


def converter_order(nodes: list[Node]) -> list[Node]:
    """The live nodes in the order the TFLite converter runs their operations. Its import of
    the TensorFlow graph sorts the operations in reverse post-order of a depth-first search
    that takes a node's consumers by name (TensorFlow's ``GetReversePostOrder`` with a
    by-name comparator): where the graph forks, the branch whose first layer's name sorts
    first runs first, whole, before the next (ShuffleNet V1's ``..._avgpool`` shortcut
    before its ``..._gconv1`` branch), whatever order the model was built in. The order
    decides which buffers are alive together, so the arena depends on it."""
    by_name = {n.name: n for n in nodes}
    consumers: dict[str, list[str]] = {n.name: [] for n in nodes}
    for node in nodes:
        for source in dict.fromkeys(node.inputs):
            if source in consumers:
                consumers[source].append(node.name)
    finished: list[str] = []
    seen: set[str] = set()
    stack = [(nodes[0].name, False)]
    while stack:
        name, leaving = stack.pop()
        if leaving:
            finished.append(name)
            continue
        if name in seen:
            continue
        seen.add(name)
        stack.append((name, True))
        stack.extend((child, False) for child in sorted(consumers[name]) if child not in seen)
    order = [by_name[name] for name in reversed(finished)]
    return order + [n for n in nodes if n.name not in seen]


def plan(nodes: list[Node]) -> Plan:
    """The int8 deployment plan of the live nodes of a traced network (the model input
    first and the model output last), in the order the converter runs them."""
    if not nodes:
        return Plan([], [], 0, [0], 0, "", 0, "", {})
    nodes = converter_order(nodes)
    lowering = Lowering(nodes)
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
        refused=lowering.refused,
    )
