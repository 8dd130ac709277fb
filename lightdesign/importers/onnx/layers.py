"""ONNX operators with weights (besides convolutions) -> kinds: Gemm and MatMul as Dense,
BatchNormalization, and a Gather from a constant table as an Embedding; each records how its
weights are read in Keras's layout."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lightdesign.core.symbolic import Unmappable
from lightdesign.importers.onnx import sequences

if TYPE_CHECKING:
    from lightdesign.importers.onnx.mapper import Mapper


def batch_normalization(m: Mapper, node, name, attrs, data_in):
    count = sum(m.graph.size(i) for i in node.input[1:5] if i)
    channels = m.b.shape(data_in[0])[-1]
    flat = m.layout.flat_order(data_in[0])  # a BatchNorm of flattened (C, H, W) features
    block = m.add(
        node,
        name,
        "BatchNormalization",
        dict(center=True, scale=True),
        [data_in[0]],
        (count // 2, count - count // 2),
        shapes=[(channels,)] * 4,
    )
    if len(node.input) < 5 or not all(node.input[1:5]) or any(m.graph.size(i) != channels for i in node.input[1:5]):
        m.b.weights.pop(block, None)
        return
    eps = float(attrs.get("epsilon", 1e-5))
    gamma, beta, mean, var = node.input[1:5]
    recipe = [
        ("vector", gamma, (1.0, flat)),
        ("vector", beta, (1.0, flat)),
        ("vector", mean, (1.0, flat)),
        ("variance", var, (eps, flat)),
    ]
    m.record(block, "BatchNormalization", recipe)
    m.layout.keep_order(block, data_in[0])


def gemm(m: Mapper, node, name, attrs, data_in):
    if not m.graph.is_const(node.input[1]) or attrs.get("transA", 0):
        raise Unmappable("a matrix product with computed weights")
    w = m.graph.tensor(node.input[1]).dims
    units = w[0] if attrs.get("transB", 0) else w[1]
    bias = len(node.input) > 2 and bool(node.input[2]) and not m.graph.zeros_made_at_run_time(node.input[2])
    count = m.graph.size(node.input[1]) + (m.graph.size(node.input[2]) if bias else 0)
    if bias and m.graph.size(node.input[2]) not in (units,):
        raise Unmappable("a bias that is not one per unit")
    inputs = m.graph.size(node.input[1]) // units
    shapes = [(inputs, units)] + ([(units,)] if bias else [])
    block = m.add(node, name, "Dense", dict(units=units, use_bias=bias), [data_in[0]], (count, 0), shapes=shapes)
    trans, flat = bool(attrs.get("transB", 0)), m.layout.flat_order(data_in[0])
    recipe = [("dense", node.input[1], (trans, float(attrs.get("alpha", 1.0)), flat))]
    if bias:
        recipe.append(("vector", node.input[2], (float(attrs.get("beta", 1.0)), None)))
    m.record(block, "Dense", recipe)


def mat_mul(m: Mapper, node, name, attrs, data_in):
    if len(data_in) != 1 or not m.graph.is_const(node.input[1]) or len(m.graph.tensor(node.input[1]).dims) != 2:
        raise Unmappable("a matrix product of two computed tensors")
    x = data_in[0]
    if len(m.b.shape(x)) >= 2 and not m.layout.in_file_order(x):
        # (N, C, L) @ (L, U) contracts L; a Dense on the design's (L, C) would read C
        raise Unmappable("a matrix product over the last axis of a channels-first tensor, not its channels")
    rows, units = m.graph.tensor(node.input[1]).dims
    block = m.add(
        node,
        name,
        "Dense",
        dict(units=units, use_bias=False),
        [data_in[0]],
        (m.graph.size(node.input[1]), 0),
        shapes=[(rows, units)],
    )
    m.record(block, "Dense", [("dense", node.input[1], (False, 1.0, m.layout.flat_order(data_in[0])))])
    m.layout.keeps_file_order(x, block)


def gather(m: Mapper, node, name, attrs, data_in):
    if sequences.follow(m, node, attrs, data_in):
        return
    table = m.graph.tensor(node.input[0])
    if table is None or len(table.dims) != 2 or int(attrs.get("axis", 0)) != 0:
        raise Unmappable("a gather that is not an embedding lookup")
    params = dict(input_dim=table.dims[0], output_dim=table.dims[1])
    block = m.add(
        node, name, "Embedding", params, [node.input[1]], (m.graph.size(node.input[0]), 0), shapes=[tuple(table.dims)]
    )
    m.record(block, "Embedding", [("table", node.input[0], None)])
    m.layout.file_order.add(block)  # (N, steps) ids -> (N, steps, features): features last in both
