"""Entry point of a worker process: run one job and report through the event channel.

This is the only place TensorFlow is imported (inside the job functions)."""

from __future__ import annotations

import os
import traceback


def main(kind: str, spec: dict, channel, stop_flag) -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    channel.put({"type": "started", "pid": os.getpid()})
    try:
        if kind == "train":
            from lightdesign.jobs.train import run
        elif kind == "export":
            from lightdesign.jobs.export import run
        elif kind == "test":
            from lightdesign.jobs.testing import run
        else:
            raise ValueError(f"unknown job kind {kind!r}")
        run(spec, channel.put, stop_flag)
    except MemoryError:
        channel.put({"type": "failed", "message": "the worker ran out of memory; try a smaller batch size or design"})
    except Exception as exc:  # the worker reports every failure as a message to the page
        detail = traceback.format_exc(limit=3)
        channel.put({"type": "failed", "message": f"{type(exc).__name__}: {exc}", "detail": detail[-2000:]})
    finally:
        channel.close()
        channel.join_thread()
