"""Whole models the latency calibration times, to learn how kernel times add up inside a
model (caches, the delegate's own work between operations): preset variants converted
once, then timed by the convention in ``ROUNDS`` rounds spread over the kernels' timing.

A machine whose speed moves in steps (a cloud VM sharing its host) stays in one step for
seconds at a time; timed once, each model's figure came from whichever step the machine
was in, and the composition scale fitted on three of them swung 0.81-1.08 between two
calibrations of the same machine. The median of rounds spread over minutes meets the
machine in the states its kernels were timed in. (A refit has no kernels to time: its
rounds follow one another.)"""

from __future__ import annotations

import os
import random
import statistics
from dataclasses import dataclass, field

from lightdesign.analysis.latency import PRECISIONS
from lightdesign.core import presets
from lightdesign.core.design import Design
from lightdesign.explore import scaling
from lightdesign.jobs.messages import Measurement, Progress, Stage, Status
from lightdesign.jobs.tflite_timing import MIN_RUNS, time_model

ROUNDS = 5
# presets whose variants the calibration times: the common image classifiers
PROBE_PRESETS = ("mobilenet_v2", "mobilenet_v3_small", "shufflenet_v2", "mnasnet", "squeezenet_1_1")


@dataclass
class Probe:
    """One whole model: its design, its two converted models and their timings so far, by
    precision (wall ms, CPU ms of the invoking thread), with the load average at each round."""

    design: Design
    contents: dict[str, bytes]
    timings: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    loads: list[float] = field(default_factory=list)


def convert(tf, rng: random.Random, count: int, emit, stop_flag) -> list[Probe]:
    """``count`` preset variants at sizes designs have, converted to float32 and int8 as the
    export job converts them (trained-like weights); fewer when stopped or when one will not
    convert."""
    from lightdesign.jobs.export import convert as convert_model
    from lightdesign.jobs.export import representative_for, trained_like
    from lightdesign.jobs.train import build_model
    from lightdesign.output.codegen import generate

    probes = []
    if count:
        emit(Status(stage=Stage.CONVERTING_MODELS))
    for done in range(count):
        if stop_flag.is_set():
            break
        # sizes designs have (the composition of small models is mostly their per-operation overheads)
        design = scaling.width_and_resolution(
            presets.build(rng.choice(PROBE_PRESETS)), rng.choice((0.5, 0.75, 1.0)), 8 * rng.randint(12, 28)
        )
        try:
            model = build_model(generate(design))
            trained_like(model, seed=done)
            samples, _ = representative_for(design.input_shape)
            contents = {p: convert_model(tf, model, p == "int8", samples[:16]) for p in PRECISIONS}
        except Exception:  # noqa: BLE001 - one model the converter refuses must not lose the kernels' calibration
            continue
        probes.append(Probe(design, contents))
        emit(Progress(stage=Stage.CONVERTING_MODELS, done=done + 1, total=count))
    return probes


def rounds_done(probes: list[Probe]) -> int:
    """How many rounds every probe has been timed in."""
    return min((len(p.loads) for p in probes), default=ROUNDS)


def round_due(probes: list[Probe], share: float) -> bool:
    """Whether the next round is due when ``share`` of the kernels' time allowed is spent:
    round k (from 0) at k / ``ROUNDS`` of it."""
    done = rounds_done(probes)
    return bool(probes) and done < ROUNDS and done <= share * ROUNDS


def time_round(tf, probes: list[Probe], threads: int, runs: int = MIN_RUNS) -> None:
    """Time every probe once more in both precisions, by the convention, noting the load."""
    for probe in probes:
        for precision, content in probe.contents.items():
            probe.timings.setdefault(precision, []).append(time_model(tf, content, threads, runs))
        probe.loads.append(os.getloadavg()[0])


def time_remaining_rounds(tf, probes: list[Probe], threads: int, emit, stop_flag) -> None:
    """Time the rounds the kernels' time did not reach, one after another, with progress."""
    if rounds_done(probes) >= ROUNDS:  # all timed among the kernels, or no probes
        return
    emit(Status(stage=Stage.TIMING_MODELS))
    while True:
        emit(Progress(stage=Stage.TIMING_MODELS, done=rounds_done(probes), total=ROUNDS))
        if rounds_done(probes) >= ROUNDS or stop_flag.is_set():
            return
        time_round(tf, probes, threads)


def measurements(probes: list[Probe], machine) -> list[Measurement]:
    """Each probe as a kept measurement: the median of its rounds, by either clock, and of
    the load average it was timed under."""

    def median(probe: Probe, precision: str, clock: int) -> float:
        return statistics.median(t[clock] for t in probe.timings[precision])

    return [
        Measurement(
            design=probe.design.to_dict(),
            machine=machine.key,
            threads=machine.threads,
            fp32_ms=median(probe, "fp32", 0),
            int8_ms=median(probe, "int8", 0),
            fp32_cpu_ms=median(probe, "fp32", 1),
            int8_cpu_ms=median(probe, "int8", 1),
            source="calibration",
            load=statistics.median(probe.loads),  # as its figures: one busy round does not count
        )
        for probe in probes
        if probe.loads
    ]
