"""ONNX elementwise operators -> kinds: activations, Dropout and Identity, and the merges
(Add, Sum, Mul; a MatMul's bias Add, the x * sigmoid(x) of a swish)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from lightdesign.core.symbolic import Unmappable

if TYPE_CHECKING:
    from lightdesign.importers.onnx.mapper import Mapper


def _act(m: Mapper, node, name, data_in, activation):
    block = m.add(node, name, "Activation", dict(activation=activation), [data_in[0]])
    m.layout.keep_order(block, data_in[0])


def relu(m: Mapper, node, name, attrs, data_in):
    _act(m, node, name, data_in, "relu")


def sigmoid(m: Mapper, node, name, attrs, data_in):
    k = m.graph.only_consumer(node.output[0])
    if k is not None and m.graph.nodes[k].op_type == "Mul" and data_in[0] in m.graph.nodes[k].input:
        # x * sigmoid(x): swish, built at the Mul
        m.b.alias(node.output[0], data_in[0])
        m.swish.add(k)
        return
    _act(m, node, name, data_in, "sigmoid")


def tanh(m: Mapper, node, name, attrs, data_in):
    _act(m, node, name, data_in, "tanh")


def hard_swish(m: Mapper, node, name, attrs, data_in):
    _act(m, node, name, data_in, "hard_swish")


def hard_sigmoid(m: Mapper, node, name, attrs, data_in):
    # Keras's hard_sigmoid is relu6(x + 3) / 6: ONNX's max(0, min(1, alpha * x + beta))
    # with alpha 1/6 and beta 0.5 (PyTorch's Hardsigmoid), not ONNX's defaults (0.2, 0.5)
    alpha, beta = float(attrs.get("alpha", 0.2)), float(attrs.get("beta", 0.5))
    if abs(alpha - 1 / 6) > 1e-6 or abs(beta - 0.5) > 1e-6:
        raise Unmappable(f"a hard sigmoid with alpha {alpha:g} and beta {beta:g} (Keras's has alpha 1/6, beta 0.5)")
    _act(m, node, name, data_in, "hard_sigmoid")


def softmax(m: Mapper, node, name, attrs, data_in):
    x = data_in[0]
    rank = len(m.b.shape(x)) + 1
    axis = int(attrs.get("axis", -1 if m.graph.opset >= 13 else 1))
    # before opset 13 a softmax spans every axis from ``axis`` on
    if axis % rank != m.layout.channel_axis(x) or m.graph.opset < 13 and axis % rank != rank - 1:
        raise Unmappable(f"softmax over axis {axis}, not the channels (axis {m.layout.channel_axis(x)})")
    _act(m, node, name, data_in, "softmax")


def clip(m: Mapper, node, name, attrs, data_in):
    lo = attrs.get("min")
    hi = attrs.get("max")
    if len(node.input) > 1 and node.input[1]:
        v = m.graph.values(node.input[1], 1)
        lo = v[0] if v else None
    if len(node.input) > 2 and node.input[2]:
        v = m.graph.values(node.input[2], 1)
        hi = v[0] if v else None
    if lo == 0 and hi is not None and math.isclose(hi, 6.0):
        return _act(m, node, name, data_in, "relu6")
    if lo == 0 and hi is None:
        return _act(m, node, name, data_in, "relu")
    raise Unmappable(f"clip to [{lo}, {hi}]")


def identity(m: Mapper, node, name, attrs, data_in):
    m.b.alias(node.output[0], data_in[0])


def dropout(m: Mapper, node, name, attrs, data_in):
    rate = attrs.get("ratio", 0.5)
    if len(node.input) > 1 and node.input[1]:
        v = m.graph.values(node.input[1], 1)
        rate = v[0] if v else 0.5
    block = m.add(node, name, "Dropout", dict(rate=min(max(float(rate), 0.0), 0.95)), [data_in[0]])
    m.layout.keep_order(block, data_in[0])


def _merge(m: Mapper, node, name, data_in, kind):
    if len(data_in) >= 2:
        ordered = {m.layout.in_file_order(x) for x in data_in if len(m.b.shape(x)) >= 2}
        if len(ordered) > 1:
            raise Unmappable(f"{node.op_type} of a (batch, steps, features) tensor and a channels-first one")
        if len({m.layout.flat_order(x) for x in data_in}) > 1:
            # the design would pair features that are not paired in the file
            raise Unmappable(
                f"{node.op_type} of flattened features in different orders (channels-first (C, H, W) "
                "in the file, (H, W, C) in the design)"
            )
        block = m.add(node, name, kind, {}, data_in)
        m.layout.keep_order(block, data_in[0])  # flat features in one order stay in it
        return block
    const = [i for i in node.input if i and i not in data_in]
    x = data_in[0]
    if node.op_type == "Add" and const and m.graph.is_const(const[0]) and m.b.blocks:
        block = m.b.blocks[-1]
        # MatMul + Add(bias): the Dense gets its bias
        if (
            m.b.block_of.get(x) == block.name
            and block.kind == "Dense"
            and not block.params["use_bias"]
            and m.graph.size(const[0]) == block.params["units"]
        ):
            block.params["use_bias"] = True
            m.b.trace.nodes[-1].cost.trainable += m.graph.size(const[0])
            if block.name in m.sources and m.graph.stored(const[0]):
                m.sources[block.name].append(("vector", const[0], (1.0, None)))
                m.b.weights[block.name].append((m.graph.size(const[0]),))
            else:
                m.sources.pop(block.name, None)
                m.b.weights.pop(block.name, None)
            return m.b.alias(node.output[0], x)
    if not const or not m.graph.is_const(const[0]):
        raise Unmappable(f"{node.op_type} with one computed input")
    size = m.graph.size(const[0])
    if size == 1:
        v = m.graph.values(const[0], 1)
        reason = f"{node.op_type} by the constant {v[0]:g}" if v else f"{node.op_type} by a constant"
    else:
        reason = f"{node.op_type} with a constant of {size} values"
    params = (0, size if size > 1 else 0)
    block = m.b.opaque(node.output[0], name, node.op_type, [x], m.b.shape(x), params, reason, macs=0)
    m.layout.keeps_file_order(x, block)


def add(m: Mapper, node, name, attrs, data_in):
    _merge(m, node, name, data_in, "Add")


def mul(m: Mapper, node, name, attrs, data_in):
    k = m.graph.producer.get(node.output[0])
    if k in m.swish:
        x = next(
            i for i in node.input if m.graph.nodes[m.graph.producer[i]].op_type != "Sigmoid" if i in m.graph.producer
        )
        block = m.add(node, name, "Activation", dict(activation="swish"), [x])
        return m.layout.keep_order(block, x)
    _merge(m, node, name, data_in, "Multiply")
