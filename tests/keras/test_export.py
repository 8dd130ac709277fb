"""Exported artefacts: the downloaded .py runs, .keras reloads safely, int8 sizes match."""

import subprocess
import sys
import threading

import numpy as np
import pytest

from lightdesign.analysis import support
from lightdesign.analysis.network import analyze
from lightdesign.core import presets
from lightdesign.jobs import export
from lightdesign.jobs.messages import ExportResult, Finished, ModelFormat
from lightdesign.jobs.specs import export_spec, new_work_dir
from lightdesign.output.codegen import generate

from .harness import build


@pytest.mark.parametrize(("name", "options"), [("seed_cnn", {}), ("shufflenet_v2", {"alpha": 0.5}), ("text_rnn", {})])
def test_downloaded_code_runs_and_prints_the_same_param_count(name, options, tmp_path):
    design = presets.build(name, **options)
    path = tmp_path / f"{name}.py"
    path.write_text(generate(design))
    done = subprocess.run(
        [sys.executable, str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "3", "HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"Total params: {analyze(design).params:,}" in done.stdout


def run_export(design, run=None) -> ExportResult:
    events = []
    spec = export_spec(design, new_work_dir(), run, latency_runs=5)
    export.run(spec, events.append, threading.Event())
    assert isinstance(events[-1], Finished), events[-1]
    assert ExportResult.from_dict(events[-1].result.to_dict()) == events[-1].result  # survives the process boundary
    return events[-1].result


@pytest.mark.parametrize("name", ["seed_cnn", "shufflenet_v2"])
def test_keras_file_reloads_in_safe_mode_and_predicts_the_same(keras, name):
    design = presets.build(name, **({"alpha": 0.5, "resolution": 96} if name == "shufflenet_v2" else {}))
    model = build(design)
    path = new_work_dir() / "model.keras"
    model.save(path)
    again = keras.models.load_model(path, safe_mode=True)
    x = np.random.default_rng(0).uniform(0, 1, (2, *design.input_shape)).astype(np.float32)
    assert np.allclose(model.predict(x, verbose=0), again.predict(x, verbose=0), atol=1e-6)


@pytest.mark.parametrize("name", ["seed_cnn", "mobilenet_v2"])
def test_int8_tflite_size_is_within_10_percent_of_the_estimate(name):
    design = presets.build(name)
    result = run_export(design)
    estimate = analyze(design).weight_bytes["int8"]
    actual = result.files[ModelFormat.TFLITE_INT8].bytes
    assert actual == pytest.approx(estimate, rel=0.10)
    float32 = result.files[ModelFormat.TFLITE_FLOAT32].bytes
    assert float32 == pytest.approx(analyze(design).weight_bytes["fp32"], rel=0.10)
    assert result.latency_ms[ModelFormat.KERAS] > 0 and result.latency_ms[ModelFormat.TFLITE_INT8] > 0
    assert "generated uniform-noise images" in result.calibration


def test_recurrent_models_are_flagged_before_export_and_fail_int8_in_the_converter():
    design = presets.build("text_rnn", resolution=20)
    findings = support.check(analyze(design))
    assert [(f.layer, f.builtin_ok, f.int8_ok) for f in findings] == [("lstm", False, False)]
    result = run_export(design)
    assert result.files[ModelFormat.TFLITE_INT8].error
    assert result.files[ModelFormat.TFLITE_FLOAT32].note == "uses TensorFlow Select ops (needs the Flex delegate)"
    assert support.check(analyze(presets.build("shufflenet_v2"))) == []


def test_the_export_measures_the_tflite_micro_arena_beside_the_estimate():
    pytest.importorskip("tflite_micro", reason="needs the tflite-micro package (requirements.txt)")
    design = presets.build("seed_cnn")
    result = run_export(design)
    arena = result.arena
    assert arena is not None and not arena.error, arena
    # conv1's 26*26*32 int8 output and pool1's 13*13*32: what the analysis predicts
    assert arena.estimate == analyze(design).peak_activation_bytes_int8 == 27_040
    assert arena.head == 27_040 and arena.ratio == 1.0
    assert arena.total == arena.head + arena.tail > arena.head


def test_the_arena_of_a_model_tflite_micro_cannot_read_is_an_error_not_a_crash():
    arena = export.micro_arena(b"not a flatbuffer" * 64, estimate=1000)
    assert arena.error and arena.head == 0 and arena.estimate == 1000
