"""Every preset at two widths/resolutions built from its generated code; MobileNets
against keras.applications block by block; FLOPs against TensorFlow's profiler."""

import pytest

from lightdesign.analysis.network import analyze
from lightdesign.core import presets

from .harness import assert_conforms, build, profiler_flops, weight_counts

CONFIGS = {
    "seed_cnn": [{}, {"resolution": 32, "classes": 5}],
    "mobilenet_v1": [{}, {"alpha": 0.5, "resolution": 128}],
    "mobilenet_v2": [{}, {"alpha": 0.35, "resolution": 96}],
    "mobilenet_v3_small": [{}, {"alpha": 0.75, "resolution": 160}],
    "mobilenet_v3_large": [{}, {"alpha": 0.75, "resolution": 96}],
    "shufflenet_v1": [{"groups": 3}, {"groups": 8, "alpha": 0.5, "resolution": 160}],
    "shufflenet_v2": [{}, {"alpha": 0.5, "resolution": 96}],
    "squeezenet_1_0": [{}, {"resolution": 129, "classes": 10}],
    "squeezenet_1_1": [{}, {"resolution": 96}],
    "ghostnet": [{}, {"alpha": 0.5, "resolution": 128}],
    "mnasnet": [{}, {"alpha": 0.5, "resolution": 96}],
    "efficientnet_lite0": [{}, {"resolution": 128, "classes": 10}],
    "text_rnn": [{}, {"resolution": 40, "classes": 4}],
    "text_cnn": [{}, {"resolution": 40, "classes": 4}],
    "wave_cnn": [{}, {"resolution": 64, "classes": 4}],
}
CASES = [(name, options) for name, configs in CONFIGS.items() for options in configs]
NO_PROFILE = {"shufflenet_v1": "grouped convolutions", "text_rnn": "recurrent loop"}


def test_every_preset_has_two_configurations():
    assert set(CONFIGS) == set(presets.PRESETS)


@pytest.mark.parametrize(("name", "options"), CASES, ids=[f"{n}-{i % 2}" for i, (n, _) in enumerate(CASES)])
def test_preset_generated_code_matches_analysis(name, options):
    design = presets.build(name, **options)
    model = build(design)
    result = assert_conforms(design, model)
    if name in NO_PROFILE or options == {} and name not in ("seed_cnn",):
        return  # profile the smaller configuration only, to keep the suite quick
    dtype = "int32" if design.input_kind == "tokens" else "float32"
    assert result.flops == pytest.approx(profiler_flops(model, design.input_shape, dtype), rel=0.02)


def _v1_block_end(i):
    return f"conv_pw_{i}_relu"


def _v2_block_end(model, i):
    prefix = "expanded_conv_" if i == 0 else f"block_{i}_"
    names = {layer.name for layer in model.layers}
    return f"{prefix}add" if f"{prefix}add" in names else f"{prefix}project_BN"


def _v3_block_end(model, i):
    prefix = "expanded_conv_" if i == 0 else f"expanded_conv_{i}_"
    names = {layer.name for layer in model.layers}
    return f"{prefix}add" if f"{prefix}add" in names else f"{prefix}project_bn"


APPLICATIONS = [
    ("mobilenet_v1", "MobileNet", 1.0, 224),
    ("mobilenet_v1", "MobileNet", 0.25, 128),
    ("mobilenet_v2", "MobileNetV2", 1.0, 224),
    ("mobilenet_v2", "MobileNetV2", 1.4, 96),
    ("mobilenet_v3_small", "MobileNetV3Small", 1.0, 224),
    ("mobilenet_v3_small", "MobileNetV3Small", 0.75, 96),
    ("mobilenet_v3_large", "MobileNetV3Large", 1.0, 224),
    ("mobilenet_v3_large", "MobileNetV3Large", 0.75, 160),
]


@pytest.mark.applications
@pytest.mark.parametrize(("name", "application", "alpha", "resolution"), APPLICATIONS)
def test_mobilenets_equal_keras_applications_block_by_block(keras, name, application, alpha, resolution):
    reference = getattr(keras.applications, application)(
        weights=None, alpha=alpha, input_shape=(resolution, resolution, 3)
    )
    result = analyze(presets.build(name, alpha=alpha, resolution=resolution))
    assert weight_counts(reference) == (result.params, result.trainable, result.non_trainable)
    assert tuple(reference.output.shape[1:]) == result.output_shape
    units = [b for b in result.blocks if b.kind in ("depthwise_separable", "inverted_residual")]
    for i, block in enumerate(units):
        if name == "mobilenet_v1":
            end = _v1_block_end(i + 1)
        elif name == "mobilenet_v2":
            end = _v2_block_end(reference, i)
        else:
            end = _v3_block_end(reference, i)
        assert tuple(reference.get_layer(end).output.shape[1:]) == block.shape, (block.name, end)
