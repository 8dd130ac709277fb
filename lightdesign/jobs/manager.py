"""Jobs that need TensorFlow, each in its own spawned worker process.

The ``JobManager`` is shared by every session of one server (the app keeps a single
instance with ``st.cache_resource``). It starts at most ``max_running`` workers and queues
the rest, streams each worker's events into its ``Job``, stops a job at the next batch
and kills it after a grace period, and turns a crash, an out-of-memory kill or a hang into
a message. The Streamlit process itself never imports TensorFlow.

Workers never outlive the server or its limits: every worker is started by the manager's
own long-lived thread (on Linux the kernel kills a worker when the thread that started it
ends, so never by a session's short-lived script thread) and gets the server's pid, its
time limit and its memory cap (``lightdesign.jobs.worker.guard``); the manager also kills a
worker whose resident memory passes the cap. A job belongs to an owner (the workspace that
started it, see ``ui/job_view.session_id``), so another tab or a reopened link can see and
stop it after the session that started it is gone.

A job starts on a warm worker when one is there (``lightdesign.jobs.warm``: started before
the job, TensorFlow already loaded, one job each, at most as many as the free job slots),
else on a worker spawned for it; either way the limits above apply from the job's start.

The lock guards only the jobs' bookkeeping: starting processes, waiting for them to exit,
reading their memory and deleting a failed job's folder all happen outside it, so a
session's poll never waits for a worker.

Job kinds are a registry of kind -> ``"module:function"`` (``JOB_KINDS``, extended per
manager), so that the tests can run TensorFlow-free jobs of their own. Specs go to the
worker and events come back as the typed messages of ``lightdesign.jobs.messages``,
serialised at the process boundary.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import shutil
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from lightdesign import config
from lightdesign.jobs.backends import Backend, from_environment
from lightdesign.jobs.messages import (
    End,
    Event,
    Finished,
    JobKind,
    JobState,
    Message,
    Started,
    Stopped,
    event_from_dict,
)
from lightdesign.jobs.processes import plain_main
from lightdesign.jobs.warm import PRELOAD, WarmPool

# The job functions, by kind: each is called in a worker as ``run(spec, emit, stop_flag)``.
JOB_KINDS: dict[str, str] = {
    JobKind.TRAIN: "lightdesign.jobs.train:run",
    JobKind.EXPORT: "lightdesign.jobs.export:run",
    JobKind.CALIBRATE: "lightdesign.jobs.train:calibrate",
    JobKind.LATENCY: "lightdesign.jobs.latency_calibration:run",
}

E = TypeVar("E")
KEEP_ENDED_S = 3600.0  # an ended job is kept this long (its page shows it), then forgotten


class JobError(RuntimeError):
    """A request the manager refuses (a second job for a session, an unknown job …)."""


@dataclass
class Job:
    id: str
    owner: str
    kind: str  # a JobKind, or a kind a test registered
    spec: Any  # TrainSpec, ExportSpec, or a test kind's dict
    payload: dict[str, Any]  # the spec as it travels to the worker
    state: JobState = JobState.QUEUED
    message: str = ""
    events: list[Event] = field(default_factory=list)
    end: End | None = None  # the event that ended the job, when the worker sent one
    created: float = field(default_factory=time.time)
    started: float | None = None
    ended: float | None = None
    stop_requested: float | None = None
    process: Any = None
    channel: Any = None
    stop_flag: Any = None
    warm: Any = None  # the warm worker it runs on: its queues live while the process may still read them
    design_id: str | None = None  # the design it was started for (a rename does not lose it)

    @property
    def active(self) -> bool:
        return self.state.active

    @property
    def result(self) -> Any:
        """What a finished job produced (TrainResult, ExportResult …); None otherwise."""
        return self.end.result if isinstance(self.end, Finished) else None

    @property
    def stopped_on_request(self) -> bool:
        return isinstance(self.end, Stopped) and self.end.on_request

    @property
    def pid(self) -> int | None:
        started = self.latest(Started)
        return started.pid if started else None

    def latest(self, event_type: type[E]) -> E | None:
        return next((e for e in reversed(self.events) if isinstance(e, event_type)), None)

    def all(self, event_type: type[E]) -> list[E]:
        return [e for e in self.events if isinstance(e, event_type)]


class JobManager:
    def __init__(
        self,
        max_running: int | None = None,
        timeout_s: float | None = None,
        grace_s: float | None = None,
        poll_s: float = 0.1,
        kinds: Mapping[str, str] | None = None,
        memory_cap: int | None | bool = True,
        backend: Backend | None = None,
        warm_workers: int | None = None,
        preload: tuple[str, ...] = PRELOAD,
    ):
        """``kinds`` adds job kinds (kind -> ``"module:function"``) to ``JOB_KINDS``;
        ``memory_cap`` is a worker's cap in bytes (True: ``worker.memory_cap_bytes()``, None: none);
        ``backend`` says where jobs run (default: ``backends.from_environment()``, this server
        unless LIGHTDESIGN_RAY_ADDRESS names a Ray cluster); ``warm_workers`` (default
        LIGHTDESIGN_WARM_WORKERS) workers are kept started with ``preload`` imported (see
        ``lightdesign.jobs.warm``; only where the backend runs jobs on this server)."""
        from lightdesign.jobs.worker import memory_cap_bytes, warm_main

        self.backend = backend or from_environment()

        # the environment is read when a manager is made, so a deployment (or a test) can change it
        self.max_running = max(1, max_running if max_running is not None else config.value("LIGHTDESIGN_MAX_JOBS"))
        self.timeout_s = timeout_s if timeout_s is not None else config.value("LIGHTDESIGN_JOB_TIMEOUT_S")
        self.grace_s = grace_s if grace_s is not None else config.value("LIGHTDESIGN_STOP_GRACE_S")
        self.poll_s = poll_s
        self.kinds = {**JOB_KINDS, **(kinds or {})}
        self.memory_cap = memory_cap_bytes() if memory_cap is True else (memory_cap or None)
        self._jobs: dict[str, Job] = {}
        self._lock = threading.RLock()
        self._wake = threading.Event()
        self._to_spawn: list[Job] = []
        self._to_reap: list[tuple[Job, Any]] = []
        self._context = multiprocessing.get_context("spawn")
        size = warm_workers if warm_workers is not None else config.value("LIGHTDESIGN_WARM_WORKERS")
        self.warm = WarmPool(self._context, size if self.backend.runs_here else 0, warm_main, preload)
        self._closed = False
        self._last_memory_check = 0.0
        self._thread = threading.Thread(target=self._monitor, name="lightdesign-jobs", daemon=True)
        self._thread.start()

    # -- requests from sessions ----------------------------------------------------------
    def submit(self, owner: str, kind: str, spec: Message | dict[str, Any], design_id: str | None = None) -> Job:
        """Queue a job for an owner (a workspace or a session); one active job per owner.
        The worker is started by the manager's thread, within a moment."""
        if kind not in self.kinds:
            raise JobError(f"unknown job kind {kind!r}; known: {', '.join(self.kinds)}")
        payload = spec.to_dict() if isinstance(spec, Message) else dict(spec)
        with self._lock:
            if self._closed:
                raise JobError("the job manager is shut down")
            current = self.active_for(owner)
            if current is not None:
                raise JobError(f"a {current.kind} job is already {current.state} for this session; stop it or wait")
            job = Job(uuid.uuid4().hex[:12], owner, kind, spec, payload, design_id=design_id)
            self._jobs[job.id] = job
            self._start_queued()
        self._wake.set()
        return job

    def get(self, job_id: str | None) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id) if job_id else None

    def active_for(self, owner: str) -> Job | None:
        with self._lock:
            return next((j for j in self._jobs.values() if j.owner == owner and j.active), None)

    def latest_for(self, owner: str, kind: str) -> Job | None:
        """The owner's newest job of ``kind`` (active or ended): what a new session of the
        same workspace shows, and can stop."""
        with self._lock:
            mine = [j for j in self._jobs.values() if j.owner == owner and j.kind == kind]
            return max(mine, key=lambda j: j.created, default=None)

    def queue_position(self, job: Job) -> int:
        """1 for the next job to start; 0 when the job is not waiting."""
        with self._lock:
            waiting = [j for j in self._jobs.values() if j.state is JobState.QUEUED]
            waiting.sort(key=lambda j: j.created)
            return waiting.index(job) + 1 if job in waiting else 0

    def running_count(self) -> int:
        with self._lock:
            return sum(1 for j in self._jobs.values() if j.state.holds_worker)

    def tensorflow_ready(self) -> bool:
        """Whether the next job starts on a warm worker that has TensorFlow loaded."""
        return self.warm.ready_count() > 0

    def stop(self, job_id: str) -> str:
        """Ask a job to stop at its next batch; returns what happened, in words."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                raise JobError("there is no such job")
            if job.state is JobState.QUEUED:
                self._finish(job, JobState.STOPPED, "stopped before it started")
                return "The job was removed from the queue."
            if job.state is JobState.STOPPING:
                return "The job is already stopping."
            if not job.active:
                return f"The job has already {job.state}."
            job.state = JobState.STOPPING
            job.stop_requested = time.monotonic()
            if job.stop_flag is not None:  # else its worker is being started: it gets the flag set
                job.stop_flag.set()
            return "Stopping at the end of the current batch."

    def shutdown(self) -> None:
        """Kill every worker (the server is going away)."""
        with self._lock:
            self._closed = True
            self._to_spawn.clear()
            for job in self._jobs.values():
                if job.process is not None and job.process.is_alive():
                    job.process.kill()
                if job.active:
                    self._finish(job, JobState.FAILED, "the server shut down")
        self._wake.set()
        self._thread.join(timeout=5)

    # -- the monitor thread -----------------------------------------------------------------
    def _monitor(self) -> None:
        while not self._closed:
            self._spawn_pending()
            with self._lock:
                for job in list(self._jobs.values()):
                    if job.state.holds_worker and job.process is not None:
                        try:
                            self._drain(job)
                            self._check(job)
                        except Exception as exc:  # noqa: BLE001 - one broken job must not stop the others being watched
                            self._finish(job, JobState.FAILED, f"the job could not be supervised ({exc})")
                self._start_queued()
            self._check_memory()
            self._reap()
            self._forget_old()
            self._keep_warm()
            self._wake.wait(self.poll_s)
            self._wake.clear()
        self.warm.close()
        self._reap()

    def _keep_warm(self) -> None:
        """Keep warm workers for the free job slots (from this thread: they die with the server);
        a job given a slot but not yet a worker counts as free, its warm worker is waiting for it."""
        with self._lock:
            free = self.max_running - self.running_count() + len(self._to_spawn)
        self.warm.fill(free)

    def _start_queued(self) -> None:
        """Reserve worker slots for queued jobs (under the lock); the monitor thread starts them."""
        waiting = sorted((j for j in self._jobs.values() if j.state is JobState.QUEUED), key=lambda j: j.created)
        for job in waiting[: max(0, self.max_running - self.running_count())]:
            job.state = JobState.STARTING
            job.started = time.monotonic()
            self._to_spawn.append(job)

    def _spawn_pending(self) -> None:
        """Start the reserved workers from this (long-lived) thread, outside the lock."""
        worker_main = self.backend.entry()  # the local worker, or the relay to a Ray cluster
        with self._lock:
            pending, self._to_spawn = self._to_spawn, []
        for job in pending:
            limits = {
                "parent": os.getpid(),
                "deadline_s": self.timeout_s + self.grace_s + 5,
                "memory_bytes": self.memory_cap,
            }
            work = (job.kind, self.kinds[job.kind], job.payload)
            warm = self.warm.take()
            if warm is not None:  # TensorFlow already loaded: the job starts at once
                warm.inbox.put((*work, limits))
                process, channel, stop_flag = warm.process, warm.channel, warm.stop_flag
            else:
                channel, stop_flag = self._context.Queue(), self._context.Event()
                process = self._context.Process(
                    target=worker_main,
                    args=(*work, channel, stop_flag, limits),
                    name=f"lightdesign-{job.kind}-{job.id}",
                    daemon=True,
                )
                try:
                    with plain_main():  # the worker must not run the app script first
                        process.start()
                except Exception as exc:  # noqa: BLE001 - out of processes, memory, file handles
                    with self._lock:
                        self._finish(job, JobState.FAILED, f"the worker process could not start ({exc})")
                    continue
            with self._lock:
                job.process, job.channel, job.stop_flag, job.warm = process, channel, stop_flag, warm
                if job.stop_requested:  # Stop was pressed while the worker was being started
                    stop_flag.set()
                if not job.active:  # stopped or shut down while it was starting
                    process.kill()
                    self._to_reap.append((job, process))

    def _drain(self, job: Job) -> None:
        while True:
            try:
                data = job.channel.get_nowait()
            except (queue.Empty, EOFError, OSError):
                return
            event = event_from_dict(data)
            job.events.append(event)
            if isinstance(event, Started) and job.state is JobState.STARTING:
                job.state = JobState.RUNNING
            elif isinstance(event, End):
                job.end = event
                self._finish(job, event.state, event.message)
                return

    def _check(self, job: Job) -> None:
        if not job.active:
            return
        process = job.process
        now = time.monotonic()
        if not process.is_alive():  # is_alive() polls without waiting
            self._drain(job)
            if job.active:
                self._finish(job, JobState.FAILED, _exit_message(process.exitcode))
        elif job.stop_requested and now - job.stop_requested > self.grace_s:
            process.kill()
            self._finish(job, JobState.STOPPED, f"the worker did not stop within {self.grace_s:g} s and was killed")
        elif now - job.started > self.timeout_s:
            process.kill()
            self._finish(
                job,
                JobState.FAILED,
                f"the job ran longer than the {self.timeout_s:g} s limit and was stopped "
                "(LIGHTDESIGN_JOB_TIMEOUT_S changes the limit)",
            )

    def _check_memory(self) -> None:
        """Kill a worker whose resident memory passed the cap (twice a second, outside the lock)."""
        if not self.memory_cap or time.monotonic() - self._last_memory_check < 0.5:
            return
        self._last_memory_check = time.monotonic()
        from lightdesign.jobs.worker import memory_message, resident_bytes

        with self._lock:
            running = [(j, j.process) for j in self._jobs.values() if j.active and j.process is not None]
        for job, process in running:
            if process.pid and resident_bytes(process.pid) > self.memory_cap:
                with self._lock:
                    if job.active:
                        process.kill()
                        self._finish(job, JobState.FAILED, memory_message(self.memory_cap))

    def _finish(self, job: Job, state: JobState, message: str) -> None:
        """Record how the job ended (under the lock); the process is killed unless it
        finished, and waited for by the monitor, outside the lock."""
        job.state = state
        job.message = message
        job.ended = time.monotonic()
        process = job.process
        if process is None or getattr(process, "_popen", None) is None:
            if state is not JobState.FINISHED:
                self._to_reap.append((job, None))
            return
        if state is not JobState.FINISHED and process.is_alive():
            process.kill()
        self._to_reap.append((job, process))

    def _forget_old(self) -> None:
        """Drop jobs that ended more than KEEP_ENDED_S ago (their events and spec hold the
        design's code), keeping each owner's newest job of each kind for its pages."""
        now = time.monotonic()
        with self._lock:
            newest: dict[tuple[str, str], Job] = {}
            for job in self._jobs.values():
                key = (job.owner, job.kind)
                if key not in newest or job.created > newest[key].created:
                    newest[key] = job
            keep = {id(j) for j in newest.values()}
            for job_id, job in list(self._jobs.items()):
                if not job.active and job.ended is not None and now - job.ended > KEEP_ENDED_S and id(job) not in keep:
                    del self._jobs[job_id]

    def _reap(self) -> None:
        """Wait for ended workers without blocking anyone: a finished worker gets 10 s to
        exit by itself, then it is killed; a failed or stopped job's folder is deleted (its
        partial files)."""
        with self._lock:
            pending, self._to_reap = self._to_reap, []
        keep = []
        for job, process in pending:
            if process is not None:
                if process.is_alive():
                    if job.ended is not None and time.monotonic() - job.ended > 10:
                        process.kill()
                    keep.append((job, process))
                    continue
                process.join(timeout=0)
            job.warm = None  # its process is gone: nothing reads the queues it was started with
            if job.state in (JobState.FAILED, JobState.STOPPED):
                _discard_work_dir(job)
        if keep:
            with self._lock:
                self._to_reap.extend(keep)


def _discard_work_dir(job: Job) -> None:
    """Delete the folder of a job that failed or stopped: it holds nothing kept (partial
    model files, a link to its data). Only folders inside the work folder are touched."""
    folder = job.payload.get("work_dir") if isinstance(job.payload, dict) else None
    if not folder:
        return
    try:
        path = Path(folder).resolve()
        if config.work_dir().resolve() in path.parents and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
    except OSError:
        pass


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
