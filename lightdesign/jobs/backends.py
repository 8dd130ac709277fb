"""Where jobs run: the job manager's backends, behind one interface.

The manager (``lightdesign.jobs.manager``) keeps its queue, limits, Stop with a grace
period, time limits and crash messages for every backend; a backend only says which
function its spawned worker process runs (``entry``) and how to say where a job runs.

- ``LocalBackend`` (the default): the worker process runs the job itself, on this server.
- ``RayBackend`` (``LIGHTDESIGN_RAY_ADDRESS`` set): the worker process is a thin relay
  that hands the job to the server's one connection to a Ray cluster (the link process,
  ``lightdesign.jobs.ray_link``), which submits it as a task, streams its events back,
  passes Stop on and brings the job's files (weights, ``.keras``, ``.tflite``) back to this
  server's work folder; see ``lightdesign.jobs.ray_backend``. The Streamlit process never
  imports Ray: a lost cluster can only end the link and the relays, never the app.

No Ray, no TensorFlow here: the app imports this module.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from lightdesign import config
from lightdesign.jobs.ray_backend import RAY_PIN
from lightdesign.jobs.ray_link import Link, relay


class Backend(Protocol):
    name: str
    runs_here: bool  # whether jobs run in this server's worker processes (then warm workers help)

    def entry(self) -> Callable[..., None]:
        """The function a spawned worker process runs, called as the local worker's
        ``main(kind, target, payload, channel, stop_flag, limits)``."""

    def describe(self) -> str:
        """Where jobs run, in words (the Train page shows it)."""

    def where(self, job: Any) -> str:
        """Where this job runs (or will run), in words."""


class LocalBackend:
    """Each job in a worker process of this server (the embedded default)."""

    name = "local"
    runs_here = True

    def entry(self) -> Callable[..., None]:
        from lightdesign.jobs.worker import main

        return main

    def describe(self) -> str:
        return "this server"

    def where(self, job: Any) -> str:
        pid = getattr(job, "pid", None)
        return f"this server (process {pid})" if pid else "this server"


def _default(name: str) -> Any:
    return config.setting(name).default


@dataclass(frozen=True)
class RayConfig:
    """How jobs are sent to a Ray cluster: the ``LIGHTDESIGN_RAY_*`` settings (see ``lightdesign.config``)."""

    address: str  # LIGHTDESIGN_RAY_ADDRESS
    cpus: float = _default("LIGHTDESIGN_RAY_JOB_CPUS")
    gpus: float | None = _default("LIGHTDESIGN_RAY_JOB_GPUS")  # None: one when the job asks and the cluster has one
    namespace: str = _default("LIGHTDESIGN_RAY_NAMESPACE")
    health_timeout_s: float = _default("LIGHTDESIGN_RAY_TIMEOUT_S")
    max_artifact_bytes: int = int(_default("LIGHTDESIGN_RAY_MAX_ARTIFACT_MB") * 2**20)
    shared_storage: str = _default("LIGHTDESIGN_RAY_SHARED_STORAGE")

    @classmethod
    def from_environment(cls) -> RayConfig | None:
        address = config.value("LIGHTDESIGN_RAY_ADDRESS")
        if not address:
            return None
        return cls(
            address=address,
            cpus=config.value("LIGHTDESIGN_RAY_JOB_CPUS"),
            gpus=config.value("LIGHTDESIGN_RAY_JOB_GPUS"),
            namespace=config.value("LIGHTDESIGN_RAY_NAMESPACE"),
            health_timeout_s=config.value("LIGHTDESIGN_RAY_TIMEOUT_S"),
            max_artifact_bytes=int(config.value("LIGHTDESIGN_RAY_MAX_ARTIFACT_MB") * 2**20),
            shared_storage=config.value("LIGHTDESIGN_RAY_SHARED_STORAGE"),
        )


class RayBackend:
    """Each job as a task on a Ray cluster, relayed by a light worker process."""

    name = "ray"
    runs_here = False

    def __init__(self, config: RayConfig, grace_s: float | None = None):
        self.config = config
        self.grace_s = grace_s
        self.link: Link | None = None  # the connection to the cluster, made when the manager first asks

    def entry(self) -> Callable[..., None]:
        """The relay, with the link process running (started here, from the job manager's
        thread, so that it dies with the manager)."""
        grace_s = self.grace_s if self.grace_s is not None else config.value("LIGHTDESIGN_STOP_GRACE_S")
        settings = {**asdict(self.config), "grace_s": grace_s}
        if self.link is None:
            self.link = Link(settings)
        try:
            self.link.ensure_running()
        except OSError:
            pass  # out of processes: the relays say they could not reach the link
        return functools.partial(relay, {**settings, "link": self.link.address, "authkey": self.link.authkey})

    def describe(self) -> str:
        return f"the Ray cluster at {self.config.address}"

    def where(self, job: Any) -> str:
        started = _started(job)
        placed = getattr(started, "where", "") if started else ""
        return placed or self.describe()


def _started(job: Any):
    from lightdesign.jobs.messages import Started

    latest = getattr(job, "latest", None)
    return latest(Started) if latest else None


def from_environment() -> Backend:
    """The Ray backend when ``LIGHTDESIGN_RAY_ADDRESS`` is set, else the local one."""
    config = RayConfig.from_environment()
    return RayBackend(config) if config else LocalBackend()


def available() -> str | None:
    """None when Ray can be imported in a worker; else why not, in words."""
    import importlib.util

    if importlib.util.find_spec("ray") is None:
        return f"Ray is not installed on this server (pip install {RAY_PIN})"
    return None
