"""Job kinds for the tests of the job machinery itself: they count, hang, crash or eat
memory on request, without TensorFlow. A manager runs them once told where they live:
``JobManager(kinds=KINDS)``."""

from __future__ import annotations

import os
import signal
import time

from lightdesign.jobs.messages import Batch, Finished, Stopped

KINDS = {"test": "tests.fake_jobs:run"}


def run(spec: dict, emit, stop_flag) -> None:
    action = spec.get("action", "count")
    if action == "count":
        steps = int(spec.get("steps", 5))
        for i in range(steps):
            if stop_flag.is_set():
                emit(Stopped(message=f"stopped after {i} steps", on_request=True))
                return
            emit(Batch(epoch=1, epochs=1, batch=i + 1, batches=steps))
            time.sleep(float(spec.get("delay", 0.05)))
        emit(Finished(message=f"counted {steps} steps"))
    elif action == "hang":
        while True:  # ignores the stop flag on purpose
            time.sleep(0.1)
    elif action == "crash":
        os.kill(os.getpid(), signal.SIGKILL)
    elif action == "raise":
        raise ValueError("something went wrong inside the job")
    elif action == "memory":
        raise MemoryError
