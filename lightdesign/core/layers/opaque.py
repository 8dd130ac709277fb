"""Opaque blocks: layers of an imported model that no registered kind can express.

An opaque block keeps what the file says about the layer (its name, operation, output shape
and parameter count) so the totals stay right and the graph stays whole; it has no Keras
form, so code generation, training and export refuse a design that holds one and name it.
It never appears in the palette: only importers (``lightdesign.importers``) create it.

What the importer could not know is said, never guessed silently: MACs it did not count
(``macs_known``) and an output shape taken as the input's (``shape_known``); the analysis
lists the figures each leaves incomplete.
"""

from __future__ import annotations

from lightdesign.core import fields as F
from lightdesign.core.registry import register
from lightdesign.core.symbolic import Cost, Layer, LayerError, TFLiteSupport, fmt_shape

MAX_COUNT = 10**12
MAX_SIZE = 10**8  # largest entry of an opaque output shape

_OP = F.text("op", "unknown", "The layer or operation type in the imported file.", max_length=120)
_SHAPE = F.ints("output_shape", [1], 1, MAX_SIZE, "Output shape without the batch axis, as the imported file gives it.")
_TRAINABLE = F.integer("trainable", 0, 0, MAX_COUNT, "Trainable parameters, from the file's weights where present.")
_NON_TRAINABLE = F.integer("non_trainable", 0, 0, MAX_COUNT, "Non-trainable parameters (statistics, constants).")
_MACS = F.integer("macs", 0, 0, MAX_COUNT, "Multiply-accumulates, where the importer could count them; else 0.")
_MACS_KNOWN = F.flag(
    "macs_known", False, "Whether the importer counted the multiply-accumulates (else they are unknown)."
)
_SHAPE_KNOWN = F.flag(
    "shape_known", True, "Whether the file gives the output shape (else it is the input's, and later figures unknown)."
)
_REASON = F.text("reason", "", "Why the layer could not be mapped to a LightDesign kind.", max_length=300)


class _Opaque(Layer):
    category = "Shape & merge"
    palette = False  # created by importers only
    opaque = True
    tflite = TFLiteSupport(builtin=False, int8=False, reason="deploy.why.opaque", alternative="deploy.alt.opaque")
    keras_defaults = dict(
        op="unknown",
        output_shape=[1],
        trainable=0,
        non_trainable=0,
        macs=0,
        macs_known=False,
        shape_known=True,
        reason="",
    )

    def output_shape(self, shapes):
        shape = tuple(self.cfg["output_shape"])
        if not shape or any(not isinstance(d, int) or d < 1 for d in shape):
            raise LayerError(
                f"{self.kind}: output_shape {fmt_shape(shape)} is not valid",
                field="output_shape",
                valid="positive sizes",
            )
        return shape

    def cost(self, shapes, out):
        return Cost(trainable=self.cfg["trainable"], non_trainable=self.cfg["non_trainable"], macs=self.cfg["macs"])

    def int8_weight_bytes(self, node, inputs):
        return node.cost.params  # as the file counts them, one byte each

    def source(self):
        raise LayerError(
            f"{self.name} is an imported {self.cfg['op']} layer that LightDesign cannot write in Keras "
            f"({self.cfg['reason'] or 'not mapped'})"
        )


@register
class Opaque(_Opaque):
    kind = "Opaque"
    doc = (
        "An imported layer that LightDesign cannot express: it keeps its operation, output shape and "
        "parameter count so the totals stay right, but code, training and export refuse it."
    )
    fields = (_OP, _SHAPE, _TRAINABLE, _NON_TRAINABLE, _MACS, _MACS_KNOWN, _SHAPE_KNOWN, _REASON)


@register
class OpaqueMerge(_Opaque):
    kind = "OpaqueMerge"
    doc = (
        "An imported layer with several inputs that LightDesign cannot express (the previous block's "
        "output and the block named in source); like Opaque it keeps its figures."
    )
    multi_input = True
    ref_fields = ("source",)
    keras_defaults = dict(_Opaque.keras_defaults, source=None)
    fields = (
        F.ref("source", "input", "The second input of the imported layer.", label="second input"),
        _OP,
        _SHAPE,
        _TRAINABLE,
        _NON_TRAINABLE,
        _MACS,
        _MACS_KNOWN,
        _SHAPE_KNOWN,
        _REASON,
    )

    @classmethod
    def to_keras(cls, params):
        return {k: v for k, v in params.items() if k not in cls.ref_fields}


def is_opaque(kind: str) -> bool:
    return kind in (Opaque.kind, OpaqueMerge.kind)


def opaque_blocks(design) -> list:
    """The design's opaque blocks, in stack order."""
    return [b for b in design.blocks if is_opaque(b.kind)]


def refusal(design, action: str = "written as Keras code") -> str | None:
    """The one-line reason a design with opaque blocks cannot be ``action``, listing each
    block with its operation and reason; None when it has none."""
    found = opaque_blocks(design)
    if not found:
        return None
    listed = "; ".join(
        f"{design.blocks.index(b) + 1} '{b.name}' ({b.params.get('op', '?')}: {b.params.get('reason') or 'not mapped'})"
        for b in found[:8]
    )
    more = f"; and {len(found) - 8} more" if len(found) > 8 else ""
    return (
        f"the design cannot be {action}: {len(found)} imported layer{'s' if len(found) > 1 else ''} "
        f"that LightDesign cannot express: {listed}{more}. Replace or remove them first"
    )


__all__ = ["Opaque", "OpaqueMerge", "is_opaque", "opaque_blocks", "refusal"]
