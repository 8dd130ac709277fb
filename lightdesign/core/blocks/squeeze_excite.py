"""Squeeze-and-excitation: reweights channels by a gate computed from their global average."""

from __future__ import annotations

from lightdesign.core import fields as F
from lightdesign.core import layers
from lightdesign.core.blocks.base import Composite
from lightdesign.core.blocks.common import make_divisible
from lightdesign.core.registry import register


def squeeze_excite(x, ratio=0.25, divisor=8, gate="hard_sigmoid", activation="relu", base_filters=0, name="se"):
    """Global average -> 1x1 reduce -> 1x1 expand -> gate -> scale the input channels.
    The reduced width is ratio x base_filters (default: the input channels), rounded to a
    multiple of `divisor` (divisor 1: rounded down, at least 1)."""
    filters = x.shape[-1]
    reduced = (base_filters or filters) * ratio
    reduced = make_divisible(reduced, divisor) if divisor > 1 else max(1, int(reduced))
    s = layers.GlobalAveragePooling2D(keepdims=True, name=f"{name}_pool")(x)
    s = layers.Conv2D(reduced, 1, activation=activation, name=f"{name}_reduce")(s)
    s = layers.Conv2D(filters, 1, activation=gate, name=f"{name}_expand")(s)
    return layers.Multiply(name=f"{name}_scale")([x, s])


@register
class SqueezeExcite(Composite):
    kind = "squeeze_excite"
    doc = "Squeeze-and-excitation (SENet, MobileNetV3): learns a weight per channel from the global average."
    helper = staticmethod(squeeze_excite)
    requires = (make_divisible,)
    fields = (
        F.number("ratio", 0.25, 0.01, 1.0, "Width of the bottleneck relative to the channels."),
        F.choice("divisor", 8, (1, 4, 8), "Round the bottleneck width to a multiple of this (1: round down)."),
        F.choice("gate", "hard_sigmoid", ("hard_sigmoid", "sigmoid"), "Gate activation."),
        F.choice("activation", "relu", ("relu", "relu6", "swish", "hard_swish"), "Activation inside the bottleneck."),
    )
