"""Reading a model file takes bounded memory: a 6 MB .keras whose
weights member unpacked to 780 MB (a ratio of 130, under the 200x rule) cost the server
1.5 GB. Only the config and the weights' shapes are read: the member is never unpacked
whole, a stored one is read in place. Measured as the peak resident memory of a child
process (``resource.getrusage``), after a first import has loaded every module."""

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from lightdesign.importers import ModelFileError, import_bytes
from lightdesign.importers.base import MEMORY_BUDGET
from lightdesign.importers.keras.member import open_member

from . import big_keras

ROOT = Path(__file__).resolve().parents[2]
CHILD = """
import json, resource, sys
from pathlib import Path
from lightdesign.importers import import_bytes
import_bytes(Path(sys.argv[1]).read_bytes(), "warm.keras")
data = Path(sys.argv[2]).read_bytes()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
result = import_bytes(data, "big.keras")
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"growth": (after - before) * 1024, "reasons": [u.reason for u in result.unmapped]}))
"""


@pytest.mark.parametrize("compression", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED], ids=["deflated", "stored"])
def test_a_keras_file_is_read_within_the_memory_budget(tmp_path, compression):
    warm = big_keras.write(tmp_path / "warm.keras", member_mb=2, compression=compression)
    big = big_keras.write(tmp_path / "big.keras", member_mb=160, compression=compression)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(warm), str(big)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    values = 160 * 2**20
    # the shapes were read: the kernel in the file is far larger than the layer's
    assert measured["reasons"] == [f"its weights hold {values:,} values where a Dense with these settings holds 36"]
    assert measured["growth"] < MEMORY_BUDGET, f"{measured['growth'] / 2**20:.0f} MB"


def _archive(member: bytes, compression: int) -> tuple[bytes, zipfile.ZipInfo]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        archive.writestr("config.json", "{}")
        archive.writestr("model.weights.h5", member)
    data = buffer.getvalue()
    return data, zipfile.ZipFile(io.BytesIO(data)).getinfo("model.weights.h5")


@pytest.mark.parametrize("compression", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED], ids=["deflated", "stored"])
def test_a_member_read_at_any_offset_gives_its_bytes(compression):
    rng = np.random.default_rng(7)
    member = (rng.integers(0, 4, 5 * 2**20, dtype=np.uint8) * 60).tobytes()  # compresses, not too well
    data, info = _archive(member, compression)
    handle = open_member(data, info)
    for _ in range(300):
        start = int(rng.integers(0, len(member) + 10))
        size = int(rng.integers(0, 200_000))
        handle.seek(start)
        assert handle.read(size) == member[start : start + size]
    handle.seek(-5, io.SEEK_END)
    assert handle.read() == member[-5:] and handle.tell() == len(member)


def test_reads_that_would_unpack_the_member_over_and_over_are_refused(monkeypatch):
    from lightdesign.importers.keras import member as reader

    monkeypatch.setattr(reader, "MAX_EXTRA_INFLATE", 2**20)
    monkeypatch.setattr(reader, "CACHE_BYTES", reader.BLOCK)
    data, info = _archive(bytes(4 * 2**20), zipfile.ZIP_DEFLATED)  # a state saved every MB
    handle = open_member(data, info)
    backwards = range(2**20 - reader.BLOCK, 0, -reader.BLOCK)  # each read inflates again from the start
    handle.seek(0)
    assert handle.read(100) == bytes(100)
    with pytest.raises(ModelFileError, match="would unpack them over and over: refused"):
        for _ in range(10):
            for offset in backwards:
                handle.seek(offset)
                handle.read(1)


def test_a_damaged_deflated_member_is_one_line(tmp_path):

    data = bytearray(big_keras.write(tmp_path / "m.keras", member_mb=2).read_bytes())
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        info = archive.getinfo("model.weights.h5")
    start = info.header_offset + 30 + len(info.filename) + 20
    data[start : start + 4000] = bytes(range(256)) * 15 + bytes(160)  # garbage in the deflate stream
    with pytest.raises(ModelFileError) as caught:
        import_bytes(bytes(data), "m.keras")
    assert str(caught.value) == "the .keras file is not a complete zip archive (truncated or damaged)"
