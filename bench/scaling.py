"""Time of the 10 x 10 width x resolution scaling grid over MobileNetV2 (pure analysis),
beside the time of one analysis in the same run.

    python bench/scaling.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.timing import median_seconds
from lightdesign.analysis import metrics
from lightdesign.analysis.network import analyze
from lightdesign.core import presets
from lightdesign.explore import scaling
from lightdesign.explore.budget import Budget


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    design = presets.build("mobilenet_v2")
    budget = Budget({metrics.MACS.key: 150_000_000, metrics.PEAK.key: 3 * 2**20}, min_resolution=112)
    one = median_seconds(lambda: analyze(design), args.repeats * 10)
    grid = median_seconds(lambda: scaling.width_resolution_grid(design, budget), args.repeats)
    blocks = median_seconds(lambda: scaling.expansion_depth_grid(design, budget), args.repeats)
    print(f"one MobileNetV2 analysis:            {one * 1000:8.2f} ms")
    print(f"10 x 10 width x resolution grid:     {grid * 1000:8.1f} ms  ({grid / one:.0f} analyses' worth)")
    print(f"6 x 5 expansion x depth grid:        {blocks * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
