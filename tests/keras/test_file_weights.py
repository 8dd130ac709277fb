"""An imported model file's weights, carried through the real job functions: the unchanged
import predicts exactly as the original, training fine-tunes from it, export writes it as
TFLite int8 in one step, and an edited design keeps the weights of the layers it kept."""

import threading

import numpy as np
import pytest

from lightdesign import config
from lightdesign.data import builtin
from lightdesign.importers import import_file
from lightdesign.importers.weights import MODELS_DIR, file_record, file_weights, keep_model_file
from lightdesign.jobs import export, train
from lightdesign.jobs.file_weights import copy_weights
from lightdesign.jobs.messages import Finished, ModelFormat, TrainSettings
from lightdesign.jobs.specs import dataset_for_job, export_spec, new_work_dir, train_spec


def small_model(keras):
    """A small CNN on 8x8 digits whose weights are all non-random, non-initial values."""
    layers = keras.layers
    inputs = keras.Input((8, 8, 1))
    x = layers.Conv2D(8, 3, padding="same", name="c1")(inputs)
    x = layers.BatchNormalization(name="bn1")(x)
    x = layers.ReLU(name="r1")(x)
    x = layers.DepthwiseConv2D(3, padding="same", name="dw")(x)
    x = layers.BatchNormalization(name="bn2")(x)
    x = layers.ReLU(name="r2")(x)
    x = layers.Conv2D(16, 1, name="pw")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    outputs = layers.Dense(10, activation="softmax", name="head")(x)
    model = keras.Model(inputs, outputs, name="small")
    rng = np.random.default_rng(7)
    for layer in model.layers:
        values = layer.get_weights()
        if "bn" in layer.name:  # gamma, beta, moving mean, moving variance (positive)
            values = [
                rng.uniform(0.5, 1.5, v.shape) if i in (0, 3) else rng.normal(0, 0.2, v.shape)
                for i, v in enumerate(values)
            ]
        else:
            values = [rng.normal(0, 0.5, v.shape) for v in values]
        layer.set_weights([v.astype(np.float32) for v in values])
    return model


@pytest.fixture(scope="module")
def original(keras, tmp_path_factory):
    model = small_model(keras)
    path = tmp_path_factory.mktemp("file_weights") / "small.keras"
    model.save(path)
    return model, path


def owned() -> list:
    """The folder the app lends weights from: the work folder's kept model files."""
    return [config.work_dir() / MODELS_DIR]


def imported(path, fold=False):
    result = import_file(path, fold=fold)
    kept = keep_model_file(path.read_bytes(), path.name)
    return result.design, file_record(path.name, result.format, kept, result.weights)


def test_the_unchanged_import_predicts_as_the_original(keras, original):
    model, path = original
    design, record = imported(path)
    lent = file_weights(design, record, owned())
    assert lent.source is not None and lent.plan.unchanged
    assert set(lent.source.layers) == {"c1", "bn1", "dw", "bn2", "pw", "head"}
    spec = train_spec(
        design, dataset_for_job(builtin.digits(8), new_work_dir()), TrainSettings(), new_work_dir(), lent.source
    )
    built = train.build_model(spec.source)
    assert copy_weights(keras, built, spec.weights) == (6, [])
    x = builtin.digits(8).x_test[:32]
    np.testing.assert_allclose(built.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-5)


def test_fine_tuning_starts_from_the_file_weights(keras, original):
    model, path = original
    design, record = imported(path)
    work = new_work_dir()
    settings = TrainSettings(epochs=1, batch_size=64, learning_rate=1e-5, max_samples=512)
    spec = train_spec(
        design, dataset_for_job(builtin.digits(8), work), settings, work, file_weights(design, record, owned()).source
    )
    events = []
    train.run(spec, events.append, threading.Event())
    assert isinstance(events[-1], Finished), events[-1]
    result = events[-1].result
    assert "started from the weights of small.keras (all 6 layers with weights)" in result.notes
    trained = keras.models.load_model(result.model_path, safe_mode=True)
    kernel = model.get_layer("c1").get_weights()[0]
    # a few steps at a tiny learning rate: close to the file's kernel, far from a new one
    assert np.abs(trained.get_layer("c1").get_weights()[0] - kernel).max() < 0.01
    assert np.abs(kernel).mean() > 0.2


def test_export_writes_the_file_weights_as_int8_in_one_step(keras, original):
    model, path = original
    design, record = imported(path)
    events = []
    spec = export_spec(design, new_work_dir(), latency_runs=2, weights=file_weights(design, record, owned()).source)
    export.run(spec, events.append, threading.Event())
    assert isinstance(events[-1], Finished), events[-1]
    out = events[-1].result
    assert out.weights == "the weights of small.keras (all 6 layers with weights)"
    x = builtin.digits(8).x_test[:64]
    expected = model.predict(x, verbose=0)
    reloaded = keras.models.load_model(out.files[ModelFormat.KERAS].path, safe_mode=True)
    np.testing.assert_allclose(reloaded.predict(x, verbose=0), expected, atol=1e-5)
    import tensorflow as tf

    interpreter = tf.lite.Interpreter(model_path=out.files[ModelFormat.TFLITE_INT8].path)
    interpreter.allocate_tensors()
    (inp,), (outp,) = interpreter.get_input_details(), interpreter.get_output_details()
    in_scale, in_zero = inp["quantization"]
    out_scale, out_zero = outp["quantization"]
    got = []
    for sample in x:
        q = np.clip(np.round(sample[None] / in_scale + in_zero), -128, 127).astype(np.int8)
        interpreter.set_tensor(inp["index"], q)
        interpreter.invoke()
        got.append((interpreter.get_tensor(outp["index"]).astype(np.float32) - out_zero) * out_scale)
    got = np.concatenate(got)
    # int8 quantization tolerance: a few output steps, and the same class almost everywhere
    assert np.abs(got - expected).max() < 0.1
    assert (got.argmax(-1) == expected.argmax(-1)).mean() >= 0.9


def test_an_edited_design_keeps_the_weights_of_the_layers_it_kept(keras, original):
    model, path = original
    design, record = imported(path)
    design.block_named("pw").params["filters"] = 12  # pw and head change shape
    lent = file_weights(design, record, owned())
    assert lent.plan.fresh == ["pw", "head"]
    spec = export_spec(design, new_work_dir(), weights=lent.source)
    built = train.build_model(spec.source)
    copied, refused = copy_weights(keras, built, spec.weights)
    assert (copied, refused) == (4, [])
    for name in ("c1", "bn1", "dw", "bn2"):
        for mine, theirs in zip(built.get_layer(name).get_weights(), model.get_layer(name).get_weights(), strict=True):
            np.testing.assert_array_equal(mine, theirs)


def test_a_legacy_h5_file_lends_its_weights(keras, original, tmp_path):
    model, _ = original
    path = tmp_path / "small.h5"
    model.save(path)
    design, record = imported(path)
    lent = file_weights(design, record, owned())
    assert lent.source is not None and lent.plan.unchanged and lent.source.format == "h5"
    built = train.build_model(export_spec(design, new_work_dir(), weights=lent.source).source)
    assert copy_weights(keras, built, lent.source) == (6, [])
    x = builtin.digits(8).x_test[:16]
    np.testing.assert_allclose(built.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-5)
