"""The int8 deployment against what TensorFlow and TFLite Micro really make of it: for every
preset, the converted file's operators are the predicted ones, its size is the flatbuffer
estimate's and the persistent arena is what the model of it says; the microcontroller
bundle written by ``lightdesign export`` runs its test input to its expected output."""

import io
import json
import re
import zipfile

import numpy as np
import pytest

from lightdesign.analysis import fit
from lightdesign.analysis.network import analyze
from lightdesign.cli import main
from lightdesign.core import presets
from lightdesign.jobs import export, mcu
from lightdesign.output.mcu_bundle import resolver_method

from .test_deployment_memory import CONFIGS, int8_model

pytest.importorskip("tflite_micro", reason="needs the tflite-micro package (requirements.txt)")

FLATBUFFER_TOLERANCE = 0.05
PERSISTENT_TOLERANCE = 0.03
PERSISTENT_SLACK = 512  # bytes: small models' tails are a few kB
CONVERTED = [name for name in CONFIGS if name != "text_rnn"]  # the LSTM has no int8 conversion


def _tail(content: bytes) -> int:
    arena = export.micro_arena(content)
    assert not arena.error, arena.error
    return arena.tail


@pytest.mark.parametrize("name", CONVERTED)
def test_the_converted_file_agrees_with_the_prediction(name):
    design = presets.build(name, **CONFIGS[name])
    result = analyze(design)
    content = int8_model(design)
    assert set(mcu.file_operators(content)) == set(fit.operators(result))
    assert fit.flatbuffer_bytes(result) == pytest.approx(len(content), rel=FLATBUFFER_TOLERANCE)
    # the persistent part's model, with the sizes of this 64-bit computer, against the interpreter here
    tail = _tail(content)
    assert fit.persistent_bytes(result, fit.HOST_64) == pytest.approx(
        tail, rel=PERSISTENT_TOLERANCE, abs=PERSISTENT_SLACK
    )


def _bundle(tmp_path, *args) -> tuple[zipfile.ZipFile, str]:
    out = tmp_path / "bundle.zip"
    assert main(["export", *args, "--format", "mcu-bundle", "-o", str(out)]) == 0
    archive = zipfile.ZipFile(io.BytesIO(out.read_bytes()))
    folder = archive.namelist()[0].split("/")[0]
    return archive, folder


def _c_array(source: str) -> bytes:
    body = source[source.index("{") + 1 : source.index("};")]
    return bytes(int(token, 16) for token in re.findall(r"0x([0-9a-f]{2})", body))


@pytest.mark.parametrize(("name", "options"), [("seed_cnn", {}), ("wave_cnn", {"resolution": 64, "classes": 4})])
def test_the_bundle_runs_its_test_input_to_its_expected_output(tmp_path, capsys, name, options):
    args = ["--preset", name, *(f"--{k}={v}" for k, v in options.items())]
    archive, folder = _bundle(tmp_path, *args)
    assert "wrote" in capsys.readouterr().out
    content = archive.read(f"{folder}/model.tflite")
    # the C array is exactly the .tflite file
    assert _c_array(archive.read(f"{folder}/model_data.cc").decode()) == content
    # the resolver registers exactly the file's operator codes
    methods = re.findall(r"resolver\.(Add\w+)\(\)", archive.read(f"{folder}/model_ops.h").decode())
    assert methods == [resolver_method(op) for op in mcu.file_operators(content)]
    assert set(mcu.file_operators(content)) == set(fit.operators(analyze(presets.build(name, **options))))
    facts = json.loads(archive.read(f"{folder}/bundle.json"))
    # the arena constant is at least what the tflite-micro interpreter measures
    measured = export.micro_arena(content)
    assert facts["arena"] >= measured.total > 0
    assert f"kTensorArenaSize = {facts['arena']};" in archive.read(f"{folder}/model_settings.h").decode()
    # the bundled test input through the tflite-micro interpreter gives the bundled output
    info_in, info_out = mcu.tensors(content)
    value = np.array(facts["test_input"], dtype=np.int32 if info_in.dtype == "int32" else np.int8)
    output = mcu.micro_output(content, value.reshape(info_in.shape))
    assert output.ravel().tolist() == facts["expected_output"]
    assert len(facts["expected_output"]) == int(np.prod(info_out.shape))


@pytest.mark.parametrize("fmt", ["keras", "tflite", "tflite-int8"])
def test_export_writes_each_model_format(tmp_path, capsys, fmt):
    out = tmp_path / f"model.{'keras' if fmt == 'keras' else 'tflite'}"
    assert main(["export", "--preset", "seed_cnn", "--format", fmt, "-o", str(out)]) == 0
    data = out.read_bytes()
    assert f"wrote {out}: {len(data):,} bytes" in capsys.readouterr().out
    if fmt == "keras":
        assert data[:2] == b"PK"  # a .keras file is a zip
    else:
        assert data[4:8] == b"TFL3"
        assert set(mcu.file_operators(data)) >= {"CONV_2D", "FULLY_CONNECTED"}


def test_the_export_job_records_the_files_operators_and_writes_the_bundle():
    from lightdesign.analysis import support
    from lightdesign.jobs.messages import ModelFormat

    from .test_export import run_export

    design = presets.build("seed_cnn")
    result = run_export(design)
    assert support.check_converted(analyze(design), result.operators).agrees
    assert result.bundle is not None and not result.bundle.error, result.bundle
    archive = zipfile.ZipFile(result.bundle.path)
    int8 = open(result.files[ModelFormat.TFLITE_INT8].path, "rb").read()
    assert archive.read("seed_cnn_mcu/model.tflite") == int8
    facts = json.loads(archive.read("seed_cnn_mcu/bundle.json"))
    assert facts["arena_measured"] == result.arena.total and facts["class_names"][0] == "class 0"


def test_tflite_micro_refuses_the_int32_select_of_an_embedding_as_predicted(tmp_path, capsys):
    design = presets.build("text_cnn", resolution=40, classes=4)
    content = int8_model(design)
    info_in, _ = mcu.tensors(content)
    assert info_in.dtype == "int32" and "SELECT_V2" in mcu.file_operators(content)
    with pytest.raises(Exception, match="(?i)invocation failed"):
        mcu.micro_output(content, np.zeros(info_in.shape, dtype=np.int32))
    assert not fit.footprint(analyze(design)).supported
    assert main(["export", "--preset", "text_cnn", "--format", "mcu-bundle", "-o", str(tmp_path / "b.zip")]) == 1
    assert "no kernel for SELECT_V2 (int32)" in capsys.readouterr().err
