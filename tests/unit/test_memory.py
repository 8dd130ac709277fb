"""Peak activation memory from tensor lifetimes, training memory and weight sizes."""

from lightdesign.analysis.network import analyze
from lightdesign.core import presets
from lightdesign.core.design import Design, new_block


def test_a_residual_branch_keeps_its_input_alive():
    # input, conv output and sum are 4*4*2 floats = 128 bytes each. With the residual the
    # input is still needed when the add runs: 3 * 128 live; without it at most 2 * 128.
    residual = Design(
        "r", (4, 4, 2), 2, [new_block("Conv2D", "a", filters=2, kernel_size=1), new_block("Add", "add", source="input")]
    )
    chain = Design(
        "c",
        (4, 4, 2),
        2,
        [new_block("Conv2D", "a", filters=2, kernel_size=1), new_block("Conv2D", "b", filters=2, kernel_size=1)],
    )
    assert analyze(residual).peak_activation_bytes == 384
    assert analyze(chain).peak_activation_bytes == 256
    assert analyze(residual).peak_activation_bytes_int8 == 96


def test_seed_cnn_peak_is_conv1_output_plus_its_pooled_copy():
    # conv1 output 26*26*32 floats and pool1 output 13*13*32 floats are live together.
    result = analyze(presets.build("seed_cnn"))
    assert result.peak_activation_bytes == 4 * (26 * 26 * 32 + 13 * 13 * 32)
    assert result.peak_at == "pool1"


def test_training_memory_adds_weights_gradients_slots_and_activations():
    result = analyze(presets.build("seed_cnn"), batch_size=32, optimizer="adam")
    t = result.training
    p = 225_034
    outputs = 26 * 26 * 32 + 13 * 13 * 32 + 11 * 11 * 64 + 5 * 5 * 64 + 1600 + 128 + 10
    assert (t.weights, t.gradients, t.optimizer_slots) == (4 * p, 4 * p, 8 * p)
    assert t.activations == 4 * 32 * outputs
    assert t.input_batch == 4 * 32 * 28 * 28
    assert t.total == t.weights + t.gradients + t.optimizer_slots + t.activations + t.input_batch
    sgd = analyze(presets.build("seed_cnn"), batch_size=32, optimizer="sgd").training
    assert sgd.optimizer_slots == 0 and sgd.total < t.total


def test_weight_bytes():
    result = analyze(presets.build("seed_cnn"))
    assert result.weight_bytes["fp32"] == 4 * 225_034
    assert result.weight_bytes["fp16"] == 2 * 225_034
    # int8: kernels 1 byte, biases 4 bytes, scale + zero point (12 bytes) per channel for
    # each quantized kernel and bias tensor.
    kernels = 288 + 18_432 + 204_800 + 1_280
    channels = 32 + 64 + 128 + 10
    assert result.weight_bytes["int8"] == kernels + 4 * channels + 2 * 12 * channels


def test_batchnorm_folds_into_the_int8_estimate():
    with_bn = Design(
        "b",
        (8, 8, 3),
        2,
        [new_block("Conv2D", "c", filters=4, kernel_size=3, use_bias=False), new_block("BatchNormalization", "bn")],
    )
    # 108 kernel bytes + 4 channels * (12 quant bytes) + folded bias 4 * (4 + 12)
    assert analyze(with_bn).weight_bytes["int8"] == 108 + 4 * 12 + 4 * 16


def test_rows_and_blocks_sum_to_totals_for_every_preset():
    for name in presets.PRESETS:
        result = analyze(presets.build(name))
        assert not result.errors, name
        for attr in ("trainable", "non_trainable", "macs", "flops"):
            total = getattr(result, attr)
            assert sum(getattr(r, attr) for r in result.rows) == total, (name, attr)
            assert sum(getattr(b, attr) for b in result.blocks) == total, (name, attr)
        assert sum(b.layers for b in result.blocks) == len(result.rows) - 1


# -- what the model contains ---------------------------------------------------------------


def _dead_block_example() -> Design:
    """A block that a later block bypasses by reading the model input: Keras drops it."""
    return Design(
        "bypass",
        (16, 16, 3),
        10,
        [
            new_block("Conv2D", "a", filters=64),
            new_block("Conv2D", "b", input="input", filters=8),
            new_block("GlobalAveragePooling2D", "pool"),
            new_block("Dense", "out", units=10),
        ],
    )


def test_a_block_that_feeds_nothing_is_left_out_of_every_figure():
    result = analyze(_dead_block_example())
    # Conv2D b: 3*3*3*8 + 8 = 224 params, 16*16*8*27 MACs; Dense: 8*10 + 10 params, 80 MACs.
    assert (result.params, result.macs) == (314, 55_376)
    # input (16*16*3) and b's output (16*16*8) floats live together.
    assert result.peak_activation_bytes == 11_264
    assert result.dead_blocks == [0]
    assert [b.name for b in result.blocks] == ["b", "pool", "out"]
    assert all(row.block != 0 for row in result.rows)
    assert result.training.activations == 4 * 32 * (16 * 16 * 8 + 8 + 10)
    warning = next(i for i in result.warnings if i.name == "a")
    assert warning.block == 1 and "feeds nothing and is not part of the model" in warning.text
    assert warning.text.startswith("Block 1 'a' (Conv2D)")
    data = result.to_dict()
    assert data["dead_blocks"] == ["a"] and data["params"] == 314


def test_a_block_is_dead_only_once_the_design_is_complete():
    design = _dead_block_example()
    design.blocks[2].params["keepdims"] = "yes"  # an error: the later blocks cannot be traced
    result = analyze(design)
    assert result.errors and result.dead_blocks == []
    assert not any("feeds nothing" in i.text for i in result.issues)


# -- int8 deployment (TFLite Micro) ----------------------------------------------------------------


def test_seed_cnn_int8_peak_is_the_tflite_micro_arena():
    # conv1's 26*26*32 int8 output and pool1's 13*13*32 share the arena while pool1 runs.
    result = analyze(presets.build("seed_cnn"))
    assert result.peak_activation_bytes_int8 == 27_040
    assert result.peak_at_int8 == "pool1"


def test_batchnorm_relu_and_same_padding_fuse_into_the_convolution():
    design = Design(
        "fused",
        (16, 16, 3),
        10,
        [
            new_block("ZeroPadding2D", "pad", top=0, bottom=1, left=0, right=1),
            new_block("Conv2D", "conv", filters=8, strides=2, padding="valid", use_bias=False),
            new_block("BatchNormalization", "bn"),
            new_block("Activation", "relu", activation="relu"),
            new_block("GlobalAveragePooling2D", "pool"),
            new_block("Dense", "out", units=10, activation="softmax"),
        ],
    )
    plan = analyze(design).deployment
    assert [op.kind for op in plan.ops] == ["CONV_2D", "MEAN", "FULLY_CONNECTED", "SOFTMAX"]
    assert plan.ops[0].activation == "relu" and plan.ops[0].padding == "same"
    # the input (768) and the conv output (8*8*8 = 512) are the largest pair alive
    assert plan.arena == 768 + 512


def test_unfused_layers_keep_buffers_of_their_own():
    design = Design(
        "unfused",
        (8, 8, 4),
        10,
        [
            new_block("Conv2D", "conv", filters=4, activation="relu"),
            new_block("BatchNormalization", "bn"),  # after a ReLU: a multiply and an add
            new_block("Activation", "swish", activation="swish"),  # logistic and multiply
            new_block("Flatten", "flat"),  # computes its shape at run time
        ],
    )
    kinds = [op.kind for op in analyze(design).deployment.ops]
    assert kinds == ["CONV_2D", "MUL", "ADD", "LOGISTIC", "MUL", "SHAPE", "STRIDED_SLICE", "PACK", "RESHAPE"]


def test_greedy_planner_reuses_memory_of_buffers_that_are_dead():
    from lightdesign.analysis.deployment import Buffer, greedy_arena

    # a (0-1) and c (2-3) never live together: c reuses a's offset; b sits above a.
    buffers = [Buffer("a", 100, 0, 1), Buffer("b", 50, 1, 2), Buffer("c", 90, 2, 3)]
    assert greedy_arena(buffers) == 112 + 64  # sizes rounded up to 16 bytes
    assert greedy_arena([Buffer("a", 100, 0, 0), Buffer("c", 90, 1, 1)]) == 112


def test_in_place_depthwise_is_the_lower_engine_dependent_figure():
    # MCUNetV2 reports 1,372 kB for MobileNetV2 at 224: the block_1 expansion (112*112*96)
    # with its input (112*112*16); its depthwise convolution then runs in place.
    result = analyze(presets.build("mobilenet_v2"))
    assert result.peak_activation_bytes_int8_in_place == 112 * 112 * (96 + 16) == 1372 * 1024
    assert result.peak_at_int8_in_place == "block_1_expand"
    # TFLite Micro keeps the depthwise input and output apart
    assert result.peak_activation_bytes_int8 == 112 * 112 * 96 + 56 * 56 * 96
    assert result.peak_at_int8 == "block_1_depthwise"


def test_timeline_holds_every_layer_with_the_peak_marked():
    result = analyze(presets.build("seed_cnn"))
    names = [step.name for step in result.timeline]
    assert names == [row.name for row in result.rows]
    assert max(step.fp32 for step in result.timeline) == result.peak_activation_bytes
    assert max(step.int8 for step in result.timeline) == result.deployment.peak
    top = max(result.timeline, key=lambda step: step.fp32)
    assert top.name == result.peak_at
