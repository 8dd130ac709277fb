"""Jobs on a Ray cluster: the jobs' side of the connection, and the Ray task.

Every Ray job of a server goes through the server's one connection to the cluster, held
by the link process (``lightdesign.jobs.ray_link``: one ``ray.init`` for all of them, where
each job's relay used to make its own, and Ray Client starts a server process on the head
for every connection). For each job the link

1. connects to the cluster, once (``connect``): the link is the Ray driver, so neither the
   Streamlit process nor the relays import Ray;
2. collects the job's input files (every path in the spec that names a file in this
   server's work folder: the training data, a trained model to export) and sends them with
   the task, so that nodes need no shared storage;
3. submits the task (``_task``) with its declared resources: ``LIGHTDESIGN_RAY_JOB_CPUS``
   CPUs, and a GPU when the job asks for one (mixed precision, or
   ``LIGHTDESIGN_RAY_JOB_GPUS``) and the cluster has one;
4. streams the task's events back through a small actor (``Channel``), passes Stop on to
   it, force-cancels the task when it does not stop within the grace period, and at once
   when the job's relay is gone (killed after the grace period, the time limit, or with
   the server);
5. writes the files the task made (weights, ``.keras``, ``.tflite``) into the job's work
   folder on this server before it passes the job's last event on.

The task runs the very ``worker.main`` of a local job (same events, same failure
messages, same memory cap) in a fresh Ray worker process (``max_calls=1``: TensorFlow
never gives memory back). It runs in the job's own folder when that folder and the input
files are visible on its node (one machine, or shared storage), else in a temporary folder
whose files go back with the result.

A job that could not start for a reason that is not its own (the cluster unreachable, the
task or its channel lost before the job's first event) raises ``NotStarted``, and its relay
tries it again. Anything else that goes wrong between here and the cluster ends the job
with a message: the connection lost (no answer for ``LIGHTDESIGN_RAY_TIMEOUT_S``), the node
or the worker process dying, Ray's own out-of-memory killer.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from lightdesign import __version__
from lightdesign.jobs import messages

RAY_PIN = "ray==2.60.0"  # the version the tests and the deploy images use
POLL_S = 0.1
STOP_POLL_S = 0.2  # how often the task asks whether Stop was pressed
ACTOR_CPUS = 0  # the event channel takes no CPU from the jobs
START_PATIENCE = 4  # times LIGHTDESIGN_RAY_TIMEOUT_S the job's channel may take to answer first
END_TAGS = {messages.Finished.TAG, messages.Stopped.TAG, messages.Failed.TAG}  # the events that end a job


# -- the event channel (a Ray actor) ------------------------------------------------------


class Channel:
    """Events from the task to the relay, and Stop from the relay to the task."""

    def __init__(self) -> None:
        self.events: list[dict] = []
        self.stop_requested = False

    def put(self, event: dict) -> None:
        self.events.append(event)

    def take(self) -> list[dict]:
        events, self.events = self.events, []
        return events

    def stop(self) -> None:
        self.stop_requested = True

    def stopped(self) -> bool:
        return self.stop_requested


class _ChannelWriter:
    """What ``worker.main`` writes to, inside the task: events go to the actor (paths in
    the temporary folder renamed to the job's folder on the server)."""

    def __init__(self, actor, rename: tuple[str, str] | None, where: str):
        self.actor = actor
        self.rename = rename
        self.where = where
        self.pending: list = []

    def put(self, event: dict) -> None:
        if self.rename:
            event = _replace_paths(event, *self.rename)
        if event.get(messages.TAG) == messages.Started.TAG:
            event = {**event, "where": self.where}
        self.pending.append(self.actor.put.remote(event))
        if len(self.pending) > 64:
            self._settle()

    def _settle(self) -> None:
        import ray

        ray.get(self.pending)
        self.pending = []

    def close(self) -> None:
        pass

    def join_thread(self) -> None:
        self._settle()


class _StopFlag:
    """``stop_flag.is_set()`` inside the task: asks the actor, at most every STOP_POLL_S."""

    def __init__(self, actor):
        self.actor = actor
        self.last = 0.0
        self.value = False

    def is_set(self) -> bool:
        if not self.value and time.monotonic() - self.last >= STOP_POLL_S:
            import ray

            self.last = time.monotonic()
            try:
                self.value = bool(ray.get(self.actor.stopped.remote(), timeout=5))
            except Exception:  # noqa: BLE001 - the relay is gone: stop
                self.value = True
        return self.value

    def set(self) -> None:
        self.value = True


def _replace_paths(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return new + value[len(old) :] if value == old or value.startswith(old + os.sep) else value
    if isinstance(value, dict):
        return {k: _replace_paths(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_paths(v, old, new) for v in value]
    return value


# -- the task (runs on a Ray node) ----------------------------------------------------------


def _same_file(path: str, data: bytes) -> bool:
    try:
        target = Path(path)
        return target.stat().st_size == len(data) and target.read_bytes() == data
    except OSError:
        return False


def _writable_dir(path: str) -> bool:
    try:
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        return os.access(folder, os.W_OK)
    except OSError:
        return False


def _task(
    kind: str,
    target: str,
    payload: dict,
    inputs: dict[str, bytes],
    actor,
    limits: dict,
    shared: str = "auto",
    version: str = "",
) -> dict:
    """Run one job in this Ray worker process; returns the files it wrote when it ran in a
    temporary folder (relative path -> bytes), else nothing. ``shared``: "yes" runs in the
    job's folder, "no" in a temporary one, "auto" in the job's folder when the inputs are
    there and it is writable."""
    import socket

    import ray

    from lightdesign.jobs import worker

    node = ray.util.get_node_ip_address()
    where = f"Ray node {node} ({socket.gethostname()}), process {os.getpid()}"
    work_dir = payload.get("work_dir")
    in_place = shared == "yes" or (
        shared == "auto"
        and all(_same_file(p, data) for p, data in inputs.items())
        and (not work_dir or _writable_dir(work_dir))
    )
    scratch = None
    rename = None
    if not in_place:
        scratch = Path(tempfile.mkdtemp(prefix="lightdesign-ray-"))
        for i, (path, data) in enumerate(inputs.items()):
            local = scratch / "in" / str(i) / Path(path).name
            local.parent.mkdir(parents=True, exist_ok=True)
            local.write_bytes(data)
            payload = _replace_paths(payload, path, str(local))
        if work_dir:
            local_work = scratch / "work"
            local_work.mkdir()
            payload = _replace_paths(payload, work_dir, str(local_work))
            rename = (str(local_work), work_dir)
    channel = _ChannelWriter(actor, rename, where)
    if version and version != __version__:
        channel.put(
            messages.Failed(
                message=f"the Ray cluster runs LightDesign {__version__} but this server {version}; "
                "install the same version on every node (deploy/Dockerfile.worker)"
            ).to_dict()
        )
        channel.join_thread()
        return {}
    try:
        worker.main(kind, target, payload, channel, _StopFlag(actor), {**limits, "parent": os.getppid()})
        if scratch is None or rename is None:
            return {}
        local_work = Path(rename[0])
        return {
            str(path.relative_to(local_work)): path.read_bytes() for path in local_work.rglob("*") if path.is_file()
        }
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


# -- the relay (a worker process of the server) -------------------------------------------


def _inputs(payload: dict) -> dict[str, bytes]:
    """Every file of this server's work folder that the spec names."""
    from lightdesign import config

    root = config.work_dir().resolve()
    found: dict[str, bytes] = {}

    def visit(value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():
                visit(item)
        elif isinstance(value, list):
            for item in value:
                visit(item)
        elif isinstance(value, str) and len(value) < 4096 and os.sep in value and value not in found:
            try:
                path = Path(value).resolve()
                if root in path.parents and path.is_file():
                    found[value] = path.read_bytes()
            except (OSError, ValueError):
                pass

    visit(payload)
    return found


def _wants_gpu(payload: dict) -> bool:
    settings = payload.get("settings")
    return bool(isinstance(settings, dict) and settings.get("mixed_precision"))


def _resources(config: dict, payload: dict, cluster: dict) -> dict:
    gpus = config.get("gpus")
    if gpus is None:
        gpus = 1 if _wants_gpu(payload) and cluster.get("GPU", 0) >= 1 else 0
    return {"num_cpus": config.get("cpus", 1.0), "num_gpus": gpus}


def failure_message(exc: BaseException, address: str) -> str:
    """A Ray error, in words for the page."""
    import ray.exceptions as errors

    name = type(exc).__name__
    text = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else name
    if "No module named 'lightdesign'" in str(exc):
        return (
            f"the workers of the Ray cluster at {address} cannot import lightdesign; install this version of "
            "LightDesign on every node (deploy/Dockerfile.worker)"
        )
    if isinstance(exc, errors.OutOfMemoryError):
        return (
            "Ray's memory monitor killed the job on its node (the node ran out of memory); "
            "try a smaller batch size, fewer samples or a smaller design"
        )
    if isinstance(exc, errors.NodeDiedError) or "node" in name.lower() and "died" in text.lower():
        return f"the Ray node running the job died ({text})"
    if isinstance(exc, errors.WorkerCrashedError):
        return (
            "the job's worker process on the Ray cluster died (killed, or out of memory) before it reported "
            "an end; try a smaller batch size, fewer samples or a smaller design"
        )
    if isinstance(exc, errors.ActorDiedError | errors.ActorUnavailableError):
        return f"the job lost its event channel on the Ray cluster at {address} (its node died or restarted)"
    if isinstance(exc, errors.GetTimeoutError | ConnectionError | errors.RaySystemError):
        return f"lost the connection to the Ray cluster at {address} ({name})"
    if isinstance(exc, errors.TaskCancelledError):
        return "the job was cancelled on the Ray cluster"
    if isinstance(exc, errors.RuntimeEnvSetupError):
        return f"the Ray cluster could not prepare the job's environment ({text})"
    return f"the job failed on the Ray cluster at {address} ({name}: {text})"


class Unreachable(ConnectionError):
    """The cluster's address does not answer."""


class NothingListens(Unreachable):
    """Nothing listens at the cluster's address (found before ``ray.init`` was tried)."""


def _probe(address: str, timeout: float) -> None:
    """Fail fast when nothing listens at ``host:port`` (``ray.init`` would wait minutes)."""
    import socket

    host_port = address.split("://", 1)[-1]
    host, _, port = host_port.rpartition(":")
    if not host or not port.isdigit():
        return  # "auto" and the like: leave it to Ray
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            pass
    except OSError as exc:
        raise NothingListens(f"nothing answers at {host_port}: {exc.strerror or exc}") from None


def _connect(ray, config: dict) -> None:
    """``ray.init`` with a time limit (it retries for minutes when the cluster is gone)."""
    import logging
    import threading

    timeout = max(float(config.get("health_timeout_s", 15.0)), 5.0)
    _probe(config["address"], timeout)
    failure: list[BaseException] = []

    def connect() -> None:
        try:
            ray.init(
                address=config["address"],
                namespace=config.get("namespace") or "lightdesign",
                log_to_driver=False,
                logging_level=logging.ERROR,
                configure_logging=False,
            )
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            failure.append(exc)

    thread = threading.Thread(target=connect, name="lightdesign-ray-connect", daemon=True)
    thread.start()
    thread.join(2 * timeout)
    if thread.is_alive():
        raise Unreachable(f"the cluster did not answer within {2 * timeout:g} s")
    if failure:
        raise failure[0]


def _write_files(files: dict[str, bytes], work_dir: str | None, limit: int) -> None:
    if not files or not work_dir:
        return
    total = sum(len(data) for data in files.values())
    if total > limit:
        raise OSError(
            f"the job's files are {total / 2**20:,.0f} MB, more than the {limit / 2**20:,.0f} MB "
            "that may come back (LIGHTDESIGN_RAY_MAX_ARTIFACT_MB)"
        )
    root = Path(work_dir).resolve()
    for name, data in files.items():
        path = (root / name).resolve()
        if root not in path.parents:
            continue  # never outside the job's folder
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


class NotStarted(Exception):
    """The job did not start on the cluster, for a reason that is not its own; ``lost``: the
    connection to the cluster is gone too, ``retry``: trying again may help."""

    def __init__(self, message: str, lost: bool = False, retry: bool = True):
        super().__init__(message)
        self.lost = lost
        self.retry = retry


def connect(config: dict) -> None:
    """Connect this process to the cluster at ``config["address"]``; NotStarted with the
    reason when it cannot be."""
    try:
        import ray
    except ImportError:
        raise NotStarted(f"Ray is not installed on this server; pip install {RAY_PIN}", retry=False) from None
    try:
        _connect(ray, config)
    except Exception as exc:  # noqa: BLE001 - every reason becomes the job's message
        raise NotStarted(
            f"could not connect to the Ray cluster at {config['address']} ({exc}); "
            "check LIGHTDESIGN_RAY_ADDRESS and that the cluster runs",
            lost=not isinstance(exc, NothingListens),  # ray.init was tried: this process cannot try it again
        ) from None


def run(config: dict, kind: str, target: str, payload: dict, channel, stop_flag, limits: dict) -> bool:
    """Run one job on the cluster this process is connected to (``connect``): its events go
    to ``channel``, ending in its end event; Stop comes from ``stop_flag``. NotStarted when the
    job could not start for a reason that is not its own; False when the connection to the
    cluster was lost on the way (the job's end already sent)."""
    import ray

    try:
        actor, ref = _submit(ray, config, kind, target, payload, limits)
    except Exception as exc:  # noqa: BLE001 - every reason becomes the job's message
        raise NotStarted(failure_message(exc, config["address"]), lost=_lost(exc)) from None
    events = _Events(ray, actor, channel, float(config.get("health_timeout_s", 15.0)))
    try:
        if _follow(ray, ref, events, stop_flag, config, channel):
            _collect(ray, ref, events, payload, config, channel)
    except _TaskError as error:
        _cancel(ray, ref)
        message = failure_message(error.cause, config["address"])
        if not events.started:  # nothing of the job ran: not its own failure
            raise NotStarted(message, lost=_lost(error.cause)) from None
        channel.put(messages.Failed(message=message).to_dict())
        return not _lost(error.cause)
    return True


class _TaskError(Exception):
    """Ray failed while the job was followed (``cause``: Ray's exception)."""

    def __init__(self, cause: BaseException):
        super().__init__(str(cause))
        self.cause = cause


def _lost(exc: BaseException) -> bool:
    """Whether ``exc`` means the connection to the cluster is gone (a late answer does not)."""
    import ray.exceptions as errors

    return isinstance(exc, ConnectionError | errors.RaySystemError)


def _cancel(ray, ref) -> None:
    try:
        ray.cancel(ref, force=True)
    except Exception:  # noqa: BLE001 - the connection may be gone with the task
        pass


def _submit(ray, config: dict, kind: str, target: str, payload: dict, limits: dict):
    """Start the job's event channel and its task on the cluster: (the channel actor, the task's ref)."""
    from lightdesign.jobs import worker

    cluster = ray.cluster_resources()
    actor = ray.remote(num_cpus=ACTOR_CPUS, max_restarts=0)(Channel).remote()
    resources = _resources(config, payload, cluster)
    task_limits = {"deadline_s": limits.get("deadline_s"), "memory_bytes": worker._explicit_cap() or None}
    task = ray.remote(max_calls=1, max_retries=0)(_task).options(**resources, name=f"lightdesign-{kind}")
    shared = config.get("shared_storage", "auto")
    inputs = {} if shared == "yes" else _inputs(payload)
    return actor, task.remote(kind, target, payload, inputs, actor, task_limits, shared, __version__)


class _Events:
    """The task's events on their way to the manager; the job's end is held back (``end``)
    until its files are in place."""

    def __init__(self, ray, actor, channel, timeout: float):
        self.ray = ray
        self.actor = actor
        self.channel = channel
        self.timeout = timeout
        self.end: dict | None = None
        self.started = False  # the job's first event has passed: from here on it is the job's own

    def forward(self) -> None:
        # until the job's first event, the channel may still be waiting for a worker process on a busy node
        timeout = self.timeout if self.started else START_PATIENCE * self.timeout
        for data in self.ray.get(self.actor.take.remote(), timeout=timeout):
            self.started = True
            if data.get(messages.TAG) in END_TAGS:
                self.end = self.end or data
            else:
                self.channel.put(data)


def _follow(ray, ref, events: _Events, stop_flag, config: dict, channel) -> bool:
    """Pass the task's events on and Stop to it until it is done (True), or end the job here
    (False): no stop within the grace period, or nobody left to follow it (its relay is
    gone: ``stop_flag.gone``). _TaskError when Ray fails on the way."""
    grace = config["grace_s"]
    stop_sent = None
    while True:
        try:
            events.forward()
        except Exception as exc:  # noqa: BLE001 - handed to run()
            raise _TaskError(exc) from None
        if getattr(stop_flag, "gone", False):
            _cancel(ray, ref)
            return False
        if stop_flag.is_set() and stop_sent is None:
            stop_sent = time.monotonic()
            events.actor.stop.remote()
        if stop_sent is not None and events.end is None and time.monotonic() - stop_sent > grace * 0.8:
            _cancel(ray, ref)
            channel.put(
                messages.Stopped(
                    message=f"the job did not stop within {grace:g} s and was cancelled on the Ray cluster"
                ).to_dict()
            )
            return False
        ready, _ = ray.wait([ref], timeout=POLL_S)
        if ready:
            return True


def _collect(ray, ref, events: _Events, payload: dict, config: dict, channel) -> None:
    """After the task: its files into the job's folder on this server, then the job's end.
    _TaskError when the task failed before it sent its end."""
    try:
        files = ray.get(ref, timeout=events.timeout)
    except Exception as exc:  # noqa: BLE001
        try:
            events.forward()
        except Exception:  # noqa: BLE001
            pass
        if events.end is None:
            raise _TaskError(exc) from None
        channel.put(events.end)  # the job ended (e.g. failed) and then its process died
        return
    try:
        events.forward()
        _write_files(files, payload.get("work_dir"), int(config.get("max_artifact_bytes", 2**31)))
    except Exception as exc:  # noqa: BLE001
        message = f"the job's files could not be brought back from the Ray cluster ({exc})"
        channel.put(messages.Failed(message=message).to_dict())
        return
    channel.put(events.end or messages.Failed(message="the job ended on the Ray cluster without a result").to_dict())
