"""The latency convention's measurement of a TFLite model: the median of at least
``MIN_RUNS`` ``invoke()`` calls after ``WARMUP`` warm-up calls, by the wall clock and by the
invoking thread's CPU time (which other processes on a busy machine do not inflate). The
export job and the latency calibration both measure with it, so a prediction and the
measurement beside it answer to the same convention."""

from __future__ import annotations

import statistics
import time
from functools import cache

MIN_RUNS = 30
WARMUP = 5
READINGS = 201  # empty intervals whose median is a clock's own cost
wall_clock, cpu_clock = time.perf_counter, time.thread_time
# What tf.lite raises for a model its runtime will not prepare or run (XNNPACK refusing a graph,
# a runtime it cannot build for 1.4 G weights)
REFUSED = (RuntimeError, ValueError)


@cache
def reading_cost(clock) -> float:
    """Seconds that reading ``clock`` twice adds to an interval it times, the median of
    empty intervals. The thread's CPU clock is a system call: 0.56 us here, a fifth of a
    3 us model; the wall clock's 0.05 us."""
    empty = []
    for _ in range(READINGS):
        start = clock()
        empty.append(clock() - start)
    return statistics.median(empty)


def median_invoke_ms(runner, runs: int = MIN_RUNS) -> tuple[float, float]:
    """(median wall ms, median CPU ms of the invoking thread) of ``max(runs, MIN_RUNS)``
    ``invoke()`` of a ready interpreter (tensors allocated, inputs set), each clock's own
    reading cost taken off."""
    for _ in range(WARMUP):
        runner.invoke()
    walls, cpus = [], []
    for _ in range(max(runs, MIN_RUNS)):
        cpu = cpu_clock()
        wall = wall_clock()  # inside the CPU clock's readings: the wall time is the invoke's alone
        runner.invoke()
        walls.append(wall_clock() - wall)
        cpus.append(cpu_clock() - cpu)
    wall_cost = reading_cost(wall_clock)
    cpu_cost = reading_cost(cpu_clock) + 2 * wall_cost  # the CPU time holds both wall clock readings too
    return 1000 * max(statistics.median(walls) - wall_cost, 0.0), 1000 * max(statistics.median(cpus) - cpu_cost, 0.0)


def interpreter(tf, content: bytes, threads: int):
    """A TFLite interpreter with the default delegate (XNNPACK), inputs filled with noise."""
    import numpy as np

    runner = tf.lite.Interpreter(model_content=content, num_threads=threads)
    runner.allocate_tensors()
    rng = np.random.default_rng(0)
    for detail in runner.get_input_details():
        shape, kind = detail["shape"], detail["dtype"]
        if np.issubdtype(kind, np.floating):
            value = rng.normal(0, 1, shape).astype(kind)
        else:
            value = rng.integers(-100, 100, shape).astype(kind)
        runner.set_tensor(detail["index"], value)
    return runner


def time_model(tf, content: bytes, threads: int, runs: int = MIN_RUNS) -> tuple[float, float]:
    """The convention's measurement of a whole model: (median wall ms, median CPU ms of the
    invoking thread) of ``runs`` ``invoke()`` after 5 warm-up calls."""
    return median_invoke_ms(interpreter(tf, content, threads), runs)
