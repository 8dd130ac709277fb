"""The Train page's settings, estimates and job: start, live progress (polled by a
fragment), stop, and the results of a finished run. The data choice is in ``train_data``,
the charts in ``train_charts``, the refusal policy in ``lightdesign.jobs.policy``."""

from __future__ import annotations

import dataclasses
import os
import time

import streamlit as st

from lightdesign.analysis.network import Analysis
from lightdesign.core import format as fmt
from lightdesign.core.design import DesignError
from lightdesign.data.dataset import Dataset
from lightdesign.jobs import Job, JobError, policy, timing
from lightdesign.jobs.messages import (
    Batch,
    CalibrationResult,
    Epoch,
    JobKind,
    JobState,
    RunRecord,
    Stopped,
    TrainResult,
    TrainSettings,
    design_key,
)
from lightdesign.jobs.specs import WORK_ROOT, calibrate_spec, dataset_for_job, keras_dataset, new_work_dir, train_spec
from lightdesign.store import disk
from lightdesign.ui import file_weights, icons, persist, run_log, state, train_charts
from lightdesign.ui.i18n import t
from lightdesign.ui.job_view import adopt, job_manager, message_text, session_id, stage_text
from lightdesign.ui.markup import message

JOB_KEY = "train_job_id"
RECORDED = "train_recorded_jobs"
MEASURED_RATE = "train_measured_flops_per_s"  # training FLOP/s of this session's last run
CALIBRATION_KEY = "train_calibration_job_id"
ESTIMATE_KEY = "train_epoch_estimate"  # the epoch time shown when Start is pressed
TIME_HELP = {  # how the epoch time was estimated, by ``timing.Source``
    timing.Source.RUN: "est.time.run",
    timing.Source.CALIBRATION: "est.time.calibration",
    timing.Source.SCALED: "est.time.scaled",
    timing.Source.ASSUMED: "est.time.assumed",
}


@st.cache_resource
def calibrations() -> dict[tuple[str, int, str], timing.Calibration]:
    """Measured speeds of this server's machine by (network digest, batch size, optimizer),
    shared by every session: the machine's speed is the same for all of them."""
    return {}


def has_gpu() -> bool:
    return os.path.exists("/dev/nvidiactl")


# -- settings and start --------------------------------------------------------------------------


def settings_form() -> TrainSettings:
    cols = st.columns(4)
    epochs = cols[0].number_input(t("set.epochs"), 1, 200, 3, key="set_epochs")
    batch = cols[1].number_input(t("set.batch"), 1, 2048, 32, key="set_batch")
    optimizer = cols[2].selectbox(
        t("set.optimizer"),
        ["adam", "sgd", "rmsprop"],
        key="set_optimizer",
        format_func={"adam": "Adam", "sgd": t("set.sgd"), "rmsprop": "RMSprop"}.get,
    )
    rate = cols[3].number_input(t("set.lr"), 1e-6, 1.0, 1e-3, format="%.5f", step=1e-4, key="set_lr")
    cols = st.columns(4)
    split = cols[0].slider(t("set.split"), 0.0, 0.5, 0.1, 0.05, key="set_split")
    seed = cols[1].number_input(t("set.seed"), 0, 2**31 - 1, 0, key="set_seed")
    cap = cols[2].number_input(t("set.cap"), 0, 10_000_000, 5000, step=500, key="set_cap", help=t("set.cap.help"))
    gpu = has_gpu()
    mixed = cols[3].checkbox(
        t("set.mixed"), key="set_mixed", disabled=not gpu, help=t("set.mixed.gpu") if gpu else t("set.mixed.none")
    )
    return TrainSettings(
        epochs=int(epochs),
        batch_size=int(batch),
        optimizer=optimizer,
        learning_rate=float(rate),
        validation_split=float(split),
        seed=int(seed),
        max_samples=int(cap) or None,
        mixed_precision=bool(mixed and gpu),
    )


def estimates(result: Analysis, settings: TrainSettings, available_samples: int) -> str | None:
    """Show memory and time estimates; return why training must be refused, if it must."""
    samples = policy.training_samples(available_samples, settings)
    estimate = policy.estimate(
        result, settings, samples, policy.available_memory_bytes(), st.session_state.get(MEASURED_RATE)
    )
    memory, free = estimate.memory_bytes, estimate.free_bytes
    cols = st.columns(3)
    cols[0].metric(
        t("est.memory"), fmt.size(memory), help=t("est.memory.help", value=memory, batch=settings.batch_size)
    )
    timed = epoch_estimate(result, settings, available_samples)
    st.session_state[ESTIMATE_KEY] = timed.epoch_seconds
    cols[1].metric(
        t("est.time"),
        ("" if timed.source in (timing.Source.RUN, timing.Source.CALIBRATION) else "≈ ")
        + _duration(timed.epoch_seconds),
        help=t(TIME_HELP[timed.source], rate=timed.flops_per_s / 1e9, samples=samples, flops=result.flops),
    )
    cols[2].metric(t("est.free"), fmt.size(free) if free else t("est.unknown"))
    calibration_controls(result, settings, timed)
    if estimate.refused:
        return t("est.refuse", need=fmt.size(memory), free=fmt.size(free))
    return None


def epoch_estimate(result: Analysis, settings: TrainSettings, available_samples: int) -> timing.Estimate:
    """The epoch time of this design with these settings, from what this machine measured
    (see ``lightdesign.jobs.timing``)."""
    ws = state.workspace()
    capped = min(available_samples, settings.max_samples) if settings.max_samples else available_samples
    train = policy.training_samples(available_samples, settings)
    runs = [RunRecord.from_dict(r) for r in ws.runs.get(ws.current, [])]
    others = [RunRecord.from_dict(r) for name, rs in ws.runs.items() if name != ws.current for r in rs]
    measured = [c for (_, _, optimizer), c in calibrations().items() if optimizer == settings.optimizer]
    try:
        source = state.generated(result.design)
    except DesignError:  # a design with errors has no code (and cannot start): estimated by its figures
        source = result.design.to_json(indent=None)
    return timing.estimate(
        design_key(source),
        result.flops,
        settings.batch_size,
        train,
        capped - train,
        settings.epochs,
        others + runs,
        measured,
    )


def calibration_controls(result: Analysis, settings: TrainSettings, timed: timing.Estimate) -> None:
    """Measure this design's speed (a few timed training steps in a worker) when the time
    estimate does not come from a run or a measurement of this very network."""
    job = job_manager().get(st.session_state.get(CALIBRATION_KEY))
    if job is not None and job.active:
        calibration_fragment()
        return
    if job is not None and job.state is JobState.FINISHED and isinstance(job.result, CalibrationResult):
        _keep_calibration(job)
    elif job is not None and job.state is JobState.FAILED:
        st.caption(message("train.calibrate.failed", message=message_text(job)))
    if timed.source in (timing.Source.RUN, timing.Source.CALIBRATION):
        return
    busy = (current := current_job()) is not None and current.active
    st.button(
        t("train.calibrate"),
        key="calibrate_speed",
        help=t("train.calibrate.help", batch=settings.batch_size),
        disabled=busy or bool(result.errors),
        on_click=start_calibration,
        args=(result, settings),
    )


def start_calibration(result: Analysis, settings: TrainSettings) -> None:
    try:
        spec = calibrate_spec(result.design, settings)
        job = job_manager().submit(session_id(), JobKind.CALIBRATE, spec, design_id=state.workspace().current_id)
    except (DesignError, JobError, OSError) as exc:
        state.flash("error", t("train.not_started", error=exc))
        return
    st.session_state[CALIBRATION_KEY] = job.id


def _keep_calibration(job: Job) -> None:
    spec = job.spec
    key = (design_key(spec.source), spec.settings.batch_size, spec.settings.optimizer)
    if key not in calibrations():
        calibrations()[key] = timing.Calibration(key[0], key[1], spec.flops, job.result)
        st.rerun()


@st.fragment(run_every=1.0)
def calibration_fragment() -> None:
    job = job_manager().get(st.session_state.get(CALIBRATION_KEY))
    if job is None:
        return
    if job.active:
        st.caption(t("train.calibrating", stage=stage_text(job) or t("progress.starting")))
    else:
        st.rerun()


def _duration(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min"


def start(result: Analysis, key: str, dataset: Dataset | None, settings: TrainSettings) -> None:
    ws = state.workspace()
    refusal = disk.prepare(persist.store(), ws.id, policy.training_disk_bytes(result), WORK_ROOT)
    if refusal:
        state.flash("error", t("train.not_started", error=refusal))
        return
    try:
        work = new_work_dir()
        source = dataset_for_job(dataset, work) if dataset is not None else keras_dataset(key)
        lent = file_weights.lent(result.design)  # an imported file's weights: fine-tune from them
        spec = train_spec(result.design, source, settings, work, lent.source if lent else None)
        spec = dataclasses.replace(spec, epoch_seconds_estimate=float(st.session_state.get(ESTIMATE_KEY) or 0.0))
        job = job_manager().submit(session_id(), JobKind.TRAIN, spec, design_id=ws.current_id)
    except (DesignError, JobError, OSError) as exc:
        state.flash("error", t("train.not_started", error=exc))
        return
    st.session_state[JOB_KEY] = job.id
    run_log.started(job)


# -- the running job and its results ------------------------------------------------------------


def current_job() -> Job | None:
    return adopt(JOB_KEY, JobKind.TRAIN)


def belongs_here(job: Job) -> bool:
    """Whether ``job`` trained the design now open (by id; by name for jobs without one)."""
    ws = state.workspace()
    if job.design_id is not None:
        return job.design_id == ws.current_id
    return job.spec.design_name == ws.current


def other_design(job: Job) -> None:
    """Say plainly that this session's last run is another design's, instead of showing its
    figures under this design's title."""
    key = "train.other_running" if job.active else "train.other_design"
    st.info(message(key, name=run_log.design_name(job)))
    if job.state is JobState.FINISHED:
        record(job)  # kept with its own design all the same
    elif not job.active:
        run_log.ended(job, message_text(job))


def live_status(job: Job) -> None:
    """Progress of a queued or running job, with Stop."""
    manager = job_manager()
    if job.state is JobState.QUEUED:
        st.info(
            t(
                "queue.waiting",
                running=manager.running_count(),
                limit=manager.max_running,
                position=manager.queue_position(job),
            )
        )
    st.caption(t("job.where", where=manager.backend.where(job)))  # this server, or a Ray node
    batch = job.latest(Batch)
    if batch:
        done = batch.epochs_done
        elapsed = time.time() - job.events[0].at
        rate = done / max(elapsed, 1e-9)
        eta = (batch.epochs - done) / rate if rate > 0 else 0
        st.progress(
            min(1.0, done / batch.epochs),
            text=t(
                "progress.text",
                epoch=batch.epoch,
                epochs=batch.epochs,
                batch=batch.batch,
                batches=batch.batches,
                rate=batch.samples_per_s,
                eta=_duration(eta),
            ),
        )
    elif job.state is not JobState.QUEUED:
        st.progress(0.0, text=stage_text(job) or t("progress.starting"))
    train_charts.curves(job.all(Epoch), job.all(Batch))
    st.button(t("train.stop"), key="stop_job", on_click=_stop, args=(job.id,), disabled=job.state is JobState.STOPPING)


def _stop(job_id: str) -> None:
    state.flash("info", job_manager().stop(job_id))


@st.fragment(run_every=1.0)
def live_fragment() -> None:
    job = current_job()
    if job is None:
        return
    if job.active:
        run_log.progress(job)
        live_status(job)
    else:
        st.rerun()  # the job ended: redraw the page with its results


def record(job: Job) -> None:
    """Keep a finished run with its design (once), and its speed for the next estimate."""
    recorded = st.session_state.setdefault(RECORDED, [])
    if job.id in recorded or job.state is not JobState.FINISHED:
        return
    recorded.append(job.id)
    run = run_log.finished(job)
    run_log.keep(job, run)
    persist.keep_files(state.workspace(), run["id"], [job.spec.work_dir])  # the job's folder: weights, data
    rate = policy.measured_flops_per_s(RunRecord.from_dict(run))
    if rate:
        st.session_state[MEASURED_RATE] = rate


def results(job: Job) -> None:
    if job.state in (JobState.FAILED, JobState.STOPPED):
        run_log.ended(job, message_text(job))
    if job.state is JobState.FAILED:
        st.error(message("train.failed", message=message_text(job)), icon=icons.ERROR)
        return
    if job.state is JobState.STOPPED:
        st.warning(message("train.stopped", message=message_text(job)), icon=icons.STOPPED)
        if isinstance(job.end, Stopped) and job.end.history:
            train_charts.curves(job.end.history, job.all(Batch))
        return
    record(job)
    result: TrainResult = job.result
    cols = st.columns(4)
    cols[0].metric(t("result.accuracy"), f"{result.test_accuracy:.1%}")
    cols[1].metric(t("result.loss"), f"{result.test_loss:.3f}")
    cols[2].metric(t("result.time"), _duration(result.seconds))
    cols[3].metric(t("result.throughput"), t("result.samples_per_s", rate=result.samples_per_s))
    for note in result.notes:
        st.caption(message("result.note", note=note))
    honesty(job, result)
    train_charts.curves(result.history, job.all(Batch))
    left, right = st.columns(2)
    with left:
        train_charts.confusion(result)
    with right:
        train_charts.sample_grid(result)
    st.caption(message("result.kept", name=run_log.design_name(job)))


def honesty(job: Job, result: TrainResult) -> None:
    """What the figures above are: the precise-BatchNorm step (the reported test figures
    are the downloaded model's) and the estimated epoch time beside the real one."""
    if result.batchnorm_samples:
        st.caption(
            t(
                "result.batchnorm",
                samples=result.batchnorm_samples,
                loss=result.test_loss,
                batch_loss=result.batch_statistics_loss if result.batch_statistics_loss is not None else float("nan"),
            )
        )
    epochs = [epoch.seconds for epoch in result.history]
    estimate = getattr(job.spec, "epoch_seconds_estimate", 0.0)
    if epochs and estimate:
        actual = sum(epochs) / len(epochs)
        st.caption(
            t(
                "result.epoch_time",
                estimate=_duration(estimate),
                actual=_duration(actual),
                ratio=actual / estimate,
                epochs=len(epochs),
            )
        )
