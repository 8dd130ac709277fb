"""Shape and cost formulas of each primitive kind against hand-computed values."""

import pytest

from lightdesign.analysis.network import analyze
from lightdesign.core.design import Design, new_block

# (input shape, kind, params, expected output shape, trainable, non-trainable, MACs)
# Each expectation is worked out by hand in the comment beside it.
CASES = [
    # 3*3*1*32 weights + 32 biases; 26*26*32 outputs x 9 taps
    ((28, 28, 1), "Conv2D", dict(filters=32, kernel_size=3, padding="valid"), (26, 26, 32), 320, 0, 194_688),
    # same padding, stride 2: ceil(7/2) = 4; 3*3*3*8 + 8
    ((7, 7, 3), "Conv2D", dict(filters=8, kernel_size=3, strides=2, padding="same"), (4, 4, 8), 224, 0, 4 * 4 * 8 * 27),
    # dilation 2 makes a 3x3 kernel span 5: 10 - 5 + 1 = 6
    (
        (10, 10, 4),
        "Conv2D",
        dict(filters=2, kernel_size=3, padding="valid", dilation_rate=2),
        (6, 6, 2),
        74,
        0,
        36 * 2 * 36,
    ),
    # 4 groups: each output sees 16/4 inputs; 4*8 + 8 bias
    ((8, 8, 16), "Conv2D", dict(filters=8, kernel_size=1, groups=4), (8, 8, 8), 40, 0, 64 * 8 * 4),
    # depthwise, multiplier 2: 9*32 + 32 bias; 64 pixels * 32 channels * 9 taps
    ((8, 8, 16), "DepthwiseConv2D", dict(kernel_size=3, depth_multiplier=2), (8, 8, 32), 320, 0, 18_432),
    # separable: 9*16 depthwise + 16*8 pointwise + 8 bias; 36 pixels * 16 * (9 + 8)
    ((8, 8, 16), "SeparableConv2D", dict(filters=8, kernel_size=3, padding="valid"), (6, 6, 8), 280, 0, 9_792),
    # Conv1D: 3*4*8 + 8; 8 steps * 8 filters * 12
    ((10, 4), "Conv1D", dict(filters=8, kernel_size=3, padding="valid"), (8, 8), 104, 0, 768),
    # causal with stride 2 keeps ceil(10 / 2) steps
    ((10, 4), "Conv1D", dict(filters=8, kernel_size=3, strides=2, padding="causal"), (5, 8), 104, 0, 5 * 8 * 12),
    ((5,), "Dense", dict(units=3), (3,), 18, 0, 15),
    # Dense on a sequence acts per step: 4 steps * 6 * 3 MACs
    ((4, 6), "Dense", dict(units=3), (4, 3), 21, 0, 72),
    ((4, 4, 8), "BatchNormalization", {}, (4, 4, 8), 16, 16, 0),
    ((4, 4, 8), "BatchNormalization", dict(center=False), (4, 4, 8), 8, 16, 0),
    ((5, 5, 3), "MaxPooling2D", dict(pool_size=2, strides=2, padding="valid"), (2, 2, 3), 0, 0, 0),
    ((5, 5, 3), "MaxPooling2D", dict(pool_size=2, strides=2, padding="same"), (3, 3, 3), 0, 0, 0),
    ((7, 7, 1), "AveragePooling2D", dict(pool_size=3, strides=2, padding="same"), (4, 4, 1), 0, 0, 0),
    ((9, 4), "MaxPooling1D", dict(pool_size=2, strides=2), (4, 4), 0, 0, 0),
    ((7, 7, 16), "GlobalAveragePooling2D", {}, (16,), 0, 0, 0),
    ((7, 7, 16), "GlobalAveragePooling2D", dict(keepdims=True), (1, 1, 16), 0, 0, 0),
    ((9, 5), "GlobalMaxPooling1D", {}, (5,), 0, 0, 0),
    ((5, 5, 64), "Flatten", {}, (1600,), 0, 0, 0),
    ((28, 28), "Reshape", dict(target_shape=[-1]), (784,), 0, 0, 0),
    ((784,), "Reshape", dict(target_shape=[28, -1]), (28, 28), 0, 0, 0),
    ((5, 5, 3), "ZeroPadding2D", dict(top=1, bottom=2, left=0, right=3), (8, 8, 3), 0, 0, 0),
    ((4, 4, 8), "ChannelSplit", dict(parts=2, index=1), (4, 4, 4), 0, 0, 0),
    ((4, 4, 6), "ChannelShuffle", dict(groups=3), (4, 4, 6), 0, 0, 0),
    ((4, 4, 6), "Activation", dict(activation="hard_swish"), (4, 4, 6), 0, 0, 0),
    ((4, 4, 6), "Dropout", dict(rate=0.5), (4, 4, 6), 0, 0, 0),
    ((20,), "Embedding", dict(input_dim=100, output_dim=8), (20, 8), 800, 0, 0),
    # LSTM: 4 gates * 16 units * (8 inputs + 16 recurrent + 1 bias); 10 steps * 4 * 16 * 24 MACs
    ((10, 8), "LSTM", dict(units=16), (16,), 1_600, 0, 15_360),
    ((10, 8), "LSTM", dict(units=16, bidirectional=True, return_sequences=True), (10, 32), 3_200, 0, 30_720),
    # GRU (reset_after): 3 gates * 16 * (8 + 16 + 2 biases)
    ((10, 8), "GRU", dict(units=16), (16,), 1_248, 0, 10 * 3 * 16 * 24),
    ((10, 8), "SimpleRNN", dict(units=16, return_sequences=True), (10, 16), 400, 0, 10 * 16 * 24),
]


def single(input_shape, kind, params):
    return Design("case", input_shape, 10, [new_block(kind, "layer", **params)])


@pytest.mark.parametrize(
    ("input_shape", "kind", "params", "shape", "trainable", "non_trainable", "macs"),
    CASES,
    ids=[f"{c[1]}-{i}" for i, c in enumerate(CASES)],
)
def test_primitive_shape_and_cost(input_shape, kind, params, shape, trainable, non_trainable, macs):
    result = analyze(single(input_shape, kind, params))
    assert not result.errors, result.errors
    (row,) = [r for r in result.rows if r.name == "layer"]
    assert row.shape == shape
    assert (row.trainable, row.non_trainable, row.macs) == (trainable, non_trainable, macs)


def test_merges_take_the_named_source():
    design = Design(
        "merge",
        (4, 4, 3),
        10,
        [
            new_block("Conv2D", "a", filters=5, kernel_size=1),
            new_block("Concatenate", "cat", source="input"),
            new_block("Conv2D", "b", filters=8, kernel_size=1),
            new_block("Add", "add", source="cat"),
            new_block("Multiply", "mul", source="add", input="b"),
        ],
    )
    result = analyze(design)
    assert not result.errors
    shapes = {b.name: b.shape for b in result.blocks}
    assert shapes == {"a": (4, 4, 5), "cat": (4, 4, 8), "b": (4, 4, 8), "add": (4, 4, 8), "mul": (4, 4, 8)}


def test_multiply_broadcasts_a_squeezed_gate():
    design = Design(
        "se",
        (6, 6, 4),
        10,
        [
            new_block("GlobalAveragePooling2D", "pool", keepdims=True),
            new_block("Multiply", "scale", source="input"),
        ],
    )
    result = analyze(design)
    assert result.blocks[-1].shape == (6, 6, 4)


def test_flops_follow_the_profiler_convention_for_a_conv_with_bias_and_softmax():
    # 2 FLOPs per MAC, one per bias add and five per softmax element (TensorFlow's profiler).
    result = analyze(
        single((8, 8, 16), "Conv2D", dict(filters=8, kernel_size=3, padding="valid", activation="softmax"))
    )
    row = result.rows[-1]
    assert row.flops == 2 * 41_472 + 288 + 5 * 288


@pytest.mark.parametrize(("scale", "per_channel"), [(True, 6), (False, 5)])
def test_batchnorm_flops_count_the_gamma_multiply_only_when_scaled(scale, per_channel):
    # x * inv + shift: 2 per element; per channel variance + eps, rsqrt, mean * inv, beta - it,
    # and inv * gamma only when there is a gamma.
    result = analyze(single((6, 6, 4), "BatchNormalization", dict(scale=scale)))
    assert result.rows[-1].flops == 2 * 6 * 6 * 4 + per_channel * 4
