"""What the Train and Export pages share about jobs: the server's one job manager, the
session as the owner of its jobs, and a job's stage, state and message in the session's
language (catalogue keys ``job.stage.<Stage>``, ``job.state.<JobState>``)."""

from __future__ import annotations

import uuid

import streamlit as st

from lightdesign.jobs import Job, JobManager
from lightdesign.jobs.messages import JobState, Status
from lightdesign.ui.i18n import t

SESSION_ID = "session_id"


@st.cache_resource
def job_manager() -> JobManager:
    """One manager per server: it enforces the server-wide job limit."""
    return JobManager()


def session_id() -> str:
    """The session's id: a session runs one job at a time."""
    if SESSION_ID not in st.session_state:
        st.session_state[SESSION_ID] = uuid.uuid4().hex
    return st.session_state[SESSION_ID]


def stage_text(job: Job) -> str | None:
    """What the worker is doing now, in words; None before it said."""
    status = job.latest(Status)
    return t(f"job.stage.{status.stage}") if status else None


def state_text(state: JobState) -> str:
    return t(f"job.state.{state}")


def message_text(job: Job) -> str:
    """Why a job ended: translated when the person stopped it, else the manager's or the
    worker's own words (a crash, a timeout, an error of the job)."""
    return t("job.message.on_request") if job.stopped_on_request else job.message
