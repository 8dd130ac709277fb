"""TFLite operators with weights -> kinds: convolutions (their fused activation and a hard
sigmoid split across a MUL included), fully connected layers and embedding lookups; each
records how its weights are read in Keras's layout."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from lightdesign.core.symbolic import Unmappable
from lightdesign.importers.tflite.schema import FUSED

if TYPE_CHECKING:
    from lightdesign.importers.tflite.mapper import Mapper


def _conv_common(m: Mapper, options, ins, dw: bool) -> dict:
    if options is None:
        raise Unmappable("no options")
    padding = {0: "same", 1: "valid"}.get(options.scalar(0, "<b"))
    sw, sh = options.scalar(1, "<i"), options.scalar(2, "<i")
    slots = (5, 6) if dw else (4, 5)
    dw_, dh = options.scalar(slots[0], "<i", 1), options.scalar(slots[1], "<i", 1)
    fused = options.scalar(4 if dw else 3, "<b")
    if padding is None or sw != sh or dw_ != dh:
        raise Unmappable("non-square strides or dilation, or an unknown padding")
    act = FUSED.get(fused)
    if act is None:
        raise Unmappable(f"fused activation {fused} has no LightDesign equivalent")
    filt = m.graph.tensors[ins[1]]
    if len(filt.shape) != 4 or filt.shape[1] != filt.shape[2]:
        raise Unmappable(f"a filter of shape {filt.shape} (only square 2-D kernels are mapped)")
    return dict(
        kernel_size=filt.shape[1],
        strides=sh,
        padding=padding,
        dilation_rate=dh,
        use_bias=m.has_bias(ins),
        activation=act,
    )


def _params(m: Mapper, ins) -> tuple[int, int]:
    return (m.weight_count(m.weight_inputs(ins)), 0)


def _recipe(m: Mapper, ins: list[int], kernel: str, extra: Any = None, bias_shift: float = 0.0) -> list:
    recipe = [(kernel, ins[1], extra)]
    if m.has_bias(ins):
        recipe.append(("vector", ins[2], bias_shift))
    return recipe


def _shapes(m: Mapper, ins) -> list[tuple]:
    return [tuple(m.graph.tensors[i].shape) for i in m.weight_inputs(ins) if i in m.graph.constant]


def _shift(params: dict) -> float:
    """What the Keras bias lacks of the file's: hard_sigmoid(x) = relu6(x + 3) / 6 adds
    the 3 the converter put into the bias."""
    return -3.0 if params.get("activation") == "hard_sigmoid" else 0.0


def _hard_sigmoid(m: Mapper, out: int, params: dict) -> dict:
    """relu6(x + 3) / 6 converts to a conv with fused RELU6 (the +3 in its bias) and a MUL
    by 1/6: the conv becomes one with a hard_sigmoid activation."""
    if params["activation"] != "relu6":
        return params
    k = m.graph.only_consumer(out)
    if k is None or m.graph.ops[k][0] != "MUL":
        return params
    ins = m.graph.ops[k][2]
    other = [i for i in ins if i != out]
    if len(other) == 1:
        values = m.graph.values(other[0], 1)
        if values and math.isclose(values[0], 1 / 6, rel_tol=1e-3):
            m.skip.add(k)
            m.aliases.append((str(m.graph.output(k)), str(out)))
            return dict(params, activation="hard_sigmoid")
    return params


def conv_2d(m: Mapper, tid, name, op, options, ins, outs, data_in):
    if len(ins) < 2 or ins[1] not in m.graph.constant:
        raise Unmappable("its filter is not a constant")
    params = _conv_common(m, options, ins, dw=False)
    filt = m.graph.tensors[ins[1]]
    in_channels = m.b.shape(str(ins[0]))[-1]
    if filt.shape[3] < 1 or in_channels % filt.shape[3]:
        raise Unmappable("its filter does not divide the input channels")
    params.update(filters=filt.shape[0], groups=in_channels // filt.shape[3])
    params = _hard_sigmoid(m, outs[0], params)
    block = m.b.add(tid, name, "CONV_2D", "Conv2D", params, [str(ins[0])], _params(m, ins), _shapes(m, ins))
    m.record(block, "Conv2D", _recipe(m, ins, "conv", bias_shift=_shift(params)))


def depthwise_conv_2d(m: Mapper, tid, name, op, options, ins, outs, data_in):
    if len(ins) < 2 or ins[1] not in m.graph.constant:
        raise Unmappable("its filter is not a constant")
    params = _conv_common(m, options, ins, dw=True)
    filt = m.graph.tensors[ins[1]]
    in_channels = m.b.shape(str(ins[0]))[-1]
    if in_channels < 1 or filt.shape[3] % in_channels:
        raise Unmappable("its filter does not match the input channels")
    params.update(depth_multiplier=filt.shape[3] // in_channels)
    params = _hard_sigmoid(m, outs[0], params)
    block = m.b.add(
        tid,
        name,
        "DEPTHWISE_CONV_2D",
        "DepthwiseConv2D",
        params,
        [str(ins[0])],
        _params(m, ins),
        _shapes(m, ins),
    )
    m.record(block, "DepthwiseConv2D", _recipe(m, ins, "depthwise", in_channels, _shift(params)))


def fully_connected(m: Mapper, tid, name, op, options, ins, outs, data_in):
    if len(ins) < 2 or ins[1] not in m.graph.constant:
        raise Unmappable("its weights are not a constant")
    weights = m.graph.tensors[ins[1]]
    fused = options.scalar(0, "<b") if options else 0
    act = FUSED.get(fused)
    if act is None or len(weights.shape) != 2:
        raise Unmappable("an unusual fully connected layer")
    x = str(ins[0])
    shape = m.b.shape(x)
    if shape[-1] != weights.shape[1]:
        if math.prod(shape) != weights.shape[1]:
            raise Unmappable("its weights do not match the input")
        flat = f"{tid}\x00flat"
        m.b.add(flat, f"{name}_flatten", "RESHAPE", "Flatten", {}, [x])
        x = flat
    params = dict(units=weights.shape[0], use_bias=m.has_bias(ins), activation=act)
    block = m.b.add(tid, name, "FULLY_CONNECTED", "Dense", params, [x], _params(m, ins), _shapes(m, ins))
    # TFLite flattens channels-last tensors in (H, W, C) order, as the design's Flatten does
    m.record(block, "Dense", _recipe(m, ins, "dense"))


def gather(m: Mapper, tid, name, op, options, ins, outs, data_in):
    table = m.graph.tensors[ins[0]]
    if ins[0] not in m.graph.constant or len(table.shape) != 2:
        raise Unmappable("a gather that is not an embedding lookup")
    block = m.b.add(
        tid,
        name,
        "GATHER",
        "Embedding",
        dict(input_dim=table.shape[0], output_dim=table.shape[1]),
        [str(ins[1])],
        (table.size, 0),
        [tuple(table.shape)],
    )
    m.record(block, "Embedding", [("table", ins[0], None)])
