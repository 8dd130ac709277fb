"""Jobs used by the tests of the job machinery itself: they sleep, hang, crash or eat
memory on request, without TensorFlow."""

from __future__ import annotations

import os
import signal
import time


def run(spec: dict, emit, stop_flag) -> None:
    action = spec.get("action", "count")
    if action == "count":
        for i in range(int(spec.get("steps", 5))):
            if stop_flag.is_set():
                emit({"type": "stopped", "message": f"stopped after {i} steps", "steps": i})
                return
            emit({"type": "batch", "batch": i})
            time.sleep(float(spec.get("delay", 0.05)))
        emit({"type": "finished", "steps": int(spec.get("steps", 5))})
    elif action == "hang":
        while True:  # ignores the stop flag on purpose
            time.sleep(0.1)
    elif action == "crash":
        os.kill(os.getpid(), signal.SIGKILL)
    elif action == "raise":
        raise ValueError("something went wrong inside the job")
    elif action == "memory":
        raise MemoryError
