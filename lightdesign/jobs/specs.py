"""Building job specifications in the app process (no TensorFlow): the generated source,
the dataset written where the worker can read it, and the settings, as the typed specs of
``lightdesign.jobs.messages``."""

from __future__ import annotations

import dataclasses
import os
import uuid
from collections.abc import Iterable
from pathlib import Path

from lightdesign import config
from lightdesign.analysis import metrics
from lightdesign.analysis.network import Analysis, analyze, ends_with_softmax
from lightdesign.core.design import Design, DesignError
from lightdesign.core.layers import opaque
from lightdesign.data import cache, sources
from lightdesign.data.dataset import Dataset
from lightdesign.data.owned import owned_file
from lightdesign.jobs.messages import (
    CalibrateSpec,
    DatasetKind,
    DatasetRef,
    ExportSpec,
    RunRecord,
    TrainSettings,
    TrainSpec,
    WeightsSource,
)
from lightdesign.output.codegen import generate

WORK_ROOT = config.work_dir() / "jobs"  # each job's folder: its data, weights and model files
ASSUMED_FLOPS_PER_S = 2.0e10  # training throughput of a 2-core CPU, refined by measured runs


def new_work_dir() -> Path:
    path = WORK_ROOT / uuid.uuid4().hex[:12]
    path.mkdir(parents=True, exist_ok=True)
    return path


def train_spec(
    design: Design,
    dataset: DatasetRef,
    settings: TrainSettings,
    work_dir: Path,
    weights: WeightsSource | None = None,
) -> TrainSpec:
    """A training job spec; DesignError when the design cannot be trained as it is.
    ``weights``: an imported file's weights to fine-tune from (``importers.weights.file_weights``)."""
    result = analyze(design, settings.batch_size, settings.optimizer)
    if result.errors:
        raise DesignError(f"fix the design first: {result.errors[0].text}")
    refused = opaque.refusal(design, "trained")
    if refused:  # imported layers that have no Keras form
        raise DesignError(refused)
    if result.output_shape != (design.num_classes,):
        raise DesignError(
            f"the design outputs {result.output_shape}, not {design.num_classes} class scores; "
            "end it with global pooling or Flatten and a Dense layer of that many units"
        )
    return TrainSpec(
        design_name=design.name,
        source=generate(design),
        dataset=dataset,
        input_shape=tuple(design.input_shape),
        num_classes=design.num_classes,
        from_logits=not ends_with_softmax(result),
        work_dir=str(work_dir),
        settings=settings,
        analysis=metrics.summary(result),  # the run record carries every figure by metric key
        weights=weights,
    )


def calibrate_spec(design: Design, settings: TrainSettings) -> CalibrateSpec:
    """A calibration job spec: a few timed training steps of ``design`` at the settings'
    batch size (DesignError when it cannot be trained)."""
    result = analyze(design, settings.batch_size, settings.optimizer)
    if result.errors:
        raise DesignError(f"fix the design first: {result.errors[0].text}")
    refused = opaque.refusal(design, "trained")
    if refused:
        raise DesignError(refused)
    embedding = next((b for b in design.blocks if b.kind == "Embedding"), None)
    return CalibrateSpec(
        design_name=design.name,
        source=generate(design),
        input_shape=tuple(design.input_shape),
        num_classes=design.num_classes,
        from_logits=not ends_with_softmax(result),
        settings=settings,
        vocabulary=embedding.params["input_dim"] if embedding else 2,
        flops=metrics.FLOPS.read(result),
    )


def dataset_for_job(data: Dataset, work_dir: Path) -> DatasetRef:
    """The dataset for the worker as ``work_dir/data.npz``: a hard link to its one file on
    disk, written once per content (never again on every Start); returns the spec's reference."""
    path = cache.link_for_job(data, work_dir)
    return DatasetRef(kind=DatasetKind.NPZ, name=data.name, title=data.name, path=str(path))


def keras_dataset(name: str) -> DatasetRef:
    """A Keras dataset the worker downloads."""
    if name not in sources.KERAS_DATASETS:
        raise DesignError(f"unknown dataset {name!r}")
    return DatasetRef(kind=DatasetKind.KERAS, name=name, title=sources.KERAS_DATASETS[name].title)


def epoch_seconds(result: Analysis, samples: int, flops_per_s: float = ASSUMED_FLOPS_PER_S) -> float:
    """Rough time of one epoch (``metrics.training_flops`` at ``flops_per_s``)."""
    return metrics.training_flops(result.flops, samples) / flops_per_s


def export_spec(
    design: Design,
    work_dir: Path,
    run: RunRecord | None = None,
    latency_runs: int = 50,
    weights: WeightsSource | None = None,
    owned: Iterable[str | os.PathLike] = (),
) -> ExportSpec:
    """An export job spec: the trained model of ``run`` when given, else an imported file's
    ``weights`` when given, else initial weights. ``owned``: the files and folders the
    workspace owns; the run's model (and its data) are used only from inside them."""
    result = analyze(design)
    if result.errors:
        raise DesignError(f"fix the design first: {result.errors[0].text}")
    refused = opaque.refusal(design, "exported")
    if refused:  # imported layers that have no Keras form
        raise DesignError(refused)
    embedding = next((b for b in design.blocks if b.kind == "Embedding"), None)
    spec = ExportSpec(
        design_name=design.name,
        source=generate(design),
        input_shape=tuple(design.input_shape),
        work_dir=str(work_dir),
        latency_runs=latency_runs,
        vocabulary=embedding.params["input_dim"] if embedding else 100,
        int8_peak_estimate=metrics.PEAK_INT8.read(result),
        weights=weights if run is None else None,
        design=design.to_dict(),
    )
    if run is None:
        return spec
    owned = list(owned)
    model = owned_file(run.model_path, owned)
    if model is None:
        raise DesignError(
            "the trained model of this run is gone or is not one of this workspace's files; train the design again"
        )
    data_path = owned_file(str(model.parent / "data.npz"), owned)
    representative = (
        DatasetRef(kind=DatasetKind.NPZ, name=run.dataset, title=run.dataset, path=str(data_path))
        if data_path is not None
        else None
    )
    return dataclasses.replace(
        spec,
        model_path=str(model),
        run_label=f"{run.dataset}, {run.test_accuracy:.1%} test accuracy",
        representative=representative,
    )
