"""Building job specifications in the app process (no TensorFlow): the generated source,
the dataset written where the worker can read it, and the settings."""

from __future__ import annotations

import os
import tempfile
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from lightdesign import datasets, metrics
from lightdesign.analysis import Analysis, analyze
from lightdesign.codegen import generate
from lightdesign.design import Design, DesignError

WORK_ROOT = Path(os.environ.get("LIGHTDESIGN_WORK_DIR", Path(tempfile.gettempdir()) / "lightdesign"))
ASSUMED_FLOPS_PER_S = 2.0e10  # training throughput of a 2-core CPU, refined by measured runs


@dataclass
class TrainSettings:
    epochs: int = 3
    batch_size: int = 32
    optimizer: str = "adam"
    learning_rate: float = 0.001
    validation_split: float = 0.1
    seed: int = 0
    max_samples: int | None = 5000
    mixed_precision: bool = False


def new_work_dir() -> Path:
    path = WORK_ROOT / uuid.uuid4().hex[:12]
    path.mkdir(parents=True, exist_ok=True)
    return path


def ends_with_softmax(result: Analysis) -> bool:
    node = result.graph.output
    act = node.layer.cfg.get("activation") if node.layer is not None else None
    return act in ("softmax", "sigmoid")


def train_spec(design: Design, dataset: dict, settings: TrainSettings, work_dir: Path) -> dict:
    """A training job spec; DesignError when the design cannot be trained as it is."""
    result = analyze(design, settings.batch_size, settings.optimizer)
    if result.errors:
        raise DesignError(f"fix the design first: {result.errors[0].text}")
    if result.output_shape != (design.num_classes,):
        raise DesignError(
            f"the design outputs {result.output_shape}, not {design.num_classes} class scores; "
            "end it with global pooling or Flatten and a Dense layer of that many units"
        )
    return {
        "design_name": design.name,
        "source": generate(design),
        "dataset": dataset,
        "input_shape": list(design.input_shape),
        "num_classes": design.num_classes,
        "from_logits": not ends_with_softmax(result),
        "work_dir": str(work_dir),
        **asdict(settings),
    }


def dataset_for_job(data: datasets.Dataset, work_dir: Path) -> dict:
    """Write an in-memory dataset for the worker; returns the spec's dataset entry."""
    path = work_dir / "data.npz"
    path.write_bytes(data.to_npz())
    return {"kind": "npz", "path": str(path), "name": data.name}


def keras_dataset(name: str) -> dict:
    if name not in datasets.KERAS_DATASETS:
        raise DesignError(f"unknown dataset {name!r}")
    return {"kind": "keras", "name": name}


def epoch_seconds(result: Analysis, samples: int, flops_per_s: float = ASSUMED_FLOPS_PER_S) -> float:
    """Rough time of one epoch (``metrics.training_flops`` at ``flops_per_s``)."""
    return metrics.training_flops(result.flops, samples) / flops_per_s


def available_memory_bytes() -> int | None:
    """Memory a worker may use: MemAvailable from /proc/meminfo, or the worker cap
    (LIGHTDESIGN_WORKER_MEMORY_MB) when lower; None where unknown."""
    from lightdesign.jobs.worker import memory_cap_bytes

    free = None
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    free = int(line.split()[1]) * 1024
    except OSError:
        pass
    cap = memory_cap_bytes()
    if cap and (free is None or cap < free):
        return cap
    return free


def export_spec(design: Design, work_dir: Path, run: dict | None = None, latency_runs: int = 50) -> dict:
    """An export job spec: the trained model of ``run`` when given, else initial weights."""
    result = analyze(design)
    if result.errors:
        raise DesignError(f"fix the design first: {result.errors[0].text}")
    embedding = next((b for b in design.blocks if b.kind == "Embedding"), None)
    spec = {
        "design_name": design.name,
        "source": generate(design),
        "input_shape": list(design.input_shape),
        "work_dir": str(work_dir),
        "latency_runs": latency_runs,
        "vocabulary": embedding.params["input_dim"] if embedding else 100,
        "representative": None,
        "model_path": None,
    }
    if run:
        spec["model_path"] = run.get("model_path")
        spec["run_label"] = f"{run.get('dataset')}, {run.get('test_accuracy', 0):.1%} test accuracy"
        data_path = Path(run["model_path"]).parent / "data.npz" if run.get("model_path") else None
        if data_path is not None and data_path.exists():
            spec["representative"] = {"kind": "npz", "path": str(data_path), "name": run.get("dataset")}
    return spec
