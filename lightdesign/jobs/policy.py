"""Whether a training job may start, and the estimates the Train page shows before it
does: pure functions of the analysis, the settings, the measured speed and the free memory.
Only ``available_memory_bytes`` looks at the machine (through psutil, on every platform)."""

from __future__ import annotations

from dataclasses import dataclass

from lightdesign import metrics
from lightdesign.analysis import Analysis, training_memory
from lightdesign.jobs.messages import RunRecord, TrainSettings
from lightdesign.jobs.specs import ASSUMED_FLOPS_PER_S, epoch_seconds

MEMORY_SHARE = 0.8  # refuse to train when the estimate exceeds this share of the free memory


def training_samples(available: int, settings: TrainSettings) -> int:
    """Samples one epoch trains on: ``available`` capped at ``settings.max_samples``, less
    the validation share."""
    if settings.max_samples:
        available = min(available, settings.max_samples)
    return int(available * (1 - settings.validation_split))


def refuse(memory_bytes: int, free_bytes: int | None, share: float = MEMORY_SHARE) -> bool:
    """True when a job that needs ``memory_bytes`` must not start: it would take more than
    ``share`` of the free memory. Where the free memory is unknown nothing is refused."""
    return bool(free_bytes) and memory_bytes > share * free_bytes


@dataclass(frozen=True)
class TrainingEstimate:
    memory_bytes: int  # weights, gradients, optimizer slots and saved activations
    epoch_seconds: float
    flops_per_s: float  # the training speed the time assumes
    measured: bool  # whether that speed was measured by a run (else assumed)
    free_bytes: int | None  # memory a worker may use; None where unknown

    @property
    def refused(self) -> bool:
        return refuse(self.memory_bytes, self.free_bytes)


def estimate(
    result: Analysis,
    settings: TrainSettings,
    samples: int,
    free_bytes: int | None,
    measured_flops_per_s: float | None = None,
) -> TrainingEstimate:
    """Memory and time of training ``result``'s design on ``samples`` samples per epoch."""
    rate = measured_flops_per_s or ASSUMED_FLOPS_PER_S
    return TrainingEstimate(
        memory_bytes=training_memory(result, settings.batch_size, settings.optimizer).total,
        epoch_seconds=epoch_seconds(result, samples, rate),
        flops_per_s=rate,
        measured=bool(measured_flops_per_s),
        free_bytes=free_bytes,
    )


def measured_flops_per_s(run: RunRecord) -> float | None:
    """The training speed a finished run achieved (refines the next time estimate)."""
    flops = run.analysis.get(metrics.FLOPS.key)
    if not flops or run.samples_per_s <= 0:
        return None
    return metrics.training_flops(flops, run.samples_per_s)


def worker_memory(free_bytes: int | None, cap_bytes: int | None) -> int | None:
    """Memory a worker may use: the free memory, or the worker's cap when that is lower."""
    known = [b for b in (free_bytes, cap_bytes) if b]
    return min(known) if known else None


def available_memory_bytes() -> int | None:
    """Memory a worker may use on this machine: what psutil reports as available, or the
    worker cap (LIGHTDESIGN_WORKER_MEMORY_MB) when lower; None where neither is known."""
    import psutil  # imported here: ``import lightdesign`` stays light

    from lightdesign.jobs.worker import memory_cap_bytes

    try:
        free = int(psutil.virtual_memory().available)
    except (OSError, RuntimeError):
        free = None
    return worker_memory(free, memory_cap_bytes())
