"""The generated train.py runs: one epoch on small data under the default and the mirrored
strategy (two CPU replicas), resumes from its checkpoint, and under multiworker reads its
cluster from TF_CONFIG (one worker on 127.0.0.1)."""

import io
import json
import os
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np

from lightdesign.core import presets
from lightdesign.data import builtin, sources
from lightdesign.output.train_script import generate_train

ROOT = Path(__file__).resolve().parents[2]


def _script(tmp_path, name="seed_cnn", **options):
    path = tmp_path / "train.py"
    path.write_text(generate_train(presets.build(name, **options)), encoding="utf-8")
    return path


def _run(script, *args, env=None, timeout=300):
    result = subprocess.run(
        [sys.executable, str(script), *args],
        cwd=script.parent,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **(env or {})},
    )
    return result


def _summary(result) -> dict:
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_default_strategy_one_epoch_then_resume(tmp_path):
    script = _script(tmp_path)
    first = _summary(_run(script, "--data", "digits", "--epochs", "1", "--max-samples", "400"))
    assert first["strategy"] == "default" and first["replicas"] == 1 and first["epochs_run"] == 1
    assert 0.0 <= first["test_accuracy"] <= 1.0
    assert (tmp_path / "seed_cnn.keras").is_file() and (tmp_path / "checkpoints" / "best.keras").is_file()
    again = _run(script, "--data", "digits", "--epochs", "2", "--max-samples", "400")
    second = _summary(again)
    assert second["resumed_after"] == 1 and second["epochs_run"] == 1, again.stdout
    assert "resuming after epoch 1" in again.stdout


def _image_zip(path, size=12, per_class=24):
    from PIL import Image

    rng = np.random.default_rng(0)
    with zipfile.ZipFile(path, "w") as archive:
        for label, name in enumerate(("dark", "light")):
            for i in range(per_class):
                pixels = rng.uniform(0, 100, (size, size)) + 150 * label
                buffer = io.BytesIO()
                Image.fromarray(pixels.astype(np.uint8)).save(buffer, format="PNG")
                archive.writestr(f"images/{name}/{i}.png", buffer.getvalue())


def test_mirrored_strategy_on_two_cpu_replicas_reads_an_image_folder(tmp_path):
    script = _script(tmp_path)
    _image_zip(tmp_path / "images.zip")
    summary = _summary(
        _run(script, "--data", "images.zip", "--epochs", "1", "--strategy", "mirrored", "--cpu-replicas", "2")
    )
    assert summary["strategy"] == "mirrored" and summary["replicas"] == 2 and summary["epochs_run"] == 1
    assert (tmp_path / "seed_cnn.keras").is_file()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_multiworker_reads_the_cluster_from_tf_config(tmp_path):
    script = _script(tmp_path)
    data = builtin.digits(8).capped(300)
    (tmp_path / "digits.npz").write_bytes(data.to_npz())
    refused = _run(script, "--data", "digits.npz", "--strategy", "multiworker", env={"TF_CONFIG": ""})
    assert refused.returncode != 0 and "needs the TF_CONFIG environment variable" in refused.stderr
    config = {"cluster": {"worker": [f"127.0.0.1:{_free_port()}"]}, "task": {"type": "worker", "index": 0}}
    summary = _summary(
        _run(
            script,
            *("--data", "digits.npz", "--epochs", "1", "--strategy", "multiworker", "--output", "out.keras"),
            env={"TF_CONFIG": json.dumps(config)},
        )
    )
    assert summary["strategy"] == "multiworker" and summary["model"] == "out.keras"
    assert (tmp_path / "out.keras").is_file()


def test_sequence_data_from_an_npz(tmp_path):
    script = _script(tmp_path, "wave_cnn")
    data = sources.load_builtin("waves").capped(200)
    (tmp_path / "waves.npz").write_bytes(data.to_npz())
    summary = _summary(_run(script, "--data", "waves.npz", "--epochs", "1", "--validation-split", "0"))
    assert summary["epochs_run"] == 1 and summary["replicas"] == 1


def test_a_builtin_dataset_by_name_when_lightdesign_is_importable(tmp_path):
    script = _script(tmp_path, "wave_cnn")
    result = _run(
        script,
        *("--data", "waves", "--epochs", "1", "--max-samples", "200", "--validation-split", "0"),
        env={"PYTHONPATH": str(ROOT)},
    )
    assert _summary(result)["epochs_run"] == 1
