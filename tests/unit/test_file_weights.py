"""An imported file's weights in the job specs (pure Python, no TensorFlow): the typed
``WeightsSource`` crosses the process boundary, the specs carry it, and the app decides
whether a design's imported file lends it weights and which layers keep them."""

import json

from lightdesign import paths, presets
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


def test_a_trained_run_wins_over_the_file_weights(tmp_path):
    run = m.RunRecord(
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
        model_path=str(tmp_path / "trained.keras"),
        finished=0.0,
        analysis={},
    )
    spec = export_spec(presets.build("seed_cnn"), tmp_path, run, weights=SOURCE)
    assert spec.model_path == run.model_path and spec.weights is None


def _residual():
    result = import_bytes(onnx_models.residual(), "res.onnx")
    weights = {name: [(size,) for size in sizes] for name, sizes in layer_sizes(result.design)}
    return result.design, weights


def test_a_kept_keras_file_lends_every_layer_while_the_design_is_unchanged():
    design, weights = _residual()
    path = keep_model_file(b"not read here", "my model!.keras")
    assert path.parent.parent == paths.work_dir() / "models" and path.name == "my_model_.keras"
    lent = file_weights(design, file_record("my model!.keras", "keras", path, weights))
    assert lent.reason == "" and lent.plan.unchanged
    assert lent.source.layers == {name: name for name in weights} and lent.source.fresh == ()
    assert lent.source.path == str(path) and lent.source.file_name == "my model!.keras"


def test_an_edited_design_names_the_layers_that_start_fresh():
    design, weights = _residual()
    path = keep_model_file(b"x", "res.keras")
    edited = design.copy()
    edited.block_named("head").params["units"] = 7
    lent = file_weights(edited, file_record("res.keras", "keras", path, weights))
    assert lent.source.fresh == ("head",) and "head" not in lent.source.layers
    assert lent.plan.kept.keys() == weights.keys() - {"head"}


def test_why_a_file_lends_no_weights():
    design, weights = _residual()
    assert file_weights(design, None) is None
    assert file_weights(design, file_record("res.onnx", "onnx", None, None)).reason == "format"
    assert file_weights(design, file_record("m.tflite", "tflite", None, None)).reason == "format"
    assert file_weights(design, file_record("m.json", "json", None, None)).reason == "no_weights"
    gone = paths.work_dir() / "models" / "gone" / "m.keras"
    assert file_weights(design, file_record("m.keras", "keras", gone, weights)).reason == "missing"
    other = {"x": [(3,)]}
    lent = file_weights(design, file_record("m.h5", "h5", keep_model_file(b"x", "m.h5"), other))
    assert lent.reason == "none_kept" and lent.source is None
