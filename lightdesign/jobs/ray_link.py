"""One connection to a Ray cluster for all of a server's jobs: the link process, and the
relays that send their jobs through it.

Ray Client starts a server process on the head for every connection; when each job made
its own, a sweep's candidates on a busy machine waited for theirs in turn and some gave up.
Now the ``RayBackend`` starts one link process (``serve``) from the job manager's thread and
each job's worker process is a relay (``relay``) that hands its job to the link over a local
socket (a private folder, an authentication key) and passes its events on to the manager.
The link connects to the cluster when the first job comes and runs each job in a thread of
its own (``ray_backend.run``). Ray's own output goes to a log file, never to the console of
the server or of the command line.

The relay tries a job's start again (``START_ATTEMPTS`` in all) when it did not start for a
reason that is not its own: the cluster did not answer, Ray lost the task before its first
event, the link was restarting. After a lost connection the link takes no new job and ends
once its jobs have; after ``IDLE_S`` without a job it ends too (the head's Ray Client server
with it); the backend starts a new one when a job needs it.

No Ray here: ``ray_backend`` is the only module that imports it.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sys
import tempfile
import threading
import time
import weakref
from multiprocessing import AuthenticationError
from multiprocessing.connection import Client, Listener
from pathlib import Path

from lightdesign.jobs import messages

START_ATTEMPTS = 3
RETRY_WAIT_S = 2.0  # before the second attempt; doubled for each after it
REACH_S = 60.0  # how long a relay waits for the link process to take its job
IDLE_S = 300.0  # a connected link with no job for this long ends
LOG_NAME = "ray.log"  # Ray's own output, in the work folder


# -- the server's side: the link process, started by the backend --------------------------------


class Link:
    """The link process of one backend: its socket, its key, and the process while it runs."""

    def __init__(self, config: dict):
        self.config = config
        self.folder = tempfile.mkdtemp(prefix="lightdesign-ray-")  # private (0700): only this user reaches it
        weakref.finalize(self, shutil.rmtree, self.folder, True)
        self.address = str(Path(self.folder) / "link")
        self.authkey = os.urandom(32)
        self.process = None
        self.started = 0.0

    def ensure_running(self) -> None:
        """Start the link process unless it runs (at most once a second). Called from the job
        manager's long-lived thread, so that the process dies with it."""
        from lightdesign import config
        from lightdesign.jobs.processes import plain_main

        if self.process is not None and self.process.is_alive() or time.monotonic() - self.started < 1.0:
            return
        if self.process is not None:
            self.process.join(timeout=0)
        self.started = time.monotonic()
        log = str(config.work_dir() / LOG_NAME)
        self.process = multiprocessing.get_context("spawn").Process(
            target=serve,
            args=(self.config, self.address, self.authkey, os.getpid(), log),
            name="lightdesign-ray-link",
            daemon=True,
        )
        with plain_main():
            self.process.start()


def serve(config: dict, address: str, authkey: bytes, parent: int, log: str | None) -> None:
    """The link process: take jobs from relays, each in a thread, over one connection."""
    from lightdesign.jobs.worker import _die_with_parent

    _die_with_parent(parent)
    _quiet(log)
    os.environ.setdefault("RAY_DEDUP_LOGS", "0")
    try:
        os.unlink(address)  # left by a link process that was killed
    except OSError:
        pass
    listener = Listener(address, family="AF_UNIX", authkey=authkey)
    session = _Session(config)
    threading.Thread(target=session.watch, name="lightdesign-ray-link-watch", daemon=True).start()
    while True:
        try:
            conn = listener.accept()
            if session.broken:  # no new job: the relay waits for the next link
                conn.close()
                continue
            conn.send(("ready",))
        except (OSError, EOFError, ValueError, AuthenticationError):  # a caller without the key, or gone
            continue
        session.begin()
        threading.Thread(target=session.serve_job, args=(conn,), name="lightdesign-ray-job", daemon=True).start()


def _quiet(log: str | None) -> None:
    """Ray's own output (its warnings, its C++ core's lines) into ``log``, not the console."""
    try:
        target = os.open(log or os.devnull, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError:
        target = os.open(os.devnull, os.O_WRONLY)
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(target, 1)
    os.dup2(target, 2)
    os.close(target)


class _Session:
    """The link's one connection to the cluster, and the jobs that use it."""

    def __init__(self, config: dict):
        self.config = config
        self.lock = threading.Lock()  # the counts
        self.connecting = threading.Lock()  # one ``ray.init``
        self.connected = False
        self.broken: str | None = None  # why no new job is taken (the connection is gone)
        self.jobs = 0
        self.idle_since = time.monotonic()

    def begin(self) -> None:
        with self.lock:
            self.jobs += 1

    def serve_job(self, conn) -> None:
        """One relay's job, from its request to its end event."""
        from lightdesign.jobs import ray_backend

        reply = _Reply(conn)
        try:
            kind, target, payload, limits = conn.recv()
            self._ensure()
            if not ray_backend.run(self.config, kind, target, payload, reply, reply, limits):
                self._break("the connection to the Ray cluster was lost")
        except ray_backend.NotStarted as exc:
            if exc.lost:
                self._break(str(exc))
            reply.send(("not started", str(exc), exc.retry))
        except (EOFError, OSError):
            pass  # the relay is gone
        except Exception as exc:  # noqa: BLE001 - every failure becomes the job's message
            reply.put(messages.Failed(message=f"the Ray link failed ({type(exc).__name__}: {exc})").to_dict())
        finally:
            conn.close()
            with self.lock:
                self.jobs -= 1
                self.idle_since = time.monotonic()

    def _ensure(self) -> None:
        from lightdesign.jobs import ray_backend

        with self.connecting:
            if self.broken:
                raise ray_backend.NotStarted(self.broken)
            if not self.connected:
                ray_backend.connect(self.config)
                self.connected = True

    def _break(self, reason: str) -> None:
        with self.lock:
            self.broken = self.broken or reason

    def watch(self) -> None:
        """End the process once broken or idle, when no job runs (a new link replaces it)."""
        while True:
            time.sleep(0.5)
            with self.lock:
                idle = self.connected and time.monotonic() - self.idle_since > IDLE_S
                if self.jobs == 0 and (self.broken or idle):
                    os._exit(0)  # at once: Ray's shutdown may wait for a cluster that is gone


class _Reply:
    """A job's events back to its relay (``put``), and its Stop from it (``is_set``); the relay
    gone reads as Stop with ``gone`` set, so the task is cancelled at once."""

    def __init__(self, conn):
        self.conn = conn
        self.value = False
        self.gone = False

    def send(self, item) -> None:
        try:
            self.conn.send(item)
        except (OSError, EOFError, ValueError):
            self.gone = self.value = True

    def put(self, event: dict) -> None:
        self.send(("event", event))

    def is_set(self) -> bool:
        try:
            while not self.gone and self.conn.poll(0):
                if self.conn.recv() == "stop":
                    self.value = True
        except (OSError, EOFError, ValueError):
            self.gone = self.value = True
        return self.value


# -- the job's side: the relay, a worker process of the job manager ----------------------------


def relay(config: dict, kind: str, target: str, payload: dict, channel, stop_flag, limits: dict | None = None) -> None:
    """The worker process of a Ray job: hand it to the link, pass its events to ``channel``
    and Stop to the link, and try its start again when it did not start for a reason that
    is not its own."""
    from lightdesign.jobs.worker import _die_with_parent

    limits = limits or {}
    if limits:
        _die_with_parent(int(limits.get("parent") or os.getppid()))
    try:
        end = _relay(config, kind, target, payload, channel, stop_flag, limits)
    except Exception as exc:  # noqa: BLE001 - every failure becomes the job's message
        end = messages.Failed(message=f"the Ray relay failed ({type(exc).__name__}: {exc})")
    try:
        if end is not None:
            channel.put(end.to_dict())
    finally:
        channel.close()
        channel.join_thread()
        os._exit(0)


def _relay(config, kind, target, payload, channel, stop_flag, limits) -> messages.Message | None:
    """The job's end when this relay makes it (None when the link sent it)."""
    reason = ""
    for attempt in range(START_ATTEMPTS):
        if attempt:
            deadline = time.monotonic() + RETRY_WAIT_S * 2 ** (attempt - 1)
            while time.monotonic() < deadline:
                if stop_flag.is_set():
                    return messages.Stopped(message="stopped before it started", on_request=True)
                time.sleep(0.1)
        conn = _reach(config)
        if conn is None:
            reason = "the connection process to the Ray cluster did not answer"
            continue
        with conn:
            started, reason, retry = _follow(conn, (kind, target, payload, limits), channel, stop_flag)
        if started or not retry:
            return None if started else messages.Failed(message=reason)
    return messages.Failed(message=f"{reason} (tried {START_ATTEMPTS} times)")


def _reach(config: dict):
    """A connection to a link process that takes jobs, or None when none does within REACH_S
    (one that lost its connection to the cluster hangs up until the next one runs)."""
    deadline = time.monotonic() + REACH_S
    while time.monotonic() < deadline:
        try:
            conn = Client(config["link"], family="AF_UNIX", authkey=config["authkey"])
        except (OSError, EOFError, AuthenticationError):
            time.sleep(0.2)
            continue
        try:
            if conn.poll(10) and conn.recv() == ("ready",):
                return conn
        except (OSError, EOFError):
            pass
        conn.close()
        time.sleep(0.2)
    return None


def _follow(conn, job: tuple, channel, stop_flag) -> tuple[bool, str, bool]:
    """Send the job and pass its events on until its end: (whether it started, why it did
    not, whether trying again may help)."""
    started = stop_sent = False
    try:
        conn.send(job)
        while True:
            if stop_flag.is_set() and not stop_sent:
                conn.send("stop")
                stop_sent = True
            if not conn.poll(0.1):
                continue
            what, *rest = conn.recv()
            if what == "not started":
                return False, rest[0], rest[1]
            channel.put(rest[0])
            started = True
            if rest[0].get(messages.TAG) in {messages.Finished.TAG, messages.Stopped.TAG, messages.Failed.TAG}:
                return True, "", False
    except (EOFError, OSError):
        if started:
            channel.put(messages.Failed(message="the connection process to the Ray cluster ended").to_dict())
        return started, "the connection process to the Ray cluster ended before the job started", True
