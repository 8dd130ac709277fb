"""The typed messages between the app and its workers: every one survives JSON, specs are
built typed, run records are stored flat by metric key, and states and kinds are enums."""

import json

import pytest

from lightdesign.analysis import metrics
from lightdesign.analysis.network import analyze
from lightdesign.core import presets
from lightdesign.jobs import messages as m
from lightdesign.jobs.specs import export_spec, keras_dataset, train_spec

EPOCH = m.Epoch(epoch=1, seconds=2.5, loss=0.7, accuracy=0.6, val_loss=None, val_accuracy=0.5, at=1.0)
TRAIN_RESULT = m.TrainResult(
    test_loss=0.3,
    test_accuracy=0.9,
    history=(EPOCH,),
    seconds=12.0,
    samples_per_s=400.0,
    confusion=((5, 1), (0, 4)),
    class_names=("cat", "dog"),
    samples=(m.Sample(index=3, true=1, predicted=0, confidence=0.75),),
    sample_images_path=None,
    model_path="/tmp/run/trained.keras",
    notes=("resized 8x8 to 28x28",),
)
EXPORT_RESULT = m.ExportResult(
    files={
        m.ModelFormat.KERAS: m.ExportedFile(path="/tmp/x/model.keras", bytes=1000),
        m.ModelFormat.TFLITE_INT8: m.ExportedFile(error="no int8 kernel for LSTM"),
    },
    latency_ms={m.ModelFormat.KERAS: 1.5},
    weights="initial (untrained) weights",
    calibration="100 generated uniform-noise images",
    latency_runs=5,
)
EVENTS = [
    m.Started(pid=123, at=1.0),
    m.Status(stage=m.Stage.TRAINING, at=1.0),
    m.DataReady(train=90, validation=10, test=20, notes=("a note",), class_names=("a", "b"), at=1.0),
    m.Batch(epoch=1, epochs=3, batch=2, batches=4, loss=0.9, accuracy=None, samples_per_s=100.0, at=1.0),
    EPOCH,
    m.Finished(result=TRAIN_RESULT, at=1.0),
    m.Finished(result=EXPORT_RESULT, at=1.0),
    m.Finished(message="no result", at=1.0),
    m.Stopped(message="stopped at your request", on_request=True, history=(EPOCH,), seconds=3.0, at=1.0),
    m.Failed(message="ValueError: bad", detail="Traceback …", at=1.0),
]


def through_json(data):
    return json.loads(json.dumps(data, allow_nan=False))


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: type(e).__name__)
def test_every_event_survives_the_trip_through_json(event):
    assert m.event_from_dict(through_json(event.to_dict())) == event


def test_the_wire_form_names_the_event_and_uses_plain_values():
    data = m.Batch(epoch=1, epochs=2, batch=3, batches=4, at=5.0).to_dict()
    assert data == {
        "type": "batch",
        "epoch": 1,
        "epochs": 2,
        "batch": 3,
        "batches": 4,
        "loss": None,
        "accuracy": None,
        "samples_per_s": 0.0,
        "at": 5.0,
    }
    assert m.Status(stage=m.Stage.EVALUATING).to_dict()["stage"] == "evaluating"
    files = through_json(EXPORT_RESULT.to_dict())["files"]
    assert set(files) == {"keras", "tflite_int8"}


def test_unknown_or_misspelt_messages_are_refused_with_the_reason():
    with pytest.raises(ValueError, match="not a job event"):
        m.event_from_dict({"type": "progress"})
    with pytest.raises(ValueError, match="Batch has no field 'batchs'"):
        m.event_from_dict({"type": "batch", "epoch": 1, "epochs": 1, "batch": 1, "batchs": 1})
    with pytest.raises(ValueError, match="Started cannot be read from a 'status' message"):
        m.Started.from_dict({"type": "status", "pid": 1})
    with pytest.raises(TypeError, match="cannot cross the process boundary"):
        m.Started(pid=object()).to_dict()


def test_states_say_whether_a_job_is_active_and_holds_a_worker():
    assert [s for s in m.JobState if s.active] == ["queued", "starting", "running", "stopping"]
    assert [s for s in m.JobState if s.holds_worker] == ["starting", "running", "stopping"]
    assert m.ACTIVE_STATES | m.DONE_STATES == set(m.JobState)
    assert m.JobKind("train") is m.JobKind.TRAIN and f"{m.JobState.QUEUED}" == "queued"
    assert (m.Finished.state, m.Stopped.state, m.Failed.state) == ("finished", "stopped", "failed")


def test_specs_are_typed_for_the_known_kinds_and_left_alone_for_others(tmp_path):
    design = presets.build("seed_cnn")
    spec = train_spec(design, keras_dataset("mnist"), m.TrainSettings(epochs=2), tmp_path)
    assert spec.dataset == m.DatasetRef(kind=m.DatasetKind.KERAS, name="mnist", title="MNIST (download)")
    assert spec.input_shape == (28, 28, 1) and spec.settings.epochs == 2
    assert spec.analysis == metrics.summary(analyze(design, 32, "adam"))
    assert m.spec_from_dict("train", through_json(spec.to_dict())) == spec
    assert m.spec_from_dict("test", {"action": "hang"}) == {"action": "hang"}


def record(**changes):
    values = dict(
        job="abc",
        dataset="digits 28x28",
        epochs=1,
        batch_size=32,
        optimizer="adam",
        learning_rate=0.001,
        seed=0,
        test_accuracy=0.9,
        test_loss=0.3,
        seconds=12.0,
        samples_per_s=400.0,
        model_path="/nowhere/trained.keras",
        finished=1.0,
        analysis={"macs": 1000, "weights_int8_bytes": 500},
    )
    return m.RunRecord(**{**values, **changes})


def test_a_run_record_is_stored_flat_by_metric_key():
    run = record()
    stored = through_json(run.to_dict())
    assert stored["macs"] == 1000 and stored["test_accuracy"] == 0.9 and len(stored["id"]) == 16
    assert metrics.from_record(stored)["weights_int8_bytes"] == 500
    assert m.RunRecord.from_dict(stored) == run
    older = {k: v for k, v in stored.items() if k != "weights_int8_bytes"} | {"int8_bytes": 500}
    assert m.RunRecord.from_dict(older).analysis == {"macs": 1000, "int8_bytes": 500}


def test_a_run_record_is_made_from_its_spec_and_result(tmp_path):
    spec = train_spec(presets.build("seed_cnn"), keras_dataset("mnist"), m.TrainSettings(epochs=2), tmp_path)
    run = m.RunRecord.of("job1", spec, TRAIN_RESULT, finished=5.0)
    assert (run.dataset, run.epochs, run.test_accuracy, run.model_path) == (
        "MNIST (download)",
        2,
        0.9,
        "/tmp/run/trained.keras",
    )
    assert run.analysis == spec.analysis


def test_an_export_spec_takes_a_runs_weights_and_its_data_for_calibration(tmp_path):
    (tmp_path / "data.npz").write_bytes(b"")
    (tmp_path / "trained.keras").write_bytes(b"trained")
    run = record(model_path=str(tmp_path / "trained.keras"))
    spec = export_spec(presets.build("seed_cnn"), tmp_path / "out", run, latency_runs=7, owned=[tmp_path])
    assert spec.model_path == run.model_path and spec.latency_runs == 7
    assert spec.run_label == "digits 28x28, 90.0% test accuracy"
    assert spec.representative.path == str(tmp_path / "data.npz")
    assert m.ExportSpec.from_dict(through_json(spec.to_dict())) == spec
    assert export_spec(presets.build("seed_cnn"), tmp_path / "out").model_path is None


def test_export_latency_is_offered_by_format_in_milliseconds():
    assert EXPORT_RESULT.latency_figures() == {"keras_ms": 1.5}
