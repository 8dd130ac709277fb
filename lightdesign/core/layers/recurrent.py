"""Recurrent kinds: SimpleRNN, LSTM, GRU, each optionally bidirectional."""

from __future__ import annotations

from lightdesign.core import fields as F
from lightdesign.core.layers.common import need_sequence
from lightdesign.core.registry import register
from lightdesign.core.symbolic import Cost, Layer, TFLiteSupport, Unmappable

RECURRENT_SUPPORT = TFLiteSupport(
    builtin=False, int8=False, reason="deploy.why.recurrent", alternative="deploy.alt.recurrent"
)


class _Recurrent(Layer):
    category = "Recurrent"
    positional = ("units",)
    keras_defaults = dict(units=None, return_sequences=False)
    fields = (
        F.integer("units", 64, 1, 4096, "Size of the hidden state.", channels=True),
        F.flag(
            "return_sequences", False, "Output every step (needed before another recurrent layer) or only the last."
        ),
        F.flag("bidirectional", False, "Run a second copy backwards over the sequence and concatenate both outputs."),
    )
    tflite = RECURRENT_SUPPORT
    article_stage = "recurrent"
    gates = 1
    bias_per_gate = 1  # bias vectors per gate (GRU with reset_after keeps two)
    # Element-wise FLOPs per hidden unit and step besides the matrix products (an estimate:
    # TensorFlow's profiler cannot see inside the recurrent loop).
    pointwise_flops = 1

    @classmethod
    def from_keras(cls, class_name, cfg, rank):
        if cfg.get("activation", "tanh") != "tanh" or not cfg.get("use_bias", True):
            raise Unmappable("a recurrent layer with a non-default activation or without bias")
        cls._check_variant(cfg)
        if cfg.get("return_state") or cfg.get("go_backwards") or cfg.get("stateful"):
            raise Unmappable("a recurrent layer returning state, running backwards or stateful")
        return dict(units=cfg.get("units"), return_sequences=bool(cfg.get("return_sequences", False)))

    @classmethod
    def _check_variant(cls, cfg):
        """Unmappable when the saved layer is a variant this kind does not compute."""

    def __init__(self, *args, bidirectional: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.bidirectional = bidirectional

    @classmethod
    def from_params(cls, params, name):
        params = dict(params)
        bidirectional = params.pop("bidirectional", False)
        return cls(name=name, bidirectional=bidirectional, **params)

    def source(self):
        if not self.bidirectional:
            return super().source()
        inner = super().source().replace(f", name={self.name!r}", "")
        return f"layers.Bidirectional({inner}, name={self.name!r})"

    @property
    def directions(self) -> int:
        return 2 if self.bidirectional else 1

    def output_shape(self, shapes):
        (shape,) = shapes
        need_sequence(
            self,
            shape,
            "Recurrent layers read a sequence: for an image (H, W, C) add Reshape([H, W*C]) first; "
            "for token ids add an Embedding first",
        )
        width = self.cfg["units"] * self.directions
        return (shape[0], width) if self.cfg["return_sequences"] else (width,)

    def cost(self, shapes, out):
        steps, features = shapes[0]
        units = self.cfg["units"]
        per_dir_params = self.gates * units * (features + units + self.bias_per_gate)
        macs = self.directions * steps * self.gates * units * (features + units)
        flops = 2 * macs + self.directions * steps * units * self.pointwise_flops
        return Cost(trainable=self.directions * per_dir_params, macs=macs, flops=flops)

    def int8_weight_bytes(self, node, inputs):
        bias = self.directions * self.gates * self.bias_per_gate * self.cfg["units"]
        return node.cost.trainable - bias + 4 * bias

    def weight_sizes(self, node, inputs):
        """Kernel, recurrent kernel and bias, per direction."""
        stacked = self.gates * self.cfg["units"]
        features = inputs[0].shape[-1]
        return (features * stacked, self.cfg["units"] * stacked, self.bias_per_gate * stacked) * self.directions


@register
class SimpleRNN(_Recurrent):
    kind = "SimpleRNN"
    keras_classes = ("SimpleRNN",)
    doc = "The plain recurrent layer: h = tanh(W x + U h + b)."
    pointwise_flops = 1


@register
class LSTM(_Recurrent):
    kind = "LSTM"
    keras_classes = ("LSTM",)
    doc = "Long short-term memory: four gates, remembers over long sequences."
    gates = 4
    pointwise_flops = 7


@register
class GRU(_Recurrent):
    kind = "GRU"
    keras_classes = ("GRU",)
    doc = "Gated recurrent unit: three gates, a lighter alternative to LSTM (Keras's reset_after form)."
    gates = 3
    bias_per_gate = 2
    pointwise_flops = 11

    @classmethod
    def _check_variant(cls, cfg):
        if not cfg.get("reset_after", True):
            raise Unmappable("GRU with reset_after=False")
