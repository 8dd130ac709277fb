"""keras.applications models and every preset's generated code, saved as .keras, .h5 and
.tflite in a temporary folder and imported back: params equal to Keras's own count (TFLite:
the weights the file holds, BatchNorm folded into the convolutions, as TensorFlow Lite's own
interpreter reads them), the output shape right, and folding
recovers the presets' blocks."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest

from lightdesign.analysis.network import analyze
from lightdesign.core import presets
from lightdesign.importers import ModelFileError, import_file
from lightdesign.importers.fold import fold

pytestmark = pytest.mark.keras
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

APPLICATIONS = {
    "MobileNet": {},
    "MobileNetV2": {},
    "MobileNetV3Small": {"input_shape": (224, 224, 3)},
    "MobileNetV3Large": {"input_shape": (224, 224, 3)},
    "EfficientNetB0": {},
    "NASNetMobile": {},
}


def randomize(model) -> None:
    """Non-zero weights everywhere (positive variances): a zero bias would be dropped by the
    TFLite converter, and trained models have none."""
    rng = np.random.default_rng(0)
    for weight in model.weights:
        shape = tuple(weight.shape)
        values = rng.uniform(0.5, 1.5, shape) if "variance" in weight.path else rng.normal(0, 0.05, shape)
        weight.assign(values.astype(weight.dtype))


def tflite_params(path) -> int:
    """The parameters a .tflite file holds, read with TensorFlow Lite's own interpreter: the
    floating-point constants its operators read (BatchNorm folded into the convolutions'
    biases, zero biases included; scalars left out), counted at every use."""
    import tensorflow as tf

    interpreter = tf.lite.Interpreter(model_path=str(path))
    details = {t["index"]: t for t in interpreter.get_tensor_details()}
    ops = interpreter._get_ops_details()
    computed = {o for op in ops for o in op["outputs"]} | {t["index"] for t in interpreter.get_input_details()}
    return sum(
        int(np.prod(details[i]["shape"]))
        for op in ops
        for i in op["inputs"]
        if i >= 0
        and i not in computed
        and details[i]["dtype"] in (np.float32, np.float16)
        and np.prod(details[i]["shape"]) > 1
    )


def to_tflite(model, path) -> None:
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    path.write_bytes(converter.convert())


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """Each application built once (weights=None: nothing is downloaded), saved three ways."""
    import keras

    folder = tmp_path_factory.mktemp("applications")
    cache = {}

    def get(name):
        if name not in cache:
            model = getattr(keras.applications, name)(weights=None, **APPLICATIONS[name])
            randomize(model)
            paths = {ext: folder / f"{name}.{ext}" for ext in ("keras", "h5", "tflite")}
            model.save(paths["keras"])
            model.save(paths["h5"])
            to_tflite(model, paths["tflite"])
            cache[name] = (model.count_params(), tflite_params(paths["tflite"]), tuple(model.output.shape[1:]), paths)
            keras.backend.clear_session()
        return cache[name]

    return get


@pytest.mark.applications
@pytest.mark.parametrize("name", sorted(APPLICATIONS))
def test_applications_import_with_exact_params(saved, name):
    params, folded, output, paths = saved(name)
    for ext in ("keras", "h5"):
        result = import_file(paths[ext])
        figures = analyze(result.design)
        assert not figures.errors, (ext, figures.errors[:1])
        assert figures.params == params, ext
        assert figures.output_shape == output, ext
        assert result.weights, ext
    result = import_file(paths["tflite"])
    figures = analyze(result.design)
    assert not figures.errors
    assert figures.params == folded
    assert figures.output_shape == output


@pytest.mark.applications
def test_mobilenets_fold_into_their_blocks(saved):
    counts = {}
    for name in ("MobileNet", "MobileNetV2", "MobileNetV3Small"):
        result = import_file(saved(name)[3]["keras"], fold=True)
        counts[name] = result.folded
        assert analyze(result.design).params == saved(name)[0]
    assert counts["MobileNet"] == {"conv_bn": 1, "depthwise_separable": 13}
    assert counts["MobileNetV2"] == {"conv_bn": 2, "inverted_residual": 17}
    assert counts["MobileNetV3Small"] == {"conv_bn": 2, "inverted_residual": 11}


@pytest.mark.applications
def test_efficientnet_folds_its_mbconv_blocks_with_their_squeeze_excitation(saved):
    """EfficientNetB0's 16 MBConv blocks (SE on the expanded width, reduced to a quarter of
    the input width, swish inside, drop-connect before the add) fold into inverted residuals;
    the padded stem and the classifier stay as they are; Keras builds the folded design with
    the original's count."""
    from lightdesign.core import kinds
    from tests.keras.harness import assert_conforms, build

    params, _, output, paths = saved("EfficientNetB0")
    result = import_file(paths["keras"], fold=True)
    assert result.folded == {"inverted_residual": 16, "conv_bn": 1}
    figures = analyze(result.design)
    assert figures.params == params and figures.output_shape == output
    folded = [b for b in result.design.blocks if b.kind == "inverted_residual"]
    assert {(b.params["se_style"], b.params["se_ratio"], b.params["activation"]) for b in folded} == {
        ("efficientnet", 0.25, "swish")
    }
    assert [b.params["expansion"] for b in folded[:3]] == [1.0, 6.0, 6.0]
    assert [b.kind for b in result.design.blocks if not kinds.get(b.kind).composite] == [
        "Opaque",  # Rescaling
        "Opaque",  # Normalization
        "ZeroPadding2D",
        "Conv2D",
        "BatchNormalization",
        "Activation",
        "GlobalAveragePooling2D",
        "Dropout",
        "Dense",
    ]
    assert any(n.startswith("9 Dropout layer(s) inside folded blocks were left out") for n in result.notes)
    # without the opaque preprocessing (Normalization holds 3 means, 3 variances and a count)
    # the folded design builds in Keras, layer by layer as the analysis says
    trimmed = result.design.copy()
    trimmed.blocks = [b for b in trimmed.blocks if b.kind != "Opaque"]
    model = build(trimmed)
    assert model.count_params() == params - 7
    assert_conforms(trimmed, model)


def test_an_untrained_tflite_model_counts_the_zero_biases_its_file_stores(tmp_path):
    """Fresh BatchNorm folds to zero biases, and the converter gives the depthwise half of a
    separable conv a zero bias: the file stores them, so the count has them."""
    import keras

    inputs = keras.Input((16, 16, 3))
    x = keras.layers.Conv2D(8, 3, use_bias=False)(inputs)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.SeparableConv2D(12, 3)(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    model = keras.Model(inputs, keras.layers.Dense(4)(x))
    to_tflite(model, tmp_path / "fresh.tflite")
    result = import_file(tmp_path / "fresh.tflite")
    in_file = tflite_params(tmp_path / "fresh.tflite")
    assert analyze(result.design).params == in_file
    assert in_file > (8 * 27) + (8 * 9 + 8 * 12 + 12) + 12 * 4  # more than the weights the model had nonzero
    assert any("zeros included" in note for note in result.notes)


@pytest.mark.applications
def test_an_open_input_size_is_asked_for(tmp_path):
    import keras

    model = keras.applications.MobileNetV3Small(weights=None, input_shape=None, include_top=False)
    path = tmp_path / "open.keras"
    model.save(path)
    with pytest.raises(ModelFileError, match=r"the model input has no fixed shape \(\?, \?, 3\); give the input shape"):
        import_file(path)
    result = import_file(path, input_shape=(96, 96, 3))
    assert analyze(result.design).params == model.count_params()


def test_a_saved_lambda_layer_is_refused_by_name(tmp_path):
    import keras

    inputs = keras.Input((8, 8, 3))
    x = keras.layers.Conv2D(4, 3)(inputs)
    x = keras.layers.Lambda(lambda t: t * 2, name="doubler")(x)
    model = keras.Model(inputs, keras.layers.GlobalAveragePooling2D()(x))
    path = tmp_path / "lambda.keras"
    model.save(path)
    result = import_file(path)
    assert [(u.block, u.op) for u in result.unmapped] == [("doubler", "Lambda")]
    assert result.unmapped[0].reason.startswith("a Lambda layer holds Python code, which LightDesign never runs")
    assert analyze(result.design).params == model.count_params()


ROUND_TRIP = [name for name, p in presets.PRESETS.items()]


@pytest.mark.parametrize("name", ROUND_TRIP)
def test_every_preset_round_trips_through_keras(tmp_path, name):
    """preset -> generated code -> .keras -> import: the same analysis; the MobileNets fold
    back into the preset's blocks."""
    import keras

    from tests.keras.harness import build

    design = presets.build(name)
    model = build(design)
    path = tmp_path / f"{name}.keras"
    model.save(path)
    keras.backend.clear_session()
    result = import_file(path)
    assert not result.unmapped, result.unmapped[:2]
    before, after = analyze(design), analyze(result.design)
    assert (after.params, after.macs, after.flops, after.output_shape) == (
        before.params,
        before.macs,
        before.flops,
        before.output_shape,
    )
    if name.startswith("mobilenet"):
        folded, _ = fold(result.design)
        assert [b.kind for b in folded.blocks] == [b.kind for b in design.blocks]
        for mine, theirs in zip(folded.blocks, design.blocks, strict=True):
            for key, value in theirs.params.items():
                got = mine.params[key]
                assert got == value or isinstance(value, float) and math.isclose(got, value), (mine.name, key)


def test_a_converted_model_names_its_last_block_after_a_layer_not_a_function_call(tmp_path):
    """The converter names the model's output "StatefulPartitionedCall_1": the softmax that
    writes it is named after the layer it follows."""
    from tests.keras.harness import build

    path = tmp_path / "seed_cnn.tflite"
    to_tflite(build(presets.build("seed_cnn")), path)
    result = import_file(path)
    names = [b.name for b in result.design.blocks]
    assert names[-2:] == ["predictions", "predictions_softmax"], names
    assert not any("PartitionedCall" in name or name.startswith("Identity") for name in names)
    assert result.design.blocks[-1].params["activation"] == "softmax"
