"""A small .keras file whose weights member unpacks to hundreds of megabytes (an outside
probe's: 6 MB that unpacked to 780 MB, a ratio of 130, under the 200x rule), written without
ever holding the member in memory."""

from __future__ import annotations

import json
import tempfile
import zipfile
from pathlib import Path

import h5py
import numpy as np

BLOCK = 64 * 1024
NOISE = 390  # random bytes at the start of each block: deflate packs the rest ~1000x, the whole ~130x


def config() -> bytes:
    """A Keras 3 Sequential model: an input of 8 values and one Dense layer."""
    layers = [
        {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [None, 8], "name": "in"}},
        {"module": "keras.layers", "class_name": "Dense", "config": {"name": "dense", "units": 4}},
    ]
    return json.dumps(
        {"module": "keras", "class_name": "Sequential", "config": {"name": "big", "layers": layers}}
    ).encode()


def write(path: Path, member_mb: int = 780, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """Write the .keras file: ``model.weights.h5`` holds one dataset of ``member_mb`` MB (the
    Dense layer's kernel, far from the 36 values the layer holds)."""
    rng = np.random.default_rng(25)
    size = member_mb * 2**20 // BLOCK * BLOCK
    with tempfile.TemporaryDirectory() as folder:
        weights = Path(folder) / "model.weights.h5"
        with h5py.File(weights, "w") as f:
            data = f.create_dataset("layers/dense/vars/0", shape=(size,), dtype="u1")
            chunk = np.zeros(64 * BLOCK, np.uint8)
            for start in range(0, size, len(chunk)):
                part = chunk[: min(len(chunk), size - start)]
                part[:] = 0
                for offset in range(0, len(part), BLOCK):
                    part[offset : offset + NOISE] = rng.integers(0, 256, NOISE, dtype=np.uint8)
                data[start : start + len(part)] = part
        with zipfile.ZipFile(path, "w", compression) as archive:
            archive.writestr("metadata.json", '{"keras_version": "3.15.1"}')
            archive.writestr("config.json", config())
            with archive.open("model.weights.h5", "w", force_zip64=True) as out, open(weights, "rb") as src:
                while piece := src.read(2**22):
                    out.write(piece)
    return path
