"""The int8 peak activation memory against the real TensorFlow Lite Micro interpreter: for
every preset at one configuration and for 30 random designs, the analysis's estimate is
within 3% of the activation part (the planner's "head") of the arena that the
``tflite-micro`` package's interpreter allocates for the fully quantized model."""

import functools

import pytest

from lightdesign.analysis import support
from lightdesign.analysis.network import analyze
from lightdesign.core import presets
from lightdesign.jobs import export, int8_scales, mcu

from .harness import assert_conforms, build
from .random_designs import random_design

pytest.importorskip("tflite_micro", reason="needs the tflite-micro package (requirements.txt)")

TOLERANCE = 0.03
CONFIGS = {
    "seed_cnn": {},
    "mobilenet_v1": {"alpha": 0.25, "resolution": 64},
    "mobilenet_v2": {"alpha": 0.35, "resolution": 64},
    "mobilenet_v3_small": {"alpha": 0.75, "resolution": 64},
    "mobilenet_v3_large": {"alpha": 0.75, "resolution": 64},
    "shufflenet_v1": {"groups": 3, "alpha": 0.5, "resolution": 64},
    "shufflenet_v2": {"alpha": 0.5, "resolution": 64},
    "squeezenet_1_0": {"resolution": 64, "classes": 10},
    "squeezenet_1_1": {"resolution": 64},
    "ghostnet": {"alpha": 0.5, "resolution": 64},
    "mnasnet": {"alpha": 0.5, "resolution": 64},
    "efficientnet_lite0": {"resolution": 64, "classes": 10},
    "text_rnn": {"resolution": 20, "classes": 4},
    "text_cnn": {"resolution": 40, "classes": 4},
    "wave_cnn": {"resolution": 64, "classes": 4},
}
RANDOM_SEEDS = range(32)  # two of them the converter leaves partly float (skipped): 30 compared
# An operation the converter could not quantize runs in float between DEQUANTIZE and
# QUANTIZE: not a fully quantized model, which is what the estimate describes.
FLOAT_FALLBACK = {"DEQUANTIZE"}


def int8_model(design) -> bytes:
    """The fully quantized model as the export writes it (converted once per design and test
    session): a softmax scale TFLite Micro would abort on (a deep design's untrained logits can
    be all but zero) widened."""
    return _converted(design.to_json())


@functools.cache
def _converted(design_json: str) -> bytes:
    import tensorflow as tf

    from lightdesign.core.design import from_json

    design = from_json(design_json)
    model = build(design)
    export.trained_like(model)
    samples, _ = export.representative_for(design.input_shape, vocabulary=50)
    return int8_scales.widened(export.convert(tf, model, True, samples[:16]))[0]


def operators(content: bytes) -> list[str]:
    import tensorflow as tf

    interpreter = tf.lite.Interpreter(model_content=content)
    return [op["op_name"] for op in interpreter._get_ops_details()]


def check(design) -> tuple[int, int]:
    result = analyze(design)
    content = int8_model(design)
    ops = operators(content)
    if FLOAT_FALLBACK & set(ops):
        pytest.skip(
            f"the converter left part of {design.name} in float ({', '.join(sorted(FLOAT_FALLBACK & set(ops)))})"
        )
    arena = export.micro_arena(content, result.peak_activation_bytes_int8)
    assert not arena.error, arena.error
    assert result.peak_activation_bytes_int8 == pytest.approx(arena.head, rel=TOLERANCE), (
        design.name,
        [op.kind for op in result.deployment.ops],
        ops,
    )
    return result.peak_activation_bytes_int8, arena.head


def test_every_preset_has_a_configuration():
    assert set(CONFIGS) == set(presets.PRESETS)


@pytest.mark.parametrize("name", list(CONFIGS))
def test_preset_int8_peak_matches_the_tflite_micro_arena(name):
    design = presets.build(name, **CONFIGS[name])
    if name == "text_rnn":
        # The LSTM has no int8 built-in lowering: the converter refuses, so no arena exists.
        with pytest.raises(Exception, match="(?i)tensor ?list|select tf ops|failed"):
            int8_model(design)
        assert not analyze(design).deployment.supported
        return
    assert analyze(design).deployment.supported
    check(design)


@pytest.mark.parametrize("name", [name for name in CONFIGS if name != "text_rnn"])
def test_preset_int8_file_holds_exactly_the_predicted_operators(name):
    """What the Export page states after an export: the converted file's operators (read from
    the file) against the ones the analysis predicts the converter makes."""
    design = presets.build(name, **CONFIGS[name])
    checked = support.check_converted(analyze(design), mcu.file_operators(int8_model(design)))
    assert checked.agrees, (
        sorted(set(checked.predicted) - set(checked.found)),
        sorted(set(checked.found) - set(checked.predicted)),
    )


@pytest.mark.parametrize("seed", RANDOM_SEEDS)
def test_random_design_int8_peak_matches_the_tflite_micro_arena(seed):
    design = random_design(seed)
    assert_conforms(design)  # the fp32 figures still equal Keras's own
    check(design)
