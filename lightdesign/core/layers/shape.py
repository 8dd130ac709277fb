"""Shape kinds: Flatten, Reshape, ZeroPadding2D, and the channel split and shuffle that
ShuffleNet needs (small custom layers in the generated code)."""

from __future__ import annotations

from lightdesign.core import fields as F
from lightdesign.core.layers import keras_args
from lightdesign.core.layers.common import need_image, numel
from lightdesign.core.registry import register
from lightdesign.core.symbolic import SUPPORTED, Layer, LayerError, fmt_shape


def _runtime_reshape(node, low) -> str:
    """Flatten and Reshape compute their target shape at run time: SHAPE, STRIDED_SLICE
    (the batch size) and PACK, then the RESHAPE."""
    src = low.source(node)
    shape_of = low.emit(node.name, "SHAPE", [src], [low.INT32 * (len(low.input_shape(node)) + 1)])
    batch = low.emit(node.name, "STRIDED_SLICE", shape_of.outputs, [low.INT32])
    target = low.emit(node.name, "PACK", batch.outputs, [low.INT32 * (len(node.shape) + 1)])
    return low.emit(node.name, "RESHAPE", [src, *target.outputs], [numel(node.shape)]).outputs[0]


class _Shape(Layer):
    category = "Shape & merge"
    tflite = SUPPORTED
    article_stage = None  # drawn as an arrow

    @classmethod
    def from_keras(cls, class_name, cfg, rank):
        """LightDesign's own layers in generated code: the settings keep their names."""
        return keras_args.same_names(cfg, tuple(f.name for f in cls.fields))


@register
class Flatten(_Shape):
    kind = "Flatten"
    doc = "Unrolls everything but the batch axis into one vector: (H, W, C) -> (H*W*C,)."
    keras_classes = ("Flatten",)

    @classmethod
    def from_keras(cls, class_name, cfg, rank):
        keras_args.channels_last(cfg)
        return {}

    def output_shape(self, shapes):
        return (numel(shapes[0]),)

    def lower(self, node, low):
        return _runtime_reshape(node, low)


@register
class Reshape(_Shape):
    kind = "Reshape"
    keras_classes = ("Reshape",)
    doc = "Changes the shape without changing the values; one entry may be -1 (inferred)."
    positional = ("target_shape",)
    keras_defaults = dict(target_shape=None)
    fields = (
        F.ints("target_shape", [-1], -1, F.MAX_UNITS, "New shape without the batch axis, e.g. [28, 28] or [-1]."),
    )

    @classmethod
    def to_keras(cls, params):
        return {"target_shape": tuple(params["target_shape"])}

    @classmethod
    def from_keras(cls, class_name, cfg, rank):
        return dict(target_shape=[int(v) for v in cfg.get("target_shape")])

    def output_shape(self, shapes):
        total = numel(shapes[0])
        target = list(self.cfg["target_shape"])
        unknown = [i for i, v in enumerate(target) if v == -1]
        if len(unknown) > 1 or any(v == 0 or v < -1 for v in target):
            raise LayerError(
                f"Reshape: target_shape={target} may contain at most one -1 and no zeros",
                field="target_shape",
                valid="positive sizes and at most one -1",
            )
        known = numel([v for v in target if v != -1])
        if unknown and total % known == 0:
            target[unknown[0]] = total // known
        if numel(target) != total:
            raise LayerError(
                f"Reshape: target_shape={list(self.cfg['target_shape'])} holds {known} values but the "
                f"input {fmt_shape(shapes[0])} holds {total}",
                field="target_shape",
                valid=f"sizes whose product is {total}",
            )
        return tuple(target)

    def lower(self, node, low):
        return _runtime_reshape(node, low)


@register
class ZeroPadding2D(_Shape):
    kind = "ZeroPadding2D"
    keras_classes = ("ZeroPadding2D",)
    doc = "Adds rows and columns of zeros around the image."
    positional = ("padding",)
    keras_defaults = dict(padding=(1, 1))
    fields = (
        F.integer("top", 1, 0, 64, "Rows added above."),
        F.integer("bottom", 1, 0, 64, "Rows added below."),
        F.integer("left", 1, 0, 64, "Columns added on the left."),
        F.integer("right", 1, 0, 64, "Columns added on the right."),
    )

    @classmethod
    def to_keras(cls, params):
        return {"padding": ((params["top"], params["bottom"]), (params["left"], params["right"]))}

    @classmethod
    def from_keras(cls, class_name, cfg, rank):
        keras_args.channels_last(cfg)
        pad = cfg.get("padding", 1)
        if isinstance(pad, int):
            return dict(top=pad, bottom=pad, left=pad, right=pad)
        rows, cols = pad
        rows = rows if isinstance(rows, (list, tuple)) else (rows, rows)
        cols = cols if isinstance(cols, (list, tuple)) else (cols, cols)
        return dict(top=rows[0], bottom=rows[1], left=cols[0], right=cols[1])

    def pads(self):
        """(top, bottom, left, right)."""
        pad = self.cfg["padding"]
        if isinstance(pad, int):
            return pad, pad, pad, pad
        (top, bottom), (left, right) = (p if isinstance(p, (tuple, list)) else (p, p) for p in pad)
        return top, bottom, left, right

    def output_shape(self, shapes):
        (shape,) = shapes
        need_image(self, shape)
        top, bottom, left, right = self.pads()
        return (shape[0] + top + bottom, shape[1] + left + right, shape[2])

    def lower(self, node, low):
        geometry = low.Geometry(low.input_shape(node), node.shape)
        return low.emit(node.name, "PAD", [low.source(node)], [numel(node.shape)], geometry=geometry).outputs[0]


_CUSTOM_DECORATOR = '@keras.saving.register_keras_serializable(package="lightdesign")'


@register
class ChannelSplit(_Shape):
    kind = "ChannelSplit"
    keras_classes = ("ChannelSplit",)
    doc = "Takes one of several equal slices of the channels (ShuffleNetV2 splits in two)."
    custom = True
    positional = ("parts", "index")
    keras_defaults = dict(parts=2, index=0)
    fields = (
        F.integer("parts", 2, 2, 64, "Number of equal slices."),
        F.integer("index", 0, 0, 63, "Which slice to keep, from 0."),
    )
    keras_source = f'''
{_CUSTOM_DECORATOR}
class ChannelSplit(layers.Layer):
    """Keeps slice `index` of `parts` equal slices of the last axis."""

    def __init__(self, parts=2, index=0, **kwargs):
        super().__init__(**kwargs)
        self.parts = parts
        self.index = index

    def call(self, x):
        return keras.ops.split(x, self.parts, axis=-1)[self.index]

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] // self.parts)

    def get_config(self):
        return {{**super().get_config(), "parts": self.parts, "index": self.index}}
'''

    def output_shape(self, shapes):
        (shape,) = shapes
        parts, index = self.cfg["parts"], self.cfg["index"]
        if shape[-1] % parts:
            raise LayerError(
                f"ChannelSplit: {shape[-1]} channels cannot be split into {parts} equal parts",
                field="parts",
                valid=f"a divisor of {shape[-1]}",
            )
        if index >= parts:
            raise LayerError(
                f"ChannelSplit: index={index} but there are only {parts} parts",
                field="index",
                valid=f"0 to {parts - 1}",
            )
        return (*shape[:-1], shape[-1] // parts)

    def lower(self, node, low):
        """One SPLIT serves every slice of the same tensor."""
        src, parts = low.source(node), self.cfg["parts"]
        key = (src, parts)
        if key not in low.splits:
            geometry = low.Geometry(low.input_shape(node), node.shape)
            low.splits[key] = low.emit(node.name, "SPLIT", [src], [numel(node.shape)] * parts, geometry=geometry)
        return low.splits[key].outputs[self.cfg["index"]]


@register
class ChannelShuffle(_Shape):
    kind = "ChannelShuffle"
    keras_classes = ("ChannelShuffle",)
    article_stage = "other"
    doc = "Interleaves the channels of several groups so grouped convolutions can exchange information (ShuffleNet)."
    custom = True
    positional = ("groups",)
    keras_defaults = dict(groups=2)
    fields = (F.integer("groups", 2, 2, 64, "Number of channel groups to interleave."),)
    keras_source = f'''
{_CUSTOM_DECORATOR}
class ChannelShuffle(layers.Layer):
    """Reshapes channels to (groups, C // groups), swaps the two axes and flattens back."""

    def __init__(self, groups=2, **kwargs):
        super().__init__(**kwargs)
        self.groups = groups

    def call(self, x):
        height, width, channels = x.shape[1], x.shape[2], x.shape[3]
        x = keras.ops.reshape(x, (-1, height, width, self.groups, channels // self.groups))
        x = keras.ops.transpose(x, (0, 1, 2, 4, 3))
        return keras.ops.reshape(x, (-1, height, width, channels))

    def get_config(self):
        return {{**super().get_config(), "groups": self.groups}}
'''

    def output_shape(self, shapes):
        (shape,) = shapes
        need_image(self, shape)
        if shape[-1] % self.cfg["groups"]:
            raise LayerError(
                f"ChannelShuffle: {shape[-1]} channels cannot be shuffled in {self.cfg['groups']} groups",
                field="groups",
                valid=f"a divisor of {shape[-1]}",
            )
        return shape

    def lower(self, node, low):
        size = numel(node.shape)
        grouped = low.emit(node.name, "RESHAPE", [low.source(node)], [size]).outputs[0]
        geometry = low.Geometry(node.shape, node.shape, groups=self.cfg["groups"])
        swapped = low.emit(node.name, "TRANSPOSE", [grouped], [size], geometry=geometry).outputs[0]
        return low.emit(node.name, "RESHAPE", [swapped], [size]).outputs[0]
