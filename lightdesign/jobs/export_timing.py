"""How long each stage of an export job takes, before and while it runs (no TensorFlow here).

Each stage's time is a fixed part, a part per layer (building, saving and converting the
model grow with the layers) and a part per FLOP (latency runs and the int8 calibration run the
model): ``STAGE_COST``, fitted to exports of nine presets (the seed CNN to GhostNet at 224) on a
shared 2-core machine: within a third of each measured total.
Loading TensorFlow costs nothing when a warm worker has loaded it. The finished exports of a
server refine the figures: ``server_speed`` is how much faster or slower than assumed they ran.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from lightdesign.jobs.messages import EXPORT_STAGES, Stage

CALIBRATION_SAMPLES = 100  # the int8 converter's calibration samples (export.REPRESENTATIVE_SAMPLES)
WARMUP_RUNS = 5  # runs before each latency measurement (export.median_ms)
TENSORFLOW_S = 8.0  # loading TensorFlow in a fresh worker


@dataclass(frozen=True)
class StageCost:
    seconds: float = 0.0
    per_layer: float = 0.0
    per_gflop: float = 0.0  # seconds per 1e9 FLOPs run


STAGE_COST = {
    Stage.BUILDING_MODEL: StageCost(0.1, 0.018),
    Stage.MEASURING_KERAS: StageCost(0.1, 0.018, 0.01),
    Stage.CONVERTING_FLOAT32: StageCost(0.3, 0.085),
    Stage.MEASURING_FLOAT32: StageCost(0.0, 0.002, 0.03),
    Stage.CONVERTING_INT8: StageCost(0.3, 0.1, 0.15),
    Stage.MEASURING_INT8: StageCost(0.0, 0.001, 0.01),
    Stage.MEASURING_ARENA: StageCost(0.5, 0.002),
}


def stage_seconds(layers: int, flops: int, latency_runs: int, tensorflow_loaded: bool, speed: float = 1.0):
    """Each stage's expected seconds (``EXPORT_STAGES`` order) for a model of ``layers``
    layers and ``flops`` FLOPs per sample, measured ``latency_runs`` times per format;
    ``speed``: this server's time over the assumed (``server_speed``)."""
    runs = latency_runs + WARMUP_RUNS
    work = {  # FLOPs each stage runs, in 1e9
        Stage.MEASURING_KERAS: runs * flops / 1e9,
        Stage.MEASURING_FLOAT32: runs * flops / 1e9,
        Stage.MEASURING_INT8: runs * flops / 1e9,
        Stage.CONVERTING_INT8: CALIBRATION_SAMPLES * flops / 1e9,
    }
    seconds = {Stage.LOADING_TENSORFLOW: 0.0 if tensorflow_loaded else TENSORFLOW_S}
    for stage, cost in STAGE_COST.items():
        seconds[stage] = speed * (cost.seconds + cost.per_layer * layers + cost.per_gflop * work.get(stage, 0.0))
    return {stage: seconds[stage] for stage in EXPORT_STAGES}


def remaining(expected: dict[Stage, float], stage: Stage | None, in_stage_s: float) -> float:
    """Seconds left when the job is ``in_stage_s`` seconds into ``stage`` (None: not begun)."""
    if stage is None:
        return sum(expected.values())
    later = EXPORT_STAGES[EXPORT_STAGES.index(stage) + 1 :]
    return max(expected[stage] - in_stage_s, 0.0) + sum(expected[s] for s in later)


def server_speed(finished: list[tuple[float, float]]) -> float:
    """This server's export speed from its finished exports' (expected, actual) seconds, TensorFlow's
    loading left out: the median ratio of the latest few, between 0.2 and 5 (1 before any)."""
    ratios = [actual / expected for expected, actual in finished[-5:] if expected > 0 and actual > 0]
    return min(max(statistics.median(ratios), 0.2), 5.0) if ratios else 1.0
