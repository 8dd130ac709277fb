"""Nested Keras models (a Sequential block, an applications backbone under a new head, a
Sequential inside a Sequential) import as their inner layers inline, from .keras, .h5 and
Keras JSON: params equal to ``count_params()``, the output shape right, names unique, and an
imported file's weights still reach every inner layer."""

from __future__ import annotations

import os

import numpy as np
import pytest

from lightdesign.analysis.network import analyze
from lightdesign.importers import import_file
from lightdesign.importers.fold import fold

pytestmark = pytest.mark.keras
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def conv_block(keras, filters, name):
    """The same inner names in every block: the second block's layers must be renamed."""
    layers = keras.layers
    return keras.Sequential(
        [
            layers.Conv2D(filters, 3, padding="same", use_bias=False, name="conv"),
            layers.BatchNormalization(name="bn"),
            layers.ReLU(name="relu"),
        ],
        name=name,
    )


def blocks_model(keras):
    """Two Sequential blocks with the same inner names, and an outer layer named like them."""
    inputs = keras.Input((16, 16, 3))
    x = conv_block(keras, 8, "block1")(inputs)
    x = conv_block(keras, 12, "block2")(x)
    x = keras.layers.Conv2D(6, 1, name="conv")(x)
    x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    return keras.Model(inputs, keras.layers.Dense(4, name="head")(x), name="blocks")


def backbone_model(keras):
    """MobileNetV2 without its top (weights=None: nothing downloaded) under a new head."""
    base = keras.applications.MobileNetV2(include_top=False, weights=None, input_shape=(96, 96, 3))
    inputs = keras.Input((96, 96, 3))
    x = base(inputs)
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    x = keras.layers.Dropout(0.2, name="drop")(x)
    return keras.Model(inputs, keras.layers.Dense(5, activation="softmax", name="new_head")(x), name="transfer")


def nested_sequential(keras):
    """A Sequential inside a Sequential inside a Sequential (on features: a design reads a
    one-axis input as tokens)."""
    layers = keras.layers
    inner = keras.Sequential([layers.Dense(6, name="a"), layers.Dense(5, name="b")], name="inner")
    middle = keras.Sequential([inner, layers.Dense(4, name="c")], name="middle")
    return keras.Sequential([keras.Input((3, 10)), middle, layers.Dense(2, name="out")], name="outer")


MODELS = {"blocks": blocks_model, "backbone": backbone_model, "sequential": nested_sequential}
NAMES = [pytest.param("backbone", marks=pytest.mark.applications), "blocks", "sequential"]  # sorted(MODELS)


def randomize(model) -> None:
    rng = np.random.default_rng(3)
    for weight in model.weights:
        shape = tuple(weight.shape)
        values = rng.uniform(0.5, 1.5, shape) if "variance" in weight.path else rng.normal(0, 0.3, shape)
        weight.assign(values.astype(weight.dtype))


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    import keras

    folder = tmp_path_factory.mktemp("nested")
    cache = {}

    def get(name):
        if name not in cache:
            model = MODELS[name](keras)
            randomize(model)
            paths = {ext: folder / f"{name}.{ext}" for ext in ("keras", "h5", "json")}
            model.save(paths["keras"])
            model.save(paths["h5"])
            paths["json"].write_text(model.to_json())
            cache[name] = (model, paths)
        return cache[name]

    return get


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("ext", ["keras", "h5", "json"])
def test_nested_models_import_inline_with_exact_params(saved, name, ext):
    model, paths = saved(name)
    result = import_file(paths[ext])
    figures = analyze(result.design)
    assert not figures.errors, figures.errors[:1]
    assert not result.unmapped, result.unmapped[:2]
    assert figures.params == model.count_params()
    assert figures.output_shape == tuple(model.output_shape[1:])
    kinds = {b.kind for b in result.design.blocks}
    assert "Opaque" not in kinds and len(result.design.blocks) >= 3
    if ext != "json":
        assert result.weights and set(result.weights) <= {b.name for b in result.design.blocks}


def test_inner_names_are_kept_unless_taken(saved):
    model, paths = saved("blocks")
    for ext in ("keras", "h5", "json"):
        names = [b.name for b in import_file(paths[ext]).design.blocks]
        # the outer 'conv' keeps its name; the first block's layers keep theirs unless the
        # outer model has them; the second block's take their block's name
        assert names == [
            "block1_conv",
            "bn",
            "relu",
            "block2_conv",
            "block2_bn",
            "block2_relu",
            "conv",
            "gap",
            "head",
        ], ext


@pytest.mark.applications
def test_the_backbone_keeps_its_layer_names_and_folds(saved):
    model, paths = saved("backbone")
    result = import_file(paths["keras"])
    names = [b.name for b in result.design.blocks]
    assert names[:3] == ["Conv1", "bn_Conv1", "Conv1_relu"] and names[-3:] == ["pool", "drop", "new_head"]
    assert result.weights["Conv1"] == [(3, 3, 3, 32)] and result.weights["new_head"] == [(1280, 5), (5,)]
    folded, counts = fold(result.design)
    assert counts == {"conv_bn": 2, "inverted_residual": 17}
    assert analyze(folded).params == model.count_params()


@pytest.mark.parametrize("name", ["blocks", "sequential"])
@pytest.mark.parametrize("ext", ["keras", "h5"])
def test_the_inner_layers_take_the_file_weights(saved, name, ext):
    """Every layer with weights, inner ones included, is copied from the file by name: the
    unchanged import predicts exactly as the original."""
    import keras

    from lightdesign.importers.weights import file_record, file_weights, keep_model_file
    from lightdesign.jobs import train
    from lightdesign.jobs.file_weights import copy_weights
    from lightdesign.jobs.specs import export_spec, new_work_dir

    model, paths = saved(name)
    path = paths[ext]
    result = import_file(path)
    kept = keep_model_file(path.read_bytes(), path.name)
    lent = file_weights(result.design, file_record(path.name, result.format, kept, result.weights), [kept.parent])
    assert lent.source is not None and lent.plan.unchanged
    assert all(mine == theirs for mine, theirs in lent.source.layers.items())
    built = train.build_model(export_spec(result.design, new_work_dir(), weights=lent.source).source)
    with_weights = sum(1 for layer in built.layers if layer.get_weights())
    assert copy_weights(keras, built, lent.source) == (with_weights, [])
    x = np.random.default_rng(0).normal(size=(4, *model.input_shape[1:])).astype(np.float32)
    np.testing.assert_allclose(built.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-4, atol=1e-4)


def test_a_nested_model_applied_twice_stays_opaque_with_its_reason(tmp_path):
    import keras

    shared = keras.Sequential([keras.layers.Dense(4, name="d")], name="shared")
    inputs = keras.Input((6,))
    x = shared(keras.layers.Dense(4, name="pre")(inputs))
    x = shared(x)
    model = keras.Model(inputs, keras.layers.Dense(2, name="post")(x))
    path = tmp_path / "twice.keras"
    model.save(path)
    result = import_file(path)
    assert [(u.block, u.op) for u in result.unmapped] == [("shared", "Sequential"), ("shared_2", "Sequential")]
    assert result.unmapped[0].reason == "a nested model applied 2 times (its layers share their weights)"
    figures = analyze(result.design)
    # the shared weights are counted at each use, as the note says
    assert figures.params == model.count_params() + 4 * 4 + 4
    assert any("applied several times" in note for note in result.notes)


def shared_then_block(keras):
    """``shared`` (holding ``conv``) applied twice stays opaque; ``blk`` (holding ``conv``
    too) applied once is expanded and its ``conv`` keeps its name: shared's inner layers
    are named nowhere."""
    layers = keras.layers

    def block(name):
        return keras.Sequential([layers.Conv2D(8, 3, padding="same", name="conv")], name=name)

    inputs = keras.Input((8, 8, 8))
    shared = block("shared")
    x = shared(shared(inputs))
    x = block("blk")(x)
    return keras.Model(inputs, layers.GlobalAveragePooling2D(name="gap")(x), name="outer")


@pytest.mark.parametrize("ext", ["keras", "h5"])
def test_the_worker_names_layers_as_the_importer_expanded_them(tmp_path, ext):
    """The worker walks into the nested models the importer expanded, no others: the
    design's ``conv`` (blk's) receives blk's weights, never those of the opaque ``shared``."""
    import keras

    from lightdesign.importers.weights import WeightsSource, plan
    from lightdesign.jobs.file_weights import file_weights

    model = shared_then_block(keras)
    randomize(model)
    path = tmp_path / f"shared.{ext}"
    model.save(path)
    result = import_file(path)
    assert [(b.name, b.kind) for b in result.design.blocks] == [
        ("shared", "Opaque"),
        ("shared_2", "Opaque"),
        ("conv", "Conv2D"),
        ("gap", "GlobalAveragePooling2D"),
    ]
    kept = plan(result.design, result.weights).kept
    assert kept == {"conv": "conv"}
    source = WeightsSource(path=str(path), format=ext, file_name=path.name, layers=kept)
    theirs = file_weights(keras, source)
    assert set(theirs) == {"conv"}
    mine = model.get_layer("blk").get_layer("conv").get_weights()
    assert all(np.array_equal(a, b) for a, b in zip(theirs["conv"], mine, strict=True))
