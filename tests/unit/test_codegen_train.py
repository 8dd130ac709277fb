"""The generated training script: embeds the very model source of the model file and
carries user text only as literals (no TensorFlow here; tests/keras/test_train_script.py
runs it, tests/commands/test_generated_code_passes_ruff.py runs ruff on it)."""

import pytest

from lightdesign.core import presets
from lightdesign.core.design import DesignError
from lightdesign.output.codegen import generate
from lightdesign.output.train_script import STRATEGIES, generate_train


def test_the_script_builds_the_model_with_the_model_files_code():
    design = presets.build("mobilenet_v2", alpha=0.35, resolution=96)
    model_source = generate(design)
    script = generate_train(design)
    body = model_source[model_source.index("def build_model") : model_source.index("# Training example")].strip()
    assert body in script
    assert script.count("def build_model") == 1
    for strategy in STRATEGIES:
        assert repr(strategy) in script
    assert "tf.distribute.MultiWorkerMirroredStrategy()" in script and "TF_CONFIG" in script
    assert "BackupAndRestore" in script and "tf.data.Dataset" in script


def test_from_logits_follows_the_last_activation():
    with_softmax = presets.build("seed_cnn")
    assert "FROM_LOGITS = False" in generate_train(with_softmax)
    without = with_softmax.copy()
    without.blocks[-1].params["activation"] = "linear"
    assert "FROM_LOGITS = True" in generate_train(without)


def test_user_text_reaches_the_script_as_literals_only():
    design = presets.build("seed_cnn")
    design.name = 'x"""; import os; os.system("echo hi") #/../../etc'
    script = generate_train(design)
    assert 'import os; os.system("echo hi")' not in script.split("DESIGN_NAME = ")[0]
    assert f"DESIGN_NAME = {design.name!r}" in script
    assert "MODEL_FILE = 'x_import_os_os_system_echo_hi_etc.keras'" in script
    compile(script, "train.py", "exec")


def test_an_invalid_design_is_refused_with_the_reason():
    design = presets.build("seed_cnn")
    design.blocks[0].params["filters"] = 0
    with pytest.raises(DesignError, match="training script"):
        generate_train(design)
