"""Static analysis speed against building the same model in Keras, in one run.

    python bench/analysis.py [--repeats 50]

Prints the median time of a full analysis (MobileNetV2, MobileNetV3-Large) and of
building the Keras model and counting its params, and their ratio. The analysis includes
the predicted latency when this machine is calibrated (``lightdesign calibrate``); the
prediction's own time is printed beside it, once with every kernel predicted afresh and
once answered from the model's memory (an edited design repeats most kernels). Timings are
printed, never asserted: the machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from bench.timing import median_seconds  # noqa: E402
from lightdesign.analysis import latency, latency_model  # noqa: E402
from lightdesign.analysis.network import analyze  # noqa: E402
from lightdesign.core import presets  # noqa: E402


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
    prediction = []
    for name in ("mobilenet_v2", "mobilenet_v3_large"):
        result = analyze(presets.build(name))
        nodes, plan = result.graph.live(), result.deployment

        def afresh(nodes=nodes, plan=plan):
            if model is not None:
                model.forget()
            latency.predict(nodes, plan)

        prediction.append(
            (
                name,
                median_seconds(afresh, args.repeats),
                median_seconds(lambda nodes=nodes, plan=plan: latency.predict(nodes, plan), args.repeats),
            )
        )

    import keras

    rows = []
    for name, application in (
        ("mobilenet_v2", keras.applications.MobileNetV2),
        ("mobilenet_v3_large", keras.applications.MobileNetV3Large),
    ):
        analysis = median_seconds(lambda name=name: analyze(presets.build(name)), args.repeats)
        build = median_seconds(lambda app=application: app(weights=None).count_params(), args.keras_repeats)
        rows.append((name, analysis, build))

    print(f"import lightdesign.analysis.network + presets: {import_time * 1000:.0f} ms (fresh process)")
    print(f"{'model':<20} {'analysis (median)':>18} {'Keras build + count':>20} {'ratio':>8}")
    for name, analysis, build in rows:
        print(f"{name:<20} {analysis * 1000:>15.2f} ms {build * 1000:>17.0f} ms {build / analysis:>7.0f}x")
    if model is None:
        print(f"predicted latency: not calibrated on {machine.words()} (the analyses above include no prediction)")
    else:
        print(f"predicted latency (part of the analyses above), on {machine.words()}:")
        for name, fresh, remembered in prediction:
            print(f"{name:<20} {fresh * 1000:>8.2f} ms every kernel afresh, {remembered * 1000:.2f} ms from memory")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
