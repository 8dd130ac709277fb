"""ONNX operators that move a tensor's values -> kinds: Flatten, Reshape (a channel shuffle
among them), Concat, Split, Slice and Pad; each keeps track of the feature order it gives."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from lightdesign.core.symbolic import Unmappable
from lightdesign.importers.onnx import sequences
from lightdesign.importers.onnx.layout import normal, same_flat_order, to_last

if TYPE_CHECKING:
    from lightdesign.importers.onnx.mapper import Mapper


def flatten(m: Mapper, node, name, attrs, data_in):
    if int(attrs.get("axis", 1)) != 1:
        raise Unmappable(f"flatten from axis {attrs.get('axis')}")
    if len(m.b.shape(data_in[0])) == 1:
        return m.b.alias(node.output[0], data_in[0])
    _flatten(m, node, name, data_in[0])


def _flatten(m: Mapper, node, name, x: str) -> None:
    """A Flatten; when it flattens more than channels, the file's features are in (C, H, W)
    order and the design's in (H, W, C): the layers reading them reorder their weights."""
    shape = m.b.shape(x)
    block = m.add(node, name, "Flatten", {}, [x])
    if len(shape) == 1:  # already flat: its order stays
        return m.layout.keep_order(block, x)
    # a tensor in the file's order flattens in the same order in both
    if len(shape) >= 2 and math.prod(shape[:-1]) > 1 and shape[-1] > 1 and not m.layout.in_file_order(x):
        m.layout.reordered[block] = (tuple(shape),)


def reshape(m: Mapper, node, name, attrs, data_in):
    if sequences.follow(m, node, attrs, data_in):
        return
    x = data_in[0]
    if not m.layout.in_file_order(x) and _shuffle(m, node, name, x):
        return
    target = m.graph.shapes.get(node.output[0])
    if target is None and len(node.input) > 1:
        target = m.graph.values(node.input[1], 8)
    if not target:
        raise Unmappable("a reshape whose target is unknown")
    target = list(target)
    if len(target) == 2:
        return _flatten(m, node, name, x)
    if len(target) >= 3 and all(d and d > 0 for d in target[1:]) and m.layout.in_file_order(x):
        # row-major in both: the file's order stays
        block = m.add(node, name, "Reshape", dict(target_shape=list(target[1:])), [x])
        return m.layout.file_order.add(block)
    if len(target) >= 3 and all(d and d > 0 for d in target[1:]):
        shape = to_last(target)
        why = _moves_channels(m, x, shape, target, m.graph.producer[node.output[0]])
        if why:
            raise Unmappable(why)
        return m.add(node, name, "Reshape", dict(target_shape=list(shape)), [x])
    raise Unmappable(f"a reshape to {target}")


def _moves_channels(m: Mapper, x: str, shape: tuple, target: list, reader: int) -> str | None:
    """Why a Reshape of the channels-first ``x`` to ``target`` (the design's ``shape``,
    channels last) would not compute the file's tensor, or None when it does: the file
    reads the features in (C, H, W) order, the design in (H, W, C) order."""
    source = m.b.shape(x)
    if len(source) >= 2:
        if target[1] == source[-1] or same_flat_order(source) and same_flat_order(shape):
            return None  # the channels stay; the positions are regrouped in the same order
        return (
            f"a reshape to {target} that moves the channel axis of its input "
            f"({source[-1]} channels; channels-first in the file, last in the design)"
        )
    order = m.layout.flat_order(x)
    if order is None and same_flat_order(shape):
        return None
    if order and len(order) == 1 and len(order[0]) >= 2 and order[0][-1] == shape[-1]:
        return None  # flattened from (C, H, W) and back to C channels: the (H, W, C) order of both
    if order is None and m.layout.reorder_columns(x, reader, shape):
        return None
    return (
        f"a reshape of flat features to {target}: the file reads them in (C, H, W) order, the design "
        "in (H, W, C) order, and no Dense read only by this reshape computes them"
    )


def _next_past_identities(m: Mapper, tensor: str) -> tuple[int | None, list[int]]:
    """The only node reading ``tensor`` past Identity nodes (a copy, ``clone()``), and those."""
    passed = []
    k = m.graph.only_consumer(tensor)
    while k is not None and m.graph.nodes[k].op_type == "Identity":
        passed.append(k)
        k = m.graph.only_consumer(m.graph.nodes[k].output[0])
    return k, passed


def _shuffle(m: Mapper, node, name, x) -> bool:
    """Reshape (N, g, C/g, H, W) -> Transpose (0, 2, 1, 3, 4) -> Reshape (N, C, H, W)."""
    first = m.graph.shapes.get(node.output[0]) or (m.graph.values(node.input[1], 8) if len(node.input) > 1 else None)
    if not first or len(first) != 5:
        return False
    k = m.graph.only_consumer(node.output[0])
    if k is None or m.graph.nodes[k].op_type != "Transpose":
        return False
    if list(m.graph.attrs(m.graph.nodes[k]).get("perm") or []) != [0, 2, 1, 3, 4]:
        return False
    j, copies = _next_past_identities(m, m.graph.nodes[k].output[0])
    if j is None or m.graph.nodes[j].op_type != "Reshape":
        return False
    m.skip.update((k, j, *copies))
    m.b.add(
        m.graph.nodes[j].output[0],
        name,
        "Reshape+Transpose+Reshape",
        "ChannelShuffle",
        dict(groups=int(first[1])),
        [x],
    )
    return True


def concat(m: Mapper, node, name, attrs, data_in):
    rank = len(m.b.shape(data_in[0])) + 1
    axis = int(attrs.get("axis", 1)) % rank
    if len({m.layout.in_file_order(x) for x in data_in}) > 1:
        raise Unmappable("concatenation of a (batch, steps, features) tensor and a channels-first one")
    if axis != m.layout.channel_axis(data_in[0]) or len(data_in) != len([i for i in node.input if i]):
        raise Unmappable(f"concatenation along axis {attrs.get('axis')} (only channels are mapped)")
    order = None
    if len(m.b.shape(data_in[0])) == 1:  # flat features: the parts in turn
        order = normal(tuple(part for x in data_in for part in m.layout.parts(x)))
    block = m.add(node, name, "Concatenate", {}, data_in)
    m.layout.keeps_file_order(data_in[0], block)
    if order and m.b.blocks and m.b.blocks[-1].name == block and m.b.blocks[-1].kind == "Concatenate":
        m.layout.reordered[block] = order


def split(m: Mapper, node, name, attrs, data_in):
    x = data_in[0]
    rank = len(m.b.shape(x)) + 1
    if int(attrs.get("axis", 0)) % rank != m.layout.channel_axis(x):
        raise Unmappable(f"a split along axis {attrs.get('axis', 0)}")
    channels = m.b.shape(x)[-1]
    parts = len(node.output)
    sizes = attrs.get("split")
    if sizes is None and len(node.input) > 1 and node.input[1]:
        sizes = m.graph.values(node.input[1], 64)
    if sizes is not None and len(set(sizes)) != 1 or channels % parts:
        raise Unmappable("a split into unequal parts")
    width = channels // parts
    orders = [m.layout.sub_order(x, index * width, (index + 1) * width) for index in range(parts)]
    for index, out in enumerate(node.output):
        block = m.b.add(out, f"{name}_{index}", "Split", "ChannelSplit", dict(parts=parts, index=index), [x])
        m.layout.keeps_file_order(x, block)
        if orders[index] and m.b.blocks[-1].name == block and m.b.blocks[-1].kind == "ChannelSplit":
            m.layout.reordered[block] = orders[index]


def split_to_sequence(m: Mapper, node, name, attrs, data_in):
    """A split into a sequence (PyTorch's ``chunk`` without the dynamo exporter's optimizer):
    the parts are ChannelSplits, made where SequenceAt takes one."""
    x = data_in[0]
    rank = len(m.b.shape(x)) + 1
    if int(attrs.get("axis", 0)) % rank != m.layout.channel_axis(x) or not int(attrs.get("keepdims", 1)):
        raise Unmappable(f"a split into a sequence along axis {attrs.get('axis', 0)}")
    channels = m.b.shape(x)[-1]
    sizes = m.graph.values(node.input[1], 64) if len(node.input) > 1 and node.input[1] else [1]
    if not sizes or len(set(sizes)) != 1 or channels % int(sizes[0]) or len(sizes) not in (1, channels // sizes[0]):
        raise Unmappable("a split into a sequence of unequal parts")
    m.b.alias(node.output[0], x)
    m.channel_sequences[node.output[0]] = (x, channels // int(sizes[0]))


def sequence_at(m: Mapper, node, name, attrs, data_in):
    """One part of a split into a sequence (``split_to_sequence``): a ChannelSplit."""
    found = m.channel_sequences.get(node.input[0])
    position = m.graph.values(node.input[1], 1) if len(node.input) > 1 else None
    if found is None or not position:
        raise Unmappable("an element of a sequence that is not a split of the channels")
    x, parts = found
    index = int(position[0]) % parts
    block = m.add(node, name, "ChannelSplit", dict(parts=parts, index=index), [x])
    m.layout.keeps_file_order(x, block)


def slice_channels(m: Mapper, node, name, attrs, data_in):
    x = data_in[0]
    if len(node.input) < 4:
        raise Unmappable("a slice without axes")
    starts, ends, axes = (m.graph.values(node.input[i], 8) for i in (1, 2, 3))
    steps = m.graph.values(node.input[4], 8) if len(node.input) > 4 and node.input[4] else [1]
    channels = m.b.shape(x)[-1]
    rank = len(m.b.shape(x)) + 1
    if (
        not starts
        or not ends
        or not axes
        or [int(a) % rank for a in axes] != [m.layout.channel_axis(x)]
        or steps != [1]
    ):
        raise Unmappable("a slice that is not a channel split")
    lo, hi = int(starts[0]), min(int(ends[0]), channels)
    width = hi - lo
    if width <= 0 or channels % width or lo % width:
        raise Unmappable("a slice that is not an equal channel split")
    order = m.layout.sub_order(x, lo, hi)
    block = m.add(node, name, "ChannelSplit", dict(parts=channels // width, index=lo // width), [x])
    m.layout.keeps_file_order(x, block)
    if order and m.b.blocks[-1].name == block and m.b.blocks[-1].kind == "ChannelSplit":
        m.layout.reordered[block] = order


def pad(m: Mapper, node, name, attrs, data_in):
    if attrs.get("mode", "constant") != "constant":
        raise Unmappable(f"{attrs.get('mode')} padding")
    pads = attrs.get("pads")
    if pads is None and len(node.input) > 1:
        pads = m.graph.values(node.input[1], 16)
    if pads is None or len(pads) != 8 or any(pads[i] for i in (0, 1, 4, 5)) or len(m.b.shape(data_in[0])) != 3:
        raise Unmappable(f"padding {pads} (only height and width padding is mapped)")
    top, left, bottom, right = (int(pads[i]) for i in (2, 3, 6, 7))
    m.add(node, name, "ZeroPadding2D", dict(top=top, bottom=bottom, left=left, right=right), [data_in[0]])
