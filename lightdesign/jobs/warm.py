"""Workers started before their job, so that a job does not wait for TensorFlow to load.

A warm worker is a spawned worker process that has imported TensorFlow and the job modules
(``worker.warm_main``) and waits for one job. The job manager keeps ``LIGHTDESIGN_WARM_WORKERS``
of them while it has free job slots, hands the next job to one of them instead of spawning a
fresh process, and starts a replacement. Each warm worker serves one job and then exits, so
nothing of one person's job (memory, Keras's global state) is left for another's; it is the
job's process from then on, stopped, time-limited and memory-capped like any other.

A warm worker counts against the job slots: the manager keeps at most as many as the slots
that are free (``LIGHTDESIGN_MAX_JOBS`` less the running jobs), so the server never holds
more TensorFlow processes than jobs may run at once. Only the local backend keeps them: a
Ray job runs on the cluster, where this server's warm worker would not help.

No TensorFlow here: the app imports this module; the manager's long-lived thread calls
``fill`` and ``take``, so that the workers die with the server (see ``manager``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lightdesign.jobs.processes import plain_main

PRELOAD = ("tensorflow", "keras", "lightdesign.jobs.train", "lightdesign.jobs.export")
RESTART_S = 30.0  # a warm worker that died while idle is replaced no sooner than this after the last start


@dataclass
class WarmWorker:
    """One started worker, and the queues and flags it was started with: a queue reaches a
    process only when the process starts, so the job takes the worker's own."""

    process: Any
    inbox: Any  # the job goes here as (kind, target, spec, limits)
    ready: Any  # set once the worker has imported what it preloads
    channel: Any  # the job's events come back here
    stop_flag: Any
    started: float = field(default_factory=time.monotonic)

    @property
    def is_ready(self) -> bool:
        return self.ready.is_set()


class WarmPool:
    """The warm workers of one job manager."""

    def __init__(self, context, size: int, entry: Callable[..., None], preload: tuple[str, ...] = PRELOAD):
        self.context = context
        self.size = max(0, size)
        self.entry = entry
        self.preload = preload
        self.workers: list[WarmWorker] = []
        self._last_start = -RESTART_S
        self._died_idle = False

    def fill(self, free_slots: int) -> None:
        """Keep ``min(size, free_slots)`` warm workers: forget the ones that died, retire the
        ones beyond that number, start the missing ones (a worker that died idle is replaced
        after ``RESTART_S``, so a worker that cannot start does not loop)."""
        alive = [w for w in self.workers if w.process.is_alive()]
        for dead in (w for w in self.workers if w not in alive):
            dead.process.join(timeout=0)
            self._died_idle = True
        self.workers = alive
        wanted = min(self.size, max(0, free_slots))
        while len(self.workers) > wanted:
            self.workers.pop().process.kill()  # the newest first: the oldest is the readiest
        if len(self.workers) < wanted and self._died_idle and time.monotonic() - self._last_start < RESTART_S:
            return
        while len(self.workers) < wanted:
            worker = self._start()
            if worker is None:
                return
            self.workers.append(worker)
        self._died_idle = False

    def _start(self) -> WarmWorker | None:
        inbox, ready = self.context.Queue(), self.context.Event()
        channel, stop_flag = self.context.Queue(), self.context.Event()
        process = self.context.Process(
            target=self.entry,
            args=(self.preload, inbox, ready, channel, stop_flag, os.getpid()),
            name="lightdesign-warm-worker",
            daemon=True,
        )
        self._last_start = time.monotonic()
        try:
            with plain_main():  # the worker must not run the app script first
                process.start()
        except Exception:  # noqa: BLE001 - out of processes, memory, file handles: jobs start cold instead
            self._died_idle = True
            return None
        return WarmWorker(process, inbox, ready, channel, stop_flag)

    def take(self) -> WarmWorker | None:
        """A live warm worker for the next job (the readiest), no longer the pool's; None when there is none."""
        for worker in sorted(self.workers, key=lambda w: (not w.is_ready, w.started)):
            self.workers.remove(worker)
            if worker.process.is_alive():
                return worker
        return None

    def ready_count(self) -> int:
        """Warm workers that have loaded TensorFlow and wait for a job."""
        return sum(1 for w in self.workers if w.is_ready and w.process.is_alive())

    def close(self) -> None:
        for worker in self.workers:
            if worker.process.is_alive():
                worker.process.kill()
        self.workers = []
