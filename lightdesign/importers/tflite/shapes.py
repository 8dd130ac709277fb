"""TFLite operators that move or reduce a tensor's values -> kinds: pooling, means and maxima
over the spatial axes, concatenation, padding, reshapes (a channel shuffle among them),
splits and slices of the channels."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lightdesign.core.symbolic import Unmappable
from lightdesign.importers.tflite import recurrent

if TYPE_CHECKING:
    from lightdesign.importers.tflite.mapper import Mapper


def _pool(m: Mapper, tid, name, options, data_in, code, kind):
    if options is None:
        raise Unmappable("no options")
    padding = {0: "same", 1: "valid"}.get(options.scalar(0, "<b"))
    sw, sh = options.scalar(1, "<i"), options.scalar(2, "<i")
    fw, fh = options.scalar(3, "<i"), options.scalar(4, "<i")
    if padding is None or sw != sh or fw != fh:
        raise Unmappable("a non-square window or stride")
    params = dict(pool_size=fh, strides=sh, padding=padding)
    m.with_activation(tid, name, code, kind, params, [str(data_in[0])], options.scalar(5, "<b"))


def average_pool_2d(m: Mapper, tid, name, op, options, ins, outs, data_in):
    _pool(m, tid, name, options, data_in, "AVERAGE_POOL_2D", "AveragePooling2D")


def max_pool_2d(m: Mapper, tid, name, op, options, ins, outs, data_in):
    _pool(m, tid, name, options, data_in, "MAX_POOL_2D", "MaxPooling2D")


def _reduce(m: Mapper, tid, name, op, options, ins, data_in, kinds):
    axes = m.graph.values(ins[1]) if len(ins) > 1 else None
    x = str(data_in[0])
    rank = len(m.b.shape(x)) + 1
    keep = bool(options.scalar(0, "<B")) if options else False
    wanted = {4: [1, 2], 3: [1]}.get(rank)
    if axes is None or sorted(int(a) % rank for a in axes) != wanted:
        raise Unmappable(f"a reduction over axes {axes}")
    kind = kinds[rank]
    m.b.add(tid, name, op, kind, dict(keepdims=keep), [x])


def mean(m: Mapper, tid, name, op, options, ins, outs, data_in):
    _reduce(m, tid, name, "MEAN", options, ins, data_in, {4: "GlobalAveragePooling2D", 3: "GlobalAveragePooling1D"})


def reduce_max(m: Mapper, tid, name, op, options, ins, outs, data_in):
    _reduce(m, tid, name, "REDUCE_MAX", options, ins, data_in, {4: "GlobalMaxPooling2D", 3: "GlobalMaxPooling1D"})


def concatenation(m: Mapper, tid, name, op, options, ins, outs, data_in):
    axis = options.scalar(0, "<i") if options else 0
    rank = len(m.b.shape(str(data_in[0]))) + 1
    if axis % rank != rank - 1 or len(data_in) != len([i for i in ins if i >= 0]):
        raise Unmappable(f"concatenation along axis {axis}")
    m.with_activation(tid, name, "CONCATENATION", "Concatenate", {}, [str(i) for i in data_in], options.scalar(1, "<b"))


def pad(m: Mapper, tid, name, op, options, ins, outs, data_in):
    pads = m.graph.values(ins[1], 16) if len(ins) > 1 else None
    x = str(data_in[0])
    if pads is None or len(pads) != 8 or len(m.b.shape(x)) != 3 or any(pads[i] for i in (0, 1, 6, 7)):
        raise Unmappable(f"padding {pads} (only height and width padding is mapped)")
    top, bottom, left, right = (int(v) for v in pads[2:6])
    m.b.add(tid, name, "PAD", "ZeroPadding2D", dict(top=top, bottom=bottom, left=left, right=right), [x])


def reshape(m: Mapper, tid, name, op, options, ins, outs, data_in):
    if _shuffle(m, tid, name, ins, outs, data_in) or recurrent.follow(m, ins, outs, data_in):
        return
    x = str(data_in[0])
    target = [int(v) if v > 0 and not m.dynamic else -1 for v in m.graph.tensors[outs[0]].signature[1:]]
    if m.dynamic and len(target) > 1:
        known = m.graph.tensors[outs[0]].signature[1:]
        target = [int(v) if v > 0 else -1 for v in known]
    if not target or target.count(-1) > 1:
        raise Unmappable("a reshape whose target depends on the input size")
    if len(target) == 1:
        m.b.add(tid, name, "RESHAPE", "Flatten", {}, [x])
        return
    m.b.add(tid, name, "RESHAPE", "Reshape", dict(target_shape=target), [x])


def _shuffle(m: Mapper, tid, name, ins, outs, data_in) -> bool:
    """RESHAPE to (H, W, g, C/g) -> TRANSPOSE (0, 1, 2, 4, 3) -> RESHAPE back: a channel shuffle."""
    first = m.graph.tensors[outs[0]].signature
    if len(first) != 5:
        return False
    k = m.graph.only_consumer(outs[0])
    if k is None or m.graph.ops[k][0] != "TRANSPOSE":
        return False
    perm = m.graph.values(m.graph.ops[k][2][1]) if len(m.graph.ops[k][2]) > 1 else None
    if perm != [0, 1, 2, 4, 3]:
        return False
    j = m.graph.only_consumer(m.graph.output(k))
    if j is None or m.graph.ops[j][0] != "RESHAPE":
        return False
    final = m.graph.output(j)
    m.skip.update((k, j))
    x = str(data_in[0])
    m.b.add(str(final), name, "RESHAPE+TRANSPOSE+RESHAPE", "ChannelShuffle", dict(groups=int(first[3])), [x])
    return True


def _split(m: Mapper, tid, name, outs, data_in, parts: int):
    x = str(data_in[0])
    channels = m.b.shape(x)[-1]
    if parts < 2 or channels % parts:
        raise Unmappable(f"a split into {parts} parts")
    for index, out in enumerate(outs):
        m.b.add(str(out), f"{name}_{index}", "SPLIT", "ChannelSplit", dict(parts=parts, index=index), [x])


def split(m: Mapper, tid, name, op, options, ins, outs, data_in):
    axis = m.graph.values(ins[0], 1)
    x = data_in[0]
    rank = len(m.b.shape(str(x))) + 1
    if not axis or int(axis[0]) % rank != rank - 1:
        raise Unmappable(f"a split along axis {axis}")
    _split(m, tid, name, outs, data_in, len(outs))


def strided_slice(m: Mapper, tid, name, op, options, ins, outs, data_in):
    """A slice of the last axis into equal parts: ChannelSplit."""
    x = str(data_in[0])
    shape = m.b.shape(x)
    begin = m.graph.values(ins[1], 8) if len(ins) > 3 else None
    end = m.graph.values(ins[2], 8) if len(ins) > 3 else None
    strides = m.graph.values(ins[3], 8) if len(ins) > 3 else None
    if not begin or not end or not strides or len(begin) != len(shape) + 1 or any(int(s) != 1 for s in strides):
        raise Unmappable("a slice that is not a channel split")
    masks = (options.scalar(0, "<i"), options.scalar(1, "<i")) if options else (0, 0)
    lo = [0 if masks[0] >> i & 1 else int(v) for i, v in enumerate(begin)]
    hi = [(shape[i - 1] if i else 1) if masks[1] >> i & 1 else int(v) for i, v in enumerate(end)]
    channels = shape[-1]
    width = hi[-1] - lo[-1]
    if any(lo[i] != 0 or hi[i] not in (shape[i - 1], 0) for i in range(1, len(shape))) or width <= 0:
        raise Unmappable("a slice that is not a channel split")
    if channels % width or lo[-1] % width:
        raise Unmappable("a slice that is not an equal channel split")
    m.b.add(tid, name, "STRIDED_SLICE", "ChannelSplit", dict(parts=channels // width, index=lo[-1] // width), [x])
