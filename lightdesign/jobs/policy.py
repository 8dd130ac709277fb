"""Whether a training or export job may start, and the estimates the pages show before it
does: pure functions of the analysis, the settings, the measured speed and the free memory.
Only ``available_memory_bytes`` looks at the machine (through psutil, on every platform).

Training and export follow the same rule: estimate the memory the worker will need and
refuse the job when that exceeds ``MEMORY_SHARE`` of what a worker may use (the free
memory, or the worker's cap when lower). The job's files are estimated too, for the disk
budgets of ``lightdesign.store.disk``."""

from __future__ import annotations

from dataclasses import dataclass

from lightdesign.analysis import metrics
from lightdesign.analysis.network import Analysis, training_memory
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


# An export builds the Keras model, saves it, converts it twice (TFLite float32 and int8,
# each conversion freezing copies of every weight) and runs three interpreters to measure
# latency: a 250M-parameter design (1 GB of fp32 weights) took the worker to 15.7 GB.
EXPORT_WEIGHT_COPIES = 16
EXPORT_BASE_BYTES = 1024 * 2**20  # TensorFlow, the converter and the interpreters themselves
EXPORT_FILE_COPIES = 2.5  # .keras (1x) + float32 .tflite (1x) + int8 .tflite (0.25x) + slack
TRAIN_FILE_COPIES = 4  # the saved model carries the weights and Adam's two slots (and a little more)


@dataclass(frozen=True)
class ExportEstimate:
    memory_bytes: int
    disk_bytes: int
    free_bytes: int | None

    @property
    def refused(self) -> bool:
        return refuse(self.memory_bytes, self.free_bytes)


def export_estimate(result: Analysis, free_bytes: int | None) -> ExportEstimate:
    """Memory and disk an export job of ``result``'s design needs."""
    weights = metrics.WEIGHTS_FP32.read(result)
    activations = metrics.PEAK.read(result)
    return ExportEstimate(
        memory_bytes=EXPORT_BASE_BYTES + EXPORT_WEIGHT_COPIES * weights + 4 * activations,
        disk_bytes=int(EXPORT_FILE_COPIES * weights) + 2**20,
        free_bytes=free_bytes,
    )


def training_disk_bytes(result: Analysis) -> int:
    """Disk the files of a training run take (the saved model, sample images)."""
    return TRAIN_FILE_COPIES * metrics.WEIGHTS_FP32.read(result) + 4 * 2**20
