"""TFLite elementwise operators -> kinds: ADD and MUL (merges, a per-channel scale and shift
as a 1x1 depthwise convolution, the x * sigmoid(x) of a swish), LOGISTIC and SOFTMAX."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from lightdesign.core.symbolic import Unmappable
from lightdesign.importers.tflite.schema import FUSED

if TYPE_CHECKING:
    from lightdesign.importers.tflite.mapper import Mapper
    from lightdesign.importers.tflite.reader import Subgraph


def _elementwise(m: Mapper, tid, name, code, options, ins, outs, data_in, kind):
    fused = options.scalar(0, "<b") if options else 0
    if len(data_in) >= 2:
        m.with_activation(tid, name, code, kind, {}, [str(i) for i in data_in], fused)
        return
    const = [i for i in ins if i >= 0 and i not in data_in]
    if not const or const[0] not in m.graph.constant:
        raise Unmappable(f"{code} with a computed second operand")
    c = m.graph.tensors[const[0]]
    x = str(data_in[0])
    channels = m.b.shape(x)[-1]
    if code == "MUL" and c.size == channels and c.size > 1 and FUSED.get(fused) is not None:
        # a per-channel scale (BatchNorm that could not be folded): a 1x1 depthwise conv
        params = dict(kernel_size=1, use_bias=False, padding="same", activation=FUSED[fused])
        block = m.b.add(tid, name, code, "DepthwiseConv2D", params, [x], (c.size, 0), [(1, 1, c.size, 1)])
        m.record(block, "DepthwiseConv2D", [("scale", const[0], None)])
        return
    if c.size == 1:
        value = m.graph.values(const[0], 1)
        shown = f"{value[0]:g}" if value else "a scalar"
        reason = f"{code} by the constant {shown}"
    else:
        reason = f"{code} with a constant of {c.size} values"
    m.b.opaque(tid, name, code, [x], m.b.shape(x), (0, c.size if c.size > 1 else 0), reason, macs=0)


def add(m: Mapper, tid, name, op, options, ins, outs, data_in):
    # the per-channel shift after a per-channel scale: the 1x1 depthwise conv gets its bias
    if len(data_in) == 1:
        const = [i for i in ins if i >= 0 and i not in data_in]
        x = str(data_in[0])
        block = m.b.blocks[-1] if m.b.blocks else None
        if (
            const
            and const[0] in m.graph.constant
            and block is not None
            and m.b.block_of.get(x) == block.name
            and block.kind == "DepthwiseConv2D"
            and block.params.get("kernel_size") == 1
            and not block.params.get("use_bias")
            and block.params.get("activation") == "linear"
            and m.graph.tensors[const[0]].size == m.b.shape(x)[-1]
            and FUSED.get(options.scalar(0, "<b") if options else 0) is not None
        ):
            block.params["use_bias"] = True
            block.params["activation"] = FUSED[options.scalar(0, "<b") if options else 0]
            m.b.trace.nodes[-1].cost.trainable += m.graph.tensors[const[0]].size
            if block.name in m.sources:
                m.sources[block.name].append(("vector", const[0], 0.0))
                m.b.weights[block.name].append((m.graph.tensors[const[0]].size,))
            m.b.alias(tid, x)
            return
    _elementwise(m, tid, name, "ADD", options, ins, outs, data_in, "Add")


def mul(m: Mapper, tid, name, op, options, ins, outs, data_in):
    # x * sigmoid(x): the swish the converter splits in two
    if len(data_in) == 2:
        a, c = data_in
        for x, s in ((a, c), (c, a)):
            k = m.graph.producer.get(s)
            if k is not None and m.graph.ops[k][0] == "LOGISTIC" and m.graph.ops[k][2][:1] == [x] and k in m.swish:
                m.b.add(tid, name, "LOGISTIC+MUL", "Activation", dict(activation="swish"), [str(x)])
                return
    _elementwise(m, tid, name, "MUL", options, ins, outs, data_in, "Multiply")


def logistic(m: Mapper, tid, name, op, options, ins, outs, data_in):
    k = m.graph.producer.get(outs[0])
    if k in m.swish:
        # produced at the MUL; give the sigmoid's output a stand-in so the MUL sees it
        m.b.alias(tid, str(data_in[0]))
        return
    return False


def softmax(m: Mapper, tid, name, op, options, ins, outs, data_in):
    beta = options.scalar(0, "<f", 1.0) if options else 1.0
    if not math.isclose(beta, 1.0):
        raise Unmappable(f"softmax with beta {beta}")
    m.b.add(tid, name, "SOFTMAX", "Activation", dict(activation="softmax"), [str(data_in[0])])


def swish_sigmoids(graph: Subgraph) -> set[int]:
    """The LOGISTIC operators of an x * sigmoid(x) (the swish the converter splits in two): read
    only by a MUL that also reads their input; the swish is built at the MUL."""
    found = set()
    for k, (code, _, ins, outs) in enumerate(graph.ops):
        if code != "LOGISTIC" or not outs:
            continue
        m = graph.only_consumer(outs[0])
        if m is not None and graph.ops[m][0] == "MUL" and ins[:1] and ins[0] in graph.ops[m][2]:
            found.add(k)
    return found
