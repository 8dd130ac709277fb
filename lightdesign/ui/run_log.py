"""Training runs kept in the workspace while they run, so that the store has them from
the first moment: each finished epoch is written as it arrives, the finished run replaces
the running record, and a run whose server process died (a restart, ``kill -9``) is shown
as interrupted with the epochs it finished."""

from __future__ import annotations

import time

import streamlit as st

from lightdesign.jobs import liveness
from lightdesign.jobs.manager import Job
from lightdesign.jobs.messages import Epoch, JobState, RunRecord
from lightdesign.ui import icons, state, train_charts
from lightdesign.ui.i18n import t
from lightdesign.workspace import Workspace, new_id

LIVE_IDS = "run_log_ids"  # job id -> the id of its record in the workspace
RUNNING = "running"
INTERRUPTED = "interrupted"


def _record_id(job: Job) -> str:
    return st.session_state.setdefault(LIVE_IDS, {}).setdefault(job.id, new_id())


def _history(job: Job) -> list[dict]:
    return [e.to_dict() for e in job.all(Epoch)]


def started(job: Job) -> None:
    """Keep the run from the moment it is submitted."""
    spec = job.spec
    state.workspace().record_run(
        spec.design_name,
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
    ws = state.workspace()
    try:
        runs = ws.unfinished_runs(job.spec.design_name)
    except Exception:  # noqa: BLE001 - the design was renamed or deleted meanwhile
        return
    record = next((r for r in runs if r.get("id") == _record_id(job)), None)
    if record is not None and len(record.get("history", [])) != len(history):
        ws.record_run(job.spec.design_name, {**record, "history": history})
        state.save()


def ended(job: Job, message: str) -> None:
    """A run that stopped or failed keeps its epochs and the reason."""
    ws = state.workspace()
    try:
        runs = ws.unfinished_runs(job.spec.design_name)
    except Exception:  # noqa: BLE001
        return
    record = next((r for r in runs if r.get("id") == _record_id(job)), None)
    if record is not None and record.get("state") == RUNNING:
        ws.record_run(
            job.spec.design_name, {**record, "state": str(job.state), "message": message, "history": _history(job)}
        )


def finished(job: Job) -> dict:
    """The finished run, under the id its running record had."""
    run = RunRecord.of(job.id, job.spec, job.result).to_dict()
    run["id"] = _record_id(job)
    return run


def mark_interrupted(ws: Workspace) -> int:
    """Runs whose server process is gone become 'interrupted'; returns how many."""
    count = 0
    for entry in list(ws.entries.values()):
        for run in list(entry.runs):
            if run.get("state") == RUNNING and not liveness.is_alive(run.get("server")):
                ws.record_run(entry.design.name, {**run, "state": INTERRUPTED})
                count += 1
    return count


def show_unfinished(design_name: str, skip_job: str | None) -> None:
    """Runs of this design that ended without a result, newest first, with their epochs."""
    try:
        runs = state.workspace().unfinished_runs(design_name)
    except Exception:  # noqa: BLE001
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
        st.warning(t(key, dataset=run.get("dataset", "?"), figures=figures, state=state_label), icon=icons.STOPPED)
        if history and i == 0:
            train_charts.curves(history, [])
