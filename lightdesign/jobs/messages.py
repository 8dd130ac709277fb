"""What the app and its worker processes say to each other, typed.

Everything that crosses the process boundary is a frozen dataclass defined here: the job
specs going to a worker (``TrainSpec``, ``ExportSpec``, ``CalibrateSpec``, ``LatencySpec``),
the progress events coming back (``Started``, ``Status``, ``Progress``, ``DataReady``,
``Batch``, ``Epoch`` and the terminal ``Finished``, ``Stopped``, ``Failed``) and their results
(``TrainResult``, ``ExportResult``, ``CalibrationResult``, ``LatencyResult``). A latency
``Measurement`` of a whole model is what the store keeps for the latency model. On the wire
each is a JSON-safe dict: ``to_dict()`` on one side, ``from_dict()`` on the other (events
through ``event_from_dict``), so the keys are spelled once, here. A finished training run
is kept with its design as a ``RunRecord``.

Job kinds and states are ``StrEnum``s; the UI shows a state through the catalogue key
``job.state.<value>`` and a worker's stage through ``job.stage.<value>``.

No TensorFlow, no NumPy: the app process imports this module.
"""

from __future__ import annotations

import dataclasses
import secrets
import time
import typing
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

from lightdesign.core.message import TAG, Message
from lightdesign.importers.weights import WeightsSource


class JobKind(StrEnum):
    """The kinds of job the app runs (tests register their own kinds with the manager)."""

    TRAIN = "train"
    EXPORT = "export"
    CALIBRATE = "calibrate"  # a few timed training steps: this machine's speed for a design
    LATENCY = "latency"  # time TFLite kernels on this machine: the latency model's calibration


class JobState(StrEnum):
    QUEUED = "queued"
    STARTING = "starting"
    RUNNING = "running"
    STOPPING = "stopping"
    FINISHED = "finished"
    STOPPED = "stopped"
    FAILED = "failed"

    @property
    def active(self) -> bool:
        """Queued or holding a worker: the session cannot start another job."""
        return self in ACTIVE_STATES

    @property
    def holds_worker(self) -> bool:
        """Counts against the server's limit of jobs running at once."""
        return self in (JobState.STARTING, JobState.RUNNING, JobState.STOPPING)


ACTIVE_STATES = frozenset({JobState.QUEUED, JobState.STARTING, JobState.RUNNING, JobState.STOPPING})
DONE_STATES = frozenset({JobState.FINISHED, JobState.STOPPED, JobState.FAILED})


class Stage(StrEnum):
    """What a worker is doing between progress events (shown as ``job.stage.<value>``)."""

    LOADING_TENSORFLOW = "loading_tensorflow"
    PREPARING_DATA = "preparing_data"
    BUILDING_MODEL = "building_model"
    TRAINING = "training"
    EVALUATING = "evaluating"
    MEASURING_KERAS = "measuring_keras"
    CONVERTING_FLOAT32 = "converting_float32"
    MEASURING_FLOAT32 = "measuring_float32"
    CONVERTING_INT8 = "converting_int8"
    MEASURING_INT8 = "measuring_int8"
    MEASURING_ARENA = "measuring_arena"
    RECALIBRATING_BATCHNORM = "recalibrating_batchnorm"
    TIMING_STEPS = "timing_steps"
    CONVERTING_MODELS = "converting_models"
    TIMING_KERNELS = "timing_kernels"
    TIMING_STREAMING = "timing_streaming"
    TIMING_MODELS = "timing_models"
    FITTING_LATENCY = "fitting_latency"


EXPORT_STAGES = (
    Stage.LOADING_TENSORFLOW,
    Stage.BUILDING_MODEL,
    Stage.MEASURING_KERAS,
    Stage.CONVERTING_FLOAT32,
    Stage.MEASURING_FLOAT32,
    Stage.CONVERTING_INT8,
    Stage.MEASURING_INT8,
    Stage.MEASURING_ARENA,
)


class DatasetKind(StrEnum):
    NPZ = "npz"  # written by the app into the job's work folder
    KERAS = "keras"  # downloaded by the worker through keras.datasets


class ModelFormat(StrEnum):
    """The model files an export job writes."""

    KERAS = "keras"
    TFLITE_FLOAT32 = "tflite_float32"
    TFLITE_INT8 = "tflite_int8"


# -- job specs (app -> worker) ------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class DatasetRef(Message):
    """Where a worker finds a job's data."""

    kind: DatasetKind
    name: str  # the dataset's own name (a Keras dataset's module name for KERAS)
    title: str  # how the page names it (kept with the run)
    path: str | None = None  # the .npz file for NPZ


@dataclass(frozen=True, kw_only=True)
class TrainSettings(Message):
    epochs: int = 3
    batch_size: int = 32
    optimizer: str = "adam"
    learning_rate: float = 0.001
    validation_split: float = 0.1
    seed: int = 0
    max_samples: int | None = 5000
    mixed_precision: bool = False


@dataclass(frozen=True, kw_only=True)
class TrainSpec(Message):
    design_name: str
    source: str  # the generated Keras code the worker executes
    dataset: DatasetRef
    input_shape: tuple[int, ...]
    num_classes: int
    from_logits: bool
    work_dir: str
    settings: TrainSettings
    analysis: dict[str, int | None]  # the design's figures by metric key, kept with the run
    epoch_seconds_estimate: float = 0.0  # what the Train page estimated, shown beside the real time
    weights: WeightsSource | None = None  # fine-tune from an imported file's weights; None: new weights


@dataclass(frozen=True, kw_only=True)
class ExportSpec(Message):
    design_name: str
    source: str
    input_shape: tuple[int, ...]
    work_dir: str
    latency_runs: int = 50
    vocabulary: int = 100  # token range of generated samples for sequence inputs
    representative: DatasetRef | None = None  # int8 calibration data (a run's training data)
    model_path: str | None = None  # trained weights; None exports the initial weights
    run_label: str = ""  # the trained run, in words
    int8_peak_estimate: int = 0  # the analysis's TFLite Micro activation estimate, measured beside it
    weights: WeightsSource | None = None  # an imported file's weights (when no trained run is exported)
    class_names: tuple[str, ...] = ()  # for the microcontroller bundle ("class 0" … when empty)
    design: dict[str, Any] = field(default_factory=dict)  # the design (``to_dict``): its latency measurement names it


@dataclass(frozen=True, kw_only=True)
class CalibrateSpec(Message):
    """Time a few training steps of a design at a batch size on this machine."""

    design_name: str
    source: str
    input_shape: tuple[int, ...]
    num_classes: int
    from_logits: bool
    settings: TrainSettings  # batch size, optimizer, mixed precision as the run would use
    vocabulary: int = 2  # token ids below this for token inputs
    seconds: float = 3.0  # how long to time training steps (at least a few steps)
    flops: int = 0  # the design's inference FLOPs per sample (the measured speed in FLOP/s)


MIN_MEASUREMENT_RUNS = 30  # the convention: the median of at least this many invoke() calls


@dataclass(frozen=True, kw_only=True)
class Measurement(Message):
    """One measured latency of a whole design on one machine, as the convention says
    (TFLiteConverter, ``tf.lite.Interpreter(num_threads=threads)``, the median of at least 30
    ``invoke()`` after 5 warm-up calls): what the latency model is checked against and
    refined with."""

    design: dict[str, Any]  # the design measured (``Design.to_dict``): its kernels can be computed again
    machine: str  # ``analysis.latency_model.Machine.key`` of the machine that measured it
    threads: int
    fp32_ms: float | None  # median wall time
    int8_ms: float | None
    fp32_cpu_ms: float | None = None  # median CPU time of the invoking thread (robust to a busy machine)
    int8_cpu_ms: float | None = None
    source: str = "export"  # "export", "calibration" or "bench"
    at: float = field(default_factory=time.time)
    load: float = 0.0  # the 1-minute load average when it was measured (0: not recorded)


@dataclass(frozen=True, kw_only=True)
class LatencySpec(Message):
    """Calibrate the latency model of this machine for ``threads`` threads: time single
    operations for ``seconds`` of the job's CPU time, ``models`` whole models in rounds spread
    over that time (``jobs.latency_probes``), and refine with the ``measurements`` kept from
    earlier exports on this machine."""

    threads: int = 1
    # CPU seconds of kernels (and the whole models' rounds among them): the whole calibration took
    # 231 s on a quiet 2-core machine with 170, and 301 s on a slower 2-core VM; 155 keeps it under
    # 5 minutes there (7,500 kernels timed with 170)
    seconds: float = 155.0
    models: int = 3
    measurements: tuple[Measurement, ...] = ()
    seed: int = 0
    refit: bool = False  # fit the kernels this machine timed before again, timing none (``seconds`` unused)
    streaming_links: tuple[int, ...] = (1, 2, 4, 8, 16, 32, 64)  # the chains' lengths, 1 MB of weights per link


SPEC_TYPES: dict[str, type[Message]] = {
    JobKind.TRAIN: TrainSpec,
    JobKind.EXPORT: ExportSpec,
    JobKind.CALIBRATE: CalibrateSpec,
    JobKind.LATENCY: LatencySpec,
}


def spec_from_dict(kind: str, data: dict[str, Any]) -> Any:
    """The typed spec of a job of ``kind``; kinds without a spec type (tests') keep the dict."""
    spec_type = SPEC_TYPES.get(kind)
    return spec_type.from_dict(data) if spec_type else data


# -- results ------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Epoch(Message):
    """One finished epoch (also the training history's entries)."""

    TAG: ClassVar[str] = "epoch"
    epoch: int
    seconds: float
    loss: float | None = None
    accuracy: float | None = None
    val_loss: float | None = None
    val_accuracy: float | None = None
    at: float = field(default_factory=time.time)


@dataclass(frozen=True, kw_only=True)
class Sample(Message):
    """One test sample's prediction."""

    index: int
    true: int
    predicted: int
    confidence: float

    @property
    def correct(self) -> bool:
        return self.true == self.predicted


@dataclass(frozen=True, kw_only=True)
class TrainResult(Message):
    TAG: ClassVar[str] = "train_result"
    test_loss: float
    test_accuracy: float
    history: tuple[Epoch, ...]
    seconds: float
    samples_per_s: float
    confusion: tuple[tuple[int, ...], ...]
    class_names: tuple[str, ...]
    samples: tuple[Sample, ...]
    sample_images_path: str | None  # .npy of the samples' images (image data only)
    model_path: str
    notes: tuple[str, ...] = ()
    # Precise BatchNorm: the moving statistics re-estimated on this many training samples
    # after training (0: the model has no BatchNormalization), and the test loss with each
    # batch's own statistics (training mode) beside ``test_loss`` (inference mode, the model
    # a person downloads).
    batchnorm_samples: int = 0
    batch_statistics_loss: float | None = None


@dataclass(frozen=True, kw_only=True)
class CalibrationResult(Message):
    """Measured seconds per training step (after the first, which traces the model) and
    per evaluation step, at ``batch_size``."""

    TAG: ClassVar[str] = "calibration_result"
    batch_size: int
    steps: int
    train_step_seconds: float
    eval_step_seconds: float
    first_step_seconds: float  # tracing and compiling: once per run


UNSTEADY = 1.25  # a reference kernel's spread of timings above which a calibration says so


def busy_caution(load: float, cores: int) -> list[tuple[str, dict]]:
    """The caution a calibration whose whole models were timed at ``load`` needs, if any: they
    run slower on a busy machine (memory is shared where CPU time is not)."""
    return [("calibrate.busy", {"load": load, "cores": cores})] if load > cores else []


def unsteady_caution(spread: float) -> list[tuple[str, dict]]:
    """The caution (catalogue key and values) a calibration of this ``spread`` needs, if any:
    a machine whose speed moved in steps while kernels were timed (a cloud machine sharing its
    host, a laptop changing its clock) measures one model as differently from moment to moment,
    and no prediction can agree with it more closely."""
    return [("calibrate.unsteady", {"spread": spread})] if spread > UNSTEADY else []


@dataclass(frozen=True, kw_only=True)
class LatencyResult(Message):
    """A calibration of the latency model: where it is kept and how good it is."""

    TAG: ClassVar[str] = "latency_result"
    path: str  # the calibration file in the work folder
    machine: str  # the machine, in words
    kernels: int  # operations timed (each in float32 and int8)
    seconds: float
    errors: dict[str, float]  # held-out kernels' median relative error, by precision
    scale: dict[str, float]  # whole-model time over the kernels' sum, by precision
    measurements: tuple[Measurement, ...] = ()  # the whole models it timed, to keep in the store
    # the 1-minute load average while it timed whole models (the median of the rounds, the highest model)
    load: float = 0.0
    spread: float = 1.0  # how far the machine's speed moved (``latency_calibration.spread``)

    def cautions(self, cores: int) -> list[tuple[str, dict]]:
        """What to say about how the calibration was timed: catalogue keys and their values."""
        return busy_caution(self.load, cores) + unsteady_caution(self.spread)


@dataclass(frozen=True, kw_only=True)
class ExportedFile(Message):
    """One model file, or why it could not be written."""

    path: str | None = None
    bytes: int | None = None
    note: str = ""
    error: str = ""
    latency_error: str = ""
    # (the converter's scale, the file's) of each softmax input scale widened for TFLite Micro (jobs.int8_scales)
    widened_scales: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True, kw_only=True)
class MicroArena(Message):
    """The tensor arena TensorFlow Lite Micro's interpreter allocated for the int8 model
    (its RecordingMicroAllocator's report), beside the analysis's estimate."""

    head: int = 0  # planned activation and scratch buffers: what ``peak_activation_bytes_int8`` predicts
    tail: int = 0  # persistent structures (tensor and operator records, quantization data)
    total: int = 0
    estimate: int = 0  # the analysis's int8 activation estimate for the same model
    error: str = ""  # why it could not be measured (no tflite-micro package, an unsupported op …)

    @property
    def ratio(self) -> float | None:
        """Measured activation part over the estimate."""
        return self.head / self.estimate if self.head and self.estimate else None


@dataclass(frozen=True, kw_only=True)
class ExportResult(Message):
    TAG: ClassVar[str] = "export_result"
    files: dict[ModelFormat, ExportedFile]
    latency_ms: dict[ModelFormat, float]  # median single-sample latency on this machine's CPU
    weights: str  # which weights, in words
    calibration: str  # where the int8 calibration samples came from, in words
    latency_runs: int
    arena: MicroArena | None = None  # TFLite Micro's arena for the int8 model
    operators: tuple[str, ...] = ()  # the int8 file's builtin operators (``jobs.mcu.file_operators``)
    bundle: ExportedFile | None = None  # the microcontroller bundle (.zip, ``output.mcu_bundle``)
    cpu_ms: dict[ModelFormat, float] = field(default_factory=dict)  # TFLite: the invoking thread's CPU time
    tflite_runs: int = 0  # invoke() calls timed per TFLite model (at least 30, the convention)
    machine: str = ""  # the machine that measured (``analysis.latency_model.Machine.key``)

    def latency_figures(self) -> dict[str, float]:
        """The latencies as the Compare page reads them (``keras_ms``, ``tflite_int8_ms`` …)."""
        return {f"{fmt}_ms": ms for fmt, ms in self.latency_ms.items()}

    def measurement(self, design: dict[str, Any]) -> Measurement | None:
        """The TFLite latencies as a ``Measurement`` of ``design`` (its ``to_dict``), to keep
        in the store; None when neither TFLite model was timed by the convention."""
        fp32 = self.latency_ms.get(ModelFormat.TFLITE_FLOAT32)
        int8 = self.latency_ms.get(ModelFormat.TFLITE_INT8)
        if not self.machine or self.tflite_runs < MIN_MEASUREMENT_RUNS or (fp32 is None and int8 is None):
            return None
        return Measurement(
            design=design,
            machine=self.machine,
            threads=1,
            fp32_ms=fp32,
            int8_ms=int8,
            fp32_cpu_ms=self.cpu_ms.get(ModelFormat.TFLITE_FLOAT32),
            int8_cpu_ms=self.cpu_ms.get(ModelFormat.TFLITE_INT8),
        )


# -- progress events (worker -> app) -------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Started(Message):
    TAG: ClassVar[str] = "started"
    pid: int
    where: str = ""  # the machine running the job, in words, when not this server (a Ray node)
    at: float = field(default_factory=time.time)


@dataclass(frozen=True, kw_only=True)
class Progress(Message):
    """How far a stage of a job is: ``done`` of ``total`` (timing kernels: CPU seconds of
    the time allowed; converting models: models; timing models: rounds)."""

    TAG: ClassVar[str] = "stage_progress"
    stage: Stage
    done: int
    total: int
    at: float = field(default_factory=time.time)


@dataclass(frozen=True, kw_only=True)
class Status(Message):
    TAG: ClassVar[str] = "status"
    stage: Stage
    at: float = field(default_factory=time.time)


@dataclass(frozen=True, kw_only=True)
class DataReady(Message):
    TAG: ClassVar[str] = "data"
    train: int
    validation: int
    test: int
    notes: tuple[str, ...] = ()
    class_names: tuple[str, ...] = ()
    at: float = field(default_factory=time.time)


@dataclass(frozen=True, kw_only=True)
class Batch(Message):
    TAG: ClassVar[str] = "batch"
    epoch: int  # from 1
    epochs: int
    batch: int  # from 1
    batches: int
    loss: float | None = None
    accuracy: float | None = None
    samples_per_s: float = 0.0
    at: float = field(default_factory=time.time)

    @property
    def epochs_done(self) -> float:
        """Epochs done so far, with the current one as a fraction."""
        return self.epoch - 1 + self.batch / self.batches


@dataclass(frozen=True, kw_only=True)
class Finished(Message):
    TAG: ClassVar[str] = "finished"
    state: ClassVar[JobState] = JobState.FINISHED
    result: TrainResult | ExportResult | CalibrationResult | LatencyResult | None = None
    message: str = ""
    at: float = field(default_factory=time.time)


@dataclass(frozen=True, kw_only=True)
class Stopped(Message):
    TAG: ClassVar[str] = "stopped"
    state: ClassVar[JobState] = JobState.STOPPED
    message: str
    on_request: bool = False  # the person asked (shown as ``job.message.on_request``)
    history: tuple[Epoch, ...] = ()
    seconds: float = 0.0
    at: float = field(default_factory=time.time)


@dataclass(frozen=True, kw_only=True)
class Failed(Message):
    TAG: ClassVar[str] = "failed"
    state: ClassVar[JobState] = JobState.FAILED
    message: str
    detail: str = ""  # the end of the traceback, for logs
    at: float = field(default_factory=time.time)


Event = Started | Status | Progress | DataReady | Batch | Epoch | Finished | Stopped | Failed
End = Finished | Stopped | Failed
EVENT_TYPES: dict[str, type[Message]] = {c.TAG: c for c in typing.get_args(Event)}


def event_from_dict(data: dict[str, Any]) -> Event:
    """The event a worker sent (a dict from ``to_dict``)."""
    try:
        event_type = EVENT_TYPES[data[TAG]]
    except (KeyError, TypeError):
        raise ValueError(f"not a job event: {data!r:.200}") from None
    return event_type.from_dict(data)


# -- what the app keeps ------------------------------------------------------------------------------


def new_record_id() -> str:
    return secrets.token_hex(8)


@dataclass(frozen=True, kw_only=True)
class RunRecord(Message):
    """A finished training run, kept with its design (Compare, Export, the store).

    Stored flat: ``to_dict`` puts the design's figures (``analysis``, by metric key) beside
    the run's own fields, so that ``record[metric.key]`` reads any figure of a run, measured
    (``test_accuracy``) or analysed (``macs``). ``from_dict`` takes every key that is not a
    field back into ``analysis``, so records written before a figure was renamed still load.
    """

    id: str = field(default_factory=new_record_id)
    job: str
    dataset: str
    epochs: int
    batch_size: int
    optimizer: str
    learning_rate: float
    seed: int
    test_accuracy: float
    test_loss: float
    seconds: float
    samples_per_s: float
    model_path: str
    finished: float
    analysis: dict[str, int | None]  # the design's figures by metric key, when it was trained
    batchnorm_samples: int = 0  # BatchNorm statistics re-estimated on this many samples after training
    epoch_seconds: float = 0.0  # the run's mean epoch time
    epoch_seconds_estimate: float = 0.0  # what the Train page estimated before it started
    design_key: str = ""  # the generated source's digest: runs of the same network (time estimates)

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        return {**data.pop("analysis"), **data}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunRecord:
        names = {f.name for f in dataclasses.fields(cls)} - {"analysis"}
        own = {k: v for k, v in data.items() if k in names}
        return super().from_dict({**own, "analysis": {k: v for k, v in data.items() if k not in names}})

    @classmethod
    def of(cls, job_id: str, spec: TrainSpec, result: TrainResult, finished: float | None = None) -> RunRecord:
        settings = spec.settings
        return cls(
            job=job_id,
            dataset=spec.dataset.title,
            epochs=settings.epochs,
            batch_size=settings.batch_size,
            optimizer=settings.optimizer,
            learning_rate=settings.learning_rate,
            seed=settings.seed,
            test_accuracy=result.test_accuracy,
            test_loss=result.test_loss,
            seconds=result.seconds,
            samples_per_s=result.samples_per_s,
            model_path=result.model_path,
            finished=time.time() if finished is None else finished,
            analysis=dict(spec.analysis),
            batchnorm_samples=result.batchnorm_samples,
            epoch_seconds=result.seconds / max(len(result.history), 1),
            epoch_seconds_estimate=spec.epoch_seconds_estimate,
            design_key=design_key(spec.source),
        )


def design_key(source: str) -> str:
    """A short digest of a design's generated source: equal for the same network (any
    name), different after any change that alters the model."""
    import hashlib
    import re

    body = source.split("def build_model", 1)[-1]
    body = re.sub(r"keras\.Model\(inputs, x, name=.*\)", "", body)  # the model is named after the design
    return hashlib.sha256(body.encode()).hexdigest()[:16]
