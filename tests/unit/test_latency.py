"""Predicted latency without TensorFlow: the kernels the lowering describes, the forests as the
analysis evaluates them, the calibration's storage and keying, the "not calibrated" and
"not known" paths, and the figures in the JSON, in ``check`` and in budgets."""

from __future__ import annotations

import dataclasses
import functools
import json
import random

import numpy as np
import pytest

from lightdesign.analysis import latency, latency_model, metrics
from lightdesign.analysis.deployment import Plan
from lightdesign.analysis.lowering import Op
from lightdesign.analysis.network import analyze
from lightdesign.cli.commands import main
from lightdesign.core import presets
from lightdesign.core.design import Design, new_block
from lightdesign.explore import scaling, suggestions
from lightdesign.explore.budget import Budget
from lightdesign.jobs import sweep
from lightdesign.jobs.messages import ExportResult, Measurement, ModelFormat

IMAGE_PRESETS = [name for name, p in presets.PRESETS.items() if p.resolution_label == "resolution"]
NS_PER_MAC = 0.05  # the synthetic machine: 0.05 ns per multiply-add ...
NS_PER_ELEMENT = 0.2  # ... 0.2 ns per element moved ...
OVERHEAD_US = 1.0  # ... and 1 µs per operation


def small(name: str):
    return scaling.width_and_resolution(presets.build(name), 0.5, 96)


def law_us(kernel: latency.Kernel) -> float:
    """The synthetic machine's time of one kernel."""
    _, work = latency.features(kernel)
    per_unit = NS_PER_MAC if kernel.op in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED") else NS_PER_ELEMENT
    return OVERHEAD_US + per_unit * work / 1000


@functools.cache
def synthetic_forests() -> dict:
    """Forests fitted on the synthetic law, from the kernels of preset variants (what the
    calibration job does, without timing anything)."""
    rng = random.Random(0)
    samples: dict[str, list] = {}
    designs = [_padded("same"), _padded("valid")]  # the presets have no PAD
    for _ in range(30):
        name = rng.choice(IMAGE_PRESETS)
        designs.append(
            scaling.width_and_resolution(presets.build(name), rng.choice((0.35, 0.5, 1.0)), 8 * rng.randint(6, 28))
        )
    for design in designs:
        plan = analyze(design).deployment
        for kernel in latency.kernels(plan.ops, plan.sizes()):
            made = latency.features(kernel)
            if made is not None:
                for precision in ("fp32", "int8"):
                    samples.setdefault(f"{precision}/{kernel.op}", []).append((*made, law_us(kernel)))
    return {key: latency_model.fit_forest(rows)[0] for key, rows in samples.items() if len(rows) >= 2}


def calibrate_synthetic(
    threads: int = 1, scale=None, streaming=None, operation_us=None, spread: float = 1.0
) -> latency_model.Machine:
    """A calibration of this machine on the synthetic law, kept where the analysis looks."""
    forests = synthetic_forests()
    samples = {key: 1 for key in forests}
    machine = latency_model.this_machine(threads)
    calibration = latency_model.Calibration(
        machine=dataclasses.asdict(machine),
        invoke_us={"fp32": 5.0, "int8": 5.0},
        scale=scale or {},
        samples=samples,
        streaming=streaming or {},
        operation_us=operation_us or {},
        spread=spread,
    )
    latency_model.save(latency_model.path_for(machine), calibration, forests)
    return machine


@pytest.fixture
def calibrated(tmp_path, monkeypatch):
    monkeypatch.setenv("LIGHTDESIGN_WORK_DIR", str(tmp_path))
    return calibrate_synthetic()


@pytest.fixture
def uncalibrated(tmp_path, monkeypatch):
    monkeypatch.setenv("LIGHTDESIGN_WORK_DIR", str(tmp_path))


# -- kernels ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", IMAGE_PRESETS)
def test_the_kernels_multiply_adds_are_the_analysis_macs(name):
    """Each convolution and dense operation's geometry (attached by its kind when it lowers
    itself) gives multiply-adds that add up to the analysis's MACs, counted by the kinds'
    cost rules."""
    result = analyze(small(name))
    found = latency.kernels(result.deployment.ops, result.deployment.sizes())
    macs = sum(latency.features(k)[1] for k in found if k.op in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"))
    assert macs == result.macs


def test_kernel_features_describe_each_kind():
    design = Design(
        "kinds",
        (32, 32, 8),
        10,
        [
            new_block("ZeroPadding2D", "pad", "pad", top=1, bottom=1, left=1, right=1),
            new_block("Conv2D", "grouped", "grouped", filters=16, kernel_size=3, strides=2, groups=4, padding="valid"),
            new_block("DepthwiseConv2D", "dw", "dw", kernel_size=5, depth_multiplier=2, padding="same"),
            new_block("MaxPooling2D", "pool", "pool", pool_size=3, strides=2, padding="same"),
            new_block("ChannelShuffle", "shuffle", "shuffle", groups=4),
            new_block("GlobalAveragePooling2D", "gap", "gap"),
            new_block("Dense", "head", "head", units=10, activation="relu"),
        ],
    )
    plan = analyze(design).deployment
    by_op = {k.op: k for k in latency.kernels(plan.ops, plan.sizes())}
    conv = by_op["CONV_2D"].geometry
    assert (conv.input, conv.output, conv.kernel, conv.strides, conv.groups) == (
        (34, 34, 8),
        (16, 16, 16),
        (3, 3),
        (2, 2),
        4,
    )
    depthwise = by_op["DEPTHWISE_CONV_2D"]
    assert depthwise.geometry.groups == 16 and depthwise.geometry.output == (16, 16, 32)
    assert latency.features(depthwise)[1] == 16 * 16 * 32 * 25  # multiply-adds: the work the rate multiplies
    assert by_op["MAX_POOL_2D"].geometry.kernel == (3, 3) and by_op["MAX_POOL_2D"].geometry.output == (8, 8, 32)
    assert by_op["TRANSPOSE"].geometry.groups == 4
    assert by_op["MEAN"].geometry.input == (8, 8, 32) and by_op["MEAN"].inputs == (8 * 8 * 32,)
    assert by_op["FULLY_CONNECTED"].activation == "relu"  # fused, a feature of its own
    assert by_op["PAD"].geometry.output == (34, 34, 8)
    # the output channels short of whole tiles of 16 and 32: 10 dense outputs, 32 depthwise
    assert latency.features(by_op["FULLY_CONNECTED"])[0][-2:] == (6, 22)
    assert latency.features(depthwise)[0][-2:] == (0, 0)
    assert latency.features(by_op["CONV_2D"])[0][-2:] == (0, 16)
    pad_rows = latency.features(by_op["PAD"])[0]
    assert [2**v - 1 for v in pad_rows[5:8]] == [2, 2, 0]  # rows, columns, channels added


def test_a_padding_fused_into_a_convolution_leaves_it_reading_the_unpadded_input():
    design = Design(
        "fused",
        (32, 32, 3),
        10,
        [
            new_block("ZeroPadding2D", "pad", "pad", top=1, bottom=1, left=1, right=1),
            new_block("Conv2D", "conv", "conv", filters=8, kernel_size=3, padding="valid"),
        ],
    )
    plan = analyze(design).deployment
    assert [op.kind for op in plan.ops] == ["CONV_2D"]
    assert plan.ops[0].geometry.input == (32, 32, 3) and plan.ops[0].geometry.output == (32, 32, 8)


def test_a_dilated_convolution_runs_on_the_blocks_of_space_to_batch():
    conv = new_block("Conv2D", "c", "c", filters=8, kernel_size=3, padding="same", dilation_rate=2)
    design = Design("atrous", (16, 16, 4), 10, [conv])
    plan = analyze(design).deployment
    kinds = [op.kind for op in plan.ops]
    assert kinds == ["SPACE_TO_BATCH_ND", "CONV_2D", "BATCH_TO_SPACE_ND"]
    conv = plan.ops[1].geometry
    assert conv.batch == 4 and conv.input == (10, 10, 4) and conv.output == (8, 8, 8)
    assert plan.ops[0].geometry.strides == (2, 2) and plan.ops[0].geometry.output == (40, 10, 4)


def test_an_operation_without_its_geometry_is_not_guessed():
    kernel = latency.Kernel("CONV_2D", (100,), (100,))
    assert latency.features(kernel) is None
    assert latency.features(latency.Kernel("GATHER", (1,), (1,))) is None
    plan = Plan([Op("c", "CONV_2D", ["x#1"], ["c#2"])], [], 0, [0], 0, "", 0, "", {})
    rows, refusal = latency.rows(plan)
    assert rows.rows == [] and refusal == ("latency.note.no_geometry", {"op": "CONV_2D", "layer": "c"})


# -- not calibrated, not known ------------------------------------------------------------------------


def test_an_uncalibrated_machine_gets_no_number_and_says_why(uncalibrated):
    result = analyze(small("mobilenet_v2"))
    data = result.to_dict()
    assert data[metrics.PREDICTED_FP32.key] is None and data[metrics.PREDICTED_INT8.key] is None
    assert data["latency_note"].startswith("not calibrated") and "lightdesign calibrate" in data["latency_note"]
    assert latency_model.this_machine().words() in data["latency_note"]
    assert all(b[metrics.PREDICTED_FP32.key] is None for b in data["blocks"])
    assert "未校准" in result.latency.note("zh")


def test_another_machines_or_thread_counts_calibration_is_not_used(calibrated, monkeypatch):
    assert analyze(small("mobilenet_v2")).latency.fp32_ms is not None
    assert latency.predict([], analyze(small("mobilenet_v2")).deployment, threads=2).fp32_ms is None
    other = latency_model.Machine("Another CPU", 64, "2.21.0")
    latency_model.save(latency_model.path_for(other), latency_model.Calibration(machine=dataclasses.asdict(other)), {})
    latency_model.path_for(latency_model.this_machine()).unlink()
    result = analyze(small("mobilenet_v2"))
    assert result.latency.fp32_ms is None and result.latency.note_key == "latency.note.not_calibrated"
    assert latency_model.calibrated_machines() == [other]


def test_a_layer_without_a_lowering_makes_the_prediction_unknown(calibrated):
    result = analyze(presets.build("text_rnn"))
    assert result.latency.fp32_ms is None and result.latency.note_key == "latency.note.unsupported"
    assert "lstm" in result.latency.note()


def test_an_operation_without_a_predictor_makes_the_prediction_unknown(calibrated):
    result = analyze(presets.build("text_cnn"))  # the embedding's id wrapping and lookup
    assert result.latency.fp32_ms is None and result.latency.note_key == "latency.note.no_predictor"
    assert result.latency.note_values["op"] in ("LESS", "ADD", "SELECT_V2", "GATHER")


# -- the calibrated prediction ---------------------------------------------------------------------


def test_the_prediction_follows_the_machine_it_was_fitted_on(calibrated):
    for name in ("mobilenet_v2", "shufflenet_v2", "squeezenet_1_1"):
        result = analyze(scaling.width_and_resolution(presets.build(name), 0.75, 128))
        plan = result.deployment
        truth_ms = (sum(law_us(k) for k in latency.kernels(plan.ops, plan.sizes())) + 5.0) / 1000
        assert result.latency.fp32_ms == pytest.approx(truth_ms, rel=0.15), name
        assert result.latency.int8_ms == pytest.approx(result.latency.fp32_ms)
        blocks = sum(times["fp32"] for times in result.latency.blocks.values())
        assert blocks + 0.005 == pytest.approx(result.latency.fp32_ms)


def test_whole_model_scale_multiplies_the_kernels(tmp_path, monkeypatch):
    monkeypatch.setenv("LIGHTDESIGN_WORK_DIR", str(tmp_path))
    design = small("mobilenet_v2")
    calibrate_synthetic()
    plain = analyze(design).latency
    calibrate_synthetic(scale={"fp32": 1.5, "int8": 0.5})
    scaled = analyze(design).latency
    assert scaled.fp32_ms - 0.005 == pytest.approx(1.5 * (plain.fp32_ms - 0.005))
    assert scaled.int8_ms - 0.005 == pytest.approx(0.5 * (plain.int8_ms - 0.005))


def test_each_operation_but_the_first_adds_its_call_to_the_invoke(tmp_path, monkeypatch):
    monkeypatch.setenv("LIGHTDESIGN_WORK_DIR", str(tmp_path))
    design = _padded("valid")  # its PAD is folded into the convolution: not an operation XNNPACK runs
    calibrate_synthetic()
    plain = analyze(design).latency
    calibrate_synthetic(operation_us={"fp32": 2.0, "int8": 3.0})
    called = analyze(design)
    operations = len(called.deployment.ops) - 1
    assert called.latency.fp32_ms - plain.fp32_ms == pytest.approx((operations - 1) * 0.002)
    assert called.latency.int8_ms - plain.int8_ms == pytest.approx((operations - 1) * 0.003)
    assert called.latency.layers["pad"]["fp32"] == 0.0  # each layer carries its operations' calls
    assert called.latency.layers["dw"]["fp32"] - plain.layers["dw"]["fp32"] == pytest.approx(0.002)


def test_the_analysis_evaluates_the_forests_as_scikit_learn_does(tmp_path):
    from sklearn.ensemble import RandomForestRegressor

    rng = np.random.default_rng(1)
    x = rng.uniform(0, 12, (300, 5)).astype(np.float32)
    work = 2.0 ** rng.uniform(4, 20, 300)
    micros = work * np.exp(np.sin(x[:, 0]) + 0.1 * x[:, 1])
    samples = [(tuple(float(v) for v in row), w, us) for row, w, us in zip(x, work, micros, strict=True)]
    arrays, error = latency_model.fit_forest(samples, seed=3)
    reference = RandomForestRegressor(
        n_estimators=latency_model.TREES,
        max_leaf_nodes=latency_model.LEAVES,
        max_depth=latency_model.DEPTH,
        oob_score=True,
        random_state=3,
        n_jobs=1,
    ).fit(x, np.log(micros / work))
    model = latency_model.LatencyModel(latency_model.Calibration(machine={}), {"fp32/CONV_2D": arrays})
    fresh = rng.uniform(0, 12, (50, 5)).astype(np.float32)
    rows = [("CONV_2D", tuple(float(v) for v in row), 10.0) for row in fresh]
    ours = model.kernel_us("fp32", rows)
    assert ours == pytest.approx(10.0 * np.exp(reference.predict(fresh)), rel=1e-5)
    assert model.kernel_us("fp32", rows) == ours  # the second time from memory
    assert 0 < float(np.median(error)) < 0.5 and len(error) > 250  # out of bag: nearly every sample


def test_an_operation_timed_at_nothing_costs_next_to_nothing():
    # reshapes and expand-dims are timed at 0 us (under the clock's noise); a dozen of them in a
    # 1.4 us model must not add a third of it, as a floor of 0.05 us each did
    samples = [((float(size), 1.0), 2.0**size, 0.0) for size in range(4, 16)] * 3
    arrays, _ = latency_model.fit_forest(samples)
    model = latency_model.LatencyModel(latency_model.Calibration(machine={}), {"fp32/RESHAPE": arrays})
    rows = [("RESHAPE", (float(size), 1.0), 2.0**size) for size in (5, 9, 14)]
    assert model.kernel_us("fp32", rows) == pytest.approx([latency_model.MIN_MICROS] * 3, rel=0.2)
    assert 12 * latency_model.MIN_MICROS < 0.15


def test_composition_is_the_median_ratio_of_measured_to_predicted(calibrated):
    model, _ = latency_model.current()
    rows, _ = latency.rows(analyze(small("mobilenet_v2")).deployment)
    kernels_ms = sum(model.kernel_us("fp32", rows.rows)) / 1000
    measured = [("fp32", rows, 1.2 * kernels_ms + 0.005), ("fp32", rows, 1.4 * kernels_ms + 0.005)]
    measured.append(("fp32", rows, 1.3 * kernels_ms + 0.005))
    scales, count = latency_model.composition(model, measured)
    assert scales["fp32"] == pytest.approx(1.3) and "int8" not in scales and count == 3


def _padded(conv_padding: str, window: int = 3) -> Design:
    """A zero pad of 1 (not what 'same' adds for a 3x3 stride-2 window on 32 px: 0 and 1)
    before a convolution: TFLite keeps the PAD."""
    return Design(
        "padded",
        (32, 32, 8),
        10,
        [
            new_block("ZeroPadding2D", "pad", "pad", top=1, bottom=1, left=1, right=1),
            new_block("DepthwiseConv2D", "dw", "dw", kernel_size=window, strides=2, padding=conv_padding),
            new_block("GlobalAveragePooling2D", "gap", "gap"),
            new_block("Dense", "head", "head", units=10),
        ],
    )


def test_a_zero_pad_before_a_valid_convolution_costs_nothing_as_xnnpack_folds_it(calibrated):
    folded = analyze(_padded("valid"))
    kinds = [op.kind for op in folded.deployment.ops]
    assert kinds[:2] == ["PAD", "DEPTHWISE_CONV_2D"]
    assert latency.folded_by_delegate(folded.deployment) == {0}
    assert folded.latency.layers["pad"] == {"fp32": 0.0, "int8": 0.0}
    kept = analyze(_padded("same"))  # XNNPACK folds a pad only into a 'valid' window
    assert latency.folded_by_delegate(kept.deployment) == set() and kept.latency.layers["pad"]["fp32"] > 0
    pointwise = analyze(_padded("valid", window=1))  # ... larger than 1x1 (timed: a 1x1 one pays for its pad)
    assert latency.folded_by_delegate(pointwise.deployment) == set()


# SEED_CNN's weights by hand: 3x3x1x32 + 3x3x32x64 + 1600x128 + 128x10 (biases are not weights)
SEED_CNN_WEIGHTS = 9 * 32 + 9 * 32 * 64 + 1600 * 128 + 128 * 10
SEED_CNN_BIASES = 32 + 64 + 128 + 10


def test_the_weights_each_kernel_reads_are_the_layers_kernels():
    result = analyze(presets.build("seed_cnn"))
    rows, _ = latency.rows(result.deployment)
    assert sum(rows.weights) == SEED_CNN_WEIGHTS == result.params - SEED_CNN_BIASES
    assert rows.streamed_bytes("fp32") == 4 * SEED_CNN_WEIGHTS and rows.streamed_bytes("int8") == SEED_CNN_WEIGHTS
    depthwise = next(k for k in latency.kernels(*_plan_of("mobilenet_v2")) if k.op == "DEPTHWISE_CONV_2D")
    assert latency.weight_elements(depthwise) == 9 * depthwise.geometry.output[-1]


def _plan_of(name: str):
    plan = analyze(small(name)).deployment
    return plan.ops, plan.sizes()


STREAMING = {"fp32": [[1.0, 0.0], [8.0, 0.03], [64.0, 0.06]], "int8": [[1.0, 0.0], [16.0, 0.04]]}


def test_the_streaming_rate_is_interpolated_on_the_log_of_the_weights():
    model = latency_model.LatencyModel(latency_model.Calibration(machine={}, streaming=STREAMING), {})
    assert model.streaming_ms_per_byte("fp32", 0.5e6) == 0.0  # below the first point: its rate
    assert model.streaming_ms_per_byte("fp32", 8e6) == pytest.approx(0.03 / 1e6)
    assert model.streaming_ms_per_byte("fp32", 2**0.5 * 8e6) == pytest.approx(0.035 / 1e6)  # a sixth of 8 -> 64
    assert model.streaming_ms_per_byte("fp32", 500e6) == pytest.approx(0.06 / 1e6)  # above the last: its rate
    assert model.streaming_ms_per_byte("int8", 4e6) == pytest.approx(0.02 / 1e6)
    empty = latency_model.LatencyModel(latency_model.Calibration(machine={}), {})
    assert empty.streaming_ms_per_byte("fp32", 64e6) == 0.0  # a calibration made before the curve existed


def test_each_kernel_is_charged_its_weights_at_the_whole_models_streaming_rate(tmp_path, monkeypatch):
    monkeypatch.setenv("LIGHTDESIGN_WORK_DIR", str(tmp_path))
    design = presets.build("mobilenet_v2")  # 14 MB of float32 weights
    calibrate_synthetic()
    before = analyze(design).latency
    calibrate_synthetic(streaming=STREAMING)
    after = analyze(design).latency
    rows, _ = latency.rows(analyze(design).deployment)
    megabytes = rows.streamed_bytes("fp32") / 1e6
    rate = 0.03 + 0.03 * np.log(megabytes / 8) / np.log(8)  # ms per MB between the points 8 and 64
    assert after.fp32_ms - before.fp32_ms == pytest.approx(megabytes * rate)
    classifier = next(i for i, b in enumerate(design.blocks) if b.kind == "Dense")
    extra = after.blocks[classifier]["fp32"] - before.blocks[classifier]["fp32"]
    assert extra == pytest.approx(4 * 1280 * 1000 / 1e6 * rate)  # its own weights at the model's rate


# -- the contract: JSON, check, budgets ---------------------------------------------------------------


def test_analyze_json_has_the_predicted_figures_and_per_block_values(calibrated, capsys):
    assert main(["analyze", "--preset", "mobilenet_v2", "--alpha", "0.5", "--resolution", "96", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["predicted_latency_fp32_ms"] > 0 and data["predicted_latency_int8_ms"] > 0
    assert data["latency_note"] is None
    per_block = sum(b["predicted_latency_fp32_ms"] for b in data["blocks"])
    assert per_block == pytest.approx(data["predicted_latency_fp32_ms"] - 0.005)


def test_analyze_json_says_null_and_why_when_not_calibrated(uncalibrated, capsys):
    assert main(["analyze", "--preset", "seed_cnn", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["predicted_latency_fp32_ms"] is None and data["predicted_latency_int8_ms"] is None
    assert "not calibrated" in data["latency_note"]


def test_check_max_latency_exit_codes(calibrated, capsys):
    predicted = analyze(presets.build("seed_cnn")).latency.fp32_ms
    assert main(["check", "--preset", "seed_cnn", "--max-latency", f"{predicted * 1.1}ms"]) == 0
    assert main(["check", "--preset", "seed_cnn", "--max-latency", f"{predicted * 900:.3f}us"]) == 1
    int8 = analyze(presets.build("seed_cnn")).latency.int8_ms
    assert main(["check", "--preset", "seed_cnn", "--max-latency-int8", f"{int8 * 2}"]) == 0
    out = capsys.readouterr()
    assert "within budget" in out.out and "over budget: Predicted latency fp32" in out.err
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "--preset", "seed_cnn", "--max-latency", "5 parsecs"])
    assert exit_info.value.code == 2
    assert "is not a time; write e.g. 5ms" in capsys.readouterr().err


def test_check_max_latency_on_an_uncalibrated_machine_says_so(uncalibrated, capsys):
    assert main(["check", "--preset", "seed_cnn", "--max-latency", "5ms"]) == 1
    assert "error: cannot check --max-latency: not calibrated" in capsys.readouterr().err
    assert main(["check", "--preset", "seed_cnn", "--max-macs", "1G"]) == 0  # other limits need no calibration


def test_a_latency_limit_needs_a_prediction_to_fit(uncalibrated):
    result = analyze(presets.build("seed_cnn"))
    budget = Budget({metrics.PREDICTED_FP32.key: 100.0})
    assert budget.checks(result) == [(budget_limit(), None, 100.0, False)] and not budget.fits(result)
    assert budget.ranking is metrics.PREDICTED_FP32 and Budget({metrics.MACS.key: 10}).ranking is metrics.MACS


def budget_limit():
    from lightdesign.explore.budget import LIMIT_BY_KEY

    return LIMIT_BY_KEY[metrics.PREDICTED_FP32.key]


def test_under_a_latency_budget_the_scan_and_the_sweep_rank_by_latency(calibrated):
    design = presets.build("mobilenet_v2")
    budget = Budget({metrics.PREDICTED_FP32.key: 1000.0})
    grid = scaling.width_resolution_grid(design, budget, alphas=(0.35, 0.5, 1.0), sides=(96, 128))
    points = [p for row in grid for p in row]
    best = scaling.largest_fit(grid, budget.ranking)
    assert best.value(metrics.PREDICTED_FP32) == max(p.value(metrics.PREDICTED_FP32) for p in points)
    front = sweep.pareto(points, budget.ranking)
    times = [p.value(metrics.PREDICTED_FP32) for p in front]
    assert times == sorted(times)
    chosen = sweep.candidates(design, budget, xs=(0.35, 0.5), ys=(96, 128))
    assert chosen and all(c.figures[metrics.PREDICTED_FP32.key] > 0 for c in chosen)


def test_substitutes_under_a_latency_budget_come_by_the_time_they_save(calibrated):
    design = presets.build("seed_cnn")
    found, complete = suggestions.suggest_within(design, None, metrics.PREDICTED_FP32)
    assert complete and found
    saved = [s.latency_saved_ms for s in found]
    assert all(ms > 0 for ms in saved) and saved == sorted(saved, reverse=True)
    plain, _ = suggestions.suggest_within(design, None)
    assert [s.key for s in plain] != [] and all(s.latency_saved_ms is not None for s in plain)


# -- measurements ----------------------------------------------------------------------------------


def test_an_export_becomes_a_measurement_only_when_timed_by_the_convention():
    timed = dict(
        files={},
        latency_ms={ModelFormat.TFLITE_FLOAT32: 4.0, ModelFormat.TFLITE_INT8: 2.0},
        cpu_ms={ModelFormat.TFLITE_FLOAT32: 3.9},
        weights="w",
        calibration="c",
        latency_runs=50,
        machine="amd_2cores",
    )
    design = presets.build("seed_cnn").to_dict()
    kept = ExportResult(**timed, tflite_runs=50).measurement(design)
    assert (kept.fp32_ms, kept.int8_ms, kept.fp32_cpu_ms, kept.int8_cpu_ms) == (4.0, 2.0, 3.9, None)
    assert kept.machine == "amd_2cores" and kept.threads == 1 and kept.design == design
    assert ExportResult(**timed, tflite_runs=5).measurement(design) is None
    assert Measurement.from_dict(json.loads(json.dumps(kept.to_dict()))) == kept


def test_the_store_keeps_every_measurement_by_machine(tmp_path):
    from lightdesign.store import open_store

    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    design = presets.build("seed_cnn").to_dict()
    for machine, threads, ms in (("a", 1, 1.0), ("a", 2, 0.6), ("b", 1, 3.0), ("a", 1, 1.1)):
        store.add_measurement(
            Measurement(design=design, machine=machine, threads=threads, fp32_ms=ms, int8_ms=None).to_dict()
        )
    assert [m["fp32_ms"] for m in store.measurements("a", 1)] == [1.0, 1.1]
    assert len(store.measurements()) == 4 and store.measurements("c") == []
    again = store.measurements("b", 1)[0]
    store.add_measurement(again)  # the same measurement kept a second time (another tab, another command)
    assert len(store.measurements()) == 4


def test_calibrate_warns_when_the_machine_was_busy_or_its_speed_moved(tmp_path, monkeypatch, capsys):
    from lightdesign.jobs import manager
    from lightdesign.jobs.messages import JobKind

    monkeypatch.setenv("LIGHTDESIGN_WORK_DIR", str(tmp_path))
    monkeypatch.setitem(manager.JOB_KINDS, JobKind.LATENCY, "tests.fake_jobs:latency")
    assert main(["calibrate", "--seconds", "1", "--models", "0"]) == 0
    said = capsys.readouterr().err
    assert "busy" not in said and "speed moved" not in said
    monkeypatch.setitem(manager.JOB_KINDS, JobKind.LATENCY, "tests.fake_jobs:busy_latency")
    assert main(["calibrate", "--seconds", "1", "--models", "0"]) == 0
    said = capsys.readouterr().err
    assert "The machine was busy while whole models were timed (load average 999.0" in said
    assert "This machine's speed moved while it was calibrated" in said and "took 2.5x as long" in said


def test_calibrate_passes_the_kept_measurements_and_keeps_the_new_ones(tmp_path, monkeypatch, capsys):
    from lightdesign.jobs import manager
    from lightdesign.jobs.messages import JobKind
    from lightdesign.store import open_store

    monkeypatch.setenv("LIGHTDESIGN_WORK_DIR", str(tmp_path))
    monkeypatch.setitem(manager.JOB_KINDS, JobKind.LATENCY, "tests.fake_jobs:latency")
    store = open_store()
    here = latency_model.this_machine().key
    design = presets.build("seed_cnn").to_dict()
    for machine in (here, here, "elsewhere"):
        store.add_measurement(
            Measurement(design=design, machine=machine, threads=1, fp32_ms=1.0, int8_ms=0.5).to_dict()
        )
    assert main(["calibrate", "--seconds", "1", "--models", "0"]) == 0
    out = capsys.readouterr().out
    assert "Calibrated in 0 s: 2 operations timed" in out  # the job was given this machine's two measurements
    assert "Timing TFLite operations 1/1" in out and "Refined with 2 earlier measurements" in out
    assert len(store.measurements(here, 1)) == 3  # and the one it reported is kept
    assert main(["calibrate", "--threads", "0"]) == 1
    assert main(["calibrate", "--refit"]) == 1  # nothing timed here before
    assert "nothing to refit" in capsys.readouterr().err


def test_the_spread_of_a_reference_is_its_slow_tenth_over_its_fast_tenth():
    from lightdesign.jobs.latency_calibration import MIN_STEPS, spread

    assert spread([100.0] * 40) == 1.0
    assert spread([100.0, 100.0, 250.0] * 20) == pytest.approx(2.5)  # a third of the time at 2.5x
    assert spread([100.0] * 59 + [400.0]) == pytest.approx(1.0)  # one slow moment is not a moving machine
    assert spread([100.0] * 4 + [130.0]) == 1.0  # too few timings to say
    # the deciles lie within the timings (a short run once put the fast tenth below zero and said 1.0)
    assert spread([100.0] * 3 + [400.0] * (MIN_STEPS - 3)) == pytest.approx(4.0)


def test_a_refit_keeps_the_spread_its_kernels_were_timed_with(tmp_path, monkeypatch):
    import threading

    from lightdesign.jobs import latency_calibration
    from lightdesign.jobs.messages import Finished, LatencySpec

    monkeypatch.setenv("LIGHTDESIGN_WORK_DIR", str(tmp_path))
    machine = calibrate_synthetic(spread=1.7)
    events = []
    latency_calibration.run(LatencySpec(refit=True, models=0), events.append, threading.Event())
    assert isinstance(events[-1], Finished) and events[-1].result.spread == 1.7
    assert latency_model.load(latency_model.path_for(machine)).calibration.spread == 1.7


def test_a_refit_says_it_fitted_the_kernels_timed_before_again(tmp_path, monkeypatch, capsys):
    from lightdesign.jobs import manager
    from lightdesign.jobs.messages import JobKind

    monkeypatch.setenv("LIGHTDESIGN_WORK_DIR", str(tmp_path))
    monkeypatch.setitem(manager.JOB_KINDS, JobKind.LATENCY, "tests.fake_jobs:latency")
    calibrate_synthetic()
    assert main(["calibrate", "--refit", "--models", "0"]) == 0
    out = capsys.readouterr().out
    assert "Fitted again in 0 s on the 0 operations timed before" in out and "Calibrated in" not in out


def test_a_calibration_with_facts_a_later_version_added_is_read(tmp_path, monkeypatch):
    monkeypatch.setenv("LIGHTDESIGN_WORK_DIR", str(tmp_path))
    machine = calibrate_synthetic(spread=1.3)
    path = latency_model.path_for(machine)
    with np.load(path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    meta = json.loads(arrays["meta"].tobytes().decode())
    arrays["meta"] = np.frombuffer(json.dumps({**meta, "a_later_fact": [1, 2]}).encode(), np.uint8)
    np.savez(path, **arrays)
    assert latency_model.load(path).calibration.spread == 1.3


def test_refitting_a_calibration_of_an_older_format_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LIGHTDESIGN_WORK_DIR", str(tmp_path))
    machine = latency_model.this_machine()
    old = latency_model.Calibration(machine=dataclasses.asdict(machine), format=latency_model.FORMAT - 1)
    latency_model.save(latency_model.path_for(machine), old, {})
    assert main(["calibrate", "--refit"]) == 1
    err = capsys.readouterr().err
    assert "made by an older LightDesign" in err and "without --refit" in err


def test_random_kernels_reach_flattened_dense_layers_and_doubling_depthwise_convolutions():
    """Dense layers after a Flatten read whole maps and depthwise convolutions that double
    their channels run 4-5x slower per multiply-add: the calibration's random kernels cover
    both at the sizes designs have (once the forest knew neither: 3x under for either)."""
    from lightdesign.jobs.latency_calibration import MAX_DENSE_WEIGHTS, _affordable, random_kernel

    rng = random.Random(0)
    dense = [k for k in (random_kernel(rng, "FULLY_CONNECTED") for _ in range(400)) if _affordable(k)]
    flattened = [k for k in dense if k.geometry.input[-1] > 50_000]
    assert len(flattened) >= 0.05 * len(dense)  # none read more than 4096 inputs before
    assert all(k.geometry.input[-1] * k.geometry.output[-1] <= MAX_DENSE_WEIGHTS for k in flattened)
    depthwise = [k for k in (random_kernel(rng, "DEPTHWISE_CONV_2D") for _ in range(400)) if _affordable(k)]
    doubling = [k for k in depthwise if k.geometry.output[-1] == 2 * k.geometry.input[-1]]
    assert len(doubling) >= 0.2 * len(depthwise)  # one in ten before
    assert sum(sum(k.outputs) > 1_000_000 for k in doubling) >= 5
