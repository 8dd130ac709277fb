"""ONNX operators over spatial windows -> kinds: convolutions and pooling (their explicit
pads as 'same', or a ZeroPadding2D before a 'valid' window), global pooling and spatial means."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lightdesign.core.symbolic import Unmappable

if TYPE_CHECKING:
    from lightdesign.importers.onnx.mapper import Mapper


def _window(m: Mapper, node, name, x: str, kernel: int, stride: int, dilation: int, attrs: dict, ceil: bool = False):
    """Padding of a conv or pool window: 'same', 'valid', or explicit pads as a
    ZeroPadding2D before a 'valid' window. Returns (input tensor id, padding)."""
    spatial = m.b.shape(x)[:-1]
    auto = attrs.get("auto_pad", "NOTSET")
    if auto in ("SAME_UPPER", "SAME_LOWER"):
        return x, "same"
    if auto == "VALID":
        return x, "valid"
    pads = list(attrs.get("pads") or [0] * (2 * len(spatial)))
    if len(pads) != 2 * len(spatial):
        raise Unmappable(f"pads {pads}")
    begins, ends = pads[: len(spatial)], pads[len(spatial) :]
    span = (kernel - 1) * dilation + 1
    outs = []
    for size, lo, hi in zip(spatial, begins, ends, strict=True):
        total = size + lo + hi - span
        if total < 0:
            raise Unmappable("a window larger than its padded input")
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
        raise Unmappable(f"explicit pads {pads} on a 1-D window")
    # ceil mode: pad the end so floor division gives the same size
    extra = [
        max(0, (o - 1) * stride + span - (size + lo + hi))
        for o, size, lo, hi in zip(outs, spatial, begins, ends, strict=True)
    ]
    top, left = begins
    bottom, right = ends[0] + extra[0], ends[1] + extra[1]
    padded = f"{node.output[0]}\x00pad"
    m.b.add(
        padded,
        f"{name}_pad",
        node.op_type,
        "ZeroPadding2D",
        dict(top=top, bottom=bottom, left=left, right=right),
        [x],
    )
    return padded, "valid"


def conv(m: Mapper, node, name, attrs, data_in):
    x = data_in[0]
    if len(node.input) < 2 or not m.graph.is_const(node.input[1]):
        raise Unmappable("its weights are not a constant")
    w = m.graph.tensor(node.input[1]).dims
    rank = len(m.b.shape(x))
    kernel = list(w[2:])
    strides = list(attrs.get("strides") or [1] * len(kernel))
    dilations = list(attrs.get("dilations") or [1] * len(kernel))
    if len(set(kernel)) != 1 or len(set(strides)) != 1 or len(set(dilations)) != 1:
        raise Unmappable(f"a kernel {kernel}, strides {strides} or dilations {dilations} that are not square")
    group = int(attrs.get("group", 1))
    channels = m.b.shape(x)[-1]
    # a bias of zeros the graph makes at run time (PyTorch's dynamo exporter) is no weight
    bias = len(node.input) > 2 and bool(node.input[2]) and not m.graph.zeros_made_at_run_time(node.input[2])
    count = (m.graph.size(node.input[1]) + (m.graph.size(node.input[2]) if bias else 0), 0)
    k, s, d = kernel[0], strides[0], dilations[0]
    bias_recipe = [("vector", node.input[2], (1.0, None))] if bias else []
    bias_shape = [(w[0],)] if bias else []
    if rank == 2:  # (L, C): Conv1D
        if any(attrs.get("pads") or []):
            raise Unmappable("a padded 1-D convolution")
        params = dict(
            filters=w[0], kernel_size=k, strides=s, padding="valid", dilation_rate=d, groups=group, use_bias=bias
        )
        shapes = [(k, w[1], w[0]), *bias_shape]
        block = m.add(node, name, "Conv1D", params, [x], count, shapes=shapes)
        return m.record(block, "Conv1D", [("conv1d", node.input[1], None), *bias_recipe])
    x, padding = _window(m, node, name, x, k, s, d, attrs)
    common = dict(kernel_size=k, strides=s, padding=padding, dilation_rate=d, use_bias=bias)
    if group == channels and group > 1 and w[1] == 1:
        multiplier = w[0] // channels
        common["depth_multiplier"] = multiplier
        shapes = [(k, k, channels, multiplier), *bias_shape]
        block = m.add(node, name, "DepthwiseConv2D", common, [x], count, shapes=shapes)
        return m.record(block, "DepthwiseConv2D", [("depthwise", node.input[1], multiplier), *bias_recipe])
    shapes = [(k, k, w[1], w[0]), *bias_shape]
    block = m.add(node, name, "Conv2D", dict(common, filters=w[0], groups=group), [x], count, shapes=shapes)
    return m.record(block, "Conv2D", [("conv2d", node.input[1], None), *bias_recipe])


def _pool(m: Mapper, node, name, attrs, data_in, kind):
    x = data_in[0]
    kernel = list(attrs.get("kernel_shape") or [])
    strides = list(attrs.get("strides") or [1] * len(kernel))
    if (
        not kernel
        or len(set(kernel)) != 1
        or len(set(strides)) != 1
        or any(d != 1 for d in attrs.get("dilations") or [])
    ):
        raise Unmappable(f"a window {kernel} with strides {strides} that is not square")
    rank = len(m.b.shape(x))
    if rank == 2:
        if any(attrs.get("pads") or []) or attrs.get("ceil_mode"):
            raise Unmappable("a padded 1-D pooling")
        return m.add(
            node,
            name,
            kind.replace("2D", "1D"),
            dict(pool_size=kernel[0], strides=strides[0], padding="valid"),
            [x],
        )
    x, padding = _window(m, node, name, x, kernel[0], strides[0], 1, attrs, ceil=bool(attrs.get("ceil_mode", 0)))
    m.add(node, name, kind, dict(pool_size=kernel[0], strides=strides[0], padding=padding), [x])


def max_pool(m: Mapper, node, name, attrs, data_in):
    if len(node.output) > 1 and node.output[1]:
        raise Unmappable("max pooling that also returns indices")
    _pool(m, node, name, attrs, data_in, "MaxPooling2D")


def average_pool(m: Mapper, node, name, attrs, data_in):
    _pool(m, node, name, attrs, data_in, "AveragePooling2D")


def _global(m: Mapper, node, name, data_in, kind, keepdims=True):
    rank = len(m.b.shape(data_in[0]))
    kind = kind if rank == 3 else kind.replace("2D", "1D")
    m.add(node, name, kind, dict(keepdims=keepdims), [data_in[0]])


def global_average_pool(m: Mapper, node, name, attrs, data_in):
    _global(m, node, name, data_in, "GlobalAveragePooling2D")


def global_max_pool(m: Mapper, node, name, attrs, data_in):
    _global(m, node, name, data_in, "GlobalMaxPooling2D")


def reduce_mean(m: Mapper, node, name, attrs, data_in):
    axes = attrs.get("axes")
    if axes is None and len(node.input) > 1 and node.input[1]:
        axes = m.graph.values(node.input[1])
    rank = len(m.b.shape(data_in[0])) + 1
    # the axes besides the batch and the channels (the steps of a file-order sequence)
    first = 1 if m.layout.in_file_order(data_in[0]) else 2
    if axes is None or sorted(int(a) % rank for a in axes) != list(range(first, first + rank - 2)):
        raise Unmappable(f"a mean over axes {axes}")
    _global(m, node, name, data_in, "GlobalAveragePooling2D", bool(attrs.get("keepdims", 1)))
