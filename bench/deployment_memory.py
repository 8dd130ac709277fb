"""int8 deployment memory: the analysis's estimate against the arena TensorFlow Lite
Micro's interpreter allocates, for every preset at one configuration and for random
designs; also the analysis's cost of the estimate. Prints one line per model and the
error distribution (a ratio against the measured arena, measured in this run).

    python -m bench.deployment_memory [--random N]
    python -m bench.deployment_memory --defaults

``--defaults``: every preset at its default settings, its int8 file made as the Export job
makes it from an untouched preset (initial weights, generated calibration images, a softmax
scale TFLite Micro refuses widened), instead of the small configurations with trained-like
BatchNorm statistics of the keras tests.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--random", type=int, default=30, help="random designs (seeds 0..N-1)")
    parser.add_argument("--defaults", action="store_true", help="every preset at its default settings, as exported")
    args = parser.parse_args()
    if args.defaults:
        defaults()
        return

    from lightdesign.analysis.network import analyze
    from lightdesign.core import presets
    from lightdesign.jobs import micro_arena
    from tests.keras.random_designs import random_design
    from tests.keras.test_deployment_memory import CONFIGS, FLOAT_FALLBACK, int8_model, operators

    designs = [presets.build(name, **options) for name, options in CONFIGS.items() if name != "text_rnn"]
    designs += [random_design(seed) for seed in range(args.random)]
    errors, skipped = [], []
    print(f"{'model':<34} {'estimate':>10} {'TFLM head':>10} {'error':>7} {'in-place':>10} {'analysis ms':>11}")
    for design in designs:
        start = time.perf_counter()
        result = analyze(design)
        spent = 1000 * (time.perf_counter() - start)
        content = int8_model(design)
        if FLOAT_FALLBACK & set(operators(content)):
            skipped.append(design.name)
            continue
        arena = micro_arena.micro_arena(content, result.peak_activation_bytes_int8)
        error = (result.peak_activation_bytes_int8 - arena.head) / arena.head
        errors.append(abs(error))
        print(
            f"{design.name[:34]:<34} {result.peak_activation_bytes_int8:>10,} {arena.head:>10,} {error:>+7.1%} "
            f"{result.peak_activation_bytes_int8_in_place:>10,} {spent:>11.1f}"
        )
    exact = sum(e == 0 for e in errors)
    print(
        f"\n{len(errors)} models: {exact} exact, median |error| {statistics.median(errors):.2%}, "
        f"max {max(errors):.2%}; {len(skipped)} left partly float by the converter: {', '.join(skipped)}"
    )


def defaults() -> None:
    import tensorflow as tf

    from lightdesign.analysis.network import analyze
    from lightdesign.core import presets
    from lightdesign.jobs import export, int8_scales, micro_arena
    from lightdesign.jobs.train import build_model
    from lightdesign.output.codegen import generate

    print(
        f"{'preset (defaults)':<20} {'input':>14} {'estimate':>10} {'TFLM head':>10} {'error':>7} {'widened':>8} {'s':>5}"
    )
    matched = measured = 0
    for name in presets.PRESETS:
        design = presets.build(name)
        result = analyze(design)
        if not result.deployment.supported:
            print(f"{name:<20} {str(design.input_shape):>14} {'no int8 lowering (not fully quantizable)':>40}")
            continue
        start = time.perf_counter()
        model = build_model(generate(design))
        samples, _ = export.representative_for(tuple(design.input_shape))
        content, widened = int8_scales.widened(export.convert(tf, model, True, samples))
        arena = micro_arena.micro_arena(content, result.peak_activation_bytes_int8)
        spent = time.perf_counter() - start
        if arena.error:
            print(f"{name:<20} {str(design.input_shape):>14} {arena.estimate:>10,} {'error: ' + arena.error}")
            continue
        measured += 1
        matched += arena.head == arena.estimate
        error = (arena.estimate - arena.head) / arena.head
        print(
            f"{name:<20} {str(design.input_shape):>14} {arena.estimate:>10,} {arena.head:>10,} {error:>+7.1%} "
            f"{'yes' if widened else 'no':>8} {spent:>5.0f}"
        )
    print(f"\n{matched} of {measured} measured presets: estimate == TFLite Micro's arena head")


if __name__ == "__main__":
    main()
