"""Training runs kept in the workspace while they run, so that the store has them from
the first moment: each finished epoch is written as it arrives, the finished run replaces
the running record, and a run whose server process died (a restart, ``kill -9``) is shown
as interrupted with the epochs it finished."""

from __future__ import annotations

import time

import streamlit as st

from lightdesign.core.workspace import Entry, new_id
from lightdesign.jobs import liveness
from lightdesign.jobs.manager import Job
from lightdesign.jobs.messages import Epoch, JobState, RunRecord
from lightdesign.ui import icons, state, train_charts
from lightdesign.ui.i18n import t
from lightdesign.ui.markup import md
from lightdesign.ui.run_records import INTERRUPTED, RUNNING

LIVE_IDS = "run_log_ids"  # job id -> the id of its record in the workspace


def _entry(job: Job) -> Entry | None:
    """The workspace entry of the design the job was started for (by its id: a rename
    meanwhile loses nothing), None when the design was deleted."""
    ws = state.workspace()
    if job.design_id is not None:
        return ws.entries.get(job.design_id)
    try:
        return ws.entry_named(job.spec.design_name)
    except Exception:  # noqa: BLE001 - deleted
        return None


def design_name(job: Job) -> str:
    """The job's design as it is called now."""
    entry = _entry(job)
    return entry.design.name if entry is not None else job.spec.design_name


def _record_id(job: Job) -> str:
    ids = st.session_state.setdefault(LIVE_IDS, {})
    if job.id not in ids:  # a job another session of the workspace started: its record
        entry = _entry(job)
        existing = next((r["id"] for r in entry.runs if r.get("job") == job.id), None) if entry else None
        ids[job.id] = existing or new_id()
    return ids[job.id]


def keep(job: Job, run: dict) -> None:
    """Keep (or update) the job's run with the design it was started for."""
    entry = _entry(job)
    if entry is not None:
        state.workspace().record_run_to(entry.id, run)


def _runs(job: Job) -> list[dict]:
    entry = _entry(job)
    return [r for r in entry.runs if r.get("state", "finished") != "finished"] if entry is not None else []


def _history(job: Job) -> list[dict]:
    return [e.to_dict() for e in job.all(Epoch)]


def started(job: Job) -> None:
    """Keep the run from the moment it is submitted."""
    spec = job.spec
    keep(
        job,
        {
            "id": _record_id(job),
            "state": RUNNING,
            "job": job.id,
            "server": liveness.this_server(),
            "dataset": spec.dataset.title,
            "epochs": spec.settings.epochs,
            "started": time.time(),
            "history": [],
        },
    )


def progress(job: Job) -> None:
    """Write each finished epoch as it arrives (called by the live fragment)."""
    history = _history(job)
    record = next((r for r in _runs(job) if r.get("id") == _record_id(job)), None)
    if record is not None and len(record.get("history", [])) != len(history):
        keep(job, {**record, "history": history})
        state.save()


def ended(job: Job, message: str) -> None:
    """A run that stopped or failed keeps its epochs and the reason."""
    record = next((r for r in _runs(job) if r.get("id") == _record_id(job)), None)
    if record is not None and record.get("state") == RUNNING:
        keep(job, {**record, "state": str(job.state), "message": message, "history": _history(job)})


def finished(job: Job) -> dict:
    """The finished run, under the id its running record had."""
    run = RunRecord.of(job.id, job.spec, job.result).to_dict()
    run["id"] = _record_id(job)
    return run


def show_unfinished(design_name: str, skip_job: str | None) -> None:
    """Runs of this design that ended without a result, newest first, with their epochs."""
    try:
        runs = state.workspace().unfinished_runs(design_name)
    except Exception:  # noqa: BLE001 - the design is gone, or its records are unreadable: nothing to show
        return
    shown = [r for r in reversed(runs) if r.get("job") != skip_job and r.get("state") != RUNNING][:3]
    for i, run in enumerate(shown):
        history = [Epoch.from_dict(h) for h in run.get("history", [])]
        last = history[-1] if history else None
        figures = (
            t("run.last_epoch", epoch=last.epoch, epochs=run.get("epochs", "?"), loss=last.loss or 0.0)
            if last
            else t("run.no_epoch")
        )
        key = "run.interrupted" if run.get("state") == INTERRUPTED else "run.ended"
        state_label = t(f"job.state.{run.get('state')}") if run.get("state") in set(JobState) else run.get("state")
        st.warning(t(key, dataset=md(run.get("dataset", "?")), figures=figures, state=state_label), icon=icons.STOPPED)
        if history and i == 0:
            train_charts.curves(history, [])
