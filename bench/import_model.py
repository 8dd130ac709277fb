"""Importing a model file and analysing it, in the app process (no TensorFlow), in one run.

    python bench/import_model.py [--repeats 20] [--tflite]

Writes keras.applications MobileNetV2 (weights=None) as .keras and .h5 (and .tflite with
--tflite) from a subprocess, then times import + analysis of each file here, against
opening the same design from its JSON, and prints the medians and their ratio. The
target: MobileNetV2 .keras imported and analysed in under 300 ms. Timings are printed,
never asserted: the machines are shared and noisy.
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
from lightdesign.analysis.network import analyze
from lightdesign.core.design import from_json
from lightdesign.importers import import_file

WRITE = """
import sys, keras
folder = sys.argv[1]
model = keras.applications.MobileNetV2(weights=None)
model.save(f"{folder}/mobilenet_v2.keras")
model.save(f"{folder}/mobilenet_v2.h5")
if sys.argv[2] == "1":
    import tensorflow as tf
    open(f"{folder}/mobilenet_v2.tflite", "wb").write(tf.lite.TFLiteConverter.from_keras_model(model).convert())
print(model.count_params())
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--tflite", action="store_true", help="also convert and time a .tflite file (slower)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(
            [sys.executable, "-c", WRITE, folder, "1" if args.tflite else "0"],
            capture_output=True,
            text=True,
            check=True,
        )
        keras_params = int(done.stdout.strip().splitlines()[-1])
        files = sorted(Path(folder).glob("mobilenet_v2.*"))
        text = import_file(Path(folder) / "mobilenet_v2.keras").design.to_json()

        def from_design_json():
            analyze(from_json(text))

        baseline = median_seconds(from_design_json, args.repeats)
        print(f"MobileNetV2: Keras count_params {keras_params:,}")
        print(f"{'design JSON + analysis':<34} {baseline * 1000:8.1f} ms  (baseline)")
        for path in files:
            result = import_file(path)
            params = analyze(result.design).params

            def run(path=path):
                analyze(import_file(path).design)

            seconds = median_seconds(run, args.repeats)
            size = path.stat().st_size / 1e6
            print(
                f"{path.suffix + f' ({size:.1f} MB) import + analysis':<34} {seconds * 1000:8.1f} ms  "
                f"x{seconds / baseline:5.1f} of baseline  params {params:,}"
                f"{'' if path.suffix == '.tflite' else ' (equal)' if params == keras_params else ' (DIFFERENT)'}"
            )
        folded = median_seconds(
            lambda: analyze(import_file(Path(folder) / "mobilenet_v2.keras", fold=True).design), args.repeats
        )
        print(f"{'.keras import + fold + analysis':<34} {folded * 1000:8.1f} ms  x{folded / baseline:5.1f} of baseline")
        print("target: .keras import + analysis under 300 ms")


if __name__ == "__main__":
    main()
