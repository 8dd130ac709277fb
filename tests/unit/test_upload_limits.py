"""Hostile uploads and datasets, round two: small files that
declare or decode to a lot of memory are refused before anything is allocated; every
damaged file gets its own message; datasets live on disk, mapped, and the dataset cache
is bounded by bytes."""

import io
import struct
import tracemalloc
import zipfile
import zlib

import numpy as np
import pytest

from lightdesign.data import builtin, cache, free_space, limits, uploads
from lightdesign.data.dataset import Dataset
from lightdesign.data.uploads import UploadError, load_image_zip, load_npz


def png(color="red", size=(1, 1)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def rejected(load, data: bytes, **options) -> str:
    with pytest.raises(UploadError) as caught:
        load(data, **options)
    return str(caught.value)


def peak_megabytes(call) -> float:
    """The most memory Python and NumPy allocated while ``call`` ran."""
    tracemalloc.start()
    try:
        call()
    except UploadError:
        pass
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def test_two_thousand_tiny_pngs_resized_to_256_rgb_are_refused_before_decoding():
    """A 324 KB zip of 2,000 1x1 PNGs at 256x256 RGB took 1.5 GB and kept it."""
    one = png()
    data = zipped({f"{'ab'[i % 2]}/{i}.png": one for i in range(2000)})
    assert len(data) < 400_000
    message = rejected(load_image_zip, data, size=256, channels=3)
    assert message == (
        "2,000 images at 256x256x3 would take 1.46 GB in memory (2,000 samples of 256×256×3 at 4 bytes "
        "per value); datasets are limited to 256.0 MB (LIGHTDESIGN_MAX_DATASET_MB changes the limit)"
    )
    assert peak_megabytes(lambda: load_image_zip(data, size=256, channels=3)) < 50


def savez_compressed(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def test_a_small_compressed_npz_of_zeros_is_refused_by_its_unpacked_size():
    """A 274 KB savez_compressed of zeros added 1.03 GB (uint8 -> float32, x4)."""
    data = savez_compressed(x_train=np.zeros((4096, 256, 256), np.uint8), y_train=np.arange(4096) % 2)
    assert len(data) < 400_000
    message = rejected(load_npz, data)
    assert message == (
        "x_train would take 1.00 GB in memory (4,096 samples of 256×256 at 4 bytes per value); "
        "datasets are limited to 256.0 MB (LIGHTDESIGN_MAX_DATASET_MB changes the limit)"
    )
    assert peak_megabytes(lambda: load_npz(data)) < 50


def test_generated_shapes_are_checked_before_they_are_made():
    """Generated shapes (RGB 128, 5,000 images) held 4.5 GB server-wide."""
    with pytest.raises(limits.DatasetTooLarge) as caught:
        builtin.shapes(count=5000, size=128, channels=3)
    assert str(caught.value).startswith("the generated shapes would take 937.5 MB in memory")


def npy_header(shape, dtype="|u1") -> bytes:
    header = repr({"descr": dtype, "fortran_order": False, "shape": shape}).encode()
    header += b" " * (63 - (len(header) + 10) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header


def npz_members(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def test_an_npz_header_declaring_a_trillion_elements():
    """A header declaring 10^12 elements raised an uncaught MemoryError."""
    data = npz_members({"x_train.npy": npy_header((10**12,)) + b"\0" * 64, "y_train.npy": npy(np.arange(4) % 2)})
    assert rejected(load_npz, data) == (
        "x_train is cut short: its header declares 1,000,000,000,000 values (931.3 GB) "
        "but the archive holds 64 B of data for it"
    )


def test_a_truncated_array_is_not_called_pickled_data():
    """A truncated array was reported as "pickled data"."""
    x = npy(np.zeros((20, 8, 8), np.uint8))
    data = npz_members({"x_train.npy": x[:-100], "y_train.npy": npy(np.arange(20) % 2)})
    message = rejected(load_npz, data)
    assert message == (
        "x_train is cut short: its header declares 1,280 values (1.25 KB) but the archive holds 1.15 KB of data for it"
    )
    assert "pickled" not in message


def test_object_arrays_still_say_pickled_data():
    data = npz_members({"x_train.npy": npy_header((20,), "|O") + b"\0" * 200, "y_train.npy": npy(np.arange(20) % 2)})
    assert rejected(load_npz, data) == (
        "x_train holds Python objects (pickled data), which are never loaded; save plain numeric arrays"
    )


def test_a_damaged_npy_header_has_its_own_message():
    data = npz_members({"x_train.npy": b"\x93NUMPY\x01\x00\xff\x00{garbage", "y_train.npy": npy(np.arange(20) % 2)})
    assert rejected(load_npz, data).startswith("x_train is not a readable NumPy array (")


def test_a_fuzzed_png_is_a_message_not_a_syntax_error():
    """A fuzzed PNG raised an uncaught SyntaxError (Pillow's 'broken PNG file')."""
    good = png(size=(4, 4))
    broken = bytearray(good)
    for position, value in ((63, 10), (36, 9), (58, 74)):
        broken[position] = value
    data = zipped({"cats/1.png": bytes(broken), "dogs/1.png": good})
    assert rejected(load_image_zip, data) == "'cats/1.png' is a damaged image (SyntaxError); save it again"


def gray_png(width: int, height: int) -> bytes:
    """A real gray PNG of zeros, compressed: small on disk, width x height when decoded."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = zlib.compressobj(9)
    row = b"\0" * (width + 1)
    packed = b"".join(rows.compress(row) for _ in range(height)) + rows.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", packed) + chunk(b"IEND", b"")


def test_a_13000_pixel_square_png_is_refused_from_its_header():
    """13000x13000 PNGs slipped under Pillow's bomb check (it only warns below
    twice its limit) at ~500 MB each."""
    data = zipped({"cats/big.png": gray_png(13000, 13000), "dogs/1.png": png()})
    assert len(data) < 2_000_000
    message = rejected(load_image_zip, data)
    assert message == "'cats/big.png' is 13,000×13,000 pixels; images may have at most 16,777,216 pixels (4096×4096)"
    assert peak_megabytes(lambda: load_image_zip(data)) < 50


def test_pillows_bomb_warning_is_an_error(monkeypatch):
    from PIL import Image

    monkeypatch.setattr(uploads, "MAX_IMAGE_PIXELS", 10**9)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # warns from 1,000 pixels, fails from 2,000
    data = zipped({"cats/1.png": png(size=(40, 40)), "dogs/1.png": png()})
    assert rejected(load_image_zip, data) == "'cats/1.png' declares too many pixels (a decompression bomb)"


def test_an_encrypted_member_is_a_message():
    data = bytearray(zipped({"cats/1.png": png(), "dogs/1.png": png()}))
    # Set the "encrypted" flag of the first member in its local and central headers.
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = bytes(data).index(signature)
        data[at + offset] |= 1
    assert rejected(load_image_zip, bytes(data)).startswith("'cats/1.png' cannot be read from the archive (")


def test_datasets_live_on_disk_mapped_and_are_written_once(tmp_path):
    data = builtin.shapes(count=300, size=16, channels=3)
    first = cache.save(data, tmp_path)
    assert cache.save(data, tmp_path) == first, "the same content is written once"
    assert [p.name for p in tmp_path.iterdir()] == [first.name]
    mapped = cache.open_file(first)
    assert isinstance(mapped.x_train, np.memmap) and isinstance(mapped.x_test, np.memmap)
    assert np.array_equal(mapped.x_train, data.x_train) and mapped.class_names == data.class_names
    assert Dataset.from_npz(str(first)).x_train.shape == data.x_train.shape, "workers read the same file"


def test_a_failed_write_leaves_no_partial_file(tmp_path, monkeypatch):
    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np.lib.format, "write_array", full_disk)
    with pytest.raises(OSError):
        cache.save(builtin.shapes(count=100, size=8), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_no_write_without_free_disk(tmp_path, monkeypatch):
    import shutil

    monkeypatch.setattr(shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(10**9, 10**9 - 2**20, 2**20))
    with pytest.raises(free_space.DiskFull) as caught:
        cache.save(builtin.shapes(count=100, size=8), tmp_path)
    assert str(caught.value).startswith("not enough free disk for the dataset 'shapes 8x8x1': it needs ")
    assert list(tmp_path.iterdir()) == []


def test_the_dataset_cache_is_bounded_by_bytes_oldest_first(tmp_path):
    import os

    for i in range(5):
        path = tmp_path / f"{i}.npz"
        path.write_bytes(b"\0" * 1000)
        os.utime(path, (1000 + i, 1000 + i))
    removed = cache.trim_cache(tmp_path, budget=2500)
    assert [p.name for p in removed] == ["0.npz", "1.npz", "2.npz"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["3.npz", "4.npz"]
