"""GhostNet's ghost module and ghost bottleneck."""

from __future__ import annotations

from lightdesign.core import fields as F
from lightdesign.core import layers
from lightdesign.core.blocks.base import Composite
from lightdesign.core.blocks.common import make_divisible
from lightdesign.core.blocks.squeeze_excite import squeeze_excite
from lightdesign.core.registry import register
from lightdesign.core.symbolic import LayerError


def ghost_module(x, filters, ratio=2, kernel_size=1, dw_kernel_size=3, relu=True, name="ghost"):
    """A few 'intrinsic' channels from an ordinary conv, the rest ('ghosts') from a cheap
    depthwise conv over them, concatenated."""
    primary = filters // ratio
    x = layers.Conv2D(primary, kernel_size, padding="same", use_bias=False, name=f"{name}_primary")(x)
    x = layers.BatchNormalization(name=f"{name}_primary_bn")(x)
    if relu:
        x = layers.Activation("relu", name=f"{name}_primary_relu")(x)
    ghosts = layers.DepthwiseConv2D(
        dw_kernel_size, padding="same", depth_multiplier=ratio - 1, use_bias=False, name=f"{name}_cheap"
    )(x)
    ghosts = layers.BatchNormalization(name=f"{name}_cheap_bn")(ghosts)
    if relu:
        ghosts = layers.Activation("relu", name=f"{name}_cheap_relu")(ghosts)
    return layers.Concatenate(name=f"{name}_concat")([x, ghosts])


def ghost_bottleneck(x, filters, expanded_filters, kernel_size=3, strides=1, se_ratio=0.0, name="ghost_block"):
    """Ghost module (expand), depthwise stride-2 conv when downsampling, optional
    squeeze-excitation, ghost module (project, linear), plus a shortcut."""
    in_filters = x.shape[-1]
    shortcut = x
    x = ghost_module(x, expanded_filters, relu=True, name=f"{name}_ghost1")
    if strides > 1:
        x = layers.DepthwiseConv2D(kernel_size, strides=strides, padding="same", use_bias=False, name=f"{name}_dw")(x)
        x = layers.BatchNormalization(name=f"{name}_dw_bn")(x)
    if se_ratio:
        x = squeeze_excite(x, se_ratio, 4, "hard_sigmoid", "relu", name=f"{name}_se")
    x = ghost_module(x, filters, relu=False, name=f"{name}_ghost2")
    if strides > 1 or in_filters != filters:
        shortcut = layers.DepthwiseConv2D(
            kernel_size, strides=strides, padding="same", use_bias=False, name=f"{name}_shortcut_dw"
        )(shortcut)
        shortcut = layers.BatchNormalization(name=f"{name}_shortcut_dw_bn")(shortcut)
        shortcut = layers.Conv2D(filters, 1, use_bias=False, name=f"{name}_shortcut_pw")(shortcut)
        shortcut = layers.BatchNormalization(name=f"{name}_shortcut_pw_bn")(shortcut)
    return layers.Add(name=f"{name}_add")([shortcut, x])


def _check_even(params, fields):
    ratio = params.get("ratio", 2)
    for field in fields:
        if params[field] % ratio:
            raise LayerError(
                f"{field}={params[field]} must be a multiple of the ghost ratio {ratio}",
                field=field,
                valid=f"a multiple of {ratio}",
            )


@register
class GhostModule(Composite):
    kind = "ghost_module"
    doc = "GhostNet module: half the channels from a 1x1 conv, the other half from a cheap depthwise conv of them."
    helper = staticmethod(ghost_module)
    fields = (
        F.channels("filters", 64, "Output channels (a multiple of the ratio)."),
        F.integer("ratio", 2, 2, 8, "Output channels per intrinsic channel."),
        F.choice("kernel_size", 1, (1, 3, 5), "Kernel of the primary convolution."),
        F.choice("dw_kernel_size", 3, (3, 5, 7), "Kernel of the cheap depthwise convolution."),
        F.flag("relu", True, "Apply ReLU to both parts."),
    )

    @classmethod
    def check(cls, params, shape):
        _check_even(params, ("filters",))


@register
class GhostBottleneck(Composite):
    kind = "ghost_bottleneck"
    repeatable = True
    doc = "GhostNet bottleneck: two ghost modules around an optional stride-2 depthwise conv and SE, plus a shortcut."
    helper = staticmethod(ghost_bottleneck)
    requires = (make_divisible, squeeze_excite, ghost_module)
    fields = (
        F.channels("filters", 24, "Output channels (even)."),
        F.channels("expanded_filters", 72, "Channels of the expanding ghost module (even)."),
        F.choice("kernel_size", 3, (3, 5, 7), "Depthwise kernel size."),
        F.choice("strides", 1, (1, 2), "2 halves height and width."),
        F.number("se_ratio", 0.0, 0.0, 1.0, "Squeeze-excitation width relative to the expanded channels; 0 = none."),
    )

    @classmethod
    def check(cls, params, shape):
        _check_even(params, ("filters", "expanded_filters"))
