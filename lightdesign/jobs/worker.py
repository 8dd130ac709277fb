"""Entry point of a worker process: run one job and report through the event channel.

This is the only place TensorFlow is imported (inside the job functions).

A worker guards itself, so that no job outlives its server or takes the machine down:

- it dies with the server: on Linux the kernel kills it when the server process dies (a
  parent-death signal, set before the job starts), elsewhere (and as a second check) a
  watchdog thread exits as soon as the worker is re-parented (after ``kill -9`` of the
  server, as the OOM killer does it);
- it enforces its own time limit (the manager's limit plus the stop grace), should the
  manager not be there to do it;
- it stops at its memory cap: ``LIGHTDESIGN_WORKER_MEMORY_MB`` when set (``0``: no cap),
  else a default derived from the machine's memory, shared among the jobs that may run at
  once (``default_memory_cap``). The watchdog checks the resident memory four times a
  second; the manager checks it too. When the variable is set the address space is also
  capped (``RLIMIT_AS``), so an allocation beyond it fails at once."""

from __future__ import annotations

import os
import sys
import threading
import time
import traceback

from lightdesign import config
from lightdesign.jobs import messages

OOM_HINT = "try a smaller batch size, fewer samples or a smaller design"
MEMORY_ENV = "LIGHTDESIGN_WORKER_MEMORY_MB"
MEMORY_SHARE_OF_MACHINE = 0.75  # all workers together may use this share of the machine's memory
MIN_DEFAULT_CAP = 512 * 2**20
WATCH_S = 0.25


def _explicit_cap() -> int | None | bool:
    """The cap set in the environment (bytes), None for "no cap" (0), False when unset or
    unreadable."""
    megabytes = config.value(MEMORY_ENV)
    if megabytes is None:
        return False
    return int(megabytes * 2**20) if megabytes > 0 else None


def default_memory_cap(total_bytes: int | None = None, jobs: int | None = None) -> int | None:
    """The memory one worker may use when nothing is configured: 75% of the machine's
    memory shared among the jobs that may run at once (LIGHTDESIGN_MAX_JOBS), at least 512 MB."""
    if total_bytes is None:
        try:
            import psutil

            total_bytes = int(psutil.virtual_memory().total)
        except Exception:  # noqa: BLE001 - no psutil, or a platform that cannot say
            return None
    if jobs is None:
        jobs = config.value("LIGHTDESIGN_MAX_JOBS")
    return max(MIN_DEFAULT_CAP, int(total_bytes * MEMORY_SHARE_OF_MACHINE / max(1, jobs)))


def memory_cap_bytes() -> int | None:
    """The memory cap of a worker: LIGHTDESIGN_WORKER_MEMORY_MB (0: none), else the default."""
    explicit = _explicit_cap()
    return default_memory_cap() if explicit is False else explicit


def _cap_memory() -> None:
    explicit = _explicit_cap()
    if explicit:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (explicit, explicit))


def resident_bytes(pid: int | None = None) -> int:
    """Resident memory of a process and its children (0 where it cannot be read)."""
    try:
        import psutil

        process = psutil.Process(pid or os.getpid())
        total = process.memory_info().rss
        for child in process.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:
                pass
        return int(total)
    except Exception:  # noqa: BLE001 - a process that just ended, or no psutil
        return 0


def memory_message(cap: int) -> str:
    return (
        f"the job needed more than its memory limit of {cap // 2**20:,} MB and was stopped; {OOM_HINT} "
        f"({MEMORY_ENV} changes the limit)"
    )


def _die_with_parent(parent: int) -> None:
    """Ask the kernel to kill this process when its parent dies (Linux), and exit now if
    the parent is already gone."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(3)


def _report_and_exit(channel, event: messages.Message, code: int) -> None:
    try:
        channel.put(event.to_dict())
        channel.close()
        channel.join_thread()
    finally:
        os._exit(code)


def _watch(channel, parent: int, deadline_s: float | None, memory_bytes: int | None) -> None:
    """The watchdog thread: parent gone, time limit, memory cap."""
    started = time.monotonic()
    while True:
        time.sleep(WATCH_S)
        if os.getppid() != parent:
            os._exit(3)  # the server is gone: nobody reads our events
        if deadline_s and time.monotonic() - started > deadline_s:
            _report_and_exit(
                channel,
                messages.Failed(message=f"the job ran longer than its {deadline_s:g} s limit and stopped itself"),
                4,
            )
        if memory_bytes and resident_bytes() > memory_bytes:
            _report_and_exit(channel, messages.Failed(message=memory_message(memory_bytes)), 5)


def guard(channel, limits: dict | None) -> None:
    """Die with the server and start the watchdog (``limits``: parent pid, deadline_s,
    memory_bytes, as the manager passes them)."""
    if not limits:
        return
    parent = int(limits.get("parent") or os.getppid())
    _die_with_parent(parent)
    thread = threading.Thread(
        target=_watch,
        args=(channel, parent, limits.get("deadline_s"), limits.get("memory_bytes")),
        name="lightdesign-worker-guard",
        daemon=True,
    )
    thread.start()


def _out_of_memory(exc: BaseException) -> bool:
    text = f"{type(exc).__name__} {exc}".lower()
    return isinstance(exc, MemoryError) or any(
        sign in text
        for sign in (
            "resourceexhausted",
            "out of memory",
            "oom",
            "could not create a primitive",
            "bad_alloc",
            "cannot allocate memory",
        )
    )


def _step_aside() -> None:
    """Run below the web server's priority so that pages stay responsive while jobs train."""
    try:
        os.nice(config.value("LIGHTDESIGN_WORKER_NICE"))
    except OSError:
        pass


def resolve(target: str):
    """The job function named by ``"module:function"``."""
    import importlib

    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def _prepare() -> None:
    """Once per worker process, before TensorFlow is imported: its logging, its idle threads,
    the process's priority and memory cap."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # idle math threads sleep instead of spinning
    _step_aside()
    _cap_memory()


def main(kind: str, target: str, spec: dict, channel, stop_flag, limits: dict | None = None) -> None:
    """Run the job function ``target`` on the spec (a dict from ``to_dict``); every event it
    emits goes back to the manager as a dict, ending in ``Finished``, ``Stopped`` or ``Failed``.
    ``limits`` (from the manager): the server's pid, the time limit and the memory cap."""
    guard(channel, limits)
    _prepare()
    _run(kind, target, spec, channel, stop_flag)


def warm_main(preload: tuple[str, ...], inbox, ready, channel, stop_flag, parent: int) -> None:
    """A worker started before its job (``lightdesign.jobs.warm``): it dies with the server,
    imports ``preload`` (TensorFlow, the job modules), says it is ``ready``, then waits for one
    job on ``inbox`` as ``(kind, target, spec, limits)``, runs it as ``main`` would (its time
    limit and memory cap from then on) and exits: a warm worker serves one job, so nothing of
    one person's job is left for the next. ``None`` on the inbox, or a closed one: exit."""
    guard(channel, {"parent": parent})
    _prepare()
    import importlib

    for module in preload:
        try:
            importlib.import_module(module)
        except Exception:  # noqa: BLE001 - not here: the job imports it again and reports why it cannot
            break
    ready.set()
    try:
        job = inbox.get()
    except (EOFError, OSError):
        job = None
    if job is None:
        os._exit(0)
    kind, target, spec, limits = job
    guard(channel, limits)
    _run(kind, target, spec, channel, stop_flag)


def _run(kind: str, target: str, spec: dict, channel, stop_flag) -> None:
    def emit(event: messages.Message) -> None:
        channel.put(event.to_dict())

    emit(messages.Started(pid=os.getpid()))
    try:
        run = resolve(target)
        run(messages.spec_from_dict(kind, spec), emit, stop_flag)
    except Exception as exc:  # noqa: BLE001 - the worker reports every failure as a message to the page
        if _out_of_memory(exc):
            cap = _explicit_cap()
            limit = f" (limit {cap // 2**20:,} MB)" if cap else ""
            emit(messages.Failed(message=f"the worker ran out of memory{limit}; {OOM_HINT}"))
        else:
            detail = traceback.format_exc(limit=3)
            emit(messages.Failed(message=f"{type(exc).__name__}: {exc}", detail=detail[-2000:]))
    finally:
        channel.close()
        channel.join_thread()
