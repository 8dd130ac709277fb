"""The tensor arena TensorFlow Lite Micro's interpreter (the ``tflite-micro`` package)
allocates for an int8 model, measured in a child process:

    python -m lightdesign.jobs.micro_arena model_int8.tflite

prints one JSON line (a ``MicroArena``: the head, tail and total, or why it could not be
measured). The interpreter's C++ code aborts the whole process on some models (an abort
cannot be caught), so the job never loads it in its own process; a file with a softmax scale
that TFLite Micro is known to abort on is refused by name before it is loaded
(``int8_scales``)."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from lightdesign.importers.base import ModelFileError
from lightdesign.jobs import int8_scales
from lightdesign.jobs.messages import MicroArena

ARENA_BYTES = (64 << 20, 1 << 30)  # arena sizes offered to TFLite Micro, the larger when the first is short
TIMEOUT_S = 300
MODULE = "lightdesign.jobs.micro_arena"  # run as the child process
_ARENA_LINE = re.compile(r"Arena allocation (head|tail|total) (\d+) bytes")


def brief(exc: Exception) -> str:
    """The line of an exception's text that says what went wrong (at most 300 characters)."""
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    useful = [line for line in lines if "error" in line.lower()] or lines
    return (useful[-1] if useful else type(exc).__name__)[:300]


def micro_arena(content: bytes, estimate: int = 0) -> MicroArena:
    """The TFLite Micro arena of the int8 model ``content``, beside the analysis's
    ``estimate`` of its activation part; a ``MicroArena`` with ``error`` when it cannot be
    measured (the process that measures it may crash; this one does not)."""
    with tempfile.TemporaryDirectory() as folder:
        model = Path(folder) / "model.tflite"
        model.write_bytes(content)
        try:
            done = subprocess.run(
                [sys.executable, "-m", MODULE, str(model)],
                capture_output=True,
                timeout=TIMEOUT_S,
            )
        except subprocess.TimeoutExpired:
            return MicroArena(estimate=estimate, error=f"TFLite Micro took longer than {TIMEOUT_S} s")
    if done.returncode != 0:
        how = f"signal {-done.returncode}" if done.returncode < 0 else f"exit status {done.returncode}"
        return MicroArena(estimate=estimate, error=f"TFLite Micro crashed while allocating the model ({how})")
    try:
        arena = MicroArena(**json.loads(done.stdout.decode().strip().splitlines()[-1]))
    except (ValueError, IndexError, TypeError):
        return MicroArena(estimate=estimate, error="TFLite Micro printed no arena report")
    return dataclasses.replace(arena, estimate=estimate)


def refusal(content: bytes) -> str:
    """Why TFLite Micro would abort on ``content`` (a scale its softmax refuses), in one
    line; empty when no such reason is known."""
    try:
        found = int8_scales.problems(content)
    except ModelFileError:
        return ""  # not readable here: the interpreter says what is wrong with it
    if not found:
        return ""
    first = found[0]
    return (
        f"TFLite Micro would abort on this file: the softmax input {first.tensor!r} has the int8 scale "
        f"{first.scale:.3g}, and its int8 softmax needs a scale above {first.smallest:.3g} (the calibration "
        "samples gave that tensor an empty range, as an untrained deep network's outputs do); export the "
        "model again with LightDesign, which widens that scale"
    )


def _captured_stderr(function) -> str:
    """What ``function`` writes to the process's standard error (file descriptor 2, where
    TFLite Micro's C++ code prints), as text."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            function()
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
        capture.seek(0)
        return capture.read().decode("utf-8", "replace")


def measure(content: bytes) -> MicroArena:
    """Allocate the int8 model in TensorFlow Lite Micro's interpreter (in this process) and
    read the arena its RecordingMicroAllocator reports: the head (activation and scratch
    buffers the memory planner placed) and the tail (persistent structures). The
    interpreter plans the arena when it is made; nothing is run (an inference adds nothing
    to the plan)."""
    refused = refusal(content)
    if refused:
        return MicroArena(error=refused)
    try:
        from tflite_micro.python.tflite_micro import runtime
    except ImportError:
        return MicroArena(error="the tflite-micro package is not installed")
    interpreter = None
    problem = ""
    for size in ARENA_BYTES:
        try:
            interpreter = runtime.Interpreter.from_bytes(content, arena_size=size)
            break
        except Exception as exc:  # noqa: BLE001 - C++ errors, flatbuffer parse errors: reported, not raised
            problem = brief(exc)
    if interpreter is None:
        return MicroArena(error=problem or "TFLite Micro could not allocate the model")
    try:
        report = _captured_stderr(interpreter.print_allocations)
    except Exception as exc:  # noqa: BLE001 - likewise: the arena's error, not the export's
        return MicroArena(error=brief(exc))
    figures = {key: int(value) for key, value in _ARENA_LINE.findall(report)}
    if "head" not in figures:
        return MicroArena(error="TFLite Micro printed no arena report")
    return MicroArena(head=figures["head"], tail=figures.get("tail", 0), total=figures.get("total", 0))


if __name__ == "__main__":  # the child process of micro_arena: one model file in, one JSON line out
    print(json.dumps(dataclasses.asdict(measure(Path(sys.argv[1]).read_bytes()))))
