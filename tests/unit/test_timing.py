"""Epoch time estimates: a run of the same network first, then its calibration, then any
speed measured on this machine, then an assumed one."""

import pytest

from lightdesign.analysis import metrics
from lightdesign.jobs import timing
from lightdesign.jobs.messages import CalibrationResult, RunRecord


def run(key: str, batch: int, samples_per_s: float, flops: int = 1_000_000) -> RunRecord:
    return RunRecord(
        job="j",
        dataset="d",
        epochs=3,
        batch_size=batch,
        optimizer="adam",
        learning_rate=1e-3,
        seed=0,
        test_accuracy=0.9,
        test_loss=0.3,
        seconds=12.0,
        samples_per_s=samples_per_s,
        model_path="m",
        finished=0.0,
        analysis={metrics.FLOPS.key: flops},
        design_key=key,
    )


def calibration(key: str, batch: int, step: float, flops: int = 1_000_000) -> timing.Calibration:
    result = CalibrationResult(
        batch_size=batch, steps=20, train_step_seconds=step, eval_step_seconds=step / 3, first_step_seconds=2.0
    )
    return timing.Calibration(key, batch, flops, result)


def estimate(runs=(), calibrations=(), key="net", batch=32, train=1000, validation=100, epochs=2):
    return timing.estimate(key, 1_000_000, batch, train, validation, epochs, list(runs), list(calibrations))


def test_a_run_of_the_same_network_and_batch_size_gives_its_epoch_time():
    found = estimate(runs=[run("net", 32, 250.0)], calibrations=[calibration("net", 32, 0.01)])
    assert found.source == timing.Source.RUN
    assert found.epoch_seconds == pytest.approx(1000 / 250.0)


def test_a_calibration_counts_steps_validation_and_tracing_once_per_run():
    found = estimate(calibrations=[calibration("net", 32, 0.1)], runs=[run("net", 64, 250.0)])
    assert found.source == timing.Source.CALIBRATION
    steps, validation_steps = 32, 4  # ceil(1000 / 32), ceil(100 / 32)
    tracing = 2.0 + 2 * 0.1 / 3
    assert found.epoch_seconds == pytest.approx(steps * 0.1 + validation_steps * 0.1 / 3 + tracing / 2)


def test_another_networks_speed_scales_by_flops_and_otherwise_an_assumed_speed():
    other = calibration("other", 32, 0.032, flops=2_000_000)  # 1 ms per sample of 3 x 2 MFLOPs: 6 GFLOP/s
    found = estimate(calibrations=[other])
    assert found.source == timing.Source.SCALED
    assert found.flops_per_s == pytest.approx(6e9)
    assert found.epoch_seconds == pytest.approx(metrics.training_flops(1_000_000, 1000) / 6e9)
    assumed = estimate()
    assert assumed.source == timing.Source.ASSUMED and assumed.flops_per_s == timing.ASSUMED_FLOPS_PER_S


def test_the_network_digest_ignores_the_design_name():
    from lightdesign.core import presets
    from lightdesign.jobs.messages import design_key
    from lightdesign.output.codegen import generate

    a, b = presets.build("seed_cnn"), presets.build("seed_cnn")
    b.name = "renamed"
    assert design_key(generate(a)) == design_key(generate(b))
    assert design_key(generate(a)) != design_key(generate(presets.build("seed_cnn", classes=5)))
