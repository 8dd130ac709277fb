"""Pooling kinds: local max/average pooling and global pooling, 2-D and 1-D."""

from __future__ import annotations

from typing import ClassVar

from lightdesign.core import fields as F
from lightdesign.core.layers import keras_args
from lightdesign.core.layers.common import need_image, need_sequence, numel, out_size
from lightdesign.core.registry import register
from lightdesign.core.symbolic import SUPPORTED, Cost, Layer, pair

_POOL_FIELDS = (
    F.integer("pool_size", 2, 1, F.MAX_KERNEL, "Window size (square)."),
    F.integer("strides", 2, 1, F.MAX_KERNEL, "Step between windows; usually equal to the pool size."),
    F.padding("valid"),
)


class _Pooling(Layer):
    category = "Pooling"
    tflite = SUPPORTED
    article_stage = "pool"
    tflite_op: ClassVar[str]  # the TFLite operator computing it

    @classmethod
    def from_keras(cls, class_name, cfg, rank):
        """A local window's size, strides and padding (global pooling overrides this)."""
        keras_args.channels_last(cfg)
        size = keras_args.square(cfg.get("pool_size", 2), "pool_size")
        strides = cfg.get("strides")
        return dict(
            pool_size=size,
            strides=size if strides is None else keras_args.square(strides, "strides"),
            padding=cfg.get("padding", "valid"),
        )


class _Pool2D(_Pooling):
    positional = ("pool_size", "strides", "padding")
    keras_defaults = dict(pool_size=None, strides=None, padding="valid")
    fields = _POOL_FIELDS

    @classmethod
    def to_keras(cls, params):
        out = dict(params)
        if out.get("strides") == out.get("pool_size"):
            out["strides"] = None
        return out

    def output_shape(self, shapes):
        (shape,) = shapes
        need_image(self, shape, "use the 1-D pooling kinds for sequences")
        kh, kw = pair(self.cfg["pool_size"])
        sh, sw = pair(self.cfg["strides"] or self.cfg["pool_size"])
        pad = self.cfg["padding"]
        return (
            out_size(shape[0], kh, sh, 1, pad, "pool_size", self.kind),
            out_size(shape[1], kw, sw, 1, pad, "pool_size", self.kind),
            shape[2],
        )

    def cost(self, shapes, out):
        kh, kw = pair(self.cfg["pool_size"])
        return Cost(flops=kh * kw * numel(out))

    def lower(self, node, low):
        window = pair(self.cfg["pool_size"])
        geometry = low.Geometry(low.input_shape(node), node.shape, window, pair(self.cfg["strides"] or window))
        op = low.emit(node.name, self.tflite_op, [low.source(node)], [numel(node.shape)], geometry=geometry)
        op.padding = self.cfg["padding"]
        return op.outputs[0]


@register
class MaxPooling2D(_Pool2D):
    kind = "MaxPooling2D"
    keras_classes = ("MaxPooling2D",)
    doc = "Keeps the largest value in each window; halves height and width with the defaults."
    tflite_op = "MAX_POOL_2D"


@register
class AveragePooling2D(_Pool2D):
    kind = "AveragePooling2D"
    keras_classes = ("AveragePooling2D",)
    doc = "Averages each window; halves height and width with the defaults."
    tflite_op = "AVERAGE_POOL_2D"


class _Pool1D(_Pooling):
    positional = ("pool_size", "strides", "padding")
    keras_defaults = dict(pool_size=None, strides=None, padding="valid")
    fields = _POOL_FIELDS
    to_keras = _Pool2D.to_keras

    def output_shape(self, shapes):
        (shape,) = shapes
        need_sequence(self, shape, "use the 2-D pooling kinds for images")
        k = self.cfg["pool_size"]
        s = self.cfg["strides"] or k
        return (out_size(shape[0], k, s, 1, self.cfg["padding"], "pool_size", self.kind), shape[1])

    def cost(self, shapes, out):
        return Cost(flops=self.cfg["pool_size"] * numel(out))

    def lower(self, node, low):
        size = numel(node.shape)
        window = self.cfg["pool_size"]
        pooled = low.one_dimensional(
            node, low.source(node), self.tflite_op, size, window, self.cfg["strides"] or window
        )
        pooled.padding = self.cfg["padding"]
        return low.emit(node.name, "RESHAPE", pooled.outputs, [size]).outputs[0]


@register
class MaxPooling1D(_Pool1D):
    kind = "MaxPooling1D"
    keras_classes = ("MaxPooling1D",)
    doc = "Keeps the largest value in each window of steps."
    tflite_op = "MAX_POOL_2D"


@register
class AveragePooling1D(_Pool1D):
    kind = "AveragePooling1D"
    keras_classes = ("AveragePooling1D",)
    doc = "Averages each window of steps."
    tflite_op = "AVERAGE_POOL_2D"


class _Global(_Pooling):
    tflite_op = "MEAN"
    keras_defaults = dict(keepdims=False)
    fields = (F.flag("keepdims", False, "Keep the pooled axes with size 1 (as squeeze-excitation needs)."),)
    rank = 3
    flops_per_input = 1  # tf.reduce_mean costs one FLOP per input element; max has none

    @classmethod
    def from_keras(cls, class_name, cfg, rank):
        keras_args.channels_last(cfg)
        return dict(keepdims=bool(cfg.get("keepdims", False)))

    def output_shape(self, shapes):
        (shape,) = shapes
        if self.rank == 3:
            need_image(self, shape, "use the 1-D global pooling kinds for sequences")
        else:
            need_sequence(self, shape, "use the 2-D global pooling kinds for images")
        if self.cfg["keepdims"]:
            return (*(1,) * (self.rank - 1), shape[-1])
        return (shape[-1],)

    def cost(self, shapes, out):
        return Cost(flops=self.flops_per_input * numel(shapes[0]))

    def lower(self, node, low):
        src, pooled = low.source(node), low.input_shape(node)
        if numel(pooled[:-1]) == 1 and self.cfg["keepdims"]:  # pooling a single position changes nothing
            return src
        rank = len(pooled) + 1
        scratch = [low.INT32 * rank, low.INT32 * (rank - 2)]  # int32 shape and axes buffers
        if self.tflite_op == "MEAN":
            scratch.insert(0, low.INT32 * node.shape[-1])  # MEAN's int32 accumulator per channel
        geometry = low.Geometry(pooled, node.shape)
        return low.emit(node.name, self.tflite_op, [src], [numel(node.shape)], scratch, geometry).outputs[0]


@register
class GlobalAveragePooling2D(_Global):
    kind = "GlobalAveragePooling2D"
    keras_classes = ("GlobalAveragePooling2D",)
    doc = "Averages each channel over the whole image: (H, W, C) -> (C,). The cheap classifier head."


@register
class GlobalMaxPooling2D(_Global):
    kind = "GlobalMaxPooling2D"
    keras_classes = ("GlobalMaxPooling2D",)
    doc = "Takes each channel's maximum over the whole image: (H, W, C) -> (C,)."
    flops_per_input = 0
    tflite_op = "REDUCE_MAX"


@register
class GlobalAveragePooling1D(_Global):
    kind = "GlobalAveragePooling1D"
    keras_classes = ("GlobalAveragePooling1D",)
    doc = "Averages each feature over all steps: (T, F) -> (F,)."
    rank = 2


@register
class GlobalMaxPooling1D(_Global):
    kind = "GlobalMaxPooling1D"
    keras_classes = ("GlobalMaxPooling1D",)
    doc = "Takes each feature's maximum over all steps: (T, F) -> (F,)."
    rank = 2
    flops_per_input = 0
    tflite_op = "REDUCE_MAX"
