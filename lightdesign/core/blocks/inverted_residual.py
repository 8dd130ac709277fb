"""The MobileNetV2/V3 inverted residual (also MnasNet's and EfficientNet-Lite's MBConv)."""

from __future__ import annotations

from lightdesign.core import fields as F
from lightdesign.core import layers
from lightdesign.core.blocks.base import FOLDED_BN, Composite
from lightdesign.core.blocks.common import correct_pad, make_divisible
from lightdesign.core.blocks.squeeze_excite import squeeze_excite
from lightdesign.core.registry import register


def inverted_residual(
    x,
    filters,
    expansion=6.0,
    kernel_size=3,
    strides=1,
    activation="relu6",
    se_ratio=0.0,
    se_style="mobilenet_v3",
    pad_style="keras",
    folded_bn=False,
    name="block",
):
    """Expand with a 1x1 conv, filter with a depthwise conv, optionally squeeze-excite,
    project with a linear 1x1 conv; add the input back when the shapes allow.
    Squeeze-excitation styles: mobilenet_v3 (a ratio of the expanded width, rounded to a
    multiple of 8, ReLU inside, hard-sigmoid gate), mnasnet (a ratio of the input width,
    rounded down, ReLU inside, sigmoid gate), efficientnet (as mnasnet, with the block's own
    activation inside). pad_style: how a stride-2 depthwise conv pads;
    folded_bn: BatchNorm folded into the convolutions' biases (an exported model)."""
    in_filters = x.shape[-1]
    shortcut = x
    expanded = in_filters
    if expansion != 1:
        expanded = make_divisible(in_filters * expansion, 8)
        x = layers.Conv2D(expanded, 1, use_bias=folded_bn, name=f"{name}_expand")(x)
        if not folded_bn:
            x = layers.BatchNormalization(name=f"{name}_expand_bn")(x)
        x = layers.Activation(activation, name=f"{name}_expand_{activation}")(x)
    if strides > 1:  # keras: Keras applications' padding; symmetric: kernel_size // 2 on every side (PyTorch)
        half = kernel_size // 2
        pads = correct_pad(x, kernel_size) if pad_style == "keras" else ((half, half), (half, half))
        x = layers.ZeroPadding2D(pads, name=f"{name}_pad")(x)
    x = layers.DepthwiseConv2D(
        kernel_size,
        strides=strides,
        padding="same" if strides == 1 else "valid",
        use_bias=folded_bn,
        name=f"{name}_depthwise",
    )(x)
    if not folded_bn:
        x = layers.BatchNormalization(name=f"{name}_depthwise_bn")(x)
    x = layers.Activation(activation, name=f"{name}_depthwise_{activation}")(x)
    if se_ratio and se_style in ("mnasnet", "efficientnet"):
        inner = activation if se_style == "efficientnet" else "relu"
        x = squeeze_excite(x, se_ratio, 1, "sigmoid", inner, in_filters, name=f"{name}_se")
    elif se_ratio:
        x = squeeze_excite(x, se_ratio, 8, "hard_sigmoid", "relu", expanded, name=f"{name}_se")
    x = layers.Conv2D(filters, 1, use_bias=folded_bn, name=f"{name}_project")(x)
    if not folded_bn:
        x = layers.BatchNormalization(name=f"{name}_project_bn")(x)
    if strides == 1 and in_filters == filters:
        x = layers.Add(name=f"{name}_add")([shortcut, x])
    return x


@register
class InvertedResidual(Composite):
    kind = "inverted_residual"
    repeatable = True
    doc = (
        "MobileNetV2/V3 block: 1x1 expand, depthwise conv, optional squeeze-excitation, linear 1x1 "
        "projection, and a residual add when stride is 1 and channels match."
    )
    helper = staticmethod(inverted_residual)
    requires = (make_divisible, correct_pad, squeeze_excite)
    fields = (
        F.channels("filters", 24, "Output channels of the projection."),
        F.number(
            "expansion",
            6.0,
            1.0,
            12.0,
            "Expanded width = input channels x expansion, rounded to a multiple of 8; 1 skips the expand conv.",
        ),
        F.choice("kernel_size", 3, (3, 5, 7), "Depthwise kernel size."),
        F.choice("strides", 1, (1, 2), "Depthwise stride; 2 halves height and width."),
        F.activation("relu6", ("relu6", "relu", "hard_swish", "swish")),
        F.number("se_ratio", 0.0, 0.0, 1.0, "Squeeze-excitation width relative to the expanded channels; 0 = none."),
        F.choice(
            "se_style",
            "mobilenet_v3",
            ("mobilenet_v3", "mnasnet", "efficientnet"),
            "mobilenet_v3: ratio of the expanded width, multiple of 8, hard-sigmoid gate; "
            "mnasnet: ratio of the input width, sigmoid gate; "
            "efficientnet: as mnasnet, with the block's activation inside.",
        ),
        F.choice(
            "pad_style",
            "keras",
            ("keras", "symmetric"),
            "How the stride-2 depthwise conv pads: keras pads one less at the top and left of an even input "
            "(Keras applications' correct_pad); symmetric pads kernel_size // 2 on every side (PyTorch models).",
        ),
        FOLDED_BN,
    )
