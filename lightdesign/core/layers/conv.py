"""Convolution kinds: Conv2D, DepthwiseConv2D, SeparableConv2D, Conv1D."""

from __future__ import annotations

from lightdesign.core import fields as F
from lightdesign.core.layers import keras_args
from lightdesign.core.layers.common import (
    activation_flops,
    check_dilated_stride,
    check_groups,
    int8_kernel_bytes,
    keras_activation,
    kernel_and_bias_sizes,
    need_image,
    need_sequence,
    numel,
    out_size,
)
from lightdesign.core.registry import register
from lightdesign.core.symbolic import SUPPORTED, Cost, Layer, Shape, pair

_DILATION = F.integer("dilation_rate", 1, 1, 16, "Spacing between kernel taps (atrous convolution).")
_BIAS = F.flag("use_bias", True, "Add a learned bias per output channel (redundant before BatchNormalization).")
_IMAGE_HINT = "Conv2D works on images; for sequences use Conv1D"


class _Conv(Layer):
    """Shared handling of the activation argument: 'linear' is Keras's None."""

    tflite = SUPPORTED
    folds_batchnorm = True
    article_stage = "conv"

    @classmethod
    def to_keras(cls, params):
        return keras_activation(params)

    @classmethod
    def from_keras(cls, class_name, cfg, rank):
        keras_args.channels_last(cfg)
        out = dict(
            kernel_size=keras_args.square(cfg.get("kernel_size"), "kernel_size"),
            strides=keras_args.square(cfg.get("strides", 1), "strides"),
            padding=cfg.get("padding", "valid"),
            dilation_rate=keras_args.square(cfg.get("dilation_rate", 1), "dilation_rate"),
            use_bias=bool(cfg.get("use_bias", True)),
            activation=keras_args.activation(cfg.get("activation")),
        )
        defaults = {"filters": None, "groups": 1, "depth_multiplier": 1}
        out.update({key: cfg.get(key, default) for key, default in defaults.items() if key in cls.keras_defaults})
        return out

    def int8_weight_bytes(self, node, inputs):
        return int8_kernel_bytes(node, self.cfg["use_bias"])

    def weight_sizes(self, node, inputs):
        return kernel_and_bias_sizes(node, self.cfg["use_bias"])

    def lower(self, node, low):
        return low.convolution(node, low.source(node), numel(node.shape))

    def _spatial(self, shape: Shape) -> tuple[int, int]:
        kh, kw = pair(self.cfg["kernel_size"])
        sh, sw = pair(self.cfg["strides"])
        dh, dw = pair(self.cfg.get("dilation_rate", 1))
        check_dilated_stride(self.kind, max(sh, sw), max(dh, dw))
        pad = self.cfg["padding"]
        return (
            out_size(shape[0], kh, sh, dh, pad, "kernel_size", self.kind),
            out_size(shape[1], kw, sw, dw, pad, "kernel_size", self.kind),
        )

    def _finish(self, macs: int, trainable: int, out: Shape) -> Cost:
        bias = numel(out) if self.cfg["use_bias"] else 0
        flops = 2 * macs + bias + activation_flops(self.cfg["activation"], out)
        return Cost(trainable=trainable, macs=macs, flops=flops)


@register
class Conv2D(_Conv):
    kind = "Conv2D"
    category = "Convolution"
    keras_classes = ("Conv2D",)
    doc = "Standard 2-D convolution: every output channel looks at every input channel."
    positional = ("filters", "kernel_size")
    keras_defaults = dict(
        filters=None,
        kernel_size=None,
        strides=1,
        padding="valid",
        dilation_rate=1,
        groups=1,
        activation=None,
        use_bias=True,
    )
    fields = (
        F.channels("filters", 32, "Number of output channels."),
        F.kernel(),
        F.stride(),
        F.padding(),
        _DILATION,
        F.integer(
            "groups", 1, 1, F.MAX_CHANNELS, "Grouped convolution: split channels into this many groups (ShuffleNet)."
        ),
        _BIAS,
        F.activation(),
    )

    def output_shape(self, shapes):
        (shape,) = shapes
        need_image(self, shape, _IMAGE_HINT)
        check_groups(self.kind, shape[2], self.cfg["filters"], self.cfg["groups"])
        return (*self._spatial(shape), self.cfg["filters"])

    def cost(self, shapes, out):
        kh, kw = pair(self.cfg["kernel_size"])
        per_out = kh * kw * shapes[0][2] // self.cfg["groups"]
        weights = per_out * self.cfg["filters"] + (self.cfg["filters"] if self.cfg["use_bias"] else 0)
        return self._finish(numel(out) * per_out, weights, out)


@register
class DepthwiseConv2D(_Conv):
    kind = "DepthwiseConv2D"
    category = "Convolution"
    keras_classes = ("DepthwiseConv2D",)
    doc = "One spatial filter per input channel (no mixing across channels); the cheap half of a separable conv."
    positional = ("kernel_size",)
    keras_defaults = dict(
        kernel_size=None,
        strides=1,
        padding="valid",
        depth_multiplier=1,
        dilation_rate=1,
        activation=None,
        use_bias=True,
    )
    fields = (
        F.kernel(),
        F.stride(),
        F.padding(),
        F.integer("depth_multiplier", 1, 1, 64, "Output channels per input channel."),
        _DILATION,
        _BIAS,
        F.activation(),
    )

    def output_shape(self, shapes):
        (shape,) = shapes
        need_image(self, shape, _IMAGE_HINT)
        return (*self._spatial(shape), shape[2] * self.cfg["depth_multiplier"])

    def cost(self, shapes, out):
        kh, kw = pair(self.cfg["kernel_size"])
        channels = out[2]
        weights = kh * kw * channels + (channels if self.cfg["use_bias"] else 0)
        return self._finish(numel(out) * kh * kw, weights, out)


@register
class SeparableConv2D(_Conv):
    kind = "SeparableConv2D"
    category = "Convolution"
    keras_classes = ("SeparableConv2D",)
    doc = "Depthwise convolution followed by a 1x1 pointwise convolution, in one layer."
    positional = ("filters", "kernel_size")
    keras_defaults = dict(
        filters=None,
        kernel_size=None,
        strides=1,
        padding="valid",
        dilation_rate=1,
        depth_multiplier=1,
        activation=None,
        use_bias=True,
    )
    fields = (
        F.channels("filters", 64, "Number of output channels."),
        F.kernel(),
        F.stride(),
        F.padding(),
        _DILATION,
        F.integer("depth_multiplier", 1, 1, 64, "Depthwise output channels per input channel."),
        _BIAS,
        F.activation(),
    )

    def output_shape(self, shapes):
        (shape,) = shapes
        need_image(self, shape, _IMAGE_HINT)
        return (*self._spatial(shape), self.cfg["filters"])

    def cost(self, shapes, out):
        kh, kw = pair(self.cfg["kernel_size"])
        mid = shapes[0][2] * self.cfg["depth_multiplier"]
        filters = self.cfg["filters"]
        pixels = out[0] * out[1]
        weights = kh * kw * mid + mid * filters + (filters if self.cfg["use_bias"] else 0)
        return self._finish(pixels * mid * (kh * kw + filters), weights, out)

    def weight_sizes(self, node, inputs):
        mid = inputs[0].shape[-1] * self.cfg["depth_multiplier"]
        kh, kw = pair(self.cfg["kernel_size"])
        bias = (node.shape[-1],) if self.cfg["use_bias"] else ()
        return (kh * kw * mid, mid * self.cfg["filters"], *bias)


@register
class Conv1D(_Conv):
    kind = "Conv1D"
    category = "Convolution"
    keras_classes = ("Conv1D",)
    doc = "1-D convolution over a sequence (steps, features)."
    positional = ("filters", "kernel_size")
    keras_defaults = dict(
        filters=None,
        kernel_size=None,
        strides=1,
        padding="valid",
        dilation_rate=1,
        groups=1,
        activation=None,
        use_bias=True,
    )
    fields = (
        F.channels("filters", 32, "Number of output channels."),
        F.kernel(),
        F.stride(),
        F.choice("padding", "same", ("same", "valid", "causal"), "'causal' only looks at earlier steps."),
        _DILATION,
        F.integer("groups", 1, 1, F.MAX_CHANNELS, "Grouped convolution."),
        _BIAS,
        F.activation(),
    )

    def output_shape(self, shapes):
        (shape,) = shapes
        need_sequence(self, shape, "Conv1D works on sequences; for images use Conv2D")
        check_groups(self.kind, shape[1], self.cfg["filters"], self.cfg["groups"])
        k = self.cfg["kernel_size"]
        s, d = self.cfg["strides"], self.cfg["dilation_rate"]
        check_dilated_stride(self.kind, s, d)
        return (out_size(shape[0], k, s, d, self.cfg["padding"], "kernel_size", self.kind), self.cfg["filters"])

    def cost(self, shapes, out):
        per_out = self.cfg["kernel_size"] * shapes[0][1] // self.cfg["groups"]
        weights = per_out * self.cfg["filters"] + (self.cfg["filters"] if self.cfg["use_bias"] else 0)
        return self._finish(numel(out) * per_out, weights, out)

    def lower(self, node, low):
        size = numel(node.shape)
        conv = low.one_dimensional(
            node, low.source(node), "CONV_2D", size, self.cfg["kernel_size"], self.cfg["strides"]
        )
        act = low.fuse_activation(conv, self.cfg["activation"])  # into the convolution, before the reshape
        out = low.emit(node.name, "RESHAPE", conv.outputs, [size]).outputs[0]
        return low.activation(node, act, out, size)
