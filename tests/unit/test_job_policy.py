"""When training is refused and what the Train page estimates first (pure functions), and
free memory read through psutil on every platform."""

from collections import namedtuple

import pytest

from lightdesign.analysis import metrics
from lightdesign.analysis.network import analyze, training_memory
from lightdesign.core import presets
from lightdesign.jobs import policy
from lightdesign.jobs.messages import RunRecord, TrainSettings
from lightdesign.jobs.specs import ASSUMED_FLOPS_PER_S

MB = 2**20


@pytest.mark.parametrize(
    ("need", "free", "refused"),
    [
        (79 * MB, 100 * MB, False),
        (80 * MB, 100 * MB, False),  # exactly the share is still allowed
        (81 * MB, 100 * MB, True),
        (10**12, None, False),  # free memory unknown: never refuse
        (10**12, 0, False),
    ],
)
def test_training_is_refused_above_the_share_of_free_memory(need, free, refused):
    assert policy.MEMORY_SHARE == 0.8
    assert policy.refuse(need, free) is refused


def test_samples_per_epoch_are_capped_and_leave_out_validation():
    assert policy.training_samples(1000, TrainSettings(max_samples=None, validation_split=0.1)) == 900
    assert policy.training_samples(60_000, TrainSettings(max_samples=5000, validation_split=0.2)) == 4000
    assert policy.training_samples(300, TrainSettings(max_samples=5000, validation_split=0.0)) == 300


def test_the_estimate_uses_the_training_memory_and_the_assumed_or_measured_speed():
    result = analyze(presets.build("seed_cnn"))
    settings = TrainSettings(batch_size=64, optimizer="sgd")
    assumed = policy.estimate(result, settings, 1000, free_bytes=None)
    assert assumed.memory_bytes == training_memory(result, 64, "sgd").total
    assert assumed.epoch_seconds == pytest.approx(3 * result.flops * 1000 / ASSUMED_FLOPS_PER_S)
    assert not assumed.measured and not assumed.refused
    measured = policy.estimate(result, settings, 1000, free_bytes=assumed.memory_bytes, measured_flops_per_s=1e9)
    assert measured.measured and measured.flops_per_s == 1e9
    assert measured.epoch_seconds == pytest.approx(3 * result.flops * 1000 / 1e9)
    assert measured.refused  # needs all of the free memory, more than the 80% share


def test_a_runs_speed_refines_the_estimate():
    run = RunRecord(
        job="j",
        dataset="d",
        epochs=1,
        batch_size=32,
        optimizer="adam",
        learning_rate=0.001,
        seed=0,
        test_accuracy=0.5,
        test_loss=1.0,
        seconds=1.0,
        samples_per_s=200.0,
        model_path="/x",
        finished=0.0,
        analysis={metrics.FLOPS.key: 1_000_000},
    )
    assert policy.measured_flops_per_s(run) == metrics.training_flops(1_000_000, 200.0)
    assert policy.measured_flops_per_s(RunRecord.from_dict({**run.to_dict(), "samples_per_s": 0.0})) is None
    assert policy.measured_flops_per_s(RunRecord.from_dict({**run.to_dict(), "flops": None})) is None


def test_worker_memory_is_the_lower_of_free_memory_and_the_cap():
    assert policy.worker_memory(8 * MB, None) == 8 * MB
    assert policy.worker_memory(8 * MB, 4 * MB) == 4 * MB
    assert policy.worker_memory(None, 4 * MB) == 4 * MB
    assert policy.worker_memory(None, None) is None


def test_free_memory_comes_from_psutil_and_honours_the_worker_cap(monkeypatch):
    import psutil

    memory = namedtuple("memory", "available")
    monkeypatch.setattr(psutil, "virtual_memory", lambda: memory(6 * 1024 * MB))
    monkeypatch.delenv("LIGHTDESIGN_WORKER_MEMORY_MB", raising=False)
    assert policy.available_memory_bytes() == 6 * 1024 * MB
    monkeypatch.setenv("LIGHTDESIGN_WORKER_MEMORY_MB", "3072")
    assert policy.available_memory_bytes() == 3072 * MB


def test_free_memory_on_this_machine_is_known():
    assert policy.available_memory_bytes() > 0
