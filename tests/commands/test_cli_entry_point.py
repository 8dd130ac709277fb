"""``python -m lightdesign`` as a person runs it: a command's output and exit codes."""

import json
import subprocess
import sys


def test_module_entry_point():
    done = subprocess.run(
        [sys.executable, "-m", "lightdesign", "analyze", "--preset", "seed_cnn", "--json"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and json.loads(done.stdout)["macs"] == 2_631_040
    done = subprocess.run([sys.executable, "-m", "lightdesign", "frobnicate"], capture_output=True, text=True)
    assert done.returncode == 2 and "invalid choice" in done.stderr
