"""Preset architectures, each a function of width multiplier, resolution and classes.

The stage tables follow the reference implementations: Keras applications for
MobileNet V1/V2/V3, torchvision for ShuffleNetV2 and SqueezeNet, Megvii's official code
for ShuffleNetV1, the GhostNet authors' code, TensorFlow's MnasNet and EfficientNet-Lite.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lightdesign.core.blocks.common import make_divisible
from lightdesign.core.design import Design, DesignError, new_block
from lightdesign.core.edits import check_width
from lightdesign.core.fields import MAX_UNITS


class _Stack:
    """Appends blocks with fresh ids to a design under construction."""

    def __init__(self, name: str, input_shape: tuple, classes: int, description: str = ""):
        self.design = Design(name, tuple(input_shape), classes, [], description)

    def add(self, kind: str, name: str, input: str | None = None, **params: Any) -> _Stack:
        self.design.blocks.append(new_block(kind, name, self.design.new_id(), input, **params))
        return self


# -- the source article's networks ---------------------------------------------------


def seed_cnn(resolution: int = 28, classes: int = 10) -> Design:
    """The source article's two-convolution CNN for 28x28 grayscale digits: section 5.2 of the
    tutorial "轻量级网络设计原理与代码实战案例讲解" (Lightweight network design: principles and
    hands-on code examples).

    The article's listing follows each ``Conv2D(..., activation='relu')`` with a separate
    ``Activation('relu')``; ReLU applied twice is a no-op, so those layers are left out
    (the analysis warns when a design repeats an activation).
    """
    s = _Stack(
        "seed_cnn",
        (resolution, resolution, 1),
        classes,
        "The CNN of the tutorial “轻量级网络设计原理与代码实战案例讲解” (Lightweight network design: principles and "
        "hands-on code examples), section 5.2: two conv + pool stages and a dense head.",
    )
    s.add("Conv2D", "conv1", filters=32, kernel_size=3, padding="valid", activation="relu")
    s.add("MaxPooling2D", "pool1", pool_size=2, strides=2)
    s.add("Conv2D", "conv2", filters=64, kernel_size=3, padding="valid", activation="relu")
    s.add("MaxPooling2D", "pool2", pool_size=2, strides=2)
    s.add("Flatten", "flatten")
    s.add("Dense", "dense", units=128, activation="relu")
    s.add("Dense", "predictions", units=classes, activation="softmax")
    return s.design


def text_rnn(resolution: int = 100, classes: int = 2, vocabulary: int = 10000) -> Design:
    """The source article's recurrent classifier: Embedding, LSTM, Dense softmax.
    ``resolution`` is the sequence length in tokens."""
    s = _Stack(
        "text_rnn",
        (resolution,),
        classes,
        "Embedding + LSTM text classifier: the RNN of the tutorial “轻量级网络设计原理与代码实战案例讲解” "
        "(Lightweight network design: principles and hands-on code examples), section 3.1.2.",
    )
    s.add("Embedding", "embedding", input_dim=vocabulary, output_dim=64)
    s.add("LSTM", "lstm", units=64)
    s.add("Dense", "predictions", units=classes, activation="softmax")
    return s.design


def text_cnn(resolution: int = 100, classes: int = 2, vocabulary: int = 10000) -> Design:
    """The recurrent-free alternative to ``text_rnn`` for the same task: the LSTM becomes a
    Conv1D over the embedded tokens and a global max pooling, which TFLite runs with
    built-in int8 operators. ``resolution`` is the sequence length in tokens."""
    s = _Stack(
        "text_cnn",
        (resolution,),
        classes,
        "Embedding + Conv1D text classifier: the text RNN's task without a recurrent layer.",
    )
    s.add("Embedding", "embedding", input_dim=vocabulary, output_dim=64)
    s.add("Conv1D", "conv1d", filters=64, kernel_size=5, padding="same", activation="relu")
    s.add("GlobalMaxPooling1D", "global_pool")
    s.add("Dense", "predictions", units=classes, activation="softmax")
    return s.design


def wave_cnn(resolution: int = 50, classes: int = 3) -> Design:
    """A small 1-D CNN for waveforms (audio-like signals, one value per step): two Conv1D
    + pooling stages and a global-pooling head. ``resolution`` is the number of steps."""
    s = _Stack("wave_cnn", (resolution, 1), classes, "Conv1D waveform classifier (audio-like sequences).")
    s.add("Conv1D", "conv1", filters=16, kernel_size=5, padding="same", activation="relu")
    s.add("MaxPooling1D", "pool1", pool_size=2)
    s.add("Conv1D", "conv2", filters=32, kernel_size=5, padding="same", activation="relu")
    s.add("GlobalAveragePooling1D", "global_pool")
    s.add("Dense", "predictions", units=classes, activation="softmax")
    return s.design


# -- MobileNets (Keras applications) -------------------------------------------------

_V1_STAGES = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), *[(512, 1)] * 5, (1024, 2), (1024, 1)]


def mobilenet_v1(alpha: float = 1.0, resolution: int = 224, classes: int = 1000) -> Design:
    """MobileNet (Howard et al. 2017), as ``keras.applications.MobileNet``."""
    s = _Stack(
        f"mobilenet_v1_{alpha:g}_{resolution}",
        (resolution, resolution, 3),
        classes,
        "MobileNetV1: a stem convolution and 13 depthwise-separable units.",
    )
    s.add("conv_bn", "conv1", filters=int(32 * alpha), strides=2, activation="relu6")
    for i, (filters, strides) in enumerate(_V1_STAGES, start=1):
        s.add("depthwise_separable", f"block_{i}", filters=int(filters * alpha), strides=strides)
    s.add("GlobalAveragePooling2D", "global_pool", keepdims=True)
    s.add("Dropout", "dropout", rate=0.001)
    s.add("Conv2D", "conv_preds", filters=classes, kernel_size=1, padding="same")
    s.add("Reshape", "reshape", target_shape=[classes])
    s.add("Activation", "predictions", activation="softmax")
    return s.design


_V2_STAGES = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]


def mobilenet_v2(alpha: float = 1.0, resolution: int = 224, classes: int = 1000) -> Design:
    """MobileNetV2 (Sandler et al. 2018), as ``keras.applications.MobileNetV2``."""
    s = _Stack(
        f"mobilenet_v2_{alpha:g}_{resolution}",
        (resolution, resolution, 3),
        classes,
        "MobileNetV2: 17 inverted residual blocks with linear bottlenecks.",
    )
    s.add("conv_bn", "Conv1", filters=make_divisible(32 * alpha, 8), strides=2, activation="relu6")
    index = 0
    for expansion, filters, repeats, stride in _V2_STAGES:
        for r in range(repeats):
            s.add(
                "inverted_residual",
                f"block_{index}",
                filters=make_divisible(int(filters * alpha), 8),
                expansion=float(expansion),
                strides=stride if r == 0 else 1,
            )
            index += 1
    last = make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
    s.add("conv_bn", "Conv_1", filters=last, kernel_size=1, activation="relu6")
    s.add("GlobalAveragePooling2D", "global_pool")
    s.add("Dense", "predictions", units=classes, activation="softmax")
    return s.design


# (expansion, filters, kernel, stride, squeeze-excite, activation)
_V3_SMALL = [
    (1, 16, 3, 2, True, "relu"),
    (72 / 16, 24, 3, 2, False, "relu"),
    (88 / 24, 24, 3, 1, False, "relu"),
    (4, 40, 5, 2, True, "hard_swish"),
    (6, 40, 5, 1, True, "hard_swish"),
    (6, 40, 5, 1, True, "hard_swish"),
    (3, 48, 5, 1, True, "hard_swish"),
    (3, 48, 5, 1, True, "hard_swish"),
    (6, 96, 5, 2, True, "hard_swish"),
    (6, 96, 5, 1, True, "hard_swish"),
    (6, 96, 5, 1, True, "hard_swish"),
]
_V3_LARGE = [
    (1, 16, 3, 1, False, "relu"),
    (4, 24, 3, 2, False, "relu"),
    (3, 24, 3, 1, False, "relu"),
    (3, 40, 5, 2, True, "relu"),
    (3, 40, 5, 1, True, "relu"),
    (3, 40, 5, 1, True, "relu"),
    (6, 80, 3, 2, False, "hard_swish"),
    (2.5, 80, 3, 1, False, "hard_swish"),
    (2.3, 80, 3, 1, False, "hard_swish"),
    (2.3, 80, 3, 1, False, "hard_swish"),
    (6, 112, 3, 1, True, "hard_swish"),
    (6, 112, 3, 1, True, "hard_swish"),
    (6, 160, 5, 2, True, "hard_swish"),
    (6, 160, 5, 1, True, "hard_swish"),
    (6, 160, 5, 1, True, "hard_swish"),
]


def _mobilenet_v3(table, last_point: int, label: str, alpha: float, resolution: int, classes: int) -> Design:
    s = _Stack(
        f"mobilenet_v3_{label}_{alpha:g}_{resolution}",
        (resolution, resolution, 3),
        classes,
        f"MobileNetV3-{label.title()}: inverted residuals with squeeze-excitation and hard-swish.",
    )
    s.add("conv_bn", "conv", filters=16, strides=2, activation="hard_swish")
    for i, (expansion, filters, kernel, stride, se, act) in enumerate(table):
        s.add(
            "inverted_residual",
            f"expanded_conv_{i}",
            filters=make_divisible(filters * alpha),
            expansion=float(expansion),
            kernel_size=kernel,
            strides=stride,
            activation=act,
            se_ratio=0.25 if se else 0.0,
        )
    last_conv = make_divisible(make_divisible(table[-1][1] * alpha) * 6)
    if alpha > 1.0:
        last_point = make_divisible(last_point * alpha)
    s.add("conv_bn", "conv_1", filters=last_conv, kernel_size=1, activation="hard_swish")
    s.add("GlobalAveragePooling2D", "global_pool", keepdims=True)
    s.add("Conv2D", "conv_2", filters=last_point, kernel_size=1, padding="same")
    s.add("Activation", "conv_2_hard_swish", activation="hard_swish")
    s.add("Dropout", "dropout", rate=0.2)
    s.add("Conv2D", "logits", filters=classes, kernel_size=1, padding="same")
    s.add("Flatten", "flatten")
    s.add("Activation", "predictions", activation="softmax")
    return s.design


def mobilenet_v3_small(alpha: float = 1.0, resolution: int = 224, classes: int = 1000) -> Design:
    """MobileNetV3-Small (Howard et al. 2019), as ``keras.applications.MobileNetV3Small``."""
    return _mobilenet_v3(_V3_SMALL, 1024, "small", alpha, resolution, classes)


def mobilenet_v3_large(alpha: float = 1.0, resolution: int = 224, classes: int = 1000) -> Design:
    """MobileNetV3-Large (Howard et al. 2019), as ``keras.applications.MobileNetV3Large``."""
    return _mobilenet_v3(_V3_LARGE, 1280, "large", alpha, resolution, classes)


# -- ShuffleNets ---------------------------------------------------------------------

# Megvii's official ShuffleNetV1: stem channels and the three stage widths.
_V1_WIDTHS = {
    3: {0.5: (12, 120, 240, 480), 1.0: (24, 240, 480, 960), 1.5: (24, 360, 720, 1440), 2.0: (48, 480, 960, 1920)},
    8: {0.5: (16, 192, 384, 768), 1.0: (24, 384, 768, 1536), 1.5: (24, 576, 1152, 2304), 2.0: (48, 768, 1536, 3072)},
}


def shufflenet_v1(alpha: float = 1.0, resolution: int = 224, classes: int = 1000, groups: int = 3) -> Design:
    """ShuffleNetV1 (Zhang et al. 2018) with 3 or 8 groups, as Megvii's reference code."""
    if groups not in _V1_WIDTHS or alpha not in _V1_WIDTHS[groups]:
        raise DesignError(
            f"shufflenet_v1 comes with groups 3 or 8 and alpha 0.5, 1, 1.5 or 2; got groups={groups}, alpha={alpha}"
        )
    stem, *stages = _V1_WIDTHS[groups][alpha]
    s = _Stack(
        f"shufflenet_v1_g{groups}_{alpha:g}_{resolution}",
        (resolution, resolution, 3),
        classes,
        "ShuffleNetV1: grouped 1x1 convolutions with channel shuffle.",
    )
    s.add("conv_bn", "first_conv", filters=stem, strides=2, activation="relu")
    s.add("MaxPooling2D", "maxpool", pool_size=3, strides=2, padding="same")
    for stage, (filters, repeats) in enumerate(zip(stages, (4, 8, 4), strict=True), start=2):
        for i in range(repeats):
            s.add(
                "shufflenet_v1_unit",
                f"stage{stage}_{i}",
                filters=filters,
                groups=groups,
                strides=2 if i == 0 else 1,
                group_first_conv=not (stage == 2 and i == 0),
            )
    s.add("GlobalAveragePooling2D", "global_pool")
    s.add("Dense", "predictions", units=classes, use_bias=False, activation="softmax")
    return s.design


_V2_WIDTHS = {
    0.5: (48, 96, 192, 1024),
    1.0: (116, 232, 464, 1024),
    1.5: (176, 352, 704, 1024),
    2.0: (244, 488, 976, 2048),
}


def shufflenet_v2(alpha: float = 1.0, resolution: int = 224, classes: int = 1000) -> Design:
    """ShuffleNetV2 (Ma et al. 2018) 0.5x to 2x, as torchvision's."""
    if alpha not in _V2_WIDTHS:
        raise DesignError(f"shufflenet_v2 comes in alpha 0.5, 1, 1.5 and 2; got {alpha}")
    *stages, last = _V2_WIDTHS[alpha]
    s = _Stack(
        f"shufflenet_v2_{alpha:g}_{resolution}",
        (resolution, resolution, 3),
        classes,
        "ShuffleNetV2: channel split, a cheap branch, concatenate and shuffle.",
    )
    s.add("conv_bn", "conv1", filters=24, strides=2, activation="relu")
    s.add("MaxPooling2D", "maxpool", pool_size=3, strides=2, padding="same")
    for stage, (filters, repeats) in enumerate(zip(stages, (4, 8, 4), strict=True), start=2):
        for i in range(repeats):
            s.add("shufflenet_v2_unit", f"stage{stage}_{i}", filters=filters, strides=2 if i == 0 else 1)
    s.add("conv_bn", "conv5", filters=last, kernel_size=1, activation="relu")
    s.add("GlobalAveragePooling2D", "global_pool")
    s.add("Dense", "predictions", units=classes, activation="softmax")
    return s.design


# -- SqueezeNet (torchvision) ----------------------------------------------------------


def _ceil_pool(s: _Stack, name: str, size: int) -> int:
    """torchvision's MaxPool2d(3, 2, ceil_mode=True): pad bottom/right when ceil rounding
    yields one more row than Keras's floor would. Returns the new size."""
    floor_size = (size - 3) // 2 + 1
    ceil_size = -(-(size - 3) // 2) + 1
    if ceil_size > floor_size:
        s.add("ZeroPadding2D", f"{name}_pad", top=0, bottom=1, left=0, right=1)
    s.add("MaxPooling2D", name, pool_size=3, strides=2, padding="valid")
    return ceil_size


_FIRES_1_0 = [(16, 64), (16, 64), (32, 128), "pool", (32, 128), (48, 192), (48, 192), (64, 256), "pool", (64, 256)]
_FIRES_1_1 = [(16, 64), (16, 64), "pool", (32, 128), (32, 128), "pool", (48, 192), (48, 192), (64, 256), (64, 256)]


def _squeezenet(version: str, resolution: int, classes: int) -> Design:
    s = _Stack(
        f"squeezenet_{version}_{resolution}",
        (resolution, resolution, 3),
        classes,
        "SqueezeNet: fire modules (squeeze 1x1, expand 1x1 + 3x3) and no dense layers.",
    )
    if version == "1_0":
        s.add("Conv2D", "conv1", filters=96, kernel_size=7, strides=2, padding="valid", activation="relu")
        size, fires = (resolution - 7) // 2 + 1, _FIRES_1_0
    else:
        s.add("Conv2D", "conv1", filters=64, kernel_size=3, strides=2, padding="valid", activation="relu")
        size, fires = (resolution - 3) // 2 + 1, _FIRES_1_1
    size = _ceil_pool(s, "pool1", size)
    fire_index, pool_index = 2, 2
    for item in fires:
        if item == "pool":
            size = _ceil_pool(s, f"pool{pool_index}", size)
            pool_index += 1
            continue
        squeeze, expand = item
        s.add("fire_module", f"fire{fire_index}", squeeze=squeeze, expand1x1=expand, expand3x3=expand)
        fire_index += 1
    s.add("Dropout", "dropout", rate=0.5)
    s.add("Conv2D", "conv10", filters=classes, kernel_size=1, activation="relu")
    s.add("GlobalAveragePooling2D", "global_pool")
    s.add("Activation", "predictions", activation="softmax")
    return s.design


def squeezenet_1_0(resolution: int = 224, classes: int = 1000) -> Design:
    """SqueezeNet 1.0 (Iandola et al. 2016), as torchvision's (ceil-mode pooling)."""
    return _squeezenet("1_0", resolution, classes)


def squeezenet_1_1(resolution: int = 224, classes: int = 1000) -> Design:
    """SqueezeNet 1.1: the cheaper variant from the authors' repository, as torchvision's."""
    return _squeezenet("1_1", resolution, classes)


# -- GhostNet, MnasNet, EfficientNet-Lite -------------------------------------------------

# (kernel, expanded, out, se_ratio, stride), per stage, from the GhostNet paper/code.
_GHOST_STAGES = [
    [(3, 16, 16, 0, 1)],
    [(3, 48, 24, 0, 2)],
    [(3, 72, 24, 0, 1)],
    [(5, 72, 40, 0.25, 2)],
    [(5, 120, 40, 0.25, 1)],
    [(3, 240, 80, 0, 2)],
    [(3, 200, 80, 0, 1), (3, 184, 80, 0, 1), (3, 184, 80, 0, 1), (3, 480, 112, 0.25, 1), (3, 672, 112, 0.25, 1)],
    [(5, 672, 160, 0.25, 2)],
    [(5, 960, 160, 0, 1), (5, 960, 160, 0.25, 1), (5, 960, 160, 0, 1), (5, 960, 160, 0.25, 1)],
]


def ghostnet(alpha: float = 1.0, resolution: int = 224, classes: int = 1000) -> Design:
    """GhostNet (Han et al. 2020), as the authors' code (and timm's ghostnet_100)."""
    s = _Stack(
        f"ghostnet_{alpha:g}_{resolution}",
        (resolution, resolution, 3),
        classes,
        "GhostNet: ghost modules make half the channels with cheap depthwise convolutions.",
    )
    s.add("conv_bn", "conv_stem", filters=make_divisible(16 * alpha, 4), strides=2, activation="relu")
    index = 0
    for stage in _GHOST_STAGES:
        for kernel, expanded, filters, se, stride in stage:
            s.add(
                "ghost_bottleneck",
                f"ghost_{index}",
                filters=make_divisible(filters * alpha, 4),
                expanded_filters=make_divisible(expanded * alpha, 4),
                kernel_size=kernel,
                strides=stride,
                se_ratio=float(se),
            )
            index += 1
    s.add("conv_bn", "conv_last", filters=make_divisible(960 * alpha, 4), kernel_size=1, activation="relu")
    s.add("GlobalAveragePooling2D", "global_pool", keepdims=True)
    s.add("Conv2D", "conv_head", filters=1280, kernel_size=1, activation="relu")
    s.add("Flatten", "flatten")
    s.add("Dropout", "dropout", rate=0.2)
    s.add("Dense", "predictions", units=classes, activation="softmax")
    return s.design


# (repeats, kernel, stride, expansion, out, se_ratio)
_MNAS_A1 = [
    (1, 3, 1, 1, 16, 0),
    (2, 3, 2, 6, 24, 0),
    (3, 5, 2, 3, 40, 0.25),
    (4, 3, 2, 6, 80, 0),
    (2, 3, 1, 6, 112, 0.25),
    (3, 5, 2, 6, 160, 0.25),
    (1, 3, 1, 6, 320, 0),
]
_EFFICIENTNET_B0 = [
    (1, 3, 1, 1, 16, 0),
    (2, 3, 2, 6, 24, 0),
    (2, 5, 2, 6, 40, 0),
    (3, 3, 2, 6, 80, 0),
    (3, 5, 1, 6, 112, 0),
    (4, 5, 2, 6, 192, 0),
    (1, 3, 1, 6, 320, 0),
]


def _mbconv_net(name, table, activation, alpha, resolution, classes, description, scale_ends) -> Design:
    s = _Stack(f"{name}_{alpha:g}_{resolution}", (resolution, resolution, 3), classes, description)
    stem = make_divisible(32 * alpha) if scale_ends else 32
    s.add("conv_bn", "stem", filters=stem, strides=2, activation=activation)
    index = 0
    for repeats, kernel, stride, expansion, filters, se in table:
        for r in range(repeats):
            s.add(
                "inverted_residual",
                f"block_{index}",
                filters=make_divisible(filters * alpha),
                expansion=float(expansion),
                kernel_size=kernel,
                strides=stride if r == 0 else 1,
                activation=activation,
                se_ratio=float(se),
                se_style="mnasnet",
            )
            index += 1
    head = make_divisible(1280 * alpha) if scale_ends and alpha > 1.0 else 1280
    s.add("conv_bn", "head", filters=head, kernel_size=1, activation=activation)
    s.add("GlobalAveragePooling2D", "global_pool")
    s.add("Dropout", "dropout", rate=0.2)
    s.add("Dense", "predictions", units=classes, activation="softmax")
    return s.design


def mnasnet(alpha: float = 1.0, resolution: int = 224, classes: int = 1000) -> Design:
    """MnasNet-A1 (Tan et al. 2019), as TensorFlow's mnasnet_a1 (squeeze-excitation on three stages)."""
    return _mbconv_net(
        "mnasnet_a1",
        _MNAS_A1,
        "relu",
        alpha,
        resolution,
        classes,
        "MnasNet-A1: platform-aware NAS result; MBConv blocks, some with squeeze-excitation.",
        True,
    )


def efficientnet_lite0(alpha: float = 1.0, resolution: int = 224, classes: int = 1000) -> Design:
    """EfficientNet-Lite0: EfficientNet-B0 without squeeze-excitation, with ReLU6 and a
    fixed stem and head, as TensorFlow's efficientnet_lite_builder."""
    return _mbconv_net(
        "efficientnet_lite0",
        _EFFICIENTNET_B0,
        "relu6",
        alpha,
        resolution,
        classes,
        "EfficientNet-Lite0: quantization-friendly EfficientNet-B0 (ReLU6, no squeeze-excitation).",
        False,
    )


# -- the preset table -----------------------------------------------------------------------


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    build: Callable[..., Design]
    resolution: int
    classes: int
    alphas: tuple[float, ...] = ()  # the usual width multipliers; empty: no width multiplier
    fixed_alphas: bool = False  # True: only ``alphas`` exist (stage widths are tabulated, not scaled)
    groups: tuple[int, ...] = ()  # ShuffleNetV1 only
    min_resolution: int = 32
    max_resolution: int = 1024
    resolution_label: str = "resolution"

    def make(
        self,
        alpha: float | None = None,
        resolution: int | None = None,
        classes: int | None = None,
        groups: int | None = None,
    ) -> Design:
        """Build the preset; raises DesignError naming a bad option and the valid range."""
        kwargs: dict[str, Any] = {}
        if alpha is not None:
            if not self.alphas:
                raise DesignError(f"{self.name} has no width multiplier (alpha)")
            if self.fixed_alphas and alpha not in self.alphas:
                raise DesignError(f"{self.name}: alpha must be one of {', '.join(f'{a:g}' for a in self.alphas)}")
            check_width(alpha)
            kwargs["alpha"] = float(alpha)
        if resolution is not None:
            if not self.min_resolution <= resolution <= self.max_resolution:
                raise DesignError(
                    f"{self.name}: {self.resolution_label} {resolution} is out of range; "
                    f"use {self.min_resolution} to {self.max_resolution}"
                )
            kwargs["resolution"] = resolution
        if classes is not None:
            if not 1 <= classes <= MAX_UNITS:
                raise DesignError(f"classes={classes} is out of range; use 1 to {MAX_UNITS}")
            kwargs["classes"] = classes
        if groups is not None:
            if not self.groups or groups not in self.groups:
                valid = ", ".join(map(str, self.groups)) if self.groups else "none (only shufflenet_v1 has groups)"
                raise DesignError(f"{self.name}: groups must be one of {valid}")
            kwargs["groups"] = groups
        return self.build(**kwargs)


_FREE = (0.35, 0.5, 0.75, 1.0, 1.3, 1.4)

PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("seed_cnn", "Seed CNN (the article's)", seed_cnn, 28, 10, min_resolution=10, max_resolution=512),
        Preset("mobilenet_v1", "MobileNet V1", mobilenet_v1, 224, 1000, (0.25, 0.5, 0.75, 1.0)),
        Preset("mobilenet_v2", "MobileNet V2", mobilenet_v2, 224, 1000, _FREE),
        Preset("mobilenet_v3_small", "MobileNet V3 Small", mobilenet_v3_small, 224, 1000, (0.75, 1.0)),
        Preset("mobilenet_v3_large", "MobileNet V3 Large", mobilenet_v3_large, 224, 1000, (0.75, 1.0)),
        Preset(
            "shufflenet_v1",
            "ShuffleNet V1",
            shufflenet_v1,
            224,
            1000,
            (0.5, 1.0, 1.5, 2.0),
            fixed_alphas=True,
            groups=(3, 8),
        ),
        Preset("shufflenet_v2", "ShuffleNet V2", shufflenet_v2, 224, 1000, (0.5, 1.0, 1.5, 2.0), fixed_alphas=True),
        Preset("squeezenet_1_0", "SqueezeNet 1.0", squeezenet_1_0, 224, 1000, min_resolution=64),
        Preset("squeezenet_1_1", "SqueezeNet 1.1", squeezenet_1_1, 224, 1000, min_resolution=64),
        Preset("ghostnet", "GhostNet", ghostnet, 224, 1000, (0.5, 1.0, 1.3)),
        Preset("mnasnet", "MnasNet-A1", mnasnet, 224, 1000, (0.5, 0.75, 1.0, 1.4)),
        Preset("efficientnet_lite0", "EfficientNet-Lite0", efficientnet_lite0, 224, 1000, (1.0,)),
        Preset(
            "text_rnn",
            "Text RNN (Embedding + LSTM)",
            text_rnn,
            100,
            2,
            min_resolution=1,
            max_resolution=4096,
            resolution_label="sequence length",
        ),
        Preset(
            "text_cnn",
            "Text CNN (Embedding + Conv1D)",
            text_cnn,
            100,
            2,
            min_resolution=5,
            max_resolution=4096,
            resolution_label="sequence length",
        ),
        Preset(
            "wave_cnn",
            "Waveform CNN (Conv1D)",
            wave_cnn,
            50,
            3,
            min_resolution=10,
            max_resolution=16000,
            resolution_label="sequence length",
        ),
    )
}


def get(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        raise DesignError(f"unknown preset {name!r}; valid presets: {', '.join(PRESETS)}") from None


def build(name: str, **options: Any) -> Design:
    """Build a preset by name with optional alpha, resolution, classes and groups."""
    return get(name).make(**options)
