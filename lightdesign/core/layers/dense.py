"""Dense and Embedding kinds."""

from __future__ import annotations

from lightdesign.core import fields as F
from lightdesign.core.layers import keras_args
from lightdesign.core.layers.common import (
    activation_flops,
    int8_kernel_bytes,
    keras_activation,
    kernel_and_bias_sizes,
    numel,
)
from lightdesign.core.registry import register
from lightdesign.core.symbolic import SUPPORTED, Cost, Layer, LayerError, TFLiteSupport, fmt_shape


@register
class Dense(Layer):
    kind = "Dense"
    category = "Dense"
    doc = "Fully connected layer on the last axis. Put Flatten or global pooling before it on images."
    positional = ("units",)
    keras_defaults = dict(units=None, activation=None, use_bias=True)
    fields = (
        F.integer(
            "units", 128, 1, F.MAX_UNITS, "Output size (the number of classes for the final layer).", channels=True
        ),
        F.activation(),
        F.flag("use_bias", True, "Add a learned bias per output unit."),
    )
    tflite = SUPPORTED
    folds_batchnorm = True
    article_stage = "dense"
    keras_classes = ("Dense",)

    @classmethod
    def from_keras(cls, class_name, cfg, rank):
        return dict(
            units=cfg.get("units"),
            activation=keras_args.activation(cfg.get("activation")),
            use_bias=bool(cfg.get("use_bias", True)),
        )

    @classmethod
    def to_keras(cls, params):
        return keras_activation(params)

    def output_shape(self, shapes):
        (shape,) = shapes
        return (*shape[:-1], self.cfg["units"])

    def cost(self, shapes, out):
        fan_in, units = shapes[0][-1], self.cfg["units"]
        macs = numel(out) * fan_in
        bias = units if self.cfg["use_bias"] else 0
        flops = 2 * macs + (numel(out) if bias else 0) + activation_flops(self.cfg["activation"], out)
        return Cost(trainable=fan_in * units + bias, macs=macs, flops=flops)

    def int8_weight_bytes(self, node, inputs):
        return int8_kernel_bytes(node, self.cfg["use_bias"])

    def weight_sizes(self, node, inputs):
        return kernel_and_bias_sizes(node, self.cfg["use_bias"])

    def lower(self, node, low):
        size = numel(node.shape)
        geometry = low.Geometry(low.input_shape(node), node.shape)
        op = low.emit(
            node.name, "FULLY_CONNECTED", [low.fold_scalars(low.source(node), "valid")], [size], geometry=geometry
        )
        return low.activation(node, self.cfg["activation"], op.outputs[0], size)


@register
class Embedding(Layer):
    kind = "Embedding"
    category = "Recurrent"
    doc = "Looks up a learned vector for each token id: (steps,) -> (steps, output_dim)."
    positional = ("input_dim", "output_dim")
    keras_defaults = dict(input_dim=None, output_dim=None)
    fields = (
        F.integer("input_dim", 10000, 2, F.MAX_VOCAB, "Vocabulary size: token ids run from 0 to input_dim - 1."),
        F.integer("output_dim", 64, 1, F.MAX_UNITS, "Length of each token's vector.", channels=True),
    )
    tflite = TFLiteSupport(builtin=True, int8=True, alternative="deploy.alt.embedding")
    article_stage = "embedding"
    keras_classes = ("Embedding",)

    @classmethod
    def from_keras(cls, class_name, cfg, rank):
        return dict(input_dim=cfg.get("input_dim"), output_dim=cfg.get("output_dim"))

    def output_shape(self, shapes):
        (shape,) = shapes
        if len(shape) != 1:
            raise LayerError(
                f"Embedding needs a sequence of token ids (steps,); got {fmt_shape(shape)}. "
                "Use an input shape with one entry (the sequence length)"
            )
        return (shape[0], self.cfg["output_dim"])

    def cost(self, shapes, out):
        return Cost(trainable=self.cfg["input_dim"] * self.cfg["output_dim"])

    def int8_weight_bytes(self, node, inputs):
        return node.cost.params  # the table, one int8 byte per value

    def lower(self, node, low):
        """Negative ids wrap around (where(id < 0, id + n, id)), on int32 ids, then the lookup."""
        src, steps = low.source(node), numel(low.input_shape(node))
        negative = low.emit(node.name, "LESS", [src], [steps])
        wrapped = low.emit(node.name, "ADD", [src], [low.INT32 * steps])
        ids = low.emit(node.name, "SELECT_V2", [negative.outputs[0], wrapped.outputs[0], src], [low.INT32 * steps])
        for op in (negative, wrapped, ids):
            op.dtype = "int32"
        return low.emit(node.name, "GATHER", ids.outputs, [numel(node.shape)]).outputs[0]
