"""Datasets for brief training: built-in and offline (scikit-learn's digits, generated
shapes, generated sequences and token sequences), Keras's downloadable ones (loaded in the
worker), and uploads (see ``lightdesign.data.uploads``).

Pure NumPy (plus scikit-learn's bundled digits and Pillow for resizing); no TensorFlow.

Memory is bounded by bytes, not by counts: every dataset the app makes or accepts is
checked against ``MAX_DATASET_BYTES`` (its samples as float32) *before* it is allocated,
and it is kept on disk, not in memory: ``save`` writes it once under a name made from its
content (``<work folder>/datasets/<sha256>.npz``, uncompressed) and ``open_file`` maps it
back (``numpy.memmap``), so sessions and the server hold only the pages they read. The
folder is a cache bounded by ``MAX_CACHE_BYTES``, least recently used first out.
"""

from __future__ import annotations

import hashlib
import io
import os
import struct
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lightdesign import config

# A dataset's samples as float32 (what training reads) may take at most this much.
MAX_DATASET_BYTES = int(config.value("LIGHTDESIGN_MAX_DATASET_MB") * 2**20)
# The dataset files kept on disk together (oldest used first out).
MAX_CACHE_BYTES = int(config.value("LIGHTDESIGN_DATASET_CACHE_MB") * 2**20)
FLOAT_BYTES = 4


class DatasetTooLarge(ValueError):
    """A dataset whose decoded size is over the budget; the message says by how much."""


def decoded_bytes(samples: int, sample_shape: tuple[int, ...], itemsize: int = FLOAT_BYTES) -> int:
    """Bytes of ``samples`` samples of ``sample_shape`` at ``itemsize`` bytes per value."""
    count = int(samples)
    for dim in sample_shape:
        count *= int(dim)
    return count * itemsize


def check_budget(what: str, samples: int, sample_shape: tuple[int, ...], itemsize: int = FLOAT_BYTES) -> int:
    """Raise DatasetTooLarge when ``samples`` x ``sample_shape`` at ``itemsize`` bytes
    exceeds MAX_DATASET_BYTES; returns the bytes. Call it before allocating."""
    from lightdesign.core.format import size

    need = decoded_bytes(samples, sample_shape, itemsize)
    if need > MAX_DATASET_BYTES:
        shape = "×".join(str(int(d)) for d in sample_shape)
        raise DatasetTooLarge(
            f"{what} would take {size(need)} in memory ({int(samples):,} samples of {shape} at "
            f"{itemsize} bytes per value); datasets are limited to {size(MAX_DATASET_BYTES)} "
            "(LIGHTDESIGN_MAX_DATASET_MB changes the limit)"
        )
    return need


@dataclass
class Dataset:
    """Arrays ready for ``model.fit``: images float32 in [0, 1] shaped (N, H, W, C), token
    ids int32 shaped (N, T), feature sequences float32 shaped (N, T, F); integer labels."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: list[str]
    description: str = ""
    notes: list[str] = field(default_factory=list)
    path: str | None = None  # the file its arrays are mapped from (see ``save``/``open_file``)

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(int(d) for d in self.x_train.shape[1:])

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def kind(self) -> str:
        if self.x_train.ndim == 4:
            return "image"
        return "tokens" if self.x_train.ndim == 2 else "features"

    def preview(self, count: int = 16, seed: int = 0) -> list[tuple[np.ndarray, str]]:
        """A few training samples with their class names, one per class first."""
        rng = np.random.default_rng(seed)
        picks: list[int] = []
        for label in range(self.num_classes):
            where = np.flatnonzero(self.y_train == label)
            if len(where):
                picks.append(int(rng.choice(where)))
        rest = rng.permutation(len(self.y_train))
        picks += [int(i) for i in rest if i not in picks][: max(0, count - len(picks))]
        return [(self.x_train[i], self.class_names[int(self.y_train[i])]) for i in picks[:count]]

    def capped(self, max_train: int | None, seed: int = 0) -> Dataset:
        """At most ``max_train`` training samples (a random, class-mixed subset)."""
        if not max_train or len(self.y_train) <= max_train:
            return self
        keep = np.sort(np.random.default_rng(seed).permutation(len(self.y_train))[:max_train])
        return Dataset(
            self.name,
            self.x_train[keep],
            self.y_train[keep],
            self.x_test,
            self.y_test,
            self.class_names,
            self.description,
            [*self.notes, f"training on {max_train:,} of {len(self.y_train):,} samples"],
        )

    def to_npz(self) -> bytes:
        buffer = io.BytesIO()
        np.savez(
            buffer,
            x_train=self.x_train,
            y_train=self.y_train,
            x_test=self.x_test,
            y_test=self.y_test,
            class_names=np.array(self.class_names, dtype=str),
            name=np.array(self.name),
        )
        return buffer.getvalue()

    @classmethod
    def from_npz(cls, data: bytes | str) -> Dataset:
        source = io.BytesIO(data) if isinstance(data, bytes) else data
        with np.load(source, allow_pickle=False) as arrays:
            return cls(
                str(arrays["name"]),
                arrays["x_train"],
                arrays["y_train"],
                arrays["x_test"],
                arrays["y_test"],
                [str(c) for c in arrays["class_names"]],
            )


# -- datasets on disk ------------------------------------------------------------------------

_ARRAYS = ("x_train", "y_train", "x_test", "y_test")
DISK_RESERVE_BYTES = 256 * 2**20  # writing stops short of filling the disk by this much


class DiskFull(OSError):
    """Not enough free disk for a file; the message says how much is needed and free."""


def cache_dir() -> Path:
    return config.work_dir() / "datasets"


def check_free(folder: Path, need: int, what: str = "the file") -> None:
    """Raise DiskFull unless ``need`` bytes fit on ``folder``'s disk with a reserve left."""
    import shutil

    from lightdesign.core.format import size

    folder.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(folder).free
    if need + DISK_RESERVE_BYTES > free:
        raise DiskFull(
            f"not enough free disk for {what}: it needs {size(need)} and {size(free)} are free "
            f"(at least {size(DISK_RESERVE_BYTES)} are always kept free)"
        )


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


def split_order(count: int, test_fraction: float = 0.2, seed: int = 0) -> tuple[np.ndarray, int]:
    """The shuffled order of ``count`` samples and where its test part begins."""
    order = np.random.default_rng(seed).permutation(count)
    return order, count - max(1, int(round(count * test_fraction)))


def split(x: np.ndarray, y: np.ndarray, test_fraction: float = 0.2, seed: int = 0):
    """Shuffle and split into train and test parts."""
    order, cut = split_order(len(y), test_fraction, seed)
    return x[order[:cut]], y[order[:cut]], x[order[cut:]], y[order[cut:]]


def resize_images(x: np.ndarray, height: int, width: int) -> np.ndarray:
    """Bilinear resize of (N, H, W, C) float images with Pillow."""
    from PIL import Image

    if x.shape[1:3] == (height, width):
        return x
    out = np.empty((len(x), height, width, x.shape[3]), dtype=np.float32)
    for i, image in enumerate(x):
        for c in range(x.shape[3]):
            plane = Image.fromarray(image[:, :, c].astype(np.float32), mode="F")
            out[i, :, :, c] = np.asarray(plane.resize((width, height), Image.BILINEAR))
    return out


def adapt_images(dataset: Dataset, shape: tuple[int, ...]) -> Dataset:
    """Resize images and convert gray <-> RGB to fit a design's (H, W, C) input."""
    if dataset.kind != "image" or len(shape) != 3 or dataset.input_shape == tuple(shape):
        return dataset
    height, width, channels = shape

    def fit(x):
        x = resize_images(x, height, width)
        if x.shape[3] == 1 and channels == 3:
            x = np.repeat(x, 3, axis=3)
        elif x.shape[3] == 3 and channels == 1:
            x = x.mean(axis=3, keepdims=True, dtype=np.float32)
        return x

    note = f"images adapted from {dataset.input_shape} to {tuple(shape)}"
    return Dataset(
        dataset.name,
        fit(dataset.x_train),
        dataset.y_train,
        fit(dataset.x_test),
        dataset.y_test,
        dataset.class_names,
        dataset.description,
        [*dataset.notes, note],
    )


def can_adapt(dataset_shape: tuple[int, ...], design_shape: tuple[int, ...]) -> bool:
    """Images can be resized and converted between gray and RGB; nothing else can."""
    return (
        len(dataset_shape) == 3 and len(design_shape) == 3 and design_shape[2] in (1, 3) and dataset_shape[2] in (1, 3)
    )


# -- built-in datasets ---------------------------------------------------------------------


def digits(size: int = 8, seed: int = 0) -> Dataset:
    """scikit-learn's 8x8 handwritten digits (1,797 images, shipped with the package),
    optionally upscaled (28 gives the source article's MNIST-sized input)."""
    from sklearn.datasets import load_digits

    data = load_digits()
    x = (data.images / 16.0).astype(np.float32)[..., None]
    if size != 8:
        x = resize_images(x, size, size)
    y = data.target.astype(np.int64)
    return Dataset(
        f"digits {size}x{size}",
        *split(x, y, seed=seed),
        [str(d) for d in range(10)],
        f"scikit-learn's handwritten digits, {size}x{size} grayscale, 10 classes",
    )


SHAPES = ("circle", "square", "triangle", "star", "cross")


def _polygon_mask(px: np.ndarray, py: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Even-odd rule: which grid points lie inside the polygon (xs, ys)."""
    inside = np.zeros(px.shape, dtype=bool)
    j = len(xs) - 1
    for i in range(len(xs)):
        crosses = (ys[i] > py) != (ys[j] > py)
        with np.errstate(divide="ignore", invalid="ignore"):
            at = (xs[j] - xs[i]) * (py - ys[i]) / (ys[j] - ys[i]) + xs[i]
        inside ^= crosses & (px < at)
        j = i
    return inside


def _shape_mask(kind: str, size: int, rng: np.random.Generator) -> np.ndarray:
    py, px = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
    radius = rng.uniform(0.22, 0.42) * size
    cx, cy = rng.uniform(radius, size - radius, 2)
    angle = rng.uniform(0, 2 * np.pi)
    if kind == "circle":
        return (px - cx) ** 2 + (py - cy) ** 2 <= radius**2
    if kind == "cross":
        dx, dy = px - cx, py - cy
        u, v = dx * np.cos(angle) + dy * np.sin(angle), -dx * np.sin(angle) + dy * np.cos(angle)
        arm = radius * 0.3
        return ((np.abs(u) <= arm) & (np.abs(v) <= radius)) | ((np.abs(v) <= arm) & (np.abs(u) <= radius))
    corners = {"square": 4, "triangle": 3, "star": 10}[kind]
    turns = angle + np.arange(corners) * 2 * np.pi / corners
    radii = np.full(corners, radius)
    if kind == "star":
        radii[1::2] = radius * 0.45
    return _polygon_mask(px, py, cx + radii * np.cos(turns), cy + radii * np.sin(turns))


def shapes(count: int = 2000, size: int = 32, channels: int = 1, classes: int = 4, seed: int = 0) -> Dataset:
    """Generated filled shapes (circle, square, triangle, star, cross) at random places,
    sizes, angles and colours, with noise."""
    check_budget("the generated shapes", count, (size, size, channels))
    rng = np.random.default_rng(seed)
    names = list(SHAPES[:classes])
    y = rng.integers(0, classes, count)
    x = np.empty((count, size, size, channels), dtype=np.float32)
    for i, label in enumerate(y):
        mask = _shape_mask(names[label], size, rng)[..., None]
        if channels == 3:
            foreground, background = rng.uniform(0.4, 1.0, 3), rng.uniform(0.0, 0.35, 3)
        else:
            foreground, background = rng.uniform(0.6, 1.0, 1), rng.uniform(0.0, 0.3, 1)
        image = np.where(mask, foreground, background) + rng.normal(0, 0.05, (size, size, channels))
        x[i] = np.clip(image, 0, 1)
    return Dataset(
        f"shapes {size}x{size}x{channels}",
        *split(x, y.astype(np.int64), seed=seed),
        names,
        f"generated {', '.join(names)}; {size}x{size}, {'RGB' if channels == 3 else 'grayscale'}",
    )


WAVES = ("sine", "square", "sawtooth", "triangle")


def sequences(count: int = 2000, length: int = 50, features: int = 1, classes: int = 3, seed: int = 0) -> Dataset:
    """Generated waveforms to classify (sine, square, sawtooth, triangle) with random
    frequency, phase, amplitude and noise: (N, steps, features)."""
    check_budget("the generated waveforms", count, (length, features))
    rng = np.random.default_rng(seed)
    names = list(WAVES[:classes])
    y = rng.integers(0, classes, count)
    t = np.linspace(0, 1, length, dtype=np.float32)
    x = np.empty((count, length, features), dtype=np.float32)
    for i, label in enumerate(y):
        for f in range(features):
            cycle = (rng.uniform(0, 1) + rng.uniform(2, 5) * t) % 1.0
            wave = {
                "sine": np.sin(2 * np.pi * cycle),
                "square": np.where(cycle < 0.5, 1.0, -1.0),
                "sawtooth": 2 * cycle - 1,
                "triangle": 4 * np.abs(cycle - 0.5) - 1,
            }[names[label]]
            x[i, :, f] = rng.uniform(0.5, 1.5) * wave + rng.normal(0, 0.2, length)
    return Dataset(
        f"waves {length}x{features}",
        *split(x, y.astype(np.int64), seed=seed),
        names,
        f"generated waveforms ({', '.join(names)}), {length} steps x {features} features",
    )


def token_sequences(
    count: int = 2000, length: int = 100, vocabulary: int = 10000, classes: int = 2, seed: int = 0
) -> Dataset:
    """Generated 'documents' of token ids: each class has its own keyword tokens sprinkled
    into random text, padded with 0 at the end: (N, steps) int32."""
    rng = np.random.default_rng(seed)
    keywords = rng.choice(np.arange(1, vocabulary), size=(classes, 12), replace=False)
    y = rng.integers(0, classes, count)
    x = np.zeros((count, length), dtype=np.int32)
    for i, label in enumerate(y):
        used = int(rng.integers(length // 2, length + 1))
        words = rng.integers(1, vocabulary, used)
        hits = rng.choice(used, size=max(2, used // 12), replace=False)
        words[hits] = rng.choice(keywords[label], size=len(hits))
        x[i, :used] = words
    names = [f"topic {k}" for k in range(classes)]
    return Dataset(
        f"tokens {length}",
        *split(x, y.astype(np.int64), seed=seed),
        names,
        f"generated token sequences, vocabulary {vocabulary:,}, {classes} topics",
    )


# -- the catalogue the Train page offers ---------------------------------------------------------


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    input_shape: tuple[int, ...]
    classes: int
    offline: bool
    description: str


KERAS_DATASETS = {
    "mnist": Source("mnist", "MNIST (download)", (28, 28, 1), 10, False, "70,000 handwritten digits, 28x28"),
    "fashion_mnist": Source(
        "fashion_mnist", "Fashion-MNIST (download)", (28, 28, 1), 10, False, "70,000 clothing images, 28x28, 10 classes"
    ),
    "cifar10": Source("cifar10", "CIFAR-10 (download)", (32, 32, 3), 10, False, "60,000 colour images, 32x32"),
}
KERAS_CLASS_NAMES = {
    "mnist": [str(d) for d in range(10)],
    "fashion_mnist": ["T-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "boot"],
    "cifar10": ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"],
}
OFFLINE_ALTERNATIVES = "the built-in digits (8x8 or 28x28), shapes or sequences, or an upload"

BUILTIN = {
    "digits28": (
        Source(
            "digits28",
            "Digits 28x28 (built in)",
            (28, 28, 1),
            10,
            True,
            "scikit-learn's digits upscaled to the article's MNIST size",
        ),
        lambda: digits(28),
    ),
    "digits8": (
        Source("digits8", "Digits 8x8 (built in)", (8, 8, 1), 10, True, "scikit-learn's 8x8 digits"),
        lambda: digits(8),
    ),
    "shapes": (
        Source("shapes", "Shapes 32x32 (generated)", (32, 32, 1), 4, True, "circles, squares, triangles and stars"),
        lambda: shapes(),
    ),
    "shapes_rgb": (
        Source("shapes_rgb", "Shapes 32x32 RGB (generated)", (32, 32, 3), 4, True, "coloured shapes"),
        lambda: shapes(channels=3),
    ),
    "waves": (
        Source(
            "waves",
            "Waveforms 50x1 (generated)",
            (50, 1),
            3,
            True,
            "sine, square and sawtooth sequences for recurrent models",
        ),
        lambda: sequences(),
    ),
    "tokens": (
        Source(
            "tokens",
            "Token sequences 100 (generated)",
            (100,),
            2,
            True,
            "token-id documents for the Embedding + LSTM preset",
        ),
        lambda: token_sequences(),
    ),
}


def load_builtin(key: str) -> Dataset:
    if key not in BUILTIN:
        raise KeyError(f"unknown dataset {key!r}; built-in datasets: {', '.join(BUILTIN)}")
    return BUILTIN[key][1]()
