"""Epoch time estimates from the measured speed of this machine (no TensorFlow here).

A training epoch's time is estimated, in this order of trust, from:

1. ``run``: a finished run of the same network (same generated model, any name) at the
   same batch size: its mean epoch time per training sample, everything included
   (validation, tracing, callbacks), scaled to the samples of the next run;
2. ``calibration``: a calibration job (a few timed training and evaluation steps at the
   batch size, cached per network and batch size): training samples x step time per
   sample, plus the validation samples' evaluation, plus the first step's tracing spread
   over the epochs;
3. ``scaled``: any measurement of another network on this machine, as training FLOP/s,
   applied to this network's FLOPs;
4. ``assumed``: an assumed training speed (``ASSUMED_FLOPS_PER_S``).
"""

from __future__ import annotations

from dataclasses import dataclass

from lightdesign.analysis import metrics
from lightdesign.jobs.messages import CalibrationResult, RunRecord

ASSUMED_FLOPS_PER_S = 5.0e9  # training FLOP/s of a shared 2-core CPU, before anything is measured


class Source:
    RUN = "run"
    CALIBRATION = "calibration"
    SCALED = "scaled"
    ASSUMED = "assumed"


@dataclass(frozen=True)
class Calibration:
    """A calibration job's measurement of one network at one batch size."""

    design_key: str
    batch_size: int
    flops: int  # the network's inference FLOPs per sample (to derive FLOP/s)
    result: CalibrationResult

    @property
    def train_seconds_per_sample(self) -> float:
        return self.result.train_step_seconds / self.batch_size

    @property
    def flops_per_s(self) -> float:
        return metrics.training_flops(self.flops, 1) / max(self.train_seconds_per_sample, 1e-12)


@dataclass(frozen=True)
class Estimate:
    epoch_seconds: float
    source: str  # a ``Source`` value
    flops_per_s: float  # the training speed behind it (FLOP/s), for the help text


def epoch_seconds_from_calibration(
    calibration: Calibration, train_samples: int, validation_samples: int, epochs: int
) -> float:
    result = calibration.result
    batch = calibration.batch_size
    steps = -(-train_samples // batch)
    validation_steps = -(-validation_samples // batch) if validation_samples else 0
    tracing = result.first_step_seconds + (result.eval_step_seconds * 2 if validation_steps else 0)
    return steps * result.train_step_seconds + validation_steps * result.eval_step_seconds + tracing / max(epochs, 1)


def run_flops_per_s(run: RunRecord) -> float | None:
    flops = run.analysis.get(metrics.FLOPS.key)
    if not flops or run.samples_per_s <= 0:
        return None
    return metrics.training_flops(flops, run.samples_per_s)


def estimate(
    design_key: str,
    flops: int,
    batch_size: int,
    train_samples: int,
    validation_samples: int,
    epochs: int,
    runs: list[RunRecord],
    calibrations: list[Calibration],
) -> Estimate:
    """The epoch time of training a network (``design_key``, ``flops``) at ``batch_size``
    on ``train_samples`` (plus ``validation_samples`` evaluated each epoch)."""
    same_runs = [r for r in runs if r.design_key == design_key and r.batch_size == batch_size and r.samples_per_s > 0]
    if same_runs:
        run = same_runs[-1]
        return Estimate(train_samples / run.samples_per_s, Source.RUN, run_flops_per_s(run) or 0.0)
    same = [c for c in calibrations if c.design_key == design_key and c.batch_size == batch_size]
    if same:
        calibration = same[-1]
        seconds = epoch_seconds_from_calibration(calibration, train_samples, validation_samples, epochs)
        return Estimate(seconds, Source.CALIBRATION, calibration.flops_per_s)
    rates = [c.flops_per_s for c in calibrations] + [r for r in map(run_flops_per_s, runs) if r]
    rate, source = (rates[-1], Source.SCALED) if rates else (ASSUMED_FLOPS_PER_S, Source.ASSUMED)
    return Estimate(metrics.training_flops(flops, train_samples) / rate, source, rate)
