"""Figures of Keras layers that stay opaque, read off their settings where the file gives none:
the parameters of a few known layers and the output shape of those whose shape is plain."""

from __future__ import annotations

import math

# layers that keep their input's shape (for opaque blocks the config gives no shape for)
SAME_SHAPE = {
    "Rescaling",
    "Normalization",
    "LeakyReLU",
    "PReLU",
    "ELU",
    "ReLU",
    "Softmax",
    "Activation",
    "LayerNormalization",
    "GroupNormalization",
    "UnitNormalization",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "GaussianNoise",
    "GaussianDropout",
    "AlphaDropout",
    "ActivityRegularization",
    "Subtract",
    "Maximum",
    "Minimum",
    "Average",
    "Lambda",
}


# layers with no multiply-accumulates under the counting convention: an opaque one counts zero
NO_MACS = (SAME_SHAPE - {"Lambda"}) | {"Cropping2D", "UpSampling2D", "Resizing", "Permute", "RepeatVector"}


def params(cls_name: str, cfg: dict, in_shape: tuple | None) -> tuple[int, int] | None:
    """Parameters of an unmapped layer from its settings, for the few known ones."""
    channels = in_shape[-1] if in_shape else 0
    if cls_name == "Normalization" and cfg.get("mean") is None:
        return 0, 2 * channels + 1
    if cls_name in ("LayerNormalization", "GroupNormalization"):
        return channels * (int(cfg.get("center", True)) + int(cfg.get("scale", True))), 0
    if cls_name == "PReLU" and in_shape:
        shared = set(cfg.get("shared_axes") or [])
        return math.prod(d for i, d in enumerate(in_shape, start=1) if i not in shared), 0
    return None


def shape(cls_name: str, cfg: dict, in_shape: tuple | None) -> tuple | None:
    """An unmapped layer's output shape from its settings, for the few known ones."""
    if in_shape is None:
        return None
    if cls_name == "Cropping2D" and len(in_shape) == 3:
        crop = cfg.get("cropping", ((0, 0), (0, 0)))
        (t, b), (left, r) = (c if isinstance(c, (list, tuple)) else (c, c) for c in crop)
        return (in_shape[0] - t - b, in_shape[1] - left - r, in_shape[2])
    if cls_name == "UpSampling2D" and len(in_shape) == 3:
        size = cfg.get("size", (2, 2))
        sh, sw = size if isinstance(size, (list, tuple)) else (size, size)
        return (in_shape[0] * sh, in_shape[1] * sw, in_shape[2])
    if cls_name in SAME_SHAPE:
        return in_shape
    return None
