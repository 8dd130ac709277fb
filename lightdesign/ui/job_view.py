"""What the Train and Export pages share about jobs: the server's one job manager, the
session as the owner of its jobs, and a job's stage, state and message in the session's
language (catalogue keys ``job.stage.<Stage>``, ``job.state.<JobState>``)."""

from __future__ import annotations

import uuid

import streamlit as st

from lightdesign.jobs import Job, JobManager
from lightdesign.jobs.messages import JobState, Progress, Status
from lightdesign.ui import state
from lightdesign.ui.i18n import t

SESSION_ID = "session_id"


@st.cache_resource
def job_manager() -> JobManager:
    """One manager per server: it enforces the server-wide job limit. The app makes it when
    a person first opens a page, so that its warm worker loads TensorFlow while they design."""
    return JobManager()


def tensorflow_note() -> str | None:
    """Whether the next job's worker has TensorFlow loaded, in words; None where jobs run
    elsewhere (a Ray cluster)."""
    manager = job_manager()
    if not manager.backend.runs_here:
        return None
    if manager.tensorflow_ready():
        return t("job.tensorflow.ready")
    return t("job.tensorflow.loading" if manager.warm.size else "job.tensorflow.cold")


def session_id() -> str:
    """The owner of this session's jobs: its workspace when the workspace is kept in the
    store (so a job outlives the tab that started it: a reopened link or another tab of the
    workspace sees it and can stop it), else the session itself. One job at a time each."""
    workspace = st.session_state.get(state.WORKSPACE)
    if workspace is not None and getattr(workspace, "id", None):
        return f"workspace:{workspace.id}"
    if SESSION_ID not in st.session_state:
        st.session_state[SESSION_ID] = uuid.uuid4().hex
    return st.session_state[SESSION_ID]


def adopt(job_key: str, kind: str) -> Job | None:
    """The job under ``job_key`` in this session, else the newest job of this kind its
    owner started (in a session that is gone), taken over by this session."""
    manager = job_manager()
    job = manager.get(st.session_state.get(job_key))
    if job is None:
        job = manager.latest_for(session_id(), kind)
        if job is not None:
            st.session_state[job_key] = job.id
    return job


def stage_text(job: Job) -> str | None:
    """What the worker is doing now, in words; None before it said."""
    status = job.latest(Status)
    return t(f"job.stage.{status.stage}") if status else None


def stage_share(job: Job) -> float:
    """How much of the stage the worker is in is done, 0 to 1: 0 until that stage says (a
    finished stage's 3/3 is not the next one's)."""
    progress, status = job.latest(Progress), job.latest(Status)
    if progress is None or not progress.total or (status is not None and status.stage != progress.stage):
        return 0.0
    return min(1.0, progress.done / progress.total)


def state_text(state: JobState) -> str:
    return t(f"job.state.{state}")


def message_text(job: Job) -> str:
    """Why a job ended: translated when the person stopped it, else the manager's or the
    worker's own words (a crash, a timeout, an error of the job)."""
    return t("job.message.on_request") if job.stopped_on_request else job.message
