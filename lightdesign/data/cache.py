"""The dataset files on disk: every dataset the app makes or accepts is kept on disk, not in
memory. ``save`` writes it once under a name made from its content
(``<work folder>/datasets/<sha256>.npz``, uncompressed) and ``open_file`` maps it back
(``numpy.memmap``), so sessions and the server hold only the pages they read. The folder is
a cache bounded by ``MAX_CACHE_BYTES``, least recently used first out; a job reads a hard
link to its file, which outlives the trimming."""

from __future__ import annotations

import hashlib
import os
import struct
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from lightdesign import config
from lightdesign.data.dataset import Dataset
from lightdesign.data.free_space import check_free
from lightdesign.data.limits import MAX_CACHE_BYTES

_ARRAYS = ("x_train", "y_train", "x_test", "y_test")


def cache_dir() -> Path:
    """The cache's folder, ``<work folder>/datasets``."""
    return config.work_dir() / "datasets"


def _digest(dataset: Dataset) -> str:
    digest = hashlib.sha256()
    digest.update(dataset.name.encode("utf-8", "replace"))
    digest.update("\0".join(dataset.class_names).encode("utf-8", "replace"))
    for key in _ARRAYS:
        array = np.ascontiguousarray(getattr(dataset, key))
        digest.update(f"{key}{array.dtype.str}{array.shape}".encode())
        flat = array.reshape(-1).view(np.uint8) if array.size else np.zeros(0, np.uint8)
        for start in range(0, len(flat), 16 * 2**20):
            digest.update(flat[start : start + 16 * 2**20])
    return digest.hexdigest()[:32]


def nbytes(dataset: Dataset) -> int:
    """Bytes of the dataset's four arrays."""
    return sum(int(getattr(dataset, key).nbytes) for key in _ARRAYS)


def write_atomically(target: Path, write: Callable[[Path], None]) -> Path:
    """Write ``target`` through a temporary file beside it, renamed into place when
    complete; on any failure (a full disk) the partial file is removed."""
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        write(temporary)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target


def save(dataset: Dataset, folder: Path | None = None, key: str | None = None) -> Path:
    """The dataset's file: written once under its content's hash (or under ``key``, for a
    generated dataset named by its parameters), after a free-space check; a dataset
    already on disk is not written again. Keeps the cache folder within its budget."""
    folder = folder or cache_dir()
    name = f"{key}.npz" if key else f"{_digest(dataset)}.npz"
    target = folder / name
    if target.exists():
        _touch(target)
        return target
    check_free(folder, nbytes(dataset) + 2**20, f"the dataset {dataset.name!r}")

    def write(path: Path) -> None:
        with open(path, "wb") as handle:
            np.savez(
                handle,
                **{key_: getattr(dataset, key_) for key_ in _ARRAYS},
                class_names=np.array(dataset.class_names, dtype=str),
                name=np.array(dataset.name),
                description=np.array(dataset.description),
            )

    write_atomically(target, write)
    trim_cache(folder, keep=target)
    return target


def _touch(path: Path) -> None:
    try:
        os.utime(path)
    except OSError:
        pass


def trim_cache(folder: Path | None = None, budget: int | None = None, keep: Path | None = None) -> list[Path]:
    """Delete the least recently used dataset files until the folder fits ``budget``
    (MAX_CACHE_BYTES); files a job still reads are hard links elsewhere and survive."""
    folder = folder or cache_dir()
    budget = MAX_CACHE_BYTES if budget is None else budget
    try:
        files = [(p.stat(), p) for p in folder.glob("*.npz")]
    except OSError:
        return []
    total = sum(stat.st_size for stat, _ in files)
    removed = []
    for stat, path in sorted(files, key=lambda item: item[0].st_mtime):
        if total <= budget:
            break
        if keep is not None and path == keep:
            continue
        try:
            path.unlink()
        except OSError:
            continue
        total -= stat.st_size
        removed.append(path)
    return removed


def _member_offset(handle, info: zipfile.ZipInfo) -> int:
    """Where a stored (uncompressed) zip member's bytes begin in the file."""
    handle.seek(info.header_offset)
    header = handle.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise ValueError("damaged zip member header")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    return info.header_offset + 30 + name_length + extra_length


def _mapped(path: Path, archive: zipfile.ZipFile, handle, member: str) -> np.ndarray:
    info = archive.getinfo(member)
    if info.compress_type != zipfile.ZIP_STORED:
        with archive.open(info) as fp:
            return np.lib.format.read_array(fp, allow_pickle=False)
    start = _member_offset(handle, info)
    handle.seek(start)
    version = np.lib.format.read_magic(handle)
    reader = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    shape, fortran, dtype = reader(handle)
    if dtype.hasobject:
        raise ValueError(f"{member} holds Python objects")
    if int(np.prod(shape, dtype=np.int64)) == 0:
        return np.zeros(shape, dtype=dtype)
    return np.memmap(path, dtype=dtype, mode="r", offset=handle.tell(), shape=shape, order="F" if fortran else "C")


def open_file(path: str | Path) -> Dataset:
    """A dataset file written by ``save``, its arrays memory-mapped (read only)."""
    path = Path(path)
    with open(path, "rb") as handle, zipfile.ZipFile(handle) as archive:
        arrays = {key: _mapped(path, archive, handle, f"{key}.npy") for key in _ARRAYS}
        small = {
            key: np.lib.format.read_array(archive.open(f"{key}.npy"), allow_pickle=False)
            for key in ("class_names", "name", "description")
            if f"{key}.npy" in archive.namelist()
        }
    _touch(path)
    return Dataset(
        str(small["name"]),
        arrays["x_train"],
        arrays["y_train"],
        arrays["x_test"],
        arrays["y_test"],
        [str(c) for c in small["class_names"]],
        str(small.get("description", "")),
        path=str(path),
    )


def on_disk(dataset: Dataset, key: str | None = None) -> Dataset:
    """The dataset saved (once) and mapped back from its file."""
    if dataset.path and Path(dataset.path).exists():
        return dataset
    return open_file(save(dataset, key=key))


def materialized(key: str, make: Callable[[], Dataset]) -> Dataset:
    """A generated or built-in dataset named by its parameters (``key``): made once, kept
    on disk and mapped, never held in memory by a cache."""
    name = "gen-" + hashlib.sha256(key.encode()).hexdigest()[:24]
    path = cache_dir() / f"{name}.npz"
    if path.exists():
        try:
            return open_file(path)
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):
            path.unlink(missing_ok=True)
    return open_file(save(make(), key=name))


def link_for_job(dataset: Dataset, work_dir: Path) -> Path:
    """The dataset as ``work_dir/data.npz`` for a worker: a hard link to its one file on
    disk (no copy, and it outlives the cache's trimming while the job reads it)."""
    source = Path(on_disk(dataset).path)
    target = work_dir / "data.npz"
    try:
        target.unlink(missing_ok=True)
        os.link(source, target)
        return target
    except OSError:
        return source
