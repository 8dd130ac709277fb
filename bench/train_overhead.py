"""Training throughput of an in-app job against plain ``model.fit`` in the same run.

    python bench/train_overhead.py [--epochs 4] [--repeats 3]

Both train the seed CNN on the built-in 28x28 digits with the same settings, each in a
fresh process: the job through the JobManager (spawned worker, progress callback, stop
checks), the baseline as a bare script calling ``model.fit`` on the model built from the
same generated code. Prints samples/s of each and the ratio (target: >= 90%).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lightdesign.core import presets  # noqa: E402
from lightdesign.data import builtin  # noqa: E402
from lightdesign.jobs import JobManager  # noqa: E402
from lightdesign.jobs.messages import JobKind, TrainSpec  # noqa: E402
from lightdesign.jobs.specs import TrainSettings, dataset_for_job, new_work_dir, train_spec  # noqa: E402

PLAIN_FIT = """
import json, os, sys, time
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
sys.path.insert(0, {root!r})
import keras
from lightdesign.jobs.messages import TrainSpec
from lightdesign.jobs.train import build_model, load_dataset
spec = TrainSpec.from_dict(json.load(open({spec_path!r})))
settings = spec.settings
keras.utils.set_random_seed(settings.seed)
data = load_dataset(spec.dataset)
model = build_model(spec.source)
model.compile(optimizer=keras.optimizers.Adam(settings.learning_rate), loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
start = time.perf_counter()
model.fit(data.x_train, data.y_train, epochs=settings.epochs, batch_size=settings.batch_size,
          validation_split=settings.validation_split, verbose=0, shuffle=True)
seconds = time.perf_counter() - start
train = int(len(data.y_train) * (1 - settings.validation_split))
print(json.dumps({{"samples_per_s": train * settings.epochs / seconds}}))
"""


def job_throughput(spec: TrainSpec) -> float:
    manager = JobManager(max_running=1)
    try:
        job = manager.submit("bench", JobKind.TRAIN, spec)
        while job.active:
            time.sleep(0.2)
        if job.state != "finished":
            raise RuntimeError(job.message)
        return job.result.samples_per_s
    finally:
        manager.shutdown()


def plain_throughput(spec: TrainSpec, work: Path) -> float:
    spec_path = work / "spec.json"
    spec_path.write_text(json.dumps(spec.to_dict()))
    code = PLAIN_FIT.format(root=str(ROOT), spec_path=str(spec_path))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])["samples_per_s"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    work = new_work_dir()
    data = builtin.digits(28)
    settings = TrainSettings(epochs=args.epochs, batch_size=32, max_samples=None)
    spec = train_spec(presets.build("seed_cnn"), dataset_for_job(data, work), settings, work)
    job, plain = [], []
    for _ in range(args.repeats):  # interleaved, so drifts in machine load hit both alike
        job.append(job_throughput(spec))
        plain.append(plain_throughput(spec, work))
    job_rate, plain_rate = statistics.median(job), statistics.median(plain)
    print(f"seed CNN on digits 28x28, {args.epochs} epochs, batch 32, {args.repeats} runs each (median)")
    print(f"in-app job:      {job_rate:8.0f} samples/s   runs: {', '.join(f'{r:.0f}' for r in job)}")
    print(f"plain model.fit: {plain_rate:8.0f} samples/s   runs: {', '.join(f'{r:.0f}' for r in plain)}")
    print(f"ratio:           {job_rate / plain_rate:8.1%}")


if __name__ == "__main__":
    main()
