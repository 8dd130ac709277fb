"""SqueezeNet's fire module."""

from __future__ import annotations

from lightdesign.core import fields as F
from lightdesign.core import layers
from lightdesign.core.blocks.base import Composite
from lightdesign.core.registry import register


def fire_module(x, squeeze=16, expand1x1=64, expand3x3=64, name="fire"):
    """Squeeze to few channels with 1x1 convs, then expand with parallel 1x1 and 3x3 convs
    and concatenate them (all with bias and ReLU, as in SqueezeNet)."""
    x = layers.Conv2D(squeeze, 1, activation="relu", name=f"{name}_squeeze")(x)
    left = layers.Conv2D(expand1x1, 1, activation="relu", name=f"{name}_expand1x1")(x)
    right = layers.Conv2D(expand3x3, 3, padding="same", activation="relu", name=f"{name}_expand3x3")(x)
    return layers.Concatenate(name=f"{name}_concat")([left, right])


@register
class FireModule(Composite):
    kind = "fire_module"
    repeatable = True
    doc = "SqueezeNet fire module: 1x1 squeeze, then parallel 1x1 and 3x3 expands, concatenated."
    helper = staticmethod(fire_module)
    fields = (
        F.channels("squeeze", 16, "Channels of the 1x1 squeeze convolution."),
        F.channels("expand1x1", 64, "Channels of the 1x1 expand branch."),
        F.channels("expand3x3", 64, "Channels of the 3x3 expand branch."),
    )
