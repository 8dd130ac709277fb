"""The latency convention's measurement of a TFLite model: the median of at least
``MIN_RUNS`` ``invoke()`` calls after ``WARMUP`` warm-up calls, by the wall clock and by the
invoking thread's CPU time (which other processes on a busy machine do not inflate). The
export job and the latency calibration both measure with it, so a prediction and the
measurement beside it answer to the same convention."""

from __future__ import annotations

import statistics
import time

MIN_RUNS = 30
WARMUP = 5


def median_invoke_ms(runner, runs: int = MIN_RUNS) -> tuple[float, float]:
    """(median wall ms, median CPU ms of the invoking thread) of ``max(runs, MIN_RUNS)``
    ``invoke()`` of a ready interpreter (tensors allocated, inputs set)."""
    for _ in range(WARMUP):
        runner.invoke()
    walls, cpus = [], []
    for _ in range(max(runs, MIN_RUNS)):
        wall, cpu = time.perf_counter(), time.thread_time()
        runner.invoke()
        cpus.append(time.thread_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return 1000 * statistics.median(walls), 1000 * statistics.median(cpus)
