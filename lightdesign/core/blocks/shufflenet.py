"""ShuffleNet V1 and V2 units."""

from __future__ import annotations

from lightdesign.core import fields as F
from lightdesign.core import layers
from lightdesign.core.blocks.base import FOLDED_BN, Composite
from lightdesign.core.layers import ChannelShuffle, ChannelSplit
from lightdesign.core.registry import register
from lightdesign.core.symbolic import LayerError

_STRIDES = F.choice("strides", 1, (1, 2), "1 keeps the size (residual add); 2 halves it (concatenate).")


def shufflenet_v1_unit(x, filters, groups=3, strides=1, group_first_conv=True, name="unit"):
    """Grouped 1x1 conv, channel shuffle, depthwise 3x3, grouped 1x1 conv; added to the
    input (stride 1) or concatenated with its 3x3 average pool (stride 2). The
    bottleneck has filters // 4 channels, as in the reference implementation."""
    in_filters = x.shape[-1]
    shortcut = x
    branch = filters - in_filters if strides == 2 else filters
    x = layers.Conv2D(filters // 4, 1, groups=groups if group_first_conv else 1, use_bias=False, name=f"{name}_gconv1")(
        x
    )
    x = layers.BatchNormalization(name=f"{name}_gconv1_bn")(x)
    x = layers.Activation("relu", name=f"{name}_gconv1_relu")(x)
    if groups > 1:
        x = ChannelShuffle(groups, name=f"{name}_shuffle")(x)
    x = layers.DepthwiseConv2D(3, strides=strides, padding="same", use_bias=False, name=f"{name}_dw")(x)
    x = layers.BatchNormalization(name=f"{name}_dw_bn")(x)
    x = layers.Conv2D(branch, 1, groups=groups, use_bias=False, name=f"{name}_gconv2")(x)
    x = layers.BatchNormalization(name=f"{name}_gconv2_bn")(x)
    if strides == 2:
        shortcut = layers.AveragePooling2D(3, strides=2, padding="same", name=f"{name}_avgpool")(shortcut)
        x = layers.Activation("relu", name=f"{name}_relu")(x)
        return layers.Concatenate(name=f"{name}_concat")([shortcut, x])
    x = layers.Add(name=f"{name}_add")([shortcut, x])
    return layers.Activation("relu", name=f"{name}_relu")(x)


def shufflenet_v2_unit(x, filters, strides=1, kernel_size=3, pad_style="same", folded_bn=False, name="unit"):
    """Stride 1: split the channels in two, transform one half, concatenate, shuffle.
    Stride 2: transform the whole input in two branches, concatenate, shuffle.
    pad_style: how a stride-2 depthwise conv pads ('same', or 'symmetric': (kernel_size - 1)
    // 2 on every side, as PyTorch); folded_bn: BatchNorm folded into the convolutions' biases."""
    branch = filters // 2

    def depthwise(y, label):
        if strides > 1 and pad_style == "symmetric":
            pad = (kernel_size - 1) // 2
            y = layers.ZeroPadding2D(((pad, pad), (pad, pad)), name=f"{label}_pad")(y)
        padding = "valid" if strides > 1 and pad_style == "symmetric" else "same"
        y = layers.DepthwiseConv2D(kernel_size, strides=strides, padding=padding, use_bias=folded_bn, name=label)(y)
        return y if folded_bn else layers.BatchNormalization(name=f"{label}_bn")(y)

    def pointwise(y, label):
        y = layers.Conv2D(branch, 1, use_bias=folded_bn, name=label)(y)
        if not folded_bn:
            y = layers.BatchNormalization(name=f"{label}_bn")(y)
        return layers.Activation("relu", name=f"{label}_relu")(y)

    if strides == 1:
        shortcut = ChannelSplit(2, 0, name=f"{name}_split_a")(x)
        x = ChannelSplit(2, 1, name=f"{name}_split_b")(x)
    else:
        shortcut = pointwise(depthwise(x, f"{name}_proj_dw"), f"{name}_proj_pw")
    x = pointwise(x, f"{name}_pw1")
    x = pointwise(depthwise(x, f"{name}_dw"), f"{name}_pw2")
    x = layers.Concatenate(name=f"{name}_concat")([shortcut, x])
    return ChannelShuffle(2, name=f"{name}_shuffle")(x)


@register
class ShuffleNetV1Unit(Composite):
    kind = "shufflenet_v1_unit"
    repeatable = True
    doc = "ShuffleNetV1 unit: grouped 1x1 convolutions with a channel shuffle between them."
    helper = staticmethod(shufflenet_v1_unit)
    requires = (ChannelShuffle,)
    fields = (
        F.channels("filters", 240, "Output channels (the bottleneck has filters // 4)."),
        F.choice("groups", 3, (1, 2, 3, 4, 8), "Groups of the 1x1 convolutions."),
        _STRIDES,
        F.flag(
            "group_first_conv",
            True,
            "Group the first 1x1 conv (the paper leaves it dense in the first unit of stage 2).",
        ),
    )

    @classmethod
    def check(cls, params, shape):
        in_filters, filters, groups = shape[-1], params["filters"], params["groups"]
        if params["strides"] == 1 and in_filters != filters:
            raise LayerError(
                f"shufflenet_v1_unit: with strides=1 the output is added to the input, so filters "
                f"must equal the {in_filters} input channels",
                field="filters",
                valid=f"{in_filters}, or strides=2",
            )
        if params["strides"] == 2 and filters <= in_filters:
            raise LayerError(
                f"shufflenet_v1_unit: with strides=2 filters must exceed the {in_filters} input channels "
                "(the input is concatenated to the branch)",
                field="filters",
                valid=f"more than {in_filters}",
            )
        branch = filters - in_filters if params["strides"] == 2 else filters
        first_in = in_filters if params["group_first_conv"] else groups
        for what, value in (
            ("filters // 4", filters // 4),
            ("the branch width", branch),
            ("the input channels", first_in),
        ):
            if value % groups:
                raise LayerError(
                    f"shufflenet_v1_unit: groups={groups} does not divide {what} ({value})",
                    field="groups",
                    valid="a groups value dividing the input channels, filters // 4 and the branch width",
                )


@register
class ShuffleNetV2Unit(Composite):
    kind = "shufflenet_v2_unit"
    repeatable = True
    doc = "ShuffleNetV2 unit: channel split, a cheap branch on half the channels, concatenate and shuffle."
    helper = staticmethod(shufflenet_v2_unit)
    requires = (ChannelSplit, ChannelShuffle)
    fields = (
        F.channels("filters", 116, "Output channels (even: half come from each branch)."),
        _STRIDES,
        F.choice("kernel_size", 3, (3, 5, 7), "Depthwise kernel size."),
        F.choice(
            "pad_style",
            "same",
            ("same", "symmetric"),
            "How the stride-2 depthwise convolutions pad: same (Keras's 'same': one more at the bottom and right "
            "of an even input); symmetric ((kernel_size - 1) // 2 on every side, as PyTorch models).",
        ),
        FOLDED_BN,
    )

    @classmethod
    def check(cls, params, shape):
        in_filters, filters = shape[-1], params["filters"]
        if filters % 2:
            raise LayerError(
                f"shufflenet_v2_unit: filters={filters} must be even", field="filters", valid="an even number"
            )
        if params["strides"] == 1 and in_filters != filters:
            raise LayerError(
                f"shufflenet_v2_unit: with strides=1 half the input passes through unchanged, so filters "
                f"must equal the {in_filters} input channels",
                field="filters",
                valid=f"{in_filters}, or strides=2",
            )
