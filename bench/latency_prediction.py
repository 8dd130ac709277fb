"""Predicted against measured TFLite latency on this machine, for designs the latency model
never saw.

    python bench/latency_prediction.py [--random 30] [--first-seed 50000] [--repeats 3] [--threads 1] [--no-presets]

Needs a calibration (``lightdesign calibrate``). The designs: fresh random designs from the
test fuzzer (seeds the calibration never uses, drawn larger than the tests draw them) and
every preset at 3 widths (0.5, 1, 1.5) and 3 resolutions (0.5, 0.75 and 1 x its own).
Each is given BatchNormalization statistics as after training (the latency model describes
trained designs; the converter drops an untrained one's zero shift), converted with the
TFLiteConverter (float32, and int8 with a representative dataset) and measured by the convention (``tf.lite.Interpreter(num_threads=…)``, median of
at least 30 ``invoke()`` after 5 warm-ups), all models interleaved in ``--repeats`` rounds,
the median of the rounds kept. The machine is shared, so the load average is printed and
every figure is given for wall time (the convention) and for the invoking thread's CPU
time (what a busy machine's other processes do not inflate).

Prints, per precision: the share of designs within ±10% and ±20% of the measured median,
the mean absolute percentage error, Kendall's tau of predicted vs measured and of MACs vs
measured; and how well the measurement agrees with itself (the median of the odd rounds
against that of the even rounds: no predictor can beat it). Timings are printed, never
asserted.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from lightdesign.analysis import latency_model
from lightdesign.analysis.network import analyze, predicted_latency
from lightdesign.core import edits, presets
from lightdesign.core.design import DesignError
from lightdesign.explore import scaling
from tests.keras.random_designs import random_design

WIDTHS = (0.5, 1.0, 1.5)
SIDES = (0.5, 0.75, 1.0)
RANDOM_SEEDS = 50_000  # far from the tests' seeds; the calibration draws no fuzzer designs
SIZES = (48, 64, 96, 128, 160, 224)
FILTERS = (16, 24, 32, 48, 64, 96)
BLOCK_FILTERS = (24, 48, 96)
MIN_MACS = 1_000_000  # the fuzzer sometimes pools a design down to nothing: not a design to time


def preset_designs() -> list:
    found = []
    for name, preset in presets.PRESETS.items():
        base = presets.build(name)
        side = base.input_shape[0]
        for alpha in WIDTHS:
            for fraction in SIDES:
                wanted = round(side * fraction / 8) * 8 if side >= 64 else round(side * fraction)
                wanted = max(preset.min_resolution, wanted)
                try:
                    if alpha in preset.alphas:  # the preset's own widths (ShuffleNetV1 keeps its groups valid)
                        design = presets.build(name, alpha=alpha, resolution=wanted)
                    elif len(base.input_shape) == 3:
                        design = scaling.width_and_resolution(base, alpha, wanted)
                    else:  # a sequence: its length is the preset's resolution
                        design = edits.scale_width(presets.build(name, resolution=wanted), alpha)
                except DesignError:
                    continue
                if analyze(design).errors:
                    continue
                design.name = f"{name} α{alpha:g} {wanted}"
                found.append(design)
    return found


def random_designs(count: int, first_seed: int = RANDOM_SEEDS) -> list:
    found, seed = [], first_seed
    while len(found) < count:
        design = random_design(seed, sizes=SIZES, filters=FILTERS, block_filters=BLOCK_FILTERS)
        seed += 1
        result = analyze(design)
        if not result.errors and result.macs >= MIN_MACS:
            design.name = f"random {seed - 1}"
            found.append(design)
    return found


def convert_all(designs: list, folder: Path) -> list[dict]:
    """Each design's figures and its two converted models (files in ``folder``, kept there
    by the design's digest: a second run converts nothing again)."""
    import tensorflow as tf

    from lightdesign.jobs.export import convert, representative_for, trained_like
    from lightdesign.jobs.train import build_model
    from lightdesign.output.codegen import generate

    rows = []
    for index, design in enumerate(designs):
        row = {"name": design.name, "design": design, "macs": analyze(design).macs, "files": {}}
        digest = hashlib.sha256(f"trained-like {design.to_json()}".encode()).hexdigest()[:16]
        paths = {precision: folder / f"{digest}_{precision}.tflite" for precision in ("fp32", "int8")}
        missing = [p for p, path in paths.items() if not path.exists() and not path.with_suffix(".refused").exists()]
        if missing:  # built only when there is something to convert: building is most of a cached run's time
            try:
                model = build_model(generate(design))
                trained_like(model)  # the latency model describes trained designs
            except Exception as exc:  # noqa: BLE001 - reported per design
                row["skipped"] = [f"cannot build: {exc}"]
                rows.append(row)
                continue
            vocabulary = next((b.params["input_dim"] for b in design.blocks if b.kind == "Embedding"), 100)
            samples, _ = representative_for(design.input_shape, vocabulary)
        for precision, path in paths.items():
            refused = path.with_suffix(".refused")
            if precision in missing:
                try:
                    content = convert(tf, model, precision == "int8", samples[:32])
                except Exception:  # noqa: BLE001 - a design the converter refuses (LSTM int8): not timed
                    refused.write_text("the converter refused it")
                    continue
                if precision == "int8" and "DEQUANTIZE" in _operators(tf, content):
                    refused.write_text("int8 partly float")
                    continue
                path.write_bytes(content)
            if refused.exists():
                row.setdefault("skipped", []).append(f"{precision}: {refused.read_text()}")
                continue
            row["files"][precision] = str(path)
        rows.append(row)
        print(f"  converted {index + 1}/{len(designs)} {design.name}", file=sys.stderr, flush=True)
    return rows


def _operators(tf, content: bytes) -> set[str]:
    interpreter = tf.lite.Interpreter(model_content=content)
    return {op["op_name"] for op in interpreter._get_ops_details()}


def measure_all(rows: list[dict], repeats: int, threads: int, runs: int) -> None:
    """The convention's medians, every model once per round in a shuffled order."""
    import tensorflow as tf

    from lightdesign.jobs.tflite_timing import time_model

    jobs = [(row, precision) for row in rows for precision in row["files"]]
    rounds: dict[tuple[int, str], list[tuple[float, float]]] = {}
    rng = random.Random(0)
    for repeat in range(repeats):
        rng.shuffle(jobs)
        for row, precision in jobs:
            content = Path(row["files"][precision]).read_bytes()
            rounds.setdefault((id(row), precision), []).append((*time_model(tf, content, threads, runs), time.time()))
        print(f"  round {repeat + 1}/{repeats} done, load {os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)
    for row in rows:
        row["wall"], row["cpu"] = {}, {}
        for precision in row["files"]:
            times = rounds[(id(row), precision)]
            row["wall"][precision] = statistics.median(t[0] for t in times)
            row["cpu"][precision] = statistics.median(t[1] for t in times)
            row.setdefault("rounds", {})[precision] = times


def repeatability(rows: list[dict], precision: str, clock: str) -> str:
    """How well the measurement agrees with itself: the median of the odd rounds against
    the median of the even rounds, per design (the ceiling any predictor meets here)."""
    column = ("wall", "cpu").index(clock)
    errors = []
    for row in rows:
        times = [t[column] for t in row.get("rounds", {}).get(precision, [])]
        if len(times) >= 2:
            odd, even = statistics.median(times[0::2]), statistics.median(times[1::2])
            errors.append(abs(odd - even) / even)
    if not errors:
        return f"{precision} {clock}: fewer than two rounds"
    within10 = sum(e <= 0.10 for e in errors) / len(errors)
    within5 = sum(e <= 0.05 for e in errors) / len(errors)
    return (
        f"{precision:<5} {clock:<5} {len(errors):>4} designs   odd vs even rounds within ±10%: {within10:6.1%}   "
        f"±5%: {within5:6.1%}   mean difference {statistics.mean(errors):6.1%}"
    )


def summary(rows: list[dict], precision: str, clock: str) -> str:
    from scipy.stats import kendalltau

    pairs = [
        (row["predicted"][precision], row[clock][precision], row["macs"])
        for row in rows
        if row["predicted"][precision] is not None and precision in row.get(clock, {})
    ]
    if len(pairs) < 2:
        return f"{precision} {clock}: fewer than two designs predicted and measured"
    errors = [abs(p - m) / m for p, m, _ in pairs]
    within10 = sum(e <= 0.10 for e in errors) / len(errors)
    within20 = sum(e <= 0.20 for e in errors) / len(errors)
    tau = kendalltau([p for p, _, _ in pairs], [m for _, m, _ in pairs]).statistic
    tau_macs = kendalltau([c for _, _, c in pairs], [m for _, m, _ in pairs]).statistic
    return (
        f"{precision:<5} {clock:<5} {len(pairs):>4} designs   within ±10%: {within10:6.1%}   ±20%: {within20:6.1%}   "
        f"MAPE {statistics.mean(errors):6.1%}   tau {tau:.3f} (MACs {tau_macs:.3f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--random", type=int, default=30, help="fresh random designs")
    parser.add_argument("--first-seed", type=int, default=RANDOM_SEEDS, help="the fuzzer seed they start from")
    parser.add_argument("--repeats", type=int, default=3, help="measurement rounds (medians of medians)")
    parser.add_argument("--runs", type=int, default=30, help="invoke() per measurement (at least 30)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--no-presets", action="store_true")
    parser.add_argument("--json", help="write every design's figures here")
    parser.add_argument("--cache", help="keep the converted models in this folder (a second run reuses them)")
    args = parser.parse_args()

    model, machine = latency_model.current(args.threads)
    if model is None:
        sys.exit(f"not calibrated for {machine.words()} at {args.threads} thread(s): run `lightdesign calibrate` first")
    started, load_before = time.time(), os.getloadavg()
    designs = random_designs(args.random, args.first_seed) + ([] if args.no_presets else preset_designs())
    print(f"{len(designs)} designs; converting…", file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(args.cache or temporary)
        folder.mkdir(parents=True, exist_ok=True)
        rows = convert_all(designs, folder)
        measure_all(rows, args.repeats, args.threads, max(args.runs, 30))
    load_after = os.getloadavg()
    model, _ = latency_model.current(args.threads)  # the calibration as it is now (one may have finished meanwhile)
    for row in rows:
        predicted = predicted_latency(analyze(row["design"]), args.threads)
        row["predicted"] = {"fp32": predicted.fp32_ms, "int8": predicted.int8_ms}
        row["note"] = predicted.note()
    calibration = model.calibration
    print(f"machine: {machine.words()}, {args.threads} thread(s); calibration of {time.ctime(calibration.created)}")
    print(f"load average before {load_before[0]:.1f} / after {load_after[0]:.1f} on {os.cpu_count()} cores")
    print(
        f"{len(rows)} designs ({args.random} random, {len(rows) - args.random} preset variants) in {time.time() - started:.0f} s"
    )
    missing = [r for r in rows if r["predicted"]["fp32"] is None]
    if missing:
        print(f"not predicted: {len(missing)} ({'; '.join(sorted({r['note'] for r in missing}))[:300]})")
    for subset, chosen in (("all", rows), ("random", rows[: args.random]), ("presets", rows[args.random :])):
        if not chosen:
            continue
        print(f"-- {subset}")
        for precision in ("fp32", "int8"):
            for clock in ("wall", "cpu"):
                print(summary(chosen, precision, clock))
    print("-- the measurement against itself")
    for precision in ("fp32", "int8"):
        for clock in ("wall", "cpu"):
            print(repeatability(rows, precision, clock))
    if args.json:
        kept = [{k: v for k, v in r.items() if k not in ("files", "design")} for r in rows]
        Path(args.json).write_text(json.dumps(kept, indent=1))


if __name__ == "__main__":
    main()
