"""The Train page through its widgets: data checks, start, progress, stop, results."""

import numpy as np

from lightdesign import format as fmt
from lightdesign import metrics, presets
from lightdesign.analysis import analyze, training_memory
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
