"""``python -m lightdesign sweep``: train the Pareto-optimal candidates of a scaling search.

    python -m lightdesign sweep design.json --data digits --epochs 2 --max-macs 50M
    python -m lightdesign sweep --preset mobilenet_v2 --data shapes_rgb --max-macs 20M \\
        --alphas 0.35,0.5,0.75,1 --resolutions 32,48,64 --json sweep.json --save-best best.json

The candidates train as jobs of the job manager: on this machine, or on the Ray cluster
named by ``LIGHTDESIGN_RAY_ADDRESS`` (or ``--ray ADDRESS``), all through one connection. The
table says each candidate's cost and accuracy; the best design can be written as a design
file. The command exits with status 1 when any candidate did not finish training.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from lightdesign.cli.common import CommandError, design_options, limit_type, load_design
from lightdesign.data import sources
from lightdesign.explore import scaling
from lightdesign.explore.budget import LIMITS, Budget
from lightdesign.jobs.sweep import MAX_CANDIDATES, Sweep, candidates

DATA_ALIASES = {"digits": "digits8"}


def _numbers(text: str) -> tuple[float, ...]:
    try:
        values = tuple(float(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give numbers separated by commas, e.g. 0.5,0.75,1") from None
    if not values or any(v <= 0 for v in values):
        raise argparse.ArgumentTypeError(f"{text!r}: give positive numbers separated by commas")
    return values


def register(sub) -> None:
    """Add the ``sweep`` subcommand to the CLI's subparsers."""
    p = sub.add_parser(
        "sweep", help="train the Pareto-optimal candidates of a scaling search under a budget (locally or on Ray)"
    )
    design_options(p)
    p.add_argument(
        "--data",
        required=True,
        help=f"a built-in dataset ({', '.join(['digits', *sources.BUILTIN])}), "
        f"{', '.join(sources.KERAS_DATASETS)} (download), or an .npz file",
    )
    p.add_argument(
        "--knobs", choices=(scaling.WIDTH_RESOLUTION, scaling.EXPANSION_DEPTH), default=scaling.WIDTH_RESOLUTION
    )
    p.add_argument("--candidates", type=int, default=MAX_CANDIDATES, help=f"at most this many (1 to {MAX_CANDIDATES})")
    p.add_argument("--alphas", type=_numbers, help="width multipliers (or expansion factors) to scan, e.g. 0.5,0.75,1")
    p.add_argument("--resolutions", type=_numbers, help="resolutions (or depth factors) to scan, e.g. 8,16,28")
    for limit in LIMITS:
        p.add_argument(f"--max-{limit.name.replace('_', '-')}", type=limit_type(limit), help=f"limit on {limit.label}")
    p.add_argument("--min-resolution", type=int)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--optimizer", choices=("adam", "sgd", "rmsprop"), default="adam")
    p.add_argument("--learning-rate", type=float, default=1e-3)
    p.add_argument("--max-samples", type=int, default=5000, help="training samples per candidate (0: all)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--parallel", type=int, help="jobs at once (default LIGHTDESIGN_MAX_JOBS)")
    p.add_argument("--ray", metavar="ADDRESS", help="run on this Ray cluster (default LIGHTDESIGN_RAY_ADDRESS)")
    p.add_argument("--json", metavar="FILE", help="write the sweep (candidates, runs) as JSON")
    p.add_argument("--save-best", metavar="FILE", help="write the most accurate candidate as a design file")
    p.set_defaults(run=run)

    p = sub.add_parser("dataset", help="write a built-in dataset as an .npz file (for the generated train.py)")
    p.add_argument("name", choices=["digits", *sources.BUILTIN])
    p.add_argument("-o", "--output", help="the .npz to write (default NAME.npz)")
    p.set_defaults(run=write_dataset)


def write_dataset(args: argparse.Namespace) -> None:
    data = sources.load_builtin(DATA_ALIASES.get(args.name, args.name))
    output = Path(args.output or f"{args.name}.npz")
    output.write_bytes(data.to_npz())
    print(f"wrote {output}: {len(data.y_train):,} training and {len(data.y_test):,} test samples of {data.name}")


def _dataset(name: str):
    """(callable giving a job its data, the data in words); CommandError when unknown."""
    from lightdesign.jobs.specs import dataset_for_job, keras_dataset

    key = DATA_ALIASES.get(name, name)
    if key in sources.BUILTIN:
        data = sources.load_builtin(key)
    elif key in sources.KERAS_DATASETS:
        ref = keras_dataset(key)
        return (lambda work: ref), ref.title
    elif name.endswith(".npz"):
        from lightdesign.data.uploads import UploadError, load_npz

        try:
            data = load_npz(Path(name).read_bytes(), Path(name).stem)
        except (OSError, UploadError) as exc:
            raise CommandError(f"{name}: {exc}") from None
    else:
        choices = ", ".join(["digits", *sources.BUILTIN, *sources.KERAS_DATASETS])
        raise CommandError(f"unknown dataset {name!r}; use {choices} or an .npz file")
    return (lambda work: dataset_for_job(data, work)), data.name


def run(args: argparse.Namespace) -> None:
    from lightdesign.core.design import DesignError
    from lightdesign.jobs import JobManager
    from lightdesign.jobs.backends import RayBackend, RayConfig, from_environment
    from lightdesign.jobs.liveness import this_server
    from lightdesign.jobs.messages import TrainSettings

    if not 1 <= args.candidates <= MAX_CANDIDATES:
        raise CommandError(f"--candidates must be 1 to {MAX_CANDIDATES}")
    if args.epochs < 1 or args.batch_size < 1:
        raise CommandError("--epochs and --batch-size must be at least 1")
    budget = Budget({limit.key: getattr(args, f"max_{limit.name}") for limit in LIMITS}, args.min_resolution)
    if not budget.active:
        raise CommandError("give a budget: " + ", ".join(f"--max-{limit.name.replace('_', '-')}" for limit in LIMITS))
    design = load_design(args)
    if args.knobs == scaling.WIDTH_RESOLUTION and len(design.input_shape) != 3:
        raise CommandError("width x resolution needs an image input; use --knobs expansion_depth")
    try:
        chosen = candidates(design, budget, args.knobs, args.candidates, args.alphas, args.resolutions)
    except DesignError as exc:
        raise CommandError(str(exc)) from None
    if not chosen:
        raise CommandError("no variant of the scan fits the budget; loosen it or scan smaller knobs")
    dataset, title = _dataset(args.data)
    settings = TrainSettings(
        epochs=args.epochs,
        batch_size=args.batch_size,
        optimizer=args.optimizer,
        learning_rate=args.learning_rate,
        seed=args.seed,
        max_samples=args.max_samples or None,
    )
    backend = RayBackend(RayConfig(address=args.ray)) if args.ray else from_environment()
    manager = JobManager(max_running=args.parallel, backend=backend)
    print(f"{len(chosen)} candidates of {design.name} on {title}, {args.epochs} epoch(s), on {backend.describe()}")
    try:
        sweep = Sweep.start(manager, design, args.knobs, chosen, dataset, title, settings, server=this_server())
        reported: set[str] = set()
        while True:
            sweep.refresh(manager)
            for outcome in sweep.outcomes:
                ended = outcome.run is not None or outcome.state in ("failed", "stopped")
                if ended and outcome.label not in reported:
                    reported.add(outcome.label)
                    result = (
                        f"{outcome.accuracy:.1%} test accuracy"
                        if outcome.run
                        else f"{outcome.state}: {outcome.message}"
                    )
                    print(f"  {outcome.label}: {result}", flush=True)
            if sweep.done:
                break
            time.sleep(0.5)
    except KeyboardInterrupt:
        sweep.stop(manager)
        raise CommandError("interrupted; the candidates' jobs were stopped") from None
    finally:
        manager.shutdown()
    _report(sweep, args)


def _report(sweep: Sweep, args: argparse.Namespace) -> None:
    """The table, the JSON record and the best design; CommandError when a candidate did
    not finish training."""
    sys.stdout.write(sweep.table())
    if args.json:
        Path(args.json).write_text(json.dumps(sweep.record(), indent=2), encoding="utf-8")
    best = sweep.best()
    if best is not None:
        print(f"best: {best.label} ({best.accuracy:.1%} test accuracy)")
        if args.save_best:
            Path(args.save_best).write_text(sweep.design_of(best).to_json() + "\n", encoding="utf-8")
    failed = [o.label for o in sweep.outcomes if o.run is None]
    if failed:
        raise CommandError(
            f"{len(failed)} of {len(sweep.outcomes)} candidates did not finish training ({', '.join(failed)})"
            + ("; the best is among the others" if best is not None else "")
        )
