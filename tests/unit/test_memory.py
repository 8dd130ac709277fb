"""Peak activation memory from tensor lifetimes, training memory and weight sizes."""

from lightdesign import presets
from lightdesign.analysis import analyze
from lightdesign.design import Design, new_block


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
