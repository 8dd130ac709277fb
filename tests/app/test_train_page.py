"""The Train page through its widgets: data checks, start, progress, stop, results."""

import numpy as np
import pytest

from lightdesign.analysis import metrics
from lightdesign.analysis.network import analyze, training_memory
from lightdesign.core import format as fmt
from lightdesign.core import presets
from lightdesign.jobs.messages import RunRecord

from .conftest import new_app, run_until, workspace


def open_train(app):
    app.switch_page("pages/train.py").run()
    assert not app.exception, app.exception
    return app


def metric_labels(app):
    return [m.label for m in app.metric]


def test_estimates_and_dataset_preview(app):
    open_train(app)
    assert "Estimated training memory" in metric_labels(app)
    assert "Estimated time per epoch" in metric_labels(app)
    assert app.selectbox(key="w_train_source").value == "digits28"
    assert any("1,438 training and 359 test samples" in c.value for c in app.caption)


def test_mismatched_data_offers_to_fix_the_design(app):
    open_train(app)
    app.selectbox(key="w_train_source").set_value("waves").run()
    assert any("expects samples of shape 28×28×1 but this data has 50×1" in e.value for e in app.error)
    assert app.button(key="start_training").disabled
    app.button(key="fit_input").click().run()
    assert workspace(app).design.input_shape == (50, 1)


def test_a_bad_upload_is_reported_and_training_waits(app):
    open_train(app)
    app.selectbox(key="w_train_source").set_value("upload_npz").run()
    assert app.button(key="start_training").disabled
    app.file_uploader(key="npz_file").set_value(("junk.npz", b"not an archive", "application/octet-stream")).run()
    assert any(e.value.startswith("junk.npz: this is not a NumPy .npz archive") for e in app.error)
    assert app.button(key="start_training").disabled


@pytest.mark.keras  # trains in a TensorFlow worker
def test_start_progress_and_results(app):
    open_train(app)
    app.number_input(key="set_epochs").set_value(1).run()
    app.button(key="start_training").click().run()
    assert app.button(key="start_training").disabled  # one job per session
    run_until(app, lambda a: "Test accuracy" in metric_labels(a))
    accuracy = next(m.value for m in app.metric if m.label == "Test accuracy")
    assert float(accuracy.rstrip("%")) > 50
    (stored,) = workspace(app).runs["seed_cnn"]
    run = RunRecord.from_dict(stored)
    assert run.dataset == "digits 28x28" and run.epochs == 1 and run.test_accuracy > 0.5
    assert run.analysis == metrics.summary(analyze(presets.build("seed_cnn"))), "the run keeps the design's figures"
    assert stored[metrics.PARAMS.key] == 225_034  # stored flat, by metric key
    assert any("Sample predictions" in m.value for m in app.markdown), "the results show sample predictions"
    # The run is in the store: a new session on the same workspace link has it.
    again = new_app()
    again.query_params["w"] = workspace(app).id
    again.run()
    assert workspace(again).runs["seed_cnn"] == [stored], "the finished run survives in the store"


@pytest.mark.keras  # trains in a TensorFlow worker
def test_stop_a_running_job(app):
    open_train(app)
    app.number_input(key="set_epochs").set_value(100).run()
    app.number_input(key="set_cap").set_value(0).run()
    app.button(key="start_training").click().run()
    run_until(app, lambda a: any(np.isscalar(p.value) and p.value > 0 for p in a.get("progress")))
    app.button(key="stop_job").click().run()
    run_until(app, lambda a: any("Training stopped" in w.value for w in a.warning), timeout=60)
    assert not app.button(key="start_training").disabled
    assert workspace(app).runs["seed_cnn"] == []
    (stopped,) = workspace(app).unfinished_runs("seed_cnn")
    assert stopped["state"] == "stopped", "a stopped run is kept with its epochs, not as a result"


def test_training_that_would_not_fit_in_memory_is_refused(app, monkeypatch):
    monkeypatch.setenv("LIGHTDESIGN_WORKER_MEMORY_MB", "1")  # a worker may use 1 MB: seed_cnn needs more
    open_train(app)
    need = training_memory(analyze(presets.build("seed_cnn")), 32, "adam").total
    free = fmt.size(2**20)
    assert [e.value for e in app.error] == [
        f"Training would need about {fmt.size(need)} but the server has {free} free. Lower the batch size, "
        "the resolution or the width."
    ]
    assert app.button(key="start_training").disabled, "Start stays disabled while training would not fit"
    assert next(m.value for m in app.metric if m.label == "Free memory on the server") == free


# -- whose run, honest figures, time estimates, Export's default -------------------------


def _fake_run(app, epochs: int = 1):
    """Train with the TensorFlow-free job of tests/fake_jobs.py until its results show."""
    from lightdesign.jobs.messages import JobKind
    from lightdesign.ui import job_view

    manager = job_view.job_manager()
    before = manager.kinds[JobKind.TRAIN]
    manager.kinds[JobKind.TRAIN] = "tests.fake_jobs:train"
    try:
        open_train(app)
        app.number_input(key="set_epochs").set_value(epochs).run()
        app.button(key="start_training").click().run()
        run_until(app, lambda a: "Test accuracy" in metric_labels(a), timeout=60)
    finally:
        manager.kinds[JobKind.TRAIN] = before


def test_results_say_batchnorm_was_reestimated_and_the_time_against_the_estimate(app):
    _fake_run(app, epochs=2)
    captions = [c.value for c in app.caption]
    assert any("re-estimated on 64 training samples" in c and "downloaded model" in c for c in captions)
    assert any(c.startswith("Time per epoch: estimated") and "took 200 ms (mean of 2" in c for c in captions)
    (stored,) = workspace(app).runs["seed_cnn"]
    run = RunRecord.from_dict(stored)
    assert run.batchnorm_samples == 64 and run.epoch_seconds == 0.2 and run.epoch_seconds_estimate > 0
    assert run.design_key, "the run names its network, for the next estimate"


def test_a_second_run_is_estimated_from_the_first(app):
    _fake_run(app)
    # the fake run trained 100 samples/s: the next epoch of 1,294 training samples takes 12.9 s
    open_train(app)
    estimate = next(m for m in app.metric if m.label == "Estimated time per epoch")
    assert estimate.value == "13 s"
    assert "From the last run of this network" in estimate.help
    assert not [b for b in app.button if b.key == "calibrate_speed"], "nothing left to measure"


def test_another_designs_run_is_not_shown_under_this_designs_title(app):
    _fake_run(app)
    ws = workspace(app)
    ws.add(presets.build("seed_cnn"))  # 'seed_cnn (2)', now current
    open_train(app)
    assert "Test accuracy" not in metric_labels(app), "no other design's figures under this title"
    assert any("trained the design 'seed_cnn', not this one" in i.value for i in app.info)
    assert "seed_cnn (2)" not in workspace(app).runs or not workspace(app).runs["seed_cnn (2)"]
    workspace(app).switch("seed_cnn")
    open_train(app)
    assert "Test accuracy" in metric_labels(app), "its own design shows it again"


def test_export_offers_the_latest_run_first(app):
    _fake_run(app)
    app.switch_page("pages/export.py").run()
    assert not app.exception, app.exception
    weights = next(s for s in app.selectbox if s.label == "Weights")
    assert weights.value == "0" and weights.options[-1].startswith("Initial")
