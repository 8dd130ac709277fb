"""An imported file's weights in the job specs (pure Python, no TensorFlow): the typed
``WeightsSource`` crosses the process boundary, the specs carry it, and the app decides
whether a design's imported file lends it weights and which layers keep them."""

import json

import pytest

from lightdesign import config
from lightdesign.core import presets
from lightdesign.core.design import DesignError
from lightdesign.importers import import_bytes
from lightdesign.importers.weights import file_record, file_weights, keep_model_file, layer_sizes
from lightdesign.jobs import messages as m
from lightdesign.jobs.specs import export_spec, keras_dataset, train_spec
from tests.importers import onnx_models

SOURCE = m.WeightsSource(
    path="/data/models/abc/small.keras",
    format="keras",
    file_name="small.keras",
    layers={"c1": "c1", "block_1_expand": "conv2d_3"},
    fresh=("head",),
)


def roundtrip(message):
    return type(message).from_dict(json.loads(json.dumps(message.to_dict())))


def test_the_weights_source_crosses_the_process_boundary_in_both_specs(tmp_path):
    design = presets.build("seed_cnn")
    spec = train_spec(design, keras_dataset("mnist"), m.TrainSettings(), tmp_path, SOURCE)
    assert spec.weights == SOURCE and roundtrip(spec) == spec
    assert roundtrip(spec).weights.layers == {"c1": "c1", "block_1_expand": "conv2d_3"}
    assert not SOURCE.unchanged and m.WeightsSource(path="p", format="h5", file_name="f", layers={}).unchanged
    exported = export_spec(design, tmp_path, weights=SOURCE)
    assert exported.weights == SOURCE and roundtrip(exported) == exported


def test_specs_without_a_file_have_no_weights_source(tmp_path):
    design = presets.build("seed_cnn")
    assert train_spec(design, keras_dataset("mnist"), m.TrainSettings(), tmp_path).weights is None
    assert export_spec(design, tmp_path).weights is None
    old = train_spec(design, keras_dataset("mnist"), m.TrainSettings(), tmp_path).to_dict()
    del old["weights"]  # a spec written before the field still loads
    assert m.TrainSpec.from_dict(old).weights is None


def trained_run(model_path):
    return m.RunRecord(
        job="j",
        dataset="digits",
        epochs=1,
        batch_size=32,
        optimizer="adam",
        learning_rate=0.001,
        seed=0,
        test_accuracy=0.5,
        test_loss=1.0,
        seconds=1.0,
        samples_per_s=10.0,
        model_path=str(model_path),
        finished=0.0,
        analysis={},
    )


def test_a_trained_run_wins_over_the_file_weights(tmp_path):
    run = trained_run(tmp_path / "trained.keras")
    (tmp_path / "trained.keras").write_bytes(b"trained")
    spec = export_spec(presets.build("seed_cnn"), tmp_path, run, weights=SOURCE, owned=[tmp_path])
    assert spec.model_path == run.model_path and spec.weights is None


def test_a_run_whose_model_the_workspace_does_not_own_is_not_exported(tmp_path, monkeypatch):
    mine, theirs = tmp_path / "jobs" / "mine", tmp_path / "jobs" / "theirs"
    for folder in (mine, theirs):
        folder.mkdir(parents=True)
        (folder / "trained.keras").write_bytes(b"trained")
        (folder / "data.npz").write_bytes(b"")
    monkeypatch.chdir(mine)
    for path in (theirs / "trained.keras", "../theirs/trained.keras", "trained.keras", mine / "gone.keras"):
        with pytest.raises(DesignError, match="gone or is not one of this workspace's files"):
            export_spec(presets.build("seed_cnn"), tmp_path / "out", trained_run(path), owned=[mine])
    spec = export_spec(presets.build("seed_cnn"), tmp_path / "out", trained_run(mine / "trained.keras"), owned=[mine])
    assert spec.representative.path == str(mine.resolve() / "data.npz")


def test_a_record_naming_a_file_the_workspace_does_not_own_lends_nothing(monkeypatch):
    design, weights = _residual()
    mine = keep_model_file(b"mine", "base.keras")
    theirs = keep_model_file(b"another workspace's weights", "base.keras")
    monkeypatch.chdir(mine.parent)
    for path in (str(theirs), f"../{theirs.parent.name}/base.keras", "base.keras", "../../../../etc/passwd"):
        record = {**file_record("base.keras", "keras", None, weights), "path": path}
        assert file_weights(design, record, [mine.parent]).reason == "missing"
    record = file_record("base.keras", "keras", mine, weights)
    assert file_weights(design, record, [mine.parent]).source.path == str(mine.resolve())


def _residual():
    result = import_bytes(onnx_models.residual(), "res.onnx")
    weights = {name: [(size,) for size in sizes] for name, sizes in layer_sizes(result.design)}
    return result.design, weights


def test_a_kept_keras_file_lends_every_layer_while_the_design_is_unchanged():
    design, weights = _residual()
    path = keep_model_file(b"not read here", "my model!.keras")
    assert path.parent.parent == config.work_dir() / "models" and path.name == "my_model_.keras"
    lent = file_weights(design, file_record("my model!.keras", "keras", path, weights), [path.parent])
    assert lent.reason == "" and lent.plan.unchanged
    assert lent.source.layers == {name: name for name in weights} and lent.source.fresh == ()
    assert lent.source.path == str(path) and lent.source.file_name == "my model!.keras"


def test_an_edited_design_names_the_layers_that_start_fresh():
    design, weights = _residual()
    path = keep_model_file(b"x", "res.keras")
    edited = design.copy()
    edited.block_named("head").params["units"] = 7
    lent = file_weights(edited, file_record("res.keras", "keras", path, weights), [path.parent])
    assert lent.source.fresh == ("head",) and "head" not in lent.source.layers
    assert lent.plan.kept.keys() == weights.keys() - {"head"}


def test_why_a_file_lends_no_weights():
    design, weights = _residual()
    models = [config.work_dir() / "models"]
    assert file_weights(design, None, models) is None
    assert file_weights(design, file_record("res.onnx", "onnx", None, None), models).reason == "no_weights"
    assert file_weights(design, file_record("m.tflite", "tflite", None, None), models).reason == "no_weights"
    assert file_weights(design, file_record("m.json", "json", None, None), models).reason == "no_weights"
    assert file_weights(design, file_record("m.pt", "torch", None, weights), models).reason == "format"
    gone = config.work_dir() / "models" / "gone" / "m.keras"
    assert file_weights(design, file_record("m.keras", "keras", gone, weights), models).reason == "missing"
    other = {"x": [(3,)]}
    lent = file_weights(design, file_record("m.h5", "h5", keep_model_file(b"x", "m.h5"), other), models)
    assert lent.reason == "none_kept" and lent.source is None


def test_an_onnx_file_lends_its_weights_with_the_input_shape_it_was_imported_with():
    """ONNX and TFLite imports record their weights' shapes (in Keras's layout) and the
    job maps the kept file again, with the input shape the person gave."""
    data = onnx_models.residual()
    result = import_bytes(data, "res.onnx")
    assert result.weights == {
        "c1": [(3, 3, 8, 8), (8,)],
        "c2": [(3, 3, 8, 8), (8,)],
        "c3": [(3, 3, 8, 8), (8,)],
        "head": [(8, 5), (5,)],  # the MatMul and the bias its Add brings
    }
    path = keep_model_file(data, "res.onnx")
    record = file_record("res.onnx", "onnx", path, result.weights, (16, 16, 8))
    assert json.loads(json.dumps(record)) == record and record["input_shape"] == [16, 16, 8]
    lent = file_weights(result.design, record, [path.parent])
    assert lent.reason == "" and lent.plan.unchanged and lent.source.format == "onnx"
    assert lent.source.input_shape == (16, 16, 8) and roundtrip(lent.source) == lent.source
    unshaped = file_record("res.onnx", "onnx", path, result.weights)
    assert file_weights(result.design, unshaped, [path.parent]).source.input_shape is None


def test_onnx_weights_in_keras_layout():
    """The values the worker copies (numpy and onnx only, no TensorFlow): kernels transposed
    from (O, I, kh, kw), a depthwise (C*m, 1, kh, kw) kernel as (kh, kw, C, m), Gemm's
    transB kernel as (in, out), and a Dense after a Flatten of (C, H, W) with its rows in
    (H, W, C) order."""
    import numpy as np
    import onnx
    from onnx import numpy_helper

    from lightdesign.importers.onnx import weight_values

    def initializers(model: bytes) -> dict:
        return {t.name: numpy_helper.to_array(t) for t in onnx.load_from_string(model).graph.initializer}

    data = onnx_models.shuffle_unit()
    values = weight_values(data)
    inits = initializers(data)
    np.testing.assert_array_equal(values["gconv"][0][0, 0], inits["gconv.w"][:, :, 0, 0].T)
    dw = values["dw"][0]
    assert dw.shape == (3, 3, 24, 1)
    np.testing.assert_array_equal(dw[1, 2, 5, 0], inits["dw.w"][5, 0, 1, 2])
    np.testing.assert_array_equal(values["dw"][1], inits["dw.b"])

    g = onnx_models.Graph((1, 2, 3, 3))
    x = g.node("Flatten", ["x"], "flat", axis=1)
    g.node("Gemm", [x, g.init("fc.w", (4, 18)), g.init("fc.b", (4,))], "fc", transB=1)
    model = g.model()
    kernel = weight_values(model)["fc"][0]
    w = initializers(model)["fc.w"]
    # the file's feature (c, h, w) is c * 9 + h * 3 + w; the design's (h, w, c) is (h * 3 + w) * 2 + c
    for c, h, col in [(0, 0, 0), (1, 0, 0), (0, 2, 1), (1, 1, 2)]:
        np.testing.assert_array_equal(kernel[(h * 3 + col) * 2 + c], w[:, c * 9 + h * 3 + col])
