"""Training in a real worker process: the seed CNN learns digits; a job stops mid-epoch."""

import time

import numpy as np
import pytest

from lightdesign.core import presets
from lightdesign.data import builtin
from lightdesign.jobs import JobManager
from lightdesign.jobs.messages import Batch, DataReady, DatasetKind, DatasetRef, JobKind, JobState, Stage, Status
from lightdesign.jobs.specs import TrainSettings, dataset_for_job, new_work_dir, train_spec

from ..waiting import job_processes, wait_until


@pytest.fixture(scope="module")
def manager():
    jobs = JobManager(max_running=2, timeout_s=600, grace_s=5)
    yield jobs
    jobs.shutdown()
    wait_until(lambda: not job_processes(), 30)


def test_seed_cnn_learns_upscaled_digits_in_one_epoch(manager):
    work = new_work_dir()
    data = builtin.digits(28)
    spec = train_spec(
        presets.build("seed_cnn"), dataset_for_job(data, work), TrainSettings(epochs=1, batch_size=32), work
    )
    job = manager.submit("tester", JobKind.TRAIN, spec)
    wait_until(lambda: not job.active, 300)
    assert job.state is JobState.FINISHED, job.message
    result = job.result
    assert result.test_accuracy > 0.5  # chance is 0.1
    assert len(result.history) == 1 and result.history[0].val_accuracy > 0.3
    assert sum(map(sum, result.confusion)) == len(data.y_test)
    batches = job.all(Batch)
    assert batches and batches[-1].batch == batches[-1].batches
    assert [s.stage for s in job.all(Status)] == [
        Stage.LOADING_TENSORFLOW,
        Stage.PREPARING_DATA,
        Stage.BUILDING_MODEL,
        Stage.TRAINING,
        Stage.EVALUATING,
    ]
    assert job.latest(DataReady).test == len(data.y_test)
    assert result.model_path == str(work / "trained.keras") and (work / "trained.keras").exists()
    images = np.load(result.sample_images_path, allow_pickle=False)
    assert images.shape == (len(result.samples), 28, 28, 1)


def test_a_job_stops_mid_epoch(manager):
    work = new_work_dir()
    data = builtin.digits(28)
    settings = TrainSettings(epochs=50, batch_size=8, max_samples=None)
    job = manager.submit(
        "stopper", JobKind.TRAIN, train_spec(presets.build("seed_cnn"), dataset_for_job(data, work), settings, work)
    )
    wait_until(lambda: job.latest(Batch) is not None, 120)
    first = job.latest(Batch)
    manager.stop(job.id)
    stop_asked = time.monotonic()
    wait_until(lambda: not job.active, 30)
    assert job.state is JobState.STOPPED and job.message == "stopped at your request" and job.stopped_on_request
    assert time.monotonic() - stop_asked < 5
    assert first.epoch == 1 and job.end.history == ()  # stopped inside the first epoch


def test_offline_download_becomes_a_message_naming_the_alternatives(monkeypatch):
    import keras

    from lightdesign.jobs.train import load_dataset

    def offline():
        raise OSError("network is unreachable")

    monkeypatch.setattr(keras.datasets.fashion_mnist, "load_data", offline)
    with pytest.raises(RuntimeError) as info:
        load_dataset(DatasetRef(kind=DatasetKind.KERAS, name="fashion_mnist", title="Fashion-MNIST"))
    assert str(info.value) == (
        "could not download fashion_mnist (OSError); this machine seems to be offline. "
        "Use the built-in digits (8x8 or 28x28), shapes or sequences, or an upload instead"
    )


def test_a_worker_that_runs_out_of_memory_becomes_a_message(monkeypatch):
    # A 3 GB cap on the worker and a training step that needs far more.
    monkeypatch.setenv("LIGHTDESIGN_WORKER_MEMORY_MB", "3072")
    from lightdesign.core.design import Design, new_block

    design = Design(
        "hungry",
        (128, 128, 3),
        2,
        [
            new_block("Conv2D", "wide", filters=512, kernel_size=3, activation="relu"),
            new_block("Conv2D", "wider", filters=512, kernel_size=3, activation="relu"),
            new_block("GlobalAveragePooling2D", "pool"),
            new_block("Dense", "out", units=2, activation="softmax"),
        ],
    )
    work = new_work_dir()
    data = builtin.shapes(count=256, size=128, channels=3, classes=2)
    jobs = JobManager(max_running=1, timeout_s=300)
    try:
        job = jobs.submit(
            "greedy",
            JobKind.TRAIN,
            train_spec(
                design, dataset_for_job(data, work), TrainSettings(epochs=1, batch_size=128, max_samples=None), work
            ),
        )
        wait_until(lambda: not job.active, 240)
        assert job.state is JobState.FAILED
        # TensorFlow either raises (ResourceExhausted) or crashes when an allocation fails under the cap.
        assert job.message in (
            "the worker ran out of memory (limit 3,072 MB); try a smaller batch size, fewer samples or a smaller design",
            "the worker process crashed (signal 11) at its memory limit of 3,072 MB; try a smaller batch size, fewer "
            "samples or a smaller design",
            "the worker process crashed (signal 6) at its memory limit of 3,072 MB; try a smaller batch size, fewer "
            "samples or a smaller design",
        ), job.message
        # the failed job's worker was sent SIGKILL; a process holding 3 GB takes a moment to go
        wait_until(lambda: not job.process.is_alive(), 30)
    finally:
        jobs.shutdown()


def test_precise_batchnorm_makes_the_downloaded_model_the_reported_one(keras):
    """MobileNetV2 0.35 (52 BatchNorm layers) trained one epoch on generated shapes: after
    the BatchNorm statistics are re-estimated, the test loss in inference mode is close to
    the loss with batch statistics, and the saved model reproduces the reported accuracy."""
    import threading

    from lightdesign.jobs import train
    from lightdesign.jobs.messages import Finished

    work = new_work_dir()
    data = builtin.shapes(count=1200, size=32, channels=3, classes=4)
    design = presets.build("mobilenet_v2", alpha=0.35, resolution=32, classes=4)
    spec = train_spec(design, dataset_for_job(data, work), TrainSettings(epochs=1, batch_size=32), work)
    events = []
    train.run(spec, events.append, threading.Event())
    assert isinstance(events[-1], Finished), events[-1]
    result = events[-1].result
    assert result.batchnorm_samples == int(len(data.y_train) * 0.9)
    assert Stage.RECALIBRATING_BATCHNORM in [e.stage for e in events if isinstance(e, Status)]
    assert result.test_loss == pytest.approx(result.batch_statistics_loss, rel=0.20)
    downloaded = keras.models.load_model(result.model_path, safe_mode=True)
    _, accuracy = downloaded.evaluate(data.x_test, data.y_test, verbose=0, batch_size=256)
    assert accuracy == result.test_accuracy


def test_calibration_times_the_training_loop_and_the_estimate_uses_it():
    """The calibration job's figures feed the epoch estimate (its accuracy against real
    epochs is measured by bench/train_estimate.py, not asserted: shared machines are noisy)."""
    import threading

    from lightdesign.analysis.network import analyze
    from lightdesign.jobs import timing, train
    from lightdesign.jobs.messages import CalibrationResult, Finished, design_key
    from lightdesign.jobs.specs import calibrate_spec
    from lightdesign.output.codegen import generate

    design = presets.build("seed_cnn")
    settings = TrainSettings(batch_size=16)
    spec = calibrate_spec(design, settings)
    spec = type(spec)(**{**spec.__dict__, "seconds": 0.5})
    events = []
    train.calibrate(spec, events.append, threading.Event())
    assert isinstance(events[-1], Finished), events[-1]
    result = events[-1].result
    assert isinstance(result, CalibrationResult) and result.batch_size == 16 and result.steps >= 4
    assert result.train_step_seconds > 0 and result.eval_step_seconds > 0 and result.first_step_seconds >= 0
    key = design_key(generate(design))
    calibration = timing.Calibration(key, 16, analyze(design).flops, result)
    found = timing.estimate(key, analyze(design).flops, 16, 1000, 100, 3, [], [calibration])
    assert found.source == timing.Source.CALIBRATION
    assert found.epoch_seconds == pytest.approx(timing.epoch_seconds_from_calibration(calibration, 1000, 100, 3))
