"""BatchNormalization, Activation and Dropout kinds."""

from __future__ import annotations

from lightdesign.core import fields as F
from lightdesign.core.layers.common import activation_flops, numel
from lightdesign.core.registry import register
from lightdesign.core.symbolic import Cost, Layer


@register
class BatchNormalization(Layer):
    kind = "BatchNormalization"
    category = "Regularization"
    doc = (
        "Normalises each channel. Scale and offset are trained; the moving mean and variance "
        "are non-trainable parameters. Folds into the preceding convolution when deployed."
    )
    keras_defaults = dict(center=True, scale=True)
    fields = (
        F.flag("center", True, "Learn an offset (beta) per channel."),
        F.flag("scale", True, "Learn a scale (gamma) per channel."),
    )

    def output_shape(self, shapes):
        return shapes[0]

    def cost(self, shapes, out):
        channels = out[-1]
        trainable = channels * (int(self.cfg["center"]) + int(self.cfg["scale"]))
        # Unfused inference form x * inv + shift: 2 FLOPs per element; per channel
        # variance + eps, rsqrt, (inv * gamma when scaled), mean * inv, beta - that.
        per_channel = 5 + int(self.cfg["scale"])
        return Cost(trainable=trainable, non_trainable=2 * channels, flops=2 * numel(out) + per_channel * channels)


@register
class Activation(Layer):
    kind = "Activation"
    category = "Regularization"
    doc = "Applies a non-linearity element-wise. No parameters."
    positional = ("activation",)
    keras_defaults = dict(activation=None)
    fields = (F.activation("relu"),)

    def output_shape(self, shapes):
        return shapes[0]

    def cost(self, shapes, out):
        return Cost(flops=activation_flops(self.cfg["activation"], out))


@register
class Dropout(Layer):
    kind = "Dropout"
    category = "Regularization"
    doc = "Randomly zeroes a fraction of the values while training; does nothing at inference."
    positional = ("rate",)
    keras_defaults = dict(rate=None)
    fields = (F.number("rate", 0.2, 0.0, 0.95, "Fraction of values dropped while training."),)

    def output_shape(self, shapes):
        return shapes[0]
