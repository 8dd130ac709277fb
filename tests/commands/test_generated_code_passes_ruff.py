"""The generated model file and training script of every preset compile and pass ruff."""

import subprocess
import sys

import pytest

from lightdesign.core import presets
from lightdesign.output.codegen import generate
from lightdesign.output.train_script import generate_train


@pytest.mark.parametrize("name", list(presets.PRESETS))
def test_every_preset_compiles_and_passes_ruff(name, tmp_path):
    source = generate(presets.build(name))
    path = tmp_path / f"{name}.py"
    path.write_text(source)
    compile(source, str(path), "exec")
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--isolated", str(path)], capture_output=True, text=True
    )
    assert ruff.returncode == 0, ruff.stdout


@pytest.mark.parametrize("name", sorted(presets.PRESETS))
def test_every_preset_script_passes_ruff(name, tmp_path):
    path = tmp_path / "train.py"
    path.write_text(generate_train(presets.build(name)), encoding="utf-8")
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--isolated", str(path)], capture_output=True, text=True
    )
    assert ruff.returncode == 0, ruff.stdout
    compile(path.read_text(encoding="utf-8"), str(path), "exec")
