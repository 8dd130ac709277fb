"""The latency model against TensorFlow Lite itself: the converter's float32 graph holds the
operations the lowering predicts; the single-operation micro-benchmarks hold the operation
the converter makes of a layer, with its shapes and options; a short calibration fits a
model that predicts, refines it with a kept measurement, and the export job measures by the
convention."""

from __future__ import annotations

import random
import threading
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from lightdesign.analysis import latency, latency_model
from lightdesign.analysis.network import analyze
from lightdesign.core import presets
from lightdesign.core.design import Design, new_block
from lightdesign.explore import scaling
from lightdesign.jobs import export, kernel_models, latency_calibration, latency_probes
from lightdesign.jobs.messages import Finished, LatencySpec, Measurement, ModelFormat, Progress, Stage

from .harness import build
from .random_designs import random_design
from .test_deployment_memory import CONFIGS

PRESETS = ("seed_cnn", "mobilenet_v2", "mobilenet_v3_small", "shufflenet_v1", "squeezenet_1_0", "wave_cnn")
DILATED_SEED = 1  # a fuzzer design holding a dilated depthwise convolution


# Fuzzer designs whose graphs once differed from the lowering: a hard-sigmoid's / 6 passed
# on by a Dropout into a convolution, a one-channel BatchNormalization read by two
# branches (one folds it, one keeps it), a BatchNormalization's shift followed by a
# hard-sigmoid's + 3 (one add).
FOLDING_SEEDS = (19, 33, 87)


def converted(design, int8: bool = False) -> bytes:
    """The design's model as trained (BatchNormalization statistics away from their initial
    values), converted."""
    import tensorflow as tf

    samples, _ = export.representative_for(design.input_shape, vocabulary=50)
    model = build(design)
    export.trained_like(model)
    return export.convert(tf, model, int8, samples[:8])


def lowered_kinds(design) -> list[str]:
    return [op.kind for op in analyze(design).deployment.ops]


def converted_kinds(design, int8: bool = False) -> Counter:
    """The operations of the converted model (in int8 without its input and output
    QUANTIZE / DEQUANTIZE), by kind."""
    _, ops = operators(converted(design, int8))
    return Counter(op["op_name"] for op in ops if not int8 or op["op_name"] not in ("QUANTIZE", "DEQUANTIZE"))


def with_head(name: str, *blocks) -> Design:
    """A 16x16x3 design of ``blocks`` and a pooled ten-class head."""
    head = [
        new_block("GlobalAveragePooling2D", "gap", "gap"),
        new_block("Dense", "head", "head", units=10, activation="softmax"),
    ]
    return Design(name, (16, 16, 3), 10, [*blocks, *head])


def operators(content: bytes):
    """The interpreter of a model and its operations (the delegate's node left out)."""
    import tensorflow as tf

    interpreter = tf.lite.Interpreter(model_content=content)
    interpreter.allocate_tensors()
    return interpreter, [op for op in interpreter._get_ops_details() if op["op_name"] != "DELEGATE"]


@pytest.mark.parametrize("name", PRESETS)
def test_the_float32_graph_holds_the_lowered_operations(name):
    design = presets.build(name, **CONFIGS[name])
    assert converted_kinds(design) == Counter(lowered_kinds(design))


@pytest.mark.parametrize("seed", FOLDING_SEEDS)
def test_the_converter_folds_constants_where_the_lowering_says(seed):
    design = random_design(seed)
    assert converted_kinds(design) == Counter(lowered_kinds(design))


def test_a_relu_after_a_concatenation_is_an_operation_of_its_own():
    design = with_head(
        "concat_relu",
        new_block("fire_module", "fire", "fire", squeeze=8, expand1x1=8, expand3x3=8),
        new_block("Activation", "act", "act", activation="relu6"),
    )
    lowered = lowered_kinds(design)
    assert lowered.count("RELU6") == 1
    assert converted_kinds(design) == Counter(lowered)


@pytest.mark.parametrize("again", ["relu", "relu6"])
def test_an_activation_the_operation_already_applies_is_dropped_and_another_kept(again):
    design = with_head(
        "relu_again",
        new_block("Conv2D", "conv", "conv", filters=8, kernel_size=1, activation="relu"),
        new_block("Activation", "act", "act", activation=again),
    )
    lowered = lowered_kinds(design)
    assert lowered.count("RELU6") == (again == "relu6") and "RELU" not in lowered
    for int8 in (False, True):
        assert converted_kinds(design, int8) == Counter(lowered)


def test_the_same_activation_again_vanishes_after_a_shared_output_or_an_operation_of_its_own():
    design = with_head(
        "relu_again_shared",
        new_block("Conv2D", "conv", "conv", filters=8, kernel_size=1, activation="relu"),
        new_block("Activation", "again", "again", activation="relu"),  # the convolution's output is read twice
        new_block("Conv2D", "after", "after", filters=8, kernel_size=1),
        new_block("Concatenate", "join", "join", source="conv"),
        new_block("Activation", "act", "act", activation="relu"),  # a RELU of its own after the concatenation
        new_block("Activation", "act2", "act2", activation="relu"),
    )
    lowered = lowered_kinds(design)
    assert lowered.count("RELU") == 1
    assert converted_kinds(design) == Counter(lowered)


def test_a_dilated_convolution_stays_in_space_to_batch_form_in_float32():
    design = random_design(DILATED_SEED)
    lowered = lowered_kinds(design)
    assert "SPACE_TO_BATCH_ND" in lowered
    assert converted_kinds(design) == Counter(lowered)


def test_every_operation_with_a_predictor_has_a_micro_benchmark_that_runs():
    import tensorflow as tf

    assert set(latency.FEATURES) <= set(kernel_models.BUILDERS)
    rng = random.Random(5)
    for op in latency.FEATURES:
        for _ in range(3):
            kernel = latency_calibration.random_kernel(rng, op)
            for int8 in (False, True):
                content = kernel_models.model(kernel, int8)
                interpreter, ops = operators(content)
                assert ops[0]["op_name"] == op, (op, int8)
                written = sum(int(np.prod(interpreter.get_tensor(i).shape)) for i in ops[0]["outputs"])
                expected = sum(kernel.outputs) if op not in ("SHAPE", "STRIDED_SLICE", "PACK") else written
                assert written == expected, (op, int8, kernel)
                assert latency_calibration.time_kernel(tf, content, 1) > 0


def test_the_micro_benchmarks_hold_the_operations_the_converter_makes():
    """A chain of kinds converted by the TFLiteConverter, operation by operation against the
    single-operation model made from the lowering's kernel: the same operator, the same
    tensor shapes (weights included) and the same strides, padding and fused activation."""
    blocks = [
        new_block("Conv2D", "conv", "conv", filters=16, kernel_size=3, strides=2, activation="relu6"),
        new_block("DepthwiseConv2D", "dw", "dw", kernel_size=5, activation="relu"),
        new_block("Conv2D", "grouped", "grouped", filters=24, kernel_size=1, groups=4),
        new_block("AveragePooling2D", "pool", "pool", pool_size=2, strides=2),
        new_block("BatchNormalization", "bn", "bn"),  # a multiply and an add by channel vectors
        new_block("Activation", "swish", "swish", activation="hard_swish"),
        new_block("GlobalAveragePooling2D", "gap", "gap"),
        new_block("Dense", "head", "head", units=10, activation="softmax"),
    ]
    design = Design("chain", (32, 32, 8), 10, blocks)
    plan = analyze(design).deployment
    kernels = latency.kernels(plan.ops, plan.sizes())
    for int8 in (False, True):
        content = converted(design, int8)
        interpreter, ops = operators(content)
        assert [op["op_name"] for op in ops] == [k.op for k in kernels]
        for op, kernel in zip(ops, kernels, strict=True):
            single = kernel_models.model(kernel, int8)
            ours, our_ops = operators(single)
            mine = our_ops[0]
            for theirs_ids, our_ids in ((op["inputs"], mine["inputs"]), (op["outputs"], mine["outputs"])):
                theirs = [_shape(interpreter, i) for i in theirs_ids if i >= 0]
                got = [_shape(ours, i) for i in our_ids if i >= 0]
                if kernel.op == "FULLY_CONNECTED":  # the converter drops a new Dense layer's all-zero bias
                    got = got[: len(theirs)]
                assert [_flat(kernel.op, s) for s in got] == [_flat(kernel.op, s) for s in theirs], (kernel.op, int8)
            if kernel.op in ("CONV_2D", "DEPTHWISE_CONV_2D", "AVERAGE_POOL_2D"):
                assert _options(content, op) == _options(single, mine), (kernel.op, int8)


def _shape(interpreter, index: int) -> tuple:
    return tuple(int(d) for d in interpreter._get_tensor_details(index, 0)["shape"])


SHAPED = {"CONV_2D", "DEPTHWISE_CONV_2D", "AVERAGE_POOL_2D", "MEAN", "FULLY_CONNECTED"}


def _flat(op: str, shape: tuple) -> int | tuple:
    """Element-wise operations are timed on a flat vector: compare their sizes; others' shapes."""
    return shape if op in SHAPED else int(np.prod(shape))


def _options(content: bytes, op) -> tuple:
    """Strides, padding and fused activation of a convolution or pooling operation, read
    from the model's flatbuffer."""
    from tensorflow.lite.python import schema_py_generated as schema

    model = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(content, 0))
    operator = model.subgraphs[0].operators[op["index"]]
    options = operator.builtinOptions
    return (options.strideH, options.strideW, options.padding, options.fusedActivationFunction)


@pytest.fixture
def work(tmp_path, monkeypatch):
    monkeypatch.setenv("LIGHTDESIGN_WORK_DIR", str(tmp_path))
    return tmp_path


SHORT_CHAINS = (1, 2)  # the streaming chains a short calibration times (the job's default goes to 64 MB)


def test_a_chain_runs_its_links_in_order_each_with_its_own_weights():
    import tensorflow as tf

    link = latency_calibration.streaming_link(int8=False)
    small = latency.Kernel(
        "CONV_2D", (4 * 4 * 8,), (4 * 4 * 8,), latency.Geometry((4, 4, 8), (4, 4, 8)), "relu", padding="same"
    )
    runner = tf.lite.Interpreter(model_content=kernel_models.chain([small] * 3, int8=False, seed=5))
    runner.allocate_tensors()
    weights = [t for t in runner.get_tensor_details() if len(t["shape"]) == 4 and t["shape"][0] == 8]
    weights = [runner.get_tensor(t["index"])[:, 0, 0, :] for t in sorted(weights, key=lambda t: t["index"])]
    assert len(weights) == 3 and not np.array_equal(weights[0], weights[1])
    x = np.random.default_rng(0).normal(0, 1, (1, 4, 4, 8)).astype(np.float32)
    runner.set_tensor(runner.get_input_details()[0]["index"], x)
    runner.invoke()
    expected = x
    for w in weights:  # bias 0, ReLU fused
        expected = np.maximum(expected @ w.T, 0)
    np.testing.assert_allclose(runner.get_tensor(runner.get_output_details()[0]["index"]), expected, rtol=1e-5)
    int8_link = latency_calibration.streaming_link(int8=True)
    quantized = tf.lite.Interpreter(model_content=kernel_models.chain([int8_link] * 2, int8=True))
    quantized.allocate_tensors()
    quantized.invoke()  # TFLite accepts every link's bias scale
    assert list(quantized.get_output_details()[0]["shape"]) == [1, 7, 7, 1024]
    with pytest.raises(ValueError, match="takes"):
        kernel_models.chain([small, link], int8=False)


def test_a_calibration_keeps_the_streaming_curve_and_what_one_more_operation_costs(work):
    result = calibrate(LatencySpec(seconds=2, models=0, seed=3, streaming_links=(1, 4)))
    calibration = latency_model.load(Path(result.path)).calibration
    kept = calibration.streaming
    assert set(kept) == {"fp32", "int8"}
    for precision in ("fp32", "int8"):  # 1 MiB of weights per link, in either precision
        assert [round(mb, 2) for mb, _ in kept[precision]] == [1.05, 4.19]
        assert all(abs(per_mb) < 1.0 for _, per_mb in kept[precision])  # ms per MB: far below a ms
    # what one more operation costs, in µs: tens of nanoseconds on a quiet machine, 0 when noise hid it
    assert set(calibration.operation_us) == {"fp32", "int8"}
    assert all(0 <= us < 1 for us in calibration.operation_us.values()), calibration.operation_us


def calibrate(spec: LatencySpec):
    events = []
    latency_calibration.run(spec, events.append, threading.Event())
    assert isinstance(events[-1], Finished), events[-1]
    return events[-1].result


def test_a_reference_timed_between_the_kernels_says_how_far_the_machines_speed_moved(monkeypatch):
    reference = kernel_models.model(latency_calibration.REFERENCE, False)
    steps = iter([100.0, 100.0, 250.0] * 100)  # µs: the machine at 2.5x its speed a third of the time
    timings: list[str] = []

    def fake_time_kernel(tf, content, threads, budget_s=0.0):
        timings.append("reference" if content == reference else "kernel")
        return next(steps) if content == reference else 50.0

    monkeypatch.setattr(latency_calibration, "time_kernel", fake_time_kernel)
    monkeypatch.setattr(latency_calibration, "empty_invoke_us", lambda tf, precision, threads: 1.0)
    monkeypatch.setattr(latency_calibration, "MIN_STEPS", 5)  # the covering kernels alone: 6 reference timings
    spec = LatencySpec(seconds=0, models=0, seed=5)
    samples, invoke_us, timed, spread = latency_calibration.time_kernels(
        None, spec, 1, random.Random(5), lambda event: None, threading.Event()
    )
    assert timed == latency_calibration.COVERING and invoke_us == {"fp32": 1.0, "int8": 1.0}
    assert {micros for rows in samples.values() for _, _, micros in rows} == {49.0}
    every = latency_calibration.REFERENCE_EVERY
    assert timings.count("reference") == -(-timed // every)
    assert timings[: 2 * every + 2] == ["reference"] + ["kernel"] * 2 * every + ["reference"]  # both precisions
    assert spread == pytest.approx(2.5)


def test_a_kernel_the_runtime_will_not_run_is_left_out_not_the_calibration(monkeypatch):
    reference = kernel_models.model(latency_calibration.REFERENCE, False)
    kernels_timed: list[bytes] = []

    def fake_time_kernel(tf, content, threads, budget_s=0.0):
        if content != reference:
            kernels_timed.append(content)
        if len(kernels_timed) == 8:  # the 4th kernel's int8 half, after its float32 half was timed
            raise RuntimeError("failed to create XNNPACK runtime")  # as XNNPACK did for 1.4 G weights
        return 50.0

    monkeypatch.setattr(latency_calibration, "time_kernel", fake_time_kernel)
    monkeypatch.setattr(latency_calibration, "empty_invoke_us", lambda tf, precision, threads: 1.0)
    spec = LatencySpec(seconds=0, models=0, seed=5)
    samples, _, timed, _ = latency_calibration.time_kernels(
        None, spec, 1, random.Random(5), lambda event: None, threading.Event()
    )
    assert timed == latency_calibration.COVERING - 1
    by_precision = {p: sum(len(v) for k, v in samples.items() if k.startswith(p)) for p in ("fp32", "int8")}
    assert by_precision == {"fp32": timed, "int8": timed}  # both precisions of the failed kernel left out


def test_whole_models_are_timed_in_rounds_spread_over_the_kernels_time(monkeypatch):
    clock = {"cpu": 0.0, "kernels": 0}
    rounds_at: list[int] = []

    def fake_time_kernel(tf, content, threads, budget_s=0.0):
        clock["cpu"] += 0.5  # CPU seconds: a kernel timed in one precision takes half a second
        clock["kernels"] += 1
        return 50.0

    def fake_round(tf, probes, threads, runs=0):
        rounds_at.append(clock["kernels"])
        for probe in probes:
            probe.loads.append(0.0)

    monkeypatch.setattr(latency_calibration, "time_kernel", fake_time_kernel)
    monkeypatch.setattr(latency_calibration, "empty_invoke_us", lambda tf, precision, threads: 1.0)
    monkeypatch.setattr(latency_calibration.time, "process_time", lambda: clock["cpu"])
    monkeypatch.setattr(latency_calibration.latency_probes, "time_round", fake_round)
    probe = latency_calibration.latency_probes.Probe(design=None, contents={})
    spec = LatencySpec(seconds=600, models=1, seed=5)  # 600 CPU s: about 600 kernels in two precisions
    _, _, timed, _ = latency_calibration.time_kernels(
        None, spec, 1, random.Random(5), lambda event: None, threading.Event(), [probe]
    )
    assert len(rounds_at) == latency_calibration.latency_probes.ROUNDS == len(probe.loads)
    # the first before any kernel, then one each fifth of the time allowed, give or take a group of kernels
    fifth = 2 * timed / latency_calibration.latency_probes.ROUNDS  # kernel timings (both precisions + references)
    group = 2 * latency_calibration.REFERENCE_EVERY + 1
    for index, at in enumerate(rounds_at):
        assert abs(at - index * fifth) <= 1.1 * group + index, (rounds_at, fifth)


def test_a_whole_models_measurement_is_the_median_of_its_rounds():
    from lightdesign.jobs.latency_probes import Probe, measurements

    design = presets.build("seed_cnn")
    probe = Probe(design=design, contents={})
    probe.timings = {"fp32": [(1.0, 0.9), (9.0, 8.0), (2.0, 1.8)], "int8": [(0.5, 0.4), (0.6, 0.5), (4.0, 3.9)]}
    probe.loads = [0.2, 1.5, 0.7]
    machine = latency_model.this_machine(1)
    (kept,) = measurements([probe, Probe(design=design, contents={})], machine)  # one never timed: not kept
    assert (kept.fp32_ms, kept.fp32_cpu_ms, kept.int8_ms, kept.int8_cpu_ms) == (2.0, 1.8, 0.6, 0.5)
    assert kept.load == 0.7 and kept.machine == machine.key and kept.source == "calibration"  # one busy round
    assert kept.design == design.to_dict()


def fake_whole_models(monkeypatch, rounds_in_kernels: int, on_round=lambda: None):
    """A calibration whose kernels time ``rounds_in_kernels`` rounds of one whole model (2 ms,
    then 2.1, 2.2 ... ms in float32), with nothing else timed; the rounds it times are kept."""
    design = presets.build("seed_cnn")
    timed: list[int] = []

    def fake_round(tf, probes, threads, runs=0):
        timed.append(len(timed))
        for probe in probes:
            for precision in ("fp32", "int8"):
                ms = 2.0 + 0.1 * len(probe.loads)
                probe.timings.setdefault(precision, []).append((ms, ms))
            probe.loads.append(0.0)
        on_round()

    def fake_kernels(tf, spec, threads, rng, emit, stop_flag, probes=()):
        for _ in range(rounds_in_kernels):
            latency_probes.time_round(tf, probes, threads)
        return {}, {"fp32": 1.0, "int8": 1.0}, 0, 1.0

    monkeypatch.setattr(
        latency_probes, "convert", lambda tf, rng, count, emit, stop: [latency_probes.Probe(design, {})]
    )
    monkeypatch.setattr(latency_probes, "time_round", fake_round)
    monkeypatch.setattr(latency_calibration, "time_kernels", fake_kernels)
    monkeypatch.setattr(latency_calibration, "time_streaming", lambda *args: {})
    monkeypatch.setattr(latency_calibration, "time_operation_overhead", lambda *args: {})
    return timed


def test_the_rounds_the_kernels_time_did_not_reach_are_timed_after_them(work, monkeypatch):
    timed = fake_whole_models(monkeypatch, rounds_in_kernels=2)
    events = []
    latency_calibration.run(LatencySpec(models=1), events.append, threading.Event())
    assert len(timed) == latency_probes.ROUNDS
    rounds = [(e.done, e.total) for e in events if isinstance(e, Progress) and e.stage == Stage.TIMING_MODELS]
    assert rounds == [(2, 5), (3, 5), (4, 5), (5, 5)]  # from where the kernels left it
    (kept,) = events[-1].result.measurements
    assert kept.fp32_ms == pytest.approx(2.2)  # the median of 2.0 ... 2.4


def test_stopping_while_whole_models_are_timed_keeps_the_rounds_timed(work, monkeypatch):
    stop = threading.Event()
    timed = fake_whole_models(monkeypatch, rounds_in_kernels=1, on_round=lambda: len(timed) == 2 and stop.set())
    events = []
    latency_calibration.run(LatencySpec(models=1), events.append, stop)
    assert len(timed) == 2 and isinstance(events[-1], Finished)
    (kept,) = events[-1].result.measurements
    assert kept.fp32_ms == pytest.approx(2.05)  # the median of the two rounds timed
    assert Path(events[-1].result.path).exists()


def test_a_whole_model_that_will_not_build_is_left_out_not_the_calibration(monkeypatch):
    from lightdesign.jobs import train

    def refuse(code):
        raise ValueError("the converter refused it")

    monkeypatch.setattr(train, "build_model", refuse)
    assert latency_probes.convert(None, random.Random(0), 2, lambda event: None, threading.Event()) == []


def test_a_short_calibration_predicts_and_a_kept_measurement_refines_it(work):
    design = scaling.width_and_resolution(presets.build("mobilenet_v2"), 0.35, 96)
    assert analyze(design).latency.fp32_ms is None  # not calibrated yet
    result = calibrate(LatencySpec(seconds=6, models=0, seed=1, streaming_links=SHORT_CHAINS))
    assert result.kernels > 10 and result.path == str(latency_model.path_for(latency_model.this_machine()))
    predicted = analyze(design).latency
    assert predicted.fp32_ms > 0 and predicted.int8_ms > 0 and predicted.note() is None
    assert sum(t["fp32"] for t in predicted.blocks.values()) < predicted.fp32_ms
    kept = Measurement(
        design=design.to_dict(),
        machine=latency_model.this_machine().key,
        threads=1,
        fp32_ms=9.0,
        int8_ms=None,
        fp32_cpu_ms=3 * predicted.fp32_ms,
    )
    elsewhere = Measurement(design=design.to_dict(), machine="another", threads=1, fp32_ms=1e3, int8_ms=1e3)
    refined = calibrate(
        LatencySpec(seconds=6, models=0, seed=1, measurements=(kept, elsewhere), streaming_links=SHORT_CHAINS)
    )
    # one measurement of this machine: the model now says what it measured (by CPU time, one thread)
    assert analyze(design).latency.fp32_ms == pytest.approx(3 * predicted.fp32_ms, rel=0.02)
    assert "int8" not in refined.scale and refined.measurements == ()


def test_a_calibration_times_whole_models_for_their_composition(work, monkeypatch):
    rounds = []
    real_round = latency_probes.time_round
    monkeypatch.setattr(latency_probes, "time_round", lambda *args: rounds.append(real_round(*args)))
    result = calibrate(LatencySpec(seconds=3, models=1, seed=2, streaming_links=SHORT_CHAINS))
    assert len(rounds) == latency_probes.ROUNDS
    assert set(result.scale) == {"fp32", "int8"} and all(0.2 < s < 5 for s in result.scale.values())
    (probe,) = result.measurements
    assert probe.source == "calibration" and probe.fp32_ms > 0 and probe.int8_cpu_ms > 0
    assert result.load == probe.load >= 0  # the load it was timed under, for the busy-machine warning


def test_the_export_job_measures_by_the_convention(work):
    from lightdesign.jobs.specs import export_spec, new_work_dir

    design = presets.build("seed_cnn")
    events = []
    export.run(export_spec(design, new_work_dir(), latency_runs=5), events.append, threading.Event())
    result = events[-1].result
    assert result.tflite_runs == 30 and result.latency_runs == 5
    assert set(result.cpu_ms) == {ModelFormat.TFLITE_FLOAT32, ModelFormat.TFLITE_INT8}
    kept = result.measurement(design.to_dict())
    assert kept.machine == latency_model.this_machine().key and kept.fp32_ms > 0 and kept.int8_cpu_ms > 0
