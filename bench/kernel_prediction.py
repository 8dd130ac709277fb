"""The latency model's forests against their kernels timed alone, design by design: where a
design's prediction misses, whether its kernels' predictors missed (this script) or the way
kernel times add up inside the model did (``latency_prediction.py`` minus this).

    python bench/kernel_prediction.py [--random 30] [--first-seed 50000] [--no-presets]
                                      [--passes 3] [--precision fp32] [--worst 12]

Needs a calibration (``lightdesign calibrate``). The designs are those of
``latency_prediction.py``. Every distinct kernel of their lowered operations (the ones the
delegate folds away left out) is written as a single-operation model and timed the way the
calibration times kernels, in ``--passes`` interleaved passes, the median kept. Prints, per
design set: the share of designs whose forests' kernel sum is within ±10% and ±20% of their
timed kernel sum, the median of predicted / timed, the share within ±10% of that median
(what is left when the machine's speed level is taken out: on a VM whose speed moves in
steps the level drifts between a calibration and a later run); then the kernel groups
(operation, window, channel multiplier, size) whose predictions lost the most milliseconds.
Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from bench.latency_prediction import RANDOM_SEEDS, preset_designs, random_designs
from lightdesign.analysis import latency, latency_model
from lightdesign.analysis.latency import Kernel
from lightdesign.analysis.network import analyze


def design_kernels(design, model) -> list[Kernel]:
    """The kernels a design's prediction sums (those the delegate folds away left out); none
    for a design the latency model does not predict (an LSTM, an operation without a forest)."""
    plan = analyze(design).deployment
    found, refusal = latency.rows(plan, model.covers)
    if refusal is not None:
        return []
    kernels = latency.kernels(plan.ops, plan.sizes())
    return [k for i, k in enumerate(kernels) if i not in found.free]


def time_alone(kernels: list[Kernel], precision: str, passes: int) -> dict[Kernel, float]:
    """Median microseconds of each kernel timed alone, in ``passes`` shuffled passes (a
    kernel the runtime will not run is left out)."""
    import tensorflow as tf

    from lightdesign.jobs import kernel_models
    from lightdesign.jobs.latency_calibration import empty_invoke_us, time_kernel
    from lightdesign.jobs.tflite_timing import REFUSED

    empty = empty_invoke_us(tf, precision, 1)
    contents = {k: kernel_models.model(k, precision == "int8") for k in kernels}
    timings: dict[Kernel, list[float]] = defaultdict(list)
    for index in range(passes):
        order = list(contents)  # a kernel refused in an earlier pass is not tried again
        random.Random(index).shuffle(order)
        for kernel in order:
            try:
                timings[kernel].append(max(time_kernel(tf, contents[kernel], 1) - empty, 0.0))
            except REFUSED as error:
                print(f"  left out {kernel.op} {kernel.geometry}: {error}", file=sys.stderr)
                del contents[kernel]
                timings.pop(kernel, None)
        print(f"  pass {index + 1}/{passes} timed", file=sys.stderr, flush=True)
    return {k: statistics.median(v) for k, v in timings.items()}


def group(kernel: Kernel) -> str:
    """The kernel's kind, window, channel multiplier and size class, for the worst-groups table."""
    g = kernel.geometry
    elements = max(sum(kernel.inputs), sum(kernel.outputs))
    size = ">6M" if elements > 6e6 else "1-6M" if elements > 1e6 else "<1M"
    detail = ""
    if kernel.op in ("CONV_2D", "DEPTHWISE_CONV_2D"):
        cin, cout = latency.image_shape(g.input)[-1], latency.image_shape(g.output)[-1]
        multiplier = f" x{cout // cin}" if kernel.op == "DEPTHWISE_CONV_2D" else ""
        detail = f" {g.kernel[0]}x{g.kernel[1]}{multiplier}"
    return f"{kernel.op}{detail} {size}"


def within(ratios: list[float], limit: float, centre: float = 1.0) -> float:
    return sum(abs(r / centre - 1) <= limit for r in ratios) / len(ratios)


def report(name: str, per_design: list[list[Kernel]], predicted: dict, timed: dict, worst: int) -> None:
    """One design set's figures and its worst kernel groups."""
    per_design = [kernels for kernels in per_design if kernels and all(k in timed for k in kernels)]
    ratios = [
        sum(predicted[k] for k in kernels) / sum(timed[k] for k in kernels)
        for kernels in per_design
        if sum(timed[k] for k in kernels) > 0
    ]
    if not ratios:
        return
    lost: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    for kernel in {k for kernels in per_design for k in kernels}:
        entry = lost[group(kernel)]
        entry[0] += timed[kernel]
        entry[1] += predicted[kernel] - timed[kernel]
        entry[2] += 1
    median = statistics.median(ratios)
    print(
        f"-- {name}: {len(ratios)} designs   kernel sums within ±10%: {within(ratios, 0.1):6.1%}   "
        f"±20%: {within(ratios, 0.2):6.1%}   median predicted/timed {median:.3f}   "
        f"within ±10% of that median: {within(ratios, 0.1, median):6.1%}"
    )
    print(f"   {'kernel group':<36} {'n':>4} {'timed ms':>9} {'predicted - timed':>18} {'ratio':>6}")
    for key, (total, error, count) in sorted(lost.items(), key=lambda item: -abs(item[1][1]))[:worst]:
        print(
            f"   {key:<36} {count:>4} {total / 1000:>9.1f} {error / 1000:>18.1f} {(total + error) / max(total, 1e-9):>6.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--random", type=int, default=30, help="fresh random designs")
    parser.add_argument("--first-seed", type=int, default=RANDOM_SEEDS, help="the fuzzer seed they start from")
    parser.add_argument("--no-presets", action="store_true")
    parser.add_argument("--passes", type=int, default=3, help="timings of each kernel (the median kept)")
    parser.add_argument("--precision", choices=("fp32", "int8"), default="fp32")
    parser.add_argument("--worst", type=int, default=12, help="kernel groups listed")
    args = parser.parse_args()

    model, machine = latency_model.current(1)
    if model is None:
        sys.exit(f"not calibrated for {machine.words()} at 1 thread: run `lightdesign calibrate` first")
    fuzzed = random_designs(args.random, args.first_seed)
    designs = fuzzed + ([] if args.no_presets else preset_designs())
    per_design = [design_kernels(d, model) for d in designs]
    kernels = list(dict.fromkeys(k for found in per_design for k in found))
    rows = [(k.op, *latency.features(k)) for k in kernels]
    predicted = dict(zip(kernels, model.kernel_us(args.precision, rows), strict=True))
    print(f"{len(designs)} designs, {len(kernels)} distinct kernels; timing…", file=sys.stderr, flush=True)
    timed = time_alone(kernels, args.precision, args.passes)
    print(f"machine: {machine.words()}, 1 thread, {args.precision}; load average {os.getloadavg()[0]:.1f}")
    report("random designs", per_design[: len(fuzzed)], predicted, timed, args.worst)
    report("preset variants", per_design[len(fuzzed) :], predicted, timed, args.worst)


if __name__ == "__main__":
    main()
