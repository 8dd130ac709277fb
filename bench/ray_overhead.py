"""Overhead of the Ray job backend against the local one, in one run.

    python bench/ray_overhead.py [--epochs 2] [--repeats 3]

Trains the seed CNN on the built-in 28x28 digits for 2 epochs as a job through the
JobManager, alternately on the local backend (a spawned worker process) and on the Ray
backend against a local Ray head started here (``ray start --head``, 2 CPUs, 127.0.0.1).
Prints the median wall time from submit to the finished job of each, their ratio, and the
training time the jobs themselves measured (so the difference is the backend: the relay's
start and connection, the Ray task's process, events and files through the cluster).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lightdesign.core import presets  # noqa: E402
from lightdesign.data import builtin  # noqa: E402
from lightdesign.jobs import JobManager  # noqa: E402
from lightdesign.jobs.backends import LocalBackend, RayBackend, RayConfig  # noqa: E402
from lightdesign.jobs.messages import JobKind, TrainSettings  # noqa: E402
from lightdesign.jobs.specs import dataset_for_job, new_work_dir, train_spec  # noqa: E402


def one_job(manager: JobManager, spec) -> tuple[float, float]:
    """(wall seconds from submit to finished, training seconds the job measured)."""
    start = time.perf_counter()
    job = manager.submit("bench", JobKind.TRAIN, spec)
    while job.active:
        time.sleep(0.05)
    wall = time.perf_counter() - start
    if job.state != "finished":
        raise RuntimeError(f"{manager.backend.name}: {job.message}")
    return wall, job.result.seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    from tests.ray_cluster import RayHead, why_not

    reason = why_not()
    if reason:
        sys.exit(f"cannot measure the Ray backend: {reason}")
    design = presets.build("seed_cnn")
    data = builtin.digits(28)
    settings = TrainSettings(epochs=args.epochs, batch_size=32, max_samples=None)

    def spec():
        work = new_work_dir()
        return train_spec(design, dataset_for_job(data, work), settings, work)

    started = time.perf_counter()
    head = RayHead(cpus=2)
    print(f"Ray head started in {time.perf_counter() - started:.1f} s at {head.address}")
    local = JobManager(max_running=1, backend=LocalBackend())
    ray = JobManager(max_running=1, backend=RayBackend(RayConfig(address=head.address)))
    results: dict[str, list[tuple[float, float]]] = {"local": [], "ray": []}
    try:
        one_job(ray, spec())  # warm-up: the cluster's first worker processes and imports
        for _ in range(args.repeats):
            for name, manager in (("local", local), ("ray", ray)):
                results[name].append(one_job(manager, spec()))
    finally:
        local.shutdown()
        ray.shutdown()
        head.stop()
    print(
        f"seed CNN, digits 28x28 ({len(data.y_train)} training samples), {args.epochs} epochs, {args.repeats} runs each"
    )
    medians = {}
    for name, runs in results.items():
        walls = [w for w, _ in runs]
        trains = [t for _, t in runs]
        medians[name] = statistics.median(walls)
        print(
            f"  {name:<5} wall {medians[name]:6.2f} s (runs {', '.join(f'{w:.2f}' for w in walls)}), "
            f"training {statistics.median(trains):5.2f} s, overhead {medians[name] - statistics.median(trains):5.2f} s"
        )
    print(f"Ray / local wall time: {medians['ray'] / medians['local']:.2f}x")


if __name__ == "__main__":
    main()
