"""``python -m lightdesign``: commands, outputs and exit codes."""

import json

import pytest

from lightdesign.cli.commands import main
from lightdesign.core import presets


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_presets_lists_every_preset(capsys):
    code, out, _ = run(capsys, "presets")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == list(presets.PRESETS)


def test_analyze_json_has_the_documented_keys(capsys):
    code, out, _ = run(capsys, "analyze", "--preset", "mobilenet_v2", "--json")
    data = json.loads(out)
    assert code == 0
    for key in (
        "params",
        "trainable_params",
        "non_trainable_params",
        "macs",
        "flops",
        "weights_fp32_bytes",
        "weights_fp16_bytes",
        "weights_int8_bytes",
        "peak_activation_bytes",
        "peak_activation_bytes_int8",
        "training_bytes",
        "training",
        "output_shape",
        "blocks",
        "layers",
        "errors",
        "warnings",
    ):
        assert key in data
    assert data["params"] == 3_538_984 and data["output_shape"] == [1000]
    assert data["weights_fp32_bytes"] == 4 * 3_538_984


def test_analyze_table(capsys):
    code, out, _ = run(capsys, "analyze", "--preset", "seed_cnn")
    assert code == 0
    assert "params      225,034 (trainable 225,034, non-trainable 0)" in out
    assert "  3  conv2" in out


def test_preset_options(capsys):
    code, out, _ = run(
        capsys,
        "analyze",
        "--preset",
        "shufflenet_v1",
        "--groups",
        "8",
        "--alpha",
        "0.5",
        "--classes",
        "10",
        "--resolution",
        "160",
        "--json",
    )
    data = json.loads(out)
    assert code == 0 and data["output_shape"] == [10] and data["input_shape"] == [160, 160, 3]


def test_file_round_trip_codegen_and_render(capsys, tmp_path):
    path = tmp_path / "seed.json"
    assert run(capsys, "save", "--preset", "seed_cnn", "-o", str(path))[0] == 0
    code, out, _ = run(capsys, "analyze", str(path), "--json")
    assert code == 0 and json.loads(out)["params"] == 225_034
    out_py = tmp_path / "seed.py"
    assert run(capsys, "codegen", str(path), "-o", str(out_py))[0] == 0
    compile(out_py.read_text(), str(out_py), "exec")
    code, out, _ = run(capsys, "render", str(path), "--format", "mermaid")
    assert code == 0 and out.startswith("graph TD")
    code, out, _ = run(capsys, "render", "--preset", "mobilenet_v2", "--expand")
    assert code == 0 and "cluster_block_5" in out


def test_invalid_design_exits_1_with_one_line(capsys, tmp_path):
    design = json.loads(presets.build("seed_cnn").to_json())
    design["input_shape"] = [4, 4, 1]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(design))
    for command in ("analyze", "codegen"):
        code, out, err = run(capsys, command, str(path))
        assert code == 1
        assert err.count("\n") == 1
        assert err.startswith("error: invalid design: Block 3 'conv2' (Conv2D): Conv2D: kernel_size=3 is larger")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["analyze", "missing.json"], "error: cannot read missing.json: No such file or directory"),
        (["analyze", "--preset", "nope"], "error: unknown preset 'nope'"),
        (["analyze"], "error: give a design JSON file or --preset NAME"),
        (["analyze", "x.json", "--preset", "seed_cnn"], "error: give either a design file or --preset, not both"),
        (["analyze", "--preset", "seed_cnn", "--alpha", "0.5"], "error: seed_cnn has no width multiplier (alpha)"),
    ],
)
def test_bad_arguments_exit_1(capsys, argv, message):
    code, _, err = run(capsys, *argv)
    assert code == 1 and err.startswith(message)
