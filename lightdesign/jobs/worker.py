"""Entry point of a worker process: run one job and report through the event channel.

This is the only place TensorFlow is imported (inside the job functions). When
LIGHTDESIGN_WORKER_MEMORY_MB is set, the worker's address space is capped so that a job
that needs too much memory fails with a message instead of starving the server."""

from __future__ import annotations

import os
import traceback

from lightdesign.jobs import messages

OOM_HINT = "try a smaller batch size, fewer samples or a smaller design"


def memory_cap_bytes() -> int | None:
    try:
        megabytes = float(os.environ.get("LIGHTDESIGN_WORKER_MEMORY_MB", "0"))
    except ValueError:
        return None
    return int(megabytes * 2**20) if megabytes > 0 else None


def _cap_memory() -> None:
    cap = memory_cap_bytes()
    if cap:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


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
        os.nice(int(os.environ.get("LIGHTDESIGN_WORKER_NICE", "15")))
    except (OSError, ValueError):
        pass


def resolve(target: str):
    """The job function named by ``"module:function"``."""
    import importlib

    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def main(kind: str, target: str, spec: dict, channel, stop_flag) -> None:
    """Run the job function ``target`` on the spec (a dict from ``to_dict``); every event it
    emits goes back to the manager as a dict, ending in ``Finished``, ``Stopped`` or ``Failed``."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # idle math threads sleep instead of spinning
    _step_aside()
    _cap_memory()

    def emit(event: messages.Message) -> None:
        channel.put(event.to_dict())

    emit(messages.Started(pid=os.getpid()))
    try:
        run = resolve(target)
        run(messages.spec_from_dict(kind, spec), emit, stop_flag)
    except Exception as exc:  # the worker reports every failure as a message to the page
        if _out_of_memory(exc):
            cap = memory_cap_bytes()
            limit = f" (limit {cap // 2**20:,} MB)" if cap else ""
            emit(messages.Failed(message=f"the worker ran out of memory{limit}; {OOM_HINT}"))
        else:
            detail = traceback.format_exc(limit=3)
            emit(messages.Failed(message=f"{type(exc).__name__}: {exc}", detail=detail[-2000:]))
    finally:
        channel.close()
        channel.join_thread()
