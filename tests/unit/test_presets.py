"""Preset totals against the reference implementations and the published figures."""

import pytest

from lightdesign.analysis.network import analyze
from lightdesign.core import edits, presets
from lightdesign.core.design import DesignError
from lightdesign.core.fields import MAX_UNITS

# keras.applications.*(weights=None).count_params() and its trainable split (Keras 3.15).
KERAS_APPLICATIONS = {
    ("mobilenet_v1", 1.0): (4_253_864, 4_231_976, 21_888),
    ("mobilenet_v2", 1.0): (3_538_984, 3_504_872, 34_112),
    ("mobilenet_v3_small", 1.0): (2_554_968, 2_542_856, 12_112),
    ("mobilenet_v3_large", 1.0): (5_507_432, 5_483_032, 24_400),
}

# torchvision's trainable parameters (it counts BatchNorm scale and offset, not the
# moving statistics).
TORCHVISION_TRAINABLE = {
    ("shufflenet_v2", 0.5): 1_366_792,
    ("shufflenet_v2", 1.0): 2_278_604,
    ("shufflenet_v2", 1.5): 3_503_624,
    ("shufflenet_v2", 2.0): 7_393_996,
    ("squeezenet_1_0", None): 1_248_424,
    ("squeezenet_1_1", None): 1_235_496,
}

# Published figures: (preset, options, params or None, multiply-adds, source).
PUBLISHED = [
    ("mobilenet_v1", {}, 4.2e6, 569e6, "MobileNet paper, Table 8"),
    # The paper's 3.4M params predate the Keras reference (3.50M), which is matched exactly above.
    ("mobilenet_v2", {}, None, 300e6, "MobileNetV2 paper, Table 4"),
    ("mobilenet_v3_large", {}, 5.4e6, 219e6, "MobileNetV3 paper, Table 3"),
    ("mobilenet_v3_small", {}, 2.5e6, 56e6, "MobileNetV3 paper, Table 4"),
    ("shufflenet_v1", {"groups": 3}, 1.9e6, 138e6, "Megvii ShuffleNet-Series README, 1.0x g3"),
    ("shufflenet_v1", {"groups": 8}, 2.4e6, 138e6, "Megvii ShuffleNet-Series README, 1.0x g8"),
    ("shufflenet_v1", {"groups": 3, "alpha": 0.5}, 0.7e6, 38e6, "Megvii README, 0.5x g3"),
    ("shufflenet_v1", {"groups": 8, "alpha": 2.0}, 6.5e6, 522e6, "Megvii README, 2.0x g8"),
    ("shufflenet_v2", {"alpha": 0.5}, None, 41e6, "ShuffleNetV2 paper, Table 5"),
    ("shufflenet_v2", {"alpha": 1.0}, None, 146e6, "ShuffleNetV2 paper, Table 5"),
    ("shufflenet_v2", {"alpha": 1.5}, None, 299e6, "ShuffleNetV2 paper, Table 5"),
    ("shufflenet_v2", {"alpha": 2.0}, None, 591e6, "ShuffleNetV2 paper, Table 5"),
    ("squeezenet_1_0", {}, None, 0.82e9, "torchvision model table (GFLOPS column, counted as MACs)"),
    ("squeezenet_1_1", {}, None, 0.35e9, "torchvision model table"),
    ("ghostnet", {}, 5.2e6, 141e6, "GhostNet paper, Table 7"),
    ("mnasnet", {}, 3.9e6, 312e6, "MnasNet paper, Table 1 (A1)"),
    ("efficientnet_lite0", {}, 4.65e6, 385e6, "EfficientNet-Lite0 reproductions (timm, d-li14)"),
]


@pytest.mark.parametrize(("key", "expected"), KERAS_APPLICATIONS.items(), ids=lambda v: str(v))
def test_mobilenets_equal_keras_applications(key, expected):
    name, alpha = key
    result = analyze(presets.build(name, alpha=alpha))
    assert (result.params, result.trainable, result.non_trainable) == expected
    assert result.output_shape == (1000,)


@pytest.mark.parametrize(("key", "expected"), TORCHVISION_TRAINABLE.items(), ids=lambda v: str(v))
def test_trainable_params_equal_torchvision(key, expected):
    name, alpha = key
    options = {"alpha": alpha} if alpha else {}
    assert analyze(presets.build(name, **options)).trainable == expected


@pytest.mark.parametrize(
    ("name", "options", "params", "macs", "source"), PUBLISHED, ids=[f"{p[0]}{p[1]}" for p in PUBLISHED]
)
def test_published_figures_within_3_percent(name, options, params, macs, source):
    result = analyze(presets.build(name, **options))
    assert result.macs == pytest.approx(macs, rel=0.03), source
    if params:
        assert result.trainable == pytest.approx(params, rel=0.03), source


def test_seed_cnn_is_the_articles_network():
    result = analyze(presets.build("seed_cnn"))
    assert [b.shape for b in result.blocks] == [
        (26, 26, 32),
        (13, 13, 32),
        (11, 11, 64),
        (5, 5, 64),
        (1600,),
        (128,),
        (10,),
    ]
    assert result.params == 225_034
    assert result.issues == []


def test_squeezenet_reproduces_ceil_mode_pooling():
    # torchvision pools 109 -> 54 -> 27 -> 13 with ceil_mode=True; floor would give 26 then 12.
    result = analyze(presets.build("squeezenet_1_0"))
    pools = [b.shape[0] for b in result.blocks if b.kind == "MaxPooling2D"]
    assert pools == [54, 27, 13]


def test_presets_scale_with_alpha_resolution_and_classes():
    small = analyze(presets.build("mobilenet_v2", alpha=0.5, resolution=128, classes=10))
    assert small.output_shape == (10,)
    assert small.blocks[0].shape == (64, 64, 16)
    assert small.macs < analyze(presets.build("mobilenet_v2")).macs / 5
    assert analyze(presets.build("text_rnn", resolution=50, classes=4)).output_shape == (4,)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"alpha": 0.3}, "shufflenet_v2: alpha must be one of 0.5, 1, 1.5, 2"),
        ({"resolution": 8}, "shufflenet_v2: resolution 8 is out of range; use 32 to 1024"),
        ({"classes": 0}, "classes=0 is out of range; use 1 to 65536"),
        ({"groups": 3}, "shufflenet_v2: groups must be one of none (only shufflenet_v1 has groups)"),
    ],
)
def test_bad_preset_options(options, message):
    with pytest.raises(DesignError) as info:
        presets.build("shufflenet_v2", **options)
    assert str(info.value) == message


def test_unknown_preset():
    with pytest.raises(DesignError, match="unknown preset 'resnet50'; valid presets: seed_cnn, mobilenet_v1"):
        presets.build("resnet50")


FREE_WIDTH = [name for name, p in presets.PRESETS.items() if p.alphas and not p.fixed_alphas]


@pytest.mark.parametrize("name", FREE_WIDTH)
def test_every_preset_builds_a_valid_design_across_the_width_range(name):
    for alpha in (edits.MIN_WIDTH, edits.MAX_WIDTH):
        result = analyze(presets.build(name, alpha=alpha))
        assert not result.errors, (name, alpha, result.errors[0].text)
        assert not analyze(edits.scale_width(presets.build(name), alpha)).errors, (name, alpha)


@pytest.mark.parametrize("alpha", [edits.MIN_WIDTH / 2, edits.MAX_WIDTH * 1.5])
def test_one_width_range_for_presets_and_the_width_edit(alpha):
    message = f"width multiplier alpha={alpha:g} is out of range; use 0.05 to 8"
    with pytest.raises(DesignError) as built:
        presets.build("mobilenet_v2", alpha=alpha)
    with pytest.raises(DesignError) as scaled:
        edits.scale_width(presets.build("mobilenet_v2"), alpha)
    assert str(built.value) == str(scaled.value) == message


def test_presets_with_tabulated_widths_declare_fixed_alphas():
    assert {name for name, p in presets.PRESETS.items() if p.fixed_alphas} == {"shufflenet_v1", "shufflenet_v2"}
    for name in ("shufflenet_v1", "shufflenet_v2"):
        with pytest.raises(DesignError, match="alpha must be one of 0.5, 1, 1.5, 2"):
            presets.build(name, alpha=0.75)
    assert presets.build("mobilenet_v2", alpha=0.6).name == "mobilenet_v2_0.6_224"  # free widths


def test_class_limit_is_the_units_limit():
    with pytest.raises(DesignError, match=f"use 1 to {MAX_UNITS}"):
        presets.build("seed_cnn", classes=MAX_UNITS + 1)
    assert presets.build("seed_cnn", classes=MAX_UNITS).num_classes == MAX_UNITS
