"""``lightdesign calibrate``: fit this machine's latency model (a few minutes).

    lightdesign calibrate                # one thread: the figures the analysis shows
    lightdesign calibrate --threads 2    # the machine's cores, a second setting
    lightdesign calibrate --refit        # fit again with the measurements kept since (seconds)

Runs the calibration as a job of the job manager (a worker process, where TensorFlow
lives), prints its progress, refines the model with the whole-model measurements the store
keeps for this machine, and keeps the models the calibration itself timed in the store.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from lightdesign.cli.common import CommandError, text

POLL_S = 0.5


def register(sub) -> None:
    """Add the ``calibrate`` subcommand to the CLI's subparsers."""
    from lightdesign.jobs.messages import LatencySpec

    p = sub.add_parser("calibrate", help="time TFLite operations on this machine: the predicted latency's model")
    p.add_argument("--threads", type=int, default=1, help="TFLite threads to calibrate for (default 1)")
    seconds = LatencySpec.seconds
    p.add_argument(
        "--seconds", type=float, default=seconds, help=f"CPU seconds to time single operations (default {seconds:g})"
    )
    p.add_argument(
        "--models", type=int, default=3, help="whole models to time in rounds while they are timed (default 3)"
    )
    p.add_argument(
        "--refit",
        action="store_true",
        help="fit the operations timed before again, with the measurements kept since (times no operation)",
    )
    p.set_defaults(run=run)


def _kept_measurements(machine: str, threads: int) -> tuple[list, object | None]:
    """The store's measurements of this machine, and the store (None when it cannot be opened:
    the calibration still runs, without them)."""
    from lightdesign.jobs.messages import Measurement
    from lightdesign.store import StoreError, open_store

    try:
        store = open_store()
        return [Measurement.from_dict(m) for m in store.measurements(machine, threads)], store
    except (StoreError, ValueError, TypeError):
        return [], None


def run(args: argparse.Namespace) -> None:
    from lightdesign.analysis import latency_model
    from lightdesign.jobs import JobManager
    from lightdesign.jobs.backends import LocalBackend
    from lightdesign.jobs.messages import Failed, JobKind, LatencySpec, Progress, Status, Stopped

    if not 1 <= args.threads <= 256:
        raise CommandError("--threads must be 1 to 256")
    if not 0 < args.seconds <= 3600 or not 0 <= args.models <= 50:
        raise CommandError("--seconds must be above 0 and at most 3600, --models 0 to 50")
    machine = latency_model.this_machine(args.threads)
    if args.refit and not latency_model.path_for(machine).exists():
        raise CommandError(text("calibrate.nothing_to_refit", machine=machine.words(), threads=args.threads))
    if args.refit and latency_model.load_meta(latency_model.path_for(machine)).get("format") != latency_model.FORMAT:
        raise CommandError(text("calibrate.old_format", machine=machine.words(), threads=args.threads))
    kept, store = _kept_measurements(machine.key, args.threads)
    spec = LatencySpec(
        threads=args.threads, seconds=args.seconds, models=args.models, measurements=tuple(kept), refit=args.refit
    )
    kernels_s = 0 if args.refit else args.seconds  # a refit times no kernels, only the whole models
    minutes = max(1, round((kernels_s + 20 * args.models + 30) / 60))
    print(text("calibrate.start", machine=f"{machine.words()}, {args.threads} thread(s)", minutes=minutes), flush=True)
    manager = JobManager(max_running=1, backend=LocalBackend())  # this machine, never a Ray node
    shown = 0
    try:
        job = manager.submit("cli:calibrate", JobKind.LATENCY, spec)
        while job.active:
            time.sleep(POLL_S)
            for event in job.events[shown:]:
                if isinstance(event, Status):
                    print(text(f"job.stage.{event.stage}"), flush=True)
                elif isinstance(event, Progress):
                    stage = text(f"job.stage.{event.stage}").rstrip("…")
                    print(text("calibrate.progress", stage=stage, done=event.done, total=event.total), flush=True)
            shown = len(job.events)
    except KeyboardInterrupt:
        manager.stop(job.id)
        raise CommandError("interrupted; the calibration was stopped and nothing was kept") from None
    finally:
        manager.shutdown()
    result = job.result
    if result is None:
        end = job.end
        message = end.message if isinstance(end, Failed | Stopped) else job.message
        key = "calibrate.stopped" if isinstance(end, Stopped) else "calibrate.failed"
        raise CommandError(text(key, message=message or job.state.value))
    if store is not None:
        for measurement in result.measurements:
            store.add_measurement(measurement.to_dict())
    print(
        text(
            "calibrate.refitted" if args.refit else "calibrate.done",
            seconds=result.seconds,
            kernels=result.kernels,
            fp32=result.errors.get("fp32", 0.0),
            int8=result.errors.get("int8", 0.0),
            scale_fp32=result.scale.get("fp32", 1.0),
            scale_int8=result.scale.get("int8", 1.0),
            path=result.path,
        )
    )
    if kept:
        print(text("calibrate.measurements", count=len(kept)))
    for key, values in result.cautions(os.cpu_count() or 1):
        print(text(key, **values), file=sys.stderr)
