"""The command line against hostile paths: a FIFO, /dev/zero and /dev/urandom are refused
without hanging or reading without limit; writing to a folder, a missing folder or a full
device is one line, never a traceback; a limit below 1 says so."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def cli(*argv, timeout=30):
    """The command as a person runs it: its exit status and its stderr (no hang: a timeout fails)."""
    done = subprocess.run(
        [sys.executable, "-m", "lightdesign", *argv], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout, done.stderr.strip()


def test_a_fifo_is_refused_without_hanging(tmp_path):
    fifo = tmp_path / "design.json"
    os.mkfifo(fifo)
    code, _, err = cli("analyze", str(fifo), timeout=20)
    assert code == 1
    assert err == f"error: cannot read {fifo}: not a regular file (a folder, pipe or device); give a file"


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_devices_are_refused_without_reading_them(device):
    code, _, err = cli("analyze", device)
    assert code == 1
    assert err == f"error: cannot read {device}: not a regular file (a folder, pipe or device); give a file"


def test_a_folder_or_missing_file_to_read(tmp_path):
    assert cli("analyze", str(tmp_path))[2].endswith("not a regular file (a folder, pipe or device); give a file")
    assert cli("analyze", str(tmp_path / "nope.json"))[2] == (
        f"error: cannot read {tmp_path / 'nope.json'}: No such file or directory"
    )


def test_output_to_a_folder(tmp_path):
    code, _, err = cli("save", "--preset", "seed_cnn", "-o", str(tmp_path))
    assert code == 1 and err == f"error: cannot write {tmp_path}: it is a folder; give a file name"


def test_output_into_a_missing_folder(tmp_path):
    target = tmp_path / "missing" / "design.json"
    code, _, err = cli("codegen", "--preset", "seed_cnn", "-o", str(target))
    assert code == 1 and err == f"error: cannot write {target}: No such file or directory"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="/dev/full is Linux only")
def test_output_to_a_full_device():
    code, _, err = cli("render", "--preset", "mobilenet_v2", "-o", "/dev/full")
    assert code == 1 and err == "error: cannot write /dev/full: No space left on device"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="/dev/full is Linux only")
def test_standard_output_to_a_full_device():
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "lightdesign", "save", "--preset", "seed_cnn"],
            cwd=ROOT,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=30,
        )
    assert done.returncode == 1
    assert done.stderr.strip() == "error: cannot write to standard output: No space left on device"


def test_a_failed_write_leaves_no_partial_file(tmp_path, monkeypatch, capsys):
    from lightdesign.cli import common, main

    target = tmp_path / "design.json"
    target.write_text("the old design")

    def disk_full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(common.os, "replace", disk_full)
    assert main(["save", "--preset", "seed_cnn", "-o", str(target)]) == 1
    assert capsys.readouterr().err.strip() == f"error: cannot write {target}: No space left on device"
    assert target.read_text() == "the old design" and [p.name for p in tmp_path.iterdir()] == ["design.json"]


def test_a_limit_below_one_says_so():
    code, _, err = cli("check", "--preset", "seed_cnn", "--max-macs", "0.5")
    assert code == 2
    assert err.endswith("argument --max-macs: '0.5' is less than 1; a limit must be at least 1 (e.g. 300M)")
