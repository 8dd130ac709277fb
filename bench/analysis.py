"""Static analysis speed against building the same model in Keras, in one run.

    python bench/analysis.py [--repeats 50]

Prints the median time of a full analysis (MobileNetV2, MobileNetV3-Large) and of
building the Keras model and counting its params, and their ratio. When this machine is
calibrated (``lightdesign calibrate``) the analysis includes the predicted latency: its
time is printed once with every kernel predicted afresh and once with the kernels
remembered (an edited design repeats most of them); the first table is the same analysis on
a machine not calibrated. Timings are printed, never asserted: the machines are shared and
noisy.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from bench.timing import median_seconds
from lightdesign.analysis import latency_model
from lightdesign.analysis.network import analyze
from lightdesign.core import presets


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--keras-repeats", type=int, default=5)
    args = parser.parse_args()

    import_time = float(
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import time; t = time.perf_counter(); import lightdesign.analysis.network, lightdesign.core.presets; "
                "print(time.perf_counter() - t)",
            ],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).parents[1],
        ).stdout
    )

    model, machine = latency_model.current()
    names = ("mobilenet_v2", "mobilenet_v3_large")

    def afresh(name: str) -> None:
        if model is not None:
            model.forget()
        analyze(presets.build(name))

    predicted = {
        name: (
            median_seconds(lambda name=name: afresh(name), args.repeats),
            median_seconds(lambda name=name: analyze(presets.build(name)), args.repeats),
        )
        for name in names
    }
    with tempfile.TemporaryDirectory() as empty:  # the same analyses on a machine not calibrated
        calibrated_in = os.environ.get("LIGHTDESIGN_WORK_DIR")
        os.environ["LIGHTDESIGN_WORK_DIR"] = empty
        plain = {name: median_seconds(lambda name=name: analyze(presets.build(name)), args.repeats) for name in names}
        if calibrated_in is None:
            del os.environ["LIGHTDESIGN_WORK_DIR"]
        else:
            os.environ["LIGHTDESIGN_WORK_DIR"] = calibrated_in

    import keras

    builds = {
        name: median_seconds(lambda app=application: app(weights=None).count_params(), args.keras_repeats)
        for name, application in zip(
            names, (keras.applications.MobileNetV2, keras.applications.MobileNetV3Large), strict=True
        )
    }

    print(f"import lightdesign.analysis.network + presets: {import_time * 1000:.0f} ms (fresh process)")
    print(f"{'model':<20} {'analysis (median)':>18} {'Keras build + count':>20} {'ratio':>8}")
    for name in names:
        print(
            f"{name:<20} {plain[name] * 1000:>15.2f} ms {builds[name] * 1000:>17.0f} ms {builds[name] / plain[name]:>7.0f}x"
        )
    if model is None:
        print(f"predicted latency: not calibrated on {machine.words()}; run `lightdesign calibrate` to time it too")
    else:
        print(f"with the predicted latency ({machine.words()}):")
        for name in names:
            fresh, remembered = predicted[name]
            print(
                f"{name:<20} {fresh * 1000:>8.2f} ms every kernel predicted afresh, "
                f"{remembered * 1000:.2f} ms with the kernels remembered"
            )
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
