"""Jobs that need TensorFlow, each in its own spawned worker process.

The ``JobManager`` is shared by every session of one server (the app keeps a single
instance with ``st.cache_resource``). It starts at most ``max_running`` workers and queues
the rest, streams each worker's events into its ``Job``, stops a job at the next batch
and kills it after a grace period, and turns a crash, an out-of-memory kill or a hang into
a message. The Streamlit process itself never imports TensorFlow.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

ACTIVE = ("queued", "starting", "running", "stopping")
DONE = ("finished", "stopped", "failed")


def _env_number(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


def limits() -> tuple[int, float, float]:
    """(jobs running at once, job timeout, stop grace) from the environment, read when a
    manager is made so a deployment (or a test) can change them."""
    return (
        int(_env_number("LIGHTDESIGN_MAX_JOBS", 2)),
        _env_number("LIGHTDESIGN_JOB_TIMEOUT_S", 1800),
        _env_number("LIGHTDESIGN_STOP_GRACE_S", 5),
    )


class JobError(RuntimeError):
    """A request the manager refuses (a second job for a session, an unknown job …)."""


@dataclass
class Job:
    id: str
    owner: str
    kind: str  # "train", "export", …
    spec: dict[str, Any]
    state: str = "queued"
    message: str = ""
    events: list[dict] = field(default_factory=list)
    result: dict[str, Any] | None = None
    created: float = field(default_factory=time.time)
    started: float | None = None
    ended: float | None = None
    stop_requested: float | None = None
    process: Any = None
    channel: Any = None
    stop_flag: Any = None

    @property
    def active(self) -> bool:
        return self.state in ACTIVE

    def latest(self, event_type: str) -> dict | None:
        return next((e for e in reversed(self.events) if e.get("type") == event_type), None)

    def all(self, event_type: str) -> list[dict]:
        return [e for e in self.events if e.get("type") == event_type]


class JobManager:
    def __init__(
        self,
        max_running: int | None = None,
        timeout_s: float | None = None,
        grace_s: float | None = None,
        poll_s: float = 0.1,
    ):
        env_running, env_timeout, env_grace = limits()
        self.max_running = max(1, max_running if max_running is not None else env_running)
        self.timeout_s = timeout_s if timeout_s is not None else env_timeout
        self.grace_s = grace_s if grace_s is not None else env_grace
        self.poll_s = poll_s
        self._jobs: dict[str, Job] = {}
        self._lock = threading.RLock()
        self._context = multiprocessing.get_context("spawn")
        self._closed = False
        self._thread = threading.Thread(target=self._monitor, name="lightdesign-jobs", daemon=True)
        self._thread.start()

    # -- requests from sessions ----------------------------------------------------------
    def submit(self, owner: str, kind: str, spec: dict[str, Any]) -> Job:
        """Queue a job for a session; one active job per session."""
        with self._lock:
            if self._closed:
                raise JobError("the job manager is shut down")
            current = self.active_for(owner)
            if current is not None:
                raise JobError(f"a {current.kind} job is already {current.state} for this session; stop it or wait")
            job = Job(uuid.uuid4().hex[:12], owner, kind, spec)
            self._jobs[job.id] = job
            self._start_queued()
            return job

    def get(self, job_id: str | None) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id) if job_id else None

    def active_for(self, owner: str) -> Job | None:
        with self._lock:
            return next((j for j in self._jobs.values() if j.owner == owner and j.active), None)

    def queue_position(self, job: Job) -> int:
        """1 for the next job to start; 0 when the job is not waiting."""
        with self._lock:
            waiting = [j for j in self._jobs.values() if j.state == "queued"]
            waiting.sort(key=lambda j: j.created)
            return waiting.index(job) + 1 if job in waiting else 0

    def running_count(self) -> int:
        with self._lock:
            return sum(1 for j in self._jobs.values() if j.state in ("starting", "running", "stopping"))

    def stop(self, job_id: str) -> str:
        """Ask a job to stop at its next batch; returns what happened, in words."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                raise JobError("there is no such job")
            if job.state == "queued":
                self._finish(job, "stopped", "stopped before it started")
                return "The job was removed from the queue."
            if job.state == "stopping":
                return "The job is already stopping."
            if not job.active:
                return f"The job has already {job.state}."
            job.state = "stopping"
            job.stop_requested = time.monotonic()
            job.stop_flag.set()
            return "Stopping at the end of the current batch."

    def shutdown(self) -> None:
        """Kill every worker (the server is going away)."""
        with self._lock:
            self._closed = True
            for job in self._jobs.values():
                if job.process is not None and job.process.is_alive():
                    job.process.kill()
                if job.active:
                    self._finish(job, "failed", "the server shut down")

    # -- the monitor thread -----------------------------------------------------------------
    def _monitor(self) -> None:
        while not self._closed:
            with self._lock:
                for job in list(self._jobs.values()):
                    if job.state in ("starting", "running", "stopping"):
                        try:
                            self._drain(job)
                            self._check(job)
                        except Exception as exc:  # one broken job must not stop the others being watched
                            self._finish(job, "failed", f"the job could not be supervised ({exc})")
                self._start_queued()
            time.sleep(self.poll_s)

    def _start_queued(self) -> None:
        waiting = sorted((j for j in self._jobs.values() if j.state == "queued"), key=lambda j: j.created)
        for job in waiting[: max(0, self.max_running - self.running_count())]:
            from lightdesign.jobs.worker import main as worker_main

            job.channel = self._context.Queue()
            job.stop_flag = self._context.Event()
            job.process = self._context.Process(
                target=worker_main,
                args=(job.kind, job.spec, job.channel, job.stop_flag),
                name=f"lightdesign-{job.kind}-{job.id}",
                daemon=True,
            )
            job.state = "starting"
            job.started = time.monotonic()
            try:
                job.process.start()
            except Exception as exc:
                job.process = None
                self._finish(job, "failed", f"the worker process could not start ({exc})")

    def _drain(self, job: Job) -> None:
        while True:
            try:
                event = job.channel.get_nowait()
            except (queue.Empty, EOFError, OSError):
                return
            event.setdefault("at", time.time())
            job.events.append(event)
            kind = event.get("type")
            if kind == "started" and job.state == "starting":
                job.state = "running"
            elif kind in DONE:
                job.result = event
                self._finish(job, kind, event.get("message", ""))
                return

    def _check(self, job: Job) -> None:
        if not job.active:
            return
        process = job.process
        now = time.monotonic()
        if not process.is_alive():
            process.join(timeout=1)
            self._drain(job)
            if job.active:
                self._finish(job, "failed", _exit_message(process.exitcode))
        elif job.stop_requested and now - job.stop_requested > self.grace_s:
            process.kill()
            process.join(timeout=5)
            self._finish(job, "stopped", f"the worker did not stop within {self.grace_s:g} s and was killed")
        elif now - job.started > self.timeout_s:
            process.kill()
            process.join(timeout=5)
            self._finish(
                job,
                "failed",
                f"the job ran longer than the {self.timeout_s:g} s limit and was stopped "
                "(LIGHTDESIGN_JOB_TIMEOUT_S changes the limit)",
            )

    def _finish(self, job: Job, state: str, message: str) -> None:
        job.state = state
        job.message = message
        job.ended = time.monotonic()
        process = job.process
        if process is None or getattr(process, "_popen", None) is None:
            return
        if process.is_alive() and state != "finished":
            process.kill()
        process.join(timeout=5)


def _exit_message(code: int | None) -> str:
    from lightdesign.jobs.worker import OOM_HINT, memory_cap_bytes

    if code is not None and code < 0:
        signal_number = -code
        if signal_number == 9:
            return f"the worker process was killed (signal 9), most likely because it ran out of memory; {OOM_HINT}"
        cap = memory_cap_bytes()
        if cap and signal_number in (6, 11):  # TensorFlow aborts or segfaults when an allocation fails
            return (
                f"the worker process crashed (signal {signal_number}) at its memory limit of "
                f"{cap // 2**20:,} MB; {OOM_HINT}"
            )
        return f"the worker process crashed (signal {signal_number})"
    return f"the worker process exited unexpectedly (exit code {code})"
