"""BatchNormalization, Activation and Dropout kinds."""

from __future__ import annotations

from lightdesign.core import fields as F
from lightdesign.core.layers import keras_args
from lightdesign.core.layers.common import QUANT_PARAM_BYTES, activation_flops, numel
from lightdesign.core.registry import register
from lightdesign.core.symbolic import SUPPORTED, Cost, Layer, Unmappable


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
    tflite = SUPPORTED
    article_stage = "norm"
    keras_classes = ("BatchNormalization",)

    @classmethod
    def from_keras(cls, class_name, cfg, rank):
        axis = cfg.get("axis", -1)
        if isinstance(axis, list):
            axis = axis[0] if len(axis) == 1 else None
        if axis not in (-1, 1, 2, 3) or axis == 1 and rank > 1:
            raise Unmappable(f"normalisation over axis {cfg.get('axis')!r} (only the channel axis is mapped)")
        return dict(center=bool(cfg.get("center", True)), scale=bool(cfg.get("scale", True)))

    def output_shape(self, shapes):
        return shapes[0]

    def cost(self, shapes, out):
        channels = out[-1]
        trainable = channels * (int(self.cfg["center"]) + int(self.cfg["scale"]))
        # Unfused inference form x * inv + shift: 2 FLOPs per element; per channel
        # variance + eps, rsqrt, (inv * gamma when scaled), mean * inv, beta - that.
        per_channel = 5 + int(self.cfg["scale"])
        return Cost(trainable=trainable, non_trainable=2 * channels, flops=2 * numel(out) + per_channel * channels)

    def int8_weight_bytes(self, node, inputs):
        channels = node.shape[-1]
        producer = inputs[0].layer
        if producer is not None and producer.folds_batchnorm:  # the folded scale/shift becomes the bias
            return 0 if producer.cfg["use_bias"] else (4 + QUANT_PARAM_BYTES) * channels
        return 2 * channels * (1 + QUANT_PARAM_BYTES)  # stays a multiply and an add with int8 constants

    def weight_sizes(self, node, inputs):
        channels = node.shape[-1]
        return (channels,) * (node.cost.params // channels)

    def lower(self, node, low):
        return low.batchnorm(node, low.source(node), numel(node.shape))


@register
class Activation(Layer):
    kind = "Activation"
    category = "Regularization"
    doc = "Applies a non-linearity element-wise. No parameters."
    positional = ("activation",)
    keras_defaults = dict(activation=None)
    fields = (F.activation("relu"),)
    tflite = SUPPORTED
    article_stage = "activation"
    keras_classes = ("Activation", "ReLU", "Softmax")

    @classmethod
    def from_keras(cls, class_name, cfg, rank):
        if class_name == "ReLU":
            if cfg.get("negative_slope") or cfg.get("threshold"):
                raise Unmappable("a leaky or thresholded ReLU")
            top = cfg.get("max_value")
            if top is not None and float(top) != 6.0:
                raise Unmappable(f"ReLU with max_value={top}")
            return dict(activation="relu" if top is None else "relu6")
        if class_name == "Softmax":
            if cfg.get("axis", -1) != -1:
                raise Unmappable(f"softmax over axis {cfg.get('axis')}")
            return dict(activation="softmax")
        return dict(activation=keras_args.activation(cfg.get("activation")))

    def output_shape(self, shapes):
        return shapes[0]

    def cost(self, shapes, out):
        return Cost(flops=activation_flops(self.cfg["activation"], out))

    def lower(self, node, low):
        shared = not low.single_use(node.inputs[0])
        return low.activation(node, self.cfg["activation"], low.source(node), numel(node.shape), shared=shared)


@register
class Dropout(Layer):
    kind = "Dropout"
    category = "Regularization"
    doc = "Randomly zeroes a fraction of the values while training; does nothing at inference."
    positional = ("rate",)
    keras_defaults = dict(rate=None)
    fields = (F.number("rate", 0.2, 0.0, 0.95, "Fraction of values dropped while training."),)
    tflite = SUPPORTED
    article_stage = "dropout"
    keras_classes = ("Dropout",)

    @classmethod
    def from_keras(cls, class_name, cfg, rank):
        rate = float(cfg.get("rate", 0.0))
        if not 0.0 <= rate <= 0.95:
            raise Unmappable(f"dropout rate {rate}")
        return dict(rate=rate)

    def output_shape(self, shapes):
        return shapes[0]

    def lower(self, node, low):
        return low.source(node)  # vanishes at inference
