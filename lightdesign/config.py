"""Every setting LightDesign reads from the environment (``LIGHTDESIGN_*``), declared once in
``SETTINGS`` with its type, default and meaning, and read through ``value``.

A variable is read when its value is asked for, so a deployment's environment (or a test's)
applies to whatever reads it next; each raw text is parsed once. An unset or empty variable
gives the default; a value that does not parse, or lies outside the setting's range, gives
the default too, with a warning in the server log that names the variable and what is valid.
"""

from __future__ import annotations

import functools
import logging
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name, the type of its value (``str``, ``Path``, ``int``
    or ``float``), its default (None: unset, and ``unset`` says what that means), what it
    does, and which values are valid: at least ``minimum`` (above it when ``above``), or one
    of ``choices`` (any case)."""

    name: str
    type: type
    default: Any
    meaning: str
    unset: str = ""
    minimum: float | None = None
    above: bool = False
    choices: tuple[str, ...] = ()

    @property
    def shown_default(self) -> str:
        """The default as the README's table of settings shows it."""
        if self.default is None:
            return f"unset: {self.unset}"
        if self.type is float:
            return f"{self.default:g}"
        return f"`{self.default}`" if self.type is str else str(self.default)

    @property
    def valid(self) -> str:
        """Which values are valid, in words."""
        if self.choices:
            return "one of " + ", ".join(self.choices)
        if self.type is Path:
            return "a folder"
        if self.type is str:
            return "any text"
        what = "a whole number" if self.type is int else "a number"
        if self.minimum is None:
            return what
        return f"{what} {'above' if self.above else 'of at least'} {self.minimum:g}"

    def parse(self, raw: str) -> Any:
        """The value of the non-empty text ``raw``; ValueError when it is not valid."""
        if self.choices:
            if raw.lower() not in self.choices:
                raise ValueError(raw)
            return raw.lower()
        if self.type is Path:
            return Path(raw).expanduser()
        if self.type is str:
            return raw
        number = float(raw)
        if not math.isfinite(number) or (self.type is int and not number.is_integer()):
            raise ValueError(raw)
        if self.minimum is not None and (number < self.minimum or (self.above and number == self.minimum)):
            raise ValueError(raw)
        return self.type(number)


_MACHINE_MEMORY = "75% of the machine's memory shared by the jobs that may run at once (at least 512 MB)"

SETTINGS: tuple[Setting, ...] = (
    # where the work is kept
    Setting(
        "LIGHTDESIGN_WORK_DIR",
        Path,
        None,
        "the work folder: database, datasets, trained models, exports",
        unset="the per-user data folder (see *Your work is kept*)",
    ),
    Setting(
        "LIGHTDESIGN_DATABASE_URL",
        str,
        None,
        "the workspaces' database: any SQLAlchemy URL, e.g. PostgreSQL",
        unset="SQLite `lightdesign.db` in the work folder",
    ),
    Setting("LIGHTDESIGN_KEEP_DAYS", float, 90.0, "days a workspace is kept while untouched", minimum=0, above=True),
    # jobs and their workers
    Setting(
        "LIGHTDESIGN_MAX_JOBS",
        int,
        2,
        "jobs running at once per server, the rest wait in a queue (with Ray: jobs a replica sends at once; "
        "raise it, the cluster queues what it cannot run yet)",
        minimum=1,
    ),
    Setting(
        "LIGHTDESIGN_JOB_TIMEOUT_S",
        float,
        1800.0,
        "seconds a job may run before its worker is killed",
        minimum=0,
        above=True,
    ),
    Setting("LIGHTDESIGN_STOP_GRACE_S", float, 5.0, "seconds after Stop before the worker is killed", minimum=0),
    Setting(
        "LIGHTDESIGN_WORKER_MEMORY_MB",
        float,
        None,
        "the memory one job's worker may use, in MB (`0`: no cap)",
        unset=_MACHINE_MEMORY,
        minimum=0,
    ),
    Setting(
        "LIGHTDESIGN_WORKER_NICE",
        int,
        15,
        "how much lower the job and background workers' priority is (nice), so pages stay responsive",
    ),
    Setting(
        "LIGHTDESIGN_WARM_WORKERS",
        int,
        1,
        "job workers kept started with TensorFlow loaded, so a job starts at once (never more than the free "
        "job slots; each serves one job; `0`: each job starts its own)",
        minimum=0,
    ),
    Setting(
        "LIGHTDESIGN_BACKGROUND_WORKERS",
        int,
        None,
        "processes that run the scaling scan and the suggestion search of large designs",
        unset="the cores less one (at least 1)",
        minimum=1,
    ),
    # sizes of what comes in and what is kept
    Setting(
        "LIGHTDESIGN_MAX_UPLOAD_MB",
        float,
        50.0,
        "the largest dataset upload in MB (zips unpack to at most 4x that)",
        minimum=0,
        above=True,
    ),
    Setting(
        "LIGHTDESIGN_MAX_DATASET_MB",
        float,
        256.0,
        "the memory one dataset may take as float32, in MB",
        minimum=0,
        above=True,
    ),
    Setting(
        "LIGHTDESIGN_DATASET_CACHE_MB",
        float,
        2048.0,
        "dataset files kept on disk together, in MB (least recently used deleted first)",
        minimum=0,
        above=True,
    ),
    Setting(
        "LIGHTDESIGN_WORKSPACE_DISK_MB",
        float,
        2048.0,
        "job files (trained models, exports) one workspace keeps, in MB (oldest deleted first)",
        minimum=0,
        above=True,
    ),
    Setting(
        "LIGHTDESIGN_DISK_BUDGET_MB",
        float,
        20480.0,
        "job files the whole server keeps, in MB (oldest deleted first)",
        minimum=0,
        above=True,
    ),
    Setting(
        "LIGHTDESIGN_MAX_MODEL_MB",
        float,
        200.0,
        "the largest model file that can be imported, in MB",
        minimum=0,
        above=True,
    ),
    # a Ray cluster for jobs
    Setting(
        "LIGHTDESIGN_RAY_ADDRESS",
        str,
        None,
        "the Ray cluster's address (`ray://host:10001` or `host:6379`)",
        unset="jobs run on this server",
    ),
    Setting("LIGHTDESIGN_RAY_JOB_CPUS", float, 1.0, "CPUs each job declares to Ray", minimum=0),
    Setting(
        "LIGHTDESIGN_RAY_JOB_GPUS",
        float,
        None,
        "GPUs each job declares to Ray",
        unset="1 GPU when the job asks (mixed precision) and the cluster has one",
        minimum=0,
    ),
    Setting(
        "LIGHTDESIGN_RAY_SHARED_STORAGE",
        str,
        "auto",
        "`yes`: the nodes see the work folder at the same path, nothing is copied; `no`: always copy the job's "
        "files through Ray; `auto`: checked per job",
        choices=("auto", "yes", "no"),
    ),
    Setting(
        "LIGHTDESIGN_RAY_TIMEOUT_S",
        float,
        15.0,
        'no answer from the cluster for this long ends a job as "lost the connection"',
        minimum=1,
    ),
    Setting(
        "LIGHTDESIGN_RAY_MAX_ARTIFACT_MB",
        float,
        2048.0,
        "the most a job's files may weigh when they are copied back, in MB",
        minimum=0,
        above=True,
    ),
    Setting("LIGHTDESIGN_RAY_NAMESPACE", str, "lightdesign", "the Ray namespace of the jobs"),
)

_BY_NAME = {setting.name: setting for setting in SETTINGS}


def setting(name: str) -> Setting:
    """The declaration of the variable ``name``."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"{name} is not a LightDesign setting; declared: {', '.join(_BY_NAME)}") from None


def value(name: str) -> Any:
    """The value of the variable ``name`` in the environment now: parsed to its setting's type,
    else (unset, empty or not valid) the setting's default."""
    declared = setting(name)
    raw = os.environ.get(name, "").strip()
    return _parsed(declared, raw) if raw else declared.default


@functools.cache
def _parsed(declared: Setting, raw: str) -> Any:
    try:
        return declared.parse(raw)
    except ValueError:
        log.warning(
            "%s=%r is not valid (expected %s); using the default (%s)",
            declared.name,
            raw,
            declared.valid,
            declared.shown_default,
        )
        return declared.default


def work_dir() -> Path:
    """``LIGHTDESIGN_WORK_DIR``, else the per-user data folder (e.g. ~/.local/share/lightdesign
    on Linux): not the system temp folder, whose files vanish on reboot."""
    configured = value("LIGHTDESIGN_WORK_DIR")
    if configured:
        return configured
    import platformdirs

    return Path(platformdirs.user_data_dir("lightdesign", appauthor=False))


def database_url() -> str:
    """``LIGHTDESIGN_DATABASE_URL`` (any SQLAlchemy URL, e.g. PostgreSQL), else SQLite in the work folder."""
    return value("LIGHTDESIGN_DATABASE_URL") or f"sqlite:///{work_dir() / 'lightdesign.db'}"


def keep_days() -> float:
    """Days an untouched workspace is kept (``LIGHTDESIGN_KEEP_DAYS``, default 90)."""
    return value("LIGHTDESIGN_KEEP_DAYS")
