"""Convolution + BatchNorm + activation, and the MobileNetV1 depthwise-separable unit."""

from __future__ import annotations

from lightdesign.core import fields as F
from lightdesign.core import layers
from lightdesign.core.blocks.base import Composite
from lightdesign.core.registry import register

_ACTS = ("relu", "relu6", "hard_swish", "swish", "linear")


def conv_bn(x, filters, kernel_size=3, strides=1, groups=1, activation="relu6", pad_style="same", name="conv"):
    """Convolution (no bias), batch normalization, activation. pad_style: 'same', or
    'symmetric' for a strided conv ((kernel_size - 1) // 2 on every side, as PyTorch)."""
    padding = "same"
    if strides > 1 and pad_style == "symmetric":
        pad = (kernel_size - 1) // 2
        x = layers.ZeroPadding2D(((pad, pad), (pad, pad)), name=f"{name}_pad")(x)
        padding = "valid"
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding=padding, groups=groups, use_bias=False, name=name)(
        x
    )
    x = layers.BatchNormalization(name=f"{name}_bn")(x)
    if activation != "linear":
        x = layers.Activation(activation, name=f"{name}_{activation}")(x)
    return x


def depthwise_separable(x, filters, kernel_size=3, strides=1, depth_multiplier=1, activation="relu6", name="sep"):
    """MobileNetV1 unit: depthwise conv + BN + act, then 1x1 pointwise conv + BN + act.
    Stride 2 pads bottom/right and convolves 'valid', exactly as Keras's MobileNet."""
    if strides > 1:
        half = kernel_size // 2
        x = layers.ZeroPadding2D(((half - 1, half), (half - 1, half)), name=f"{name}_pad")(x)
    x = layers.DepthwiseConv2D(
        kernel_size,
        strides=strides,
        padding="same" if strides == 1 else "valid",
        depth_multiplier=depth_multiplier,
        use_bias=False,
        name=f"{name}_dw",
    )(x)
    x = layers.BatchNormalization(name=f"{name}_dw_bn")(x)
    x = layers.Activation(activation, name=f"{name}_dw_{activation}")(x)
    x = layers.Conv2D(filters, 1, use_bias=False, name=f"{name}_pw")(x)
    x = layers.BatchNormalization(name=f"{name}_pw_bn")(x)
    return layers.Activation(activation, name=f"{name}_pw_{activation}")(x)


@register
class ConvBN(Composite):
    kind = "conv_bn"
    category = "Convolution"
    doc = "Convolution without bias, BatchNormalization and an activation: the usual stem of a mobile network."
    helper = staticmethod(conv_bn)
    fields = (
        F.channels("filters", 32, "Number of output channels."),
        F.kernel(),
        F.choice("strides", 1, (1, 2), "Stride (both axes)."),
        F.integer("groups", 1, 1, F.MAX_CHANNELS, "Grouped convolution."),
        F.activation("relu6", _ACTS),
        F.choice(
            "pad_style",
            "same",
            ("same", "symmetric"),
            "How a strided convolution pads: same (Keras's 'same': one more at the bottom and right of an even "
            "input); symmetric ((kernel_size - 1) // 2 on every side, as PyTorch models).",
        ),
    )


@register
class DepthwiseSeparable(Composite):
    kind = "depthwise_separable"
    repeatable = True
    doc = (
        "MobileNetV1 unit: a depthwise 3x3 then a pointwise 1x1 convolution. Costs 1/N + 1/k^2 "
        "of a standard convolution (N output channels, k kernel size)."
    )
    helper = staticmethod(depthwise_separable)
    fields = (
        F.channels("filters", 64, "Output channels of the pointwise convolution."),
        F.choice("kernel_size", 3, (3, 5, 7), "Depthwise kernel size."),
        F.choice("strides", 1, (1, 2), "Stride of the depthwise convolution."),
        F.integer("depth_multiplier", 1, 1, 8, "Depthwise output channels per input channel."),
        F.activation("relu6", _ACTS),
    )
