"""Jobs on a warm worker (TensorFlow loaded before the job) with the real job functions: the
MobileNetV2 preset exports end to end, TFLite Micro's measured arena equal to the estimate
(its untrained softmax scale, which TFLite Micro aborts on, widened), and a brief training
run streams enough batch points whose stretches average to each epoch's own figures."""

import os

import numpy as np
import pytest

from lightdesign.analysis.network import analyze
from lightdesign.core import presets
from lightdesign.data import builtin
from lightdesign.jobs import JobManager, export, int8_scales, micro_arena
from lightdesign.jobs.messages import Batch, Epoch, JobKind, JobState, ModelFormat
from lightdesign.jobs.specs import TrainSettings, dataset_for_job, export_spec, new_work_dir, train_spec

from ..waiting import job_processes, wait_until

pytest.importorskip("tflite_micro", reason="needs the tflite-micro package (requirements.txt)")


@pytest.fixture(scope="module")
def server():
    # Workers run at the server's own priority here: at nice 15 on a machine busy with other
    # tests, MobileNetV2's export gets a few percent of a core and takes half an hour.
    saved = os.environ.get("LIGHTDESIGN_WORKER_NICE")
    os.environ["LIGHTDESIGN_WORKER_NICE"] = "0"
    jobs = JobManager(max_running=1, timeout_s=1200, grace_s=5, warm_workers=1)
    yield jobs
    jobs.shutdown()
    wait_until(lambda: not job_processes(), 30)
    if saved is None:
        os.environ.pop("LIGHTDESIGN_WORKER_NICE")
    else:
        os.environ["LIGHTDESIGN_WORKER_NICE"] = saved


def on_a_warm_worker(server: JobManager, kind: str, spec):
    wait_until(server.tensorflow_ready, 900)  # at nice 15 on a busy machine TensorFlow loads slowly
    warm_pid = server.warm.workers[0].process.pid
    job = server.submit("tester", kind, spec)
    wait_until(lambda: not job.active, 1200)
    assert job.state is JobState.FINISHED, job.message
    assert job.pid == warm_pid  # the job ran in the worker that had loaded TensorFlow before it
    return job


def test_the_mobilenet_v2_preset_exports_with_its_tflite_micro_arena_measured(server):
    design = presets.build("mobilenet_v2")  # untouched: 224x224, initial weights
    job = on_a_warm_worker(server, JobKind.EXPORT, export_spec(design, new_work_dir(), latency_runs=5))
    result = job.result
    estimate = analyze(design).peak_activation_bytes_int8
    assert result.arena is not None and not result.arena.error, result.arena
    assert result.arena.head == result.arena.estimate == estimate == 1_505_280
    int8 = result.files[ModelFormat.TFLITE_INT8]
    ((was, now),) = int8.widened_scales
    assert was <= int8_scales.smallest_softmax_scale(1.0) < now
    content = open(int8.path, "rb").read()
    assert int8_scales.problems(content) == []
    assert micro_arena.refusal(content) == ""


def zero_logits_int8() -> tuple[bytes, np.ndarray]:
    """A model whose logits are always zero (the empty calibration range an untrained deep
    network gives), converted to int8, and a sample."""
    import keras
    import tensorflow as tf

    inputs = keras.Input((8,))
    logits = keras.layers.Dense(4, kernel_initializer="zeros", bias_initializer="zeros")(inputs)
    model = keras.Model(inputs, keras.layers.Softmax()(logits))
    samples = np.random.default_rng(0).uniform(0, 1, (16, 8)).astype(np.float32)
    return export.convert(tf, model, True, samples), samples[0]


def run_tflite(content: bytes, sample: np.ndarray) -> np.ndarray:
    import tensorflow as tf

    interpreter = tf.lite.Interpreter(model_content=content)
    interpreter.allocate_tensors()
    detail = interpreter.get_input_details()[0]
    scale, zero = detail["quantization"]
    interpreter.set_tensor(detail["index"], np.round(sample[None] / scale + zero).astype(np.int8))
    interpreter.invoke()
    return interpreter.get_tensor(interpreter.get_output_details()[0]["index"])


def test_a_softmax_scale_tflite_micro_aborts_on_is_named_instead_of_a_crash_and_widened():
    content, sample = zero_logits_int8()
    (problem,) = int8_scales.problems(content)
    assert problem.scale <= problem.smallest == 2.0**-26
    refused = micro_arena.micro_arena(content, estimate=16)
    assert "would abort" in refused.error and "softmax" in refused.error and refused.head == 0
    widened, found = int8_scales.widened(content)
    assert found == [problem] and len(widened) == len(content) and int8_scales.problems(widened) == []
    measured = micro_arena.micro_arena(widened, estimate=16)
    assert not measured.error and measured.head > 0, measured
    # The file computes what it computed: TFLite's interpreter gives the same uniform softmax.
    assert np.array_equal(run_tflite(widened, sample), run_tflite(content, sample))


def test_a_brief_training_streams_batch_stretches_that_average_to_each_epoch(server):
    work = new_work_dir()
    data = builtin.digits(28)
    settings = TrainSettings(epochs=2, batch_size=16, max_samples=1000, validation_split=0.1)
    spec = train_spec(presets.build("seed_cnn"), dataset_for_job(data, work), settings, work)
    job = on_a_warm_worker(server, JobKind.TRAIN, spec)
    samples = int(1000 * 0.9)
    steps = -(-samples // 16)
    for epoch in job.all(Epoch):
        points = [b for b in job.all(Batch) if b.epoch == epoch.epoch]
        assert len(points) >= 25, len(points)  # 57 batches: about one point in two, however fast they run
        seen = [min(b.batch * 16, samples) for b in points]
        widths = np.diff([0, *seen])
        assert points[-1].batch == steps and seen[-1] == samples
        # Each point is the mean over its stretch of samples: together they are the epoch's mean.
        for name in ("loss", "accuracy"):
            values = np.array([getattr(b, name) for b in points])
            assert np.dot(values, widths) / samples == pytest.approx(getattr(epoch, name), rel=1e-3, abs=1e-4)
