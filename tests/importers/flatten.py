"""A design's composite blocks written out as their primitives (what an import of the
generated code gives), for folding tests that need no TensorFlow."""

from __future__ import annotations

from lightdesign.core.design import Block, Design
from lightdesign.core.graph import trace


def flatten(design: Design) -> Design:
    graph = trace(design)
    assert graph.complete
    blocks = []
    previous = "input"
    names = {graph.nodes[0].name: "input"}
    for node in graph.nodes[1:]:
        layer = node.layer
        cls = type(layer)
        params = {}
        for spec in cls.fields:
            if spec.name in cls.ref_fields:
                continue
            params[spec.name] = _value(cls, spec.name, layer.cfg)
        inputs = [names[i] for i in node.inputs]
        for ref, source in zip(cls.ref_fields, inputs[1:], strict=False):
            params[ref] = source
        blocks.append(
            Block(cls.kind, node.name, params, f"b{len(blocks) + 1}", None if inputs[0] == previous else inputs[0])
        )
        names[node.name] = node.name
        previous = node.name
    return Design(design.name, design.input_shape, design.num_classes, blocks)


def _value(cls, field, cfg):
    if cls.kind == "ZeroPadding2D":
        (top, bottom), (left, right) = cfg["padding"]
        return dict(top=top, bottom=bottom, left=left, right=right)[field]
    value = cfg[field]
    if field == "activation" and value is None:
        return "linear"
    if field == "strides" and value is None:
        return cfg["pool_size"]
    return value
