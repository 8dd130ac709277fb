"""Job kinds for the tests of the job machinery itself: they count, hang, crash or eat
memory on request, without TensorFlow. A manager runs them once told where they live:
``JobManager(kinds=KINDS)``."""

from __future__ import annotations

import os
import signal
import time

from lightdesign.jobs.messages import Batch, Finished, Stopped

KINDS = {"test": "tests.fake_jobs:run"}


def run(spec: dict, emit, stop_flag) -> None:
    action = spec.get("action", "count")
    if action == "count":
        steps = int(spec.get("steps", 5))
        for i in range(steps):
            if stop_flag.is_set():
                emit(Stopped(message=f"stopped after {i} steps", on_request=True))
                return
            emit(Batch(epoch=1, epochs=1, batch=i + 1, batches=steps))
            time.sleep(float(spec.get("delay", 0.05)))
        emit(Finished(message=f"counted {steps} steps"))
    elif action == "hang":
        while True:  # ignores the stop flag on purpose
            time.sleep(0.1)
    elif action == "crash":
        os.kill(os.getpid(), signal.SIGKILL)
    elif action == "raise":
        raise ValueError("something went wrong inside the job")
    elif action == "memory":
        raise MemoryError
    elif action == "eat":  # grows by 20 MB steps up to ``megabytes``, then waits
        held = []
        for _ in range(int(spec.get("megabytes", 1000)) // 20):
            held.append(b"\1" * (20 * 2**20))
            time.sleep(0.02)
        while True:
            time.sleep(0.1)
    elif action == "linger":  # finishes, then takes a while to exit (as TensorFlow's teardown does)
        emit(Finished(message="done"))
        time.sleep(float(spec.get("seconds", 2)))


def train(spec, emit, stop_flag) -> None:
    """A TensorFlow-free stand-in for ``lightdesign.jobs.train:run``: one epoch per 0.2 s
    (``spec.settings.epochs``), a model file in the job's folder, a TrainResult."""
    from pathlib import Path

    from lightdesign.jobs.messages import Epoch, TrainResult

    history = []
    for epoch in range(1, spec.settings.epochs + 1):
        if stop_flag.is_set():
            emit(Stopped(message="stopped", on_request=True, history=tuple(history)))
            return
        emit(Batch(epoch=epoch, epochs=spec.settings.epochs, batch=1, batches=1, loss=1.0 / epoch))
        history.append(Epoch(epoch=epoch, seconds=0.2, loss=1.0 / epoch, accuracy=0.5))
        emit(history[-1])
        time.sleep(0.2)
    model = Path(spec.work_dir) / "trained.keras"
    model.write_bytes(b"\0" * 1000)
    result = TrainResult(
        test_loss=0.5,
        test_accuracy=0.75,
        history=tuple(history),
        seconds=0.2 * len(history),
        samples_per_s=100.0,
        confusion=((1, 0), (0, 1)),
        class_names=("a", "b"),
        samples=(),
        sample_images_path=None,
        model_path=str(model),
        batchnorm_samples=64,  # as if the design had BatchNormalization (precise BN)
        batch_statistics_loss=0.55,
    )
    emit(Finished(result=result, message="trained"))


def train_unless_small(spec, emit, stop_flag) -> None:
    """``train``, failing for a design whose input is under 20 pixels a side."""
    if spec.input_shape[0] < 20:
        raise ValueError(f"this test's training fails below 20 pixels ({spec.input_shape[0]})")
    train(spec, emit, stop_flag)


def latency(spec, emit, stop_flag) -> None:
    """A latency calibration that times nothing: it reports how many kept measurements it
    was given (as its kernel count) and one whole-model measurement of its own."""
    from lightdesign.jobs.messages import LatencyResult, Progress, Stage, Status

    emit(Status(stage=Stage.TIMING_KERNELS))
    emit(Progress(stage=Stage.TIMING_KERNELS, done=1, total=1))
    import dataclasses

    kept = spec.measurements[0] if spec.measurements else None
    probe = None if kept is None else dataclasses.replace(kept, at=kept.at + 1, source="calibration")
    result = LatencyResult(
        path="nowhere.npz",
        machine="a fake machine",
        kernels=len(spec.measurements),
        seconds=0.5,
        errors={"fp32": 0.05, "int8": 0.07},
        scale={"fp32": 1.1, "int8": 1.2},
        measurements=() if probe is None else (probe,),
    )
    emit(Finished(result=result))


def busy_latency(spec, emit, stop_flag) -> None:
    """``latency``, on a machine far busier than it has cores while it timed whole models,
    whose speed also moved in steps (a reference kernel's timings spread 2.5x)."""
    from lightdesign.jobs.messages import Finished, LatencyResult

    result = LatencyResult(
        path="nowhere.npz",
        machine="a fake machine",
        kernels=1,
        seconds=0.5,
        errors={},
        scale={},
        load=999.0,
        spread=2.5,
    )
    emit(Finished(result=result))


def export(spec, emit, stop_flag) -> None:
    """A TensorFlow-free stand-in for ``lightdesign.jobs.export:run``: each stage in turn
    (``spec.latency_runs`` hundredths of a second each), small files in the job's folder, an
    ExportResult."""
    from pathlib import Path

    from lightdesign.jobs.messages import EXPORT_STAGES, ExportedFile, ExportResult, ModelFormat, Status

    for stage in EXPORT_STAGES:
        if stop_flag.is_set():
            emit(Stopped(message="stopped", on_request=True))
            return
        emit(Status(stage=stage))
        time.sleep(spec.latency_runs / 100)
    files = {}
    for fmt in ModelFormat:
        path = Path(spec.work_dir) / f"{fmt}.bin"
        path.write_bytes(b"\0" * 100)
        files[fmt] = ExportedFile(path=str(path), bytes=100)
    result = ExportResult(
        files=files, latency_ms=dict.fromkeys(ModelFormat, 1.0), weights="initial", calibration="none", latency_runs=1
    )
    emit(Finished(result=result))
