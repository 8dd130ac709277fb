"""int8 deployment memory: the analysis's estimate against the arena TensorFlow Lite
Micro's interpreter allocates, for every preset at one configuration and for random
designs; also the analysis's cost of the estimate. Prints one line per model and the
error distribution (a ratio against the measured arena, measured in this run).

    python -m bench.deployment_memory [--random N]
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
    args = parser.parse_args()

    from lightdesign.analysis.network import analyze
    from lightdesign.core import presets
    from lightdesign.jobs import export
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
        arena = export.micro_arena(content, result.peak_activation_bytes_int8)
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


if __name__ == "__main__":
    main()
