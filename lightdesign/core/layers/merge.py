"""Merge kinds: Add (residual), Concatenate and Multiply. In a design each takes the
previous block's output and the output of the block named in ``source``."""

from __future__ import annotations

from typing import ClassVar

from lightdesign.core import fields as F
from lightdesign.core.layers.common import numel
from lightdesign.core.registry import register
from lightdesign.core.symbolic import SUPPORTED, Cost, Layer, LayerError, Unmappable, fmt_shape

_SOURCE = F.ref(
    "source",
    "input",
    "The earlier block whose output is merged with the previous block's output ('input' = the model input).",
    label="merge with",
)


class _Merge(Layer):
    category = "Shape & merge"
    multi_input = True
    fields = (_SOURCE,)
    ref_fields = ("source",)
    tflite = SUPPORTED
    article_stage = "merge"
    tflite_op: ClassVar[str]

    @classmethod
    def from_keras(cls, class_name, cfg, rank):
        return {}

    def lower(self, node, low):
        inputs = [low.value[name] for name in node.inputs]
        geometry = low.Geometry(low.input_shape(node), node.shape) if self.tflite_op == "CONCATENATION" else None
        return low.emit(node.name, self.tflite_op, inputs, [numel(node.shape)], geometry=geometry).outputs[0]

    def _need_two(self, shapes):
        if len(shapes) < 2:
            raise LayerError(f"{self.kind} needs at least two inputs", field="source")

    def cost(self, shapes, out):
        return Cost(flops=(len(shapes) - 1) * numel(out))


@register
class Add(_Merge):
    kind = "Add"
    doc = "Element-wise sum: the residual (shortcut) connection. Both inputs must have the same shape."
    tflite_op = "ADD"
    commutative = True
    keras_classes = ("Add",)

    def output_shape(self, shapes):
        self._need_two(shapes)
        for other in shapes[1:]:
            if other != shapes[0]:
                raise LayerError(
                    f"Add: the shapes {fmt_shape(shapes[0])} and {fmt_shape(other)} differ; a residual "
                    "add needs equal shapes",
                    field="source",
                    valid=f"a block whose output shape is {fmt_shape(shapes[0])}",
                )
        return shapes[0]


@register
class Multiply(_Merge):
    kind = "Multiply"
    doc = "Element-wise product, broadcasting size-1 axes (the scaling step of squeeze-excitation)."
    tflite_op = "MUL"
    commutative = True
    keras_classes = ("Multiply",)

    def lower(self, node, low):
        inputs = [low.value[name] for name in node.inputs]
        swish = low.hard_swish(inputs, numel(node.shape)) if len(inputs) == 2 else None
        return swish if swish is not None else super().lower(node, low)

    def output_shape(self, shapes):
        self._need_two(shapes)
        out = list(shapes[0])
        for other in shapes[1:]:
            if len(other) != len(out) or any(a != b and 1 not in (a, b) for a, b in zip(out, other, strict=False)):
                raise LayerError(
                    f"Multiply: the shapes {fmt_shape(shapes[0])} and {fmt_shape(other)} cannot be broadcast",
                    field="source",
                    valid="a block whose shape matches, or has size 1 where it differs",
                )
            out = [max(a, b) for a, b in zip(out, other, strict=False)]
        return tuple(out)


@register
class Concatenate(_Merge):
    kind = "Concatenate"
    doc = "Joins the inputs along the channel axis; all other axes must match."
    tflite_op = "CONCATENATION"
    keras_classes = ("Concatenate",)

    @classmethod
    def from_keras(cls, class_name, cfg, rank):
        axis = cfg.get("axis", -1)
        if axis != -1 and axis != rank:
            raise Unmappable(f"concatenation along axis {axis} (only the last axis is mapped)")
        return {}

    def output_shape(self, shapes):
        self._need_two(shapes)
        for other in shapes[1:]:
            if len(other) != len(shapes[0]) or other[:-1] != shapes[0][:-1]:
                raise LayerError(
                    f"Concatenate: the shapes {fmt_shape(shapes[0])} and {fmt_shape(other)} differ "
                    "in more than the last axis",
                    field="source",
                    valid=f"a block whose output is {fmt_shape(shapes[0][:-1] + ('C',))}",
                )
        return (*shapes[0][:-1], sum(s[-1] for s in shapes))

    def cost(self, shapes, out):
        return Cost()
