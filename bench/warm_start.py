"""Click -> first epoch of a brief training run, and the time of an export build, each with
a cold worker (spawned for the job: it loads TensorFlow first) and a warm one (started
before the click, TensorFlow already loaded; ``lightdesign.jobs.warm``), alternated in one
run so that both see the same machine load.

    python -m bench.warm_start [--repeats 3] [--skip-export]

Training: the seed CNN on the built-in 28x28 digits with the Train page's default settings
(3 epochs, batch 32, Adam, 10% validation, at most 5000 samples). "Click" is what the Start
button does: the spec is built (the dataset linked into the job's folder) and submitted.
Printed per run: seconds from the click to the first batch point and to the end of the first
epoch (the Train page polls every second, so a person sees each up to 1 s later), and to the
end of the run, and the batch points of the first epoch (the rows say "s"; that one is a count). Export: the seed CNN's export job (.keras, TFLite float32 and int8, latency,
TFLite Micro arena), seconds from the click to its result, and each stage's seconds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from lightdesign.core import presets
from lightdesign.data import sources
from lightdesign.jobs import JobManager
from lightdesign.jobs.messages import Batch, Epoch, JobKind, Status, TrainSettings
from lightdesign.jobs.specs import dataset_for_job, export_spec, new_work_dir, train_spec

SETTINGS = TrainSettings(epochs=3, batch_size=32, validation_split=0.1, max_samples=5000)


def _manager(warm: bool) -> JobManager:
    manager = JobManager(max_running=1, warm_workers=1 if warm else 0)
    if warm:
        deadline = time.monotonic() + 300
        while not manager.tensorflow_ready():
            if time.monotonic() > deadline:
                raise RuntimeError("the warm worker did not load TensorFlow within 300 s")
            time.sleep(0.1)
    return manager


def _wait(job) -> None:
    while job.active:
        time.sleep(0.02)
    if job.state != "finished":
        raise RuntimeError(f"the job {job.state}: {job.message}")


def train_once(warm: bool, data) -> dict[str, float]:
    manager = _manager(warm)
    try:
        design = presets.build("seed_cnn")
        click = time.time()
        work = new_work_dir()
        spec = train_spec(design, dataset_for_job(data, work), SETTINGS, work)
        job = manager.submit("bench", JobKind.TRAIN, spec)
        _wait(job)
        first_batch = job.all(Batch)[0].at
        first_epoch = job.all(Epoch)[0].at
        points = sum(1 for b in job.all(Batch) if b.epoch == 1)
        return {
            "batch": first_batch - click,
            "epoch": first_epoch - click,
            "run": job.events[-1].at - click,
            "points": points,
        }
    finally:
        manager.shutdown()


def export_once(warm: bool) -> dict[str, float]:
    manager = _manager(warm)
    try:
        click = time.time()
        job = manager.submit("bench", JobKind.EXPORT, export_spec(presets.build("seed_cnn"), new_work_dir()))
        _wait(job)
        stages: dict[str, float] = {}
        marks = [(e.stage, e.at) for e in job.events if isinstance(e, Status)] + [("end", job.events[-1].at)]
        for (stage, start), (_, end) in zip(marks, marks[1:], strict=False):
            stages[stage] = end - start
        return {"total": job.events[-1].at - click, **stages}
    finally:
        manager.shutdown()


def _show(label: str, runs: list[dict[str, float]], keys: list[str]) -> None:
    for key in keys:
        values = [r[key] for r in runs if key in r]
        if values:
            shown = ", ".join(f"{v:.1f}" for v in values)
            print(f"  {label:<5} {key:<22} median {statistics.median(values):6.1f} s   ({shown})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-export", action="store_true")
    args = parser.parse_args()
    data = sources.load_builtin("digits28")
    print(f"load average at the start: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
    runs: dict[bool, list] = {False: [], True: []}
    for _ in range(args.repeats):
        for warm in (False, True):
            runs[warm].append(train_once(warm, data))
    print("click -> first epoch, seed CNN on digits28 (3 epochs, batch 32, 4,500 training samples):")
    for warm in (False, True):
        _show("warm" if warm else "cold", runs[warm], ["batch", "epoch", "run", "points"])
    if args.skip_export:
        return
    exports: dict[bool, list] = {False: [], True: []}
    for _ in range(args.repeats):
        for warm in (False, True):
            exports[warm].append(export_once(warm))
    print("export build of the seed CNN (click -> result, and each stage):")
    for warm in (False, True):
        keys = ["total", *(k for k in exports[warm][0] if k != "total")]
        _show("warm" if warm else "cold", exports[warm], keys)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
