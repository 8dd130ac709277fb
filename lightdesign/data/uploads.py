"""Uploaded datasets: a ``.npz`` of arrays or a ``.zip`` of class-named image folders.

Parsed as data only (``allow_pickle=False``, Pillow for images) with limits on size,
file count and compression ratio; every rejection names what is wrong and what is valid.

Nothing is allocated before its size is known and fits: an array's declared shape and
dtype are read from its header and checked against the bytes the archive really holds and
against ``limits.MAX_DATASET_BYTES`` (as float32, what training reads); images are
counted and sized (samples x pixels x channels x 4 bytes) before one is decoded, and each
image's pixel count is checked from its header before its pixels are.
"""

from __future__ import annotations

import io
import warnings
import zipfile
import zlib
from pathlib import PurePosixPath

import numpy as np

from lightdesign import config
from lightdesign.core.format import size
from lightdesign.data import limits
from lightdesign.data.dataset import Dataset, split_order
from lightdesign.data.limits import DatasetTooLarge

MAX_UPLOAD_BYTES = int(config.value("LIGHTDESIGN_MAX_UPLOAD_MB") * 1024 * 1024)
MAX_UNPACKED_BYTES = 4 * MAX_UPLOAD_BYTES
MAX_ZIP_FILES = 20_000
MAX_COMPRESSION_RATIO = 100
MAX_CLASSES = 1000
MAX_TOKEN_ID = 1_000_000
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"}
# Pixels of one image before it is decoded: 4096 x 4096 (64 MB as RGBA), far below
# Pillow's own bomb check, which only warns up to twice its 89-megapixel limit.
MAX_IMAGE_PIXELS = 4096 * 4096
CHUNK = 1024  # samples converted to float32 at a time


class UploadError(ValueError):
    """An upload that cannot be used; the message is for the person who sent it."""


def _check_size(data: bytes) -> None:
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError(
            f"the file is {size(len(data))}; uploads are limited to {size(MAX_UPLOAD_BYTES)} "
            "(LIGHTDESIGN_MAX_UPLOAD_MB changes the limit)"
        )


def _labels(name: str, y: np.ndarray, count: int) -> np.ndarray:
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise UploadError(f"{name} must be a vector of integer class ids; got shape {y.shape}")
    if len(y) != count:
        raise UploadError(f"{name} has {len(y):,} labels but there are {count:,} samples; the lengths must match")
    if y.dtype.kind == "f":
        if not np.all(np.isfinite(y)) or not np.all(y == np.round(y)):
            raise UploadError(f"{name} must hold whole class ids 0, 1, 2 …; it has fractions, NaN or infinity")
        y = y.astype(np.int64)
    if y.dtype.kind not in "iub":
        raise UploadError(f"{name} has dtype {y.dtype}; labels must be integers")
    return y.astype(np.int64)


def _samples(name: str, x: np.ndarray) -> np.ndarray:
    if x.dtype.kind not in "iubf":
        raise UploadError(f"{name} has dtype {x.dtype}; use numbers (uint8 pixels, floats or integer token ids)")
    if x.ndim not in (2, 3, 4) or len(x) == 0:
        raise UploadError(
            f"{name} has shape {x.shape}; use (N, H, W) or (N, H, W, C) images, (N, T) token ids or (N, T, F) sequences"
        )
    if x.dtype.kind == "f":
        bad = int(np.count_nonzero(~np.isfinite(x)))
        if bad:
            raise UploadError(f"{name} contains {bad:,} NaN or infinite values; replace or drop those samples")
    return x


def _scale(x: np.ndarray) -> float:
    """What integer pixels are divided by: 255 for 0 … 255 images, 1 for 0/1 masks."""
    return 255.0 if x.dtype.kind in "iub" and x.max(initial=0) > 1 else 1.0


def _normalise(x: np.ndarray, order: np.ndarray | None = None) -> np.ndarray:
    """uint8 / integer images to [0, 1] floats; (N, H, W) gains a channel axis; integer
    (N, T) arrays stay token ids. ``order`` picks (and shuffles) the samples; the float32
    result is allocated once and filled a chunk at a time (no full-size temporaries)."""
    order = np.arange(len(x)) if order is None else order
    if x.ndim == 2 and x.dtype.kind in "iu":
        if x.min(initial=0) < 0 or x.max(initial=0) >= MAX_TOKEN_ID:
            raise UploadError(f"token ids must lie between 0 and {MAX_TOKEN_ID - 1:,}")
        return x[order].astype(np.int32)
    shape = x.shape[1:] + ((1,) if x.ndim == 3 and x.dtype.kind in "iub" else ())
    scale = _scale(x)
    out = np.empty((len(order), *shape), dtype=np.float32)
    for start in range(0, len(order), CHUNK):
        part = np.asarray(x[order[start : start + CHUNK]], dtype=np.float32)
        out[start : start + CHUNK] = (part / scale if scale != 1.0 else part).reshape(-1, *shape)
    return out


def _declared(archive: zipfile.ZipFile, key: str) -> tuple[tuple[int, ...], np.dtype]:
    """An array's shape and dtype from its .npy header, checked against the bytes the
    archive holds for it, before any of its data is read."""
    member = f"{key}.npy"
    info = archive.getinfo(member)
    try:
        with archive.open(info) as handle:
            version = np.lib.format.read_magic(handle)
            if version not in ((1, 0), (2, 0)):
                raise ValueError(f"unsupported .npy format version {version}")
            reader = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
            shape, _fortran, dtype = reader(handle)
            header = handle.tell()
    except UploadError:
        raise
    except Exception as exc:  # noqa: BLE001 - any damage to the header: one message
        raise UploadError(f"{key} is not a readable NumPy array ({_reason(exc)})") from None
    if dtype.hasobject:
        raise UploadError(
            f"{key} holds Python objects (pickled data), which are never loaded; save plain numeric arrays"
        )
    count = 1
    for dim in shape:
        count *= int(dim)
    declared = count * dtype.itemsize
    held = info.file_size - header
    if declared > held:
        raise UploadError(
            f"{key} is cut short: its header declares {count:,} values ({size(declared)}) "
            f"but the archive holds {size(max(held, 0))} of data for it"
        )
    return tuple(int(d) for d in shape), dtype


def _read(archive: zipfile.ZipFile, key: str) -> np.ndarray:
    try:
        with archive.open(f"{key}.npy") as handle:
            return np.lib.format.read_array(handle, allow_pickle=False)
    except Exception as exc:  # noqa: BLE001 - CRC errors, truncated deflate streams …
        raise UploadError(f"{key} could not be read ({_reason(exc)}); save the arrays again with numpy.savez") from None


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__


def _check_budget(what: str, samples: int, sample_shape: tuple[int, ...], itemsize: int = limits.FLOAT_BYTES) -> None:
    try:
        limits.check_budget(what, samples, sample_shape, itemsize)
    except DatasetTooLarge as exc:
        raise UploadError(str(exc)) from None


def load_npz(data: bytes, name: str = "upload") -> Dataset:
    """A dataset from ``numpy.savez(x_train=…, y_train=…[, x_test=…, y_test=…])``."""
    _check_size(data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        if data[:6] == b"\x93NUMPY":
            raise UploadError(
                "this is a single .npy array, not a .npz archive; save x_train and y_train with numpy.savez"
            ) from None
        raise UploadError("this is not a NumPy .npz archive; save one with numpy.savez") from None
    with archive:
        try:
            names = [n[:-4] for n in archive.namelist() if n.endswith(".npy")]
        except Exception:  # noqa: BLE001 - a damaged archive: reported below as missing arrays
            names = []
        missing = [k for k in ("x_train", "y_train") if k not in names]
        if missing:
            raise UploadError(
                f"the archive has no {missing[0]}; it holds {', '.join(names) or 'nothing'}; "
                "required: x_train and y_train (x_test, y_test optional)"
            )
        if ("x_test" in names) != ("y_test" in names):
            raise UploadError("give both x_test and y_test, or neither (then 20% of the training data is held out)")
        keys = [k for k in ("x_train", "y_train", "x_test", "y_test") if k in names]
        declared = {key: _declared(archive, key) for key in keys}
        for key in ("x_train", "x_test"):
            if key in declared:
                shape, dtype = declared[key]
                if len(shape) == 0:
                    raise UploadError(f"{key} is a single number; it must hold samples along its first axis")
                _check_budget(key, shape[0], shape[1:], max(dtype.itemsize, limits.FLOAT_BYTES))
        total = sum(limits.decoded_bytes(s[0] if s else 1, s[1:], limits.FLOAT_BYTES) for s, _ in declared.values())
        if total > limits.MAX_DATASET_BYTES:
            _check_budget("the arrays together", 1, (total // limits.FLOAT_BYTES,))
        arrays = {key: _read(archive, key) for key in keys}
    x_train = _samples("x_train", arrays["x_train"])
    y_train = _labels("y_train", arrays["y_train"], len(x_train))
    if "x_test" in arrays:
        x_test = _samples("x_test", arrays["x_test"])
        if x_test.shape[1:] != x_train.shape[1:]:
            raise UploadError(f"x_test samples have shape {x_test.shape[1:]} but x_train samples {x_train.shape[1:]}")
        y_test = _labels("y_test", arrays["y_test"], len(x_test))
        classes = _check_classes(y_train, y_test)
        x_train, x_test = _normalise(x_train), _normalise(x_test)
    else:
        order, cut = split_order(len(y_train))
        y_all = y_train
        x_all = _normalise(x_train, order)
        del x_train
        x_train, x_test, y_train, y_test = x_all[:cut], x_all[cut:], y_all[order[:cut]], y_all[order[cut:]]
        classes = _check_classes(y_train, y_test)
    return Dataset(
        name,
        x_train,
        y_train,
        x_test,
        y_test,
        [str(c) for c in range(classes)],
        f"uploaded arrays, {len(y_train):,} training samples",
    )


def _check_classes(y_train: np.ndarray, y_test: np.ndarray) -> int:
    low = min(int(y_train.min()), int(y_test.min()) if len(y_test) else 0)
    if low < 0:
        raise UploadError(f"labels must be class ids 0, 1, 2 …; found {low}")
    classes = int(y_train.max()) + 1
    if classes < 2:
        raise UploadError("the training labels hold a single class; classification needs at least 2")
    if classes > MAX_CLASSES:
        raise UploadError(f"labels go up to {classes - 1}; at most {MAX_CLASSES} classes are supported")
    if len(y_test) and int(y_test.max()) >= classes:
        raise UploadError(f"y_test has label {int(y_test.max())}, beyond the training labels 0 … {classes - 1}")
    counts = np.bincount(y_train, minlength=classes)
    empty = np.flatnonzero(counts == 0)
    if len(empty):
        raise UploadError(
            f"class {int(empty[0])} has no training samples; labels must run 0 … K-1 with every class present"
        )
    return classes


def _safe_member(name: str) -> PurePosixPath:
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        raise UploadError(f"the archive contains the unsafe path {name!r}; paths must stay inside the archive")
    return path


def load_image_zip(data: bytes, size: int = 32, channels: int = 1, name: str = "images") -> Dataset:
    """A dataset from a zip of class folders (``cats/1.png``, ``dogs/7.jpg`` …), resized to
    ``size`` x ``size`` with 1 or 3 channels; 20% is held out for testing."""
    _check_size(data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, UnicodeDecodeError, NotImplementedError):
        raise UploadError("this is not a zip archive; zip one folder per class with its images inside") from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        _check_members(members)
        images = _images(members)
        class_names = _class_names(archive, images)
        _check_budget(f"{len(images):,} images at {size}x{size}x{channels}", len(images), (size, size, channels))
        order, cut = split_order(len(images))
        x, y = _read_images(archive, [images[i] for i in order], class_names, size, channels)
    return Dataset(
        name,
        x[:cut],
        y[:cut],
        x[cut:],
        y[cut:],
        class_names,
        f"uploaded images, {len(class_names)} classes, {size}x{size}",
    )


def _check_members(members: list[zipfile.ZipInfo]) -> None:
    """Refuse too many files, paths leaving the archive, zip bombs and too much data."""
    if len(members) > MAX_ZIP_FILES:
        raise UploadError(f"the archive holds {len(members):,} files; at most {MAX_ZIP_FILES:,} are allowed")
    total = 0
    for member in members:
        _safe_member(member.filename)
        total += member.file_size
        if member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1) and member.file_size > 2**20:
            raise UploadError(
                f"{member.filename!r} expands {member.file_size // max(member.compress_size, 1)}-fold; "
                "this looks like a zip bomb and is refused"
            )
    if total > MAX_UNPACKED_BYTES:
        raise UploadError(f"the archive unpacks to {total / 2**20:.0f} MB; at most {MAX_UNPACKED_BYTES / 2**20:.0f} MB")


def _images(members: list[zipfile.ZipInfo]) -> list[zipfile.ZipInfo]:
    """The image files of the archive (hidden files left out)."""
    images = [
        m
        for m in members
        if PurePosixPath(m.filename).suffix.lower() in IMAGE_SUFFIXES
        and not PurePosixPath(m.filename).name.startswith(".")
    ]
    if not images:
        raise UploadError("the archive has no images (.png, .jpg, .bmp, .gif, .webp)")
    return images


def _class_names(archive: zipfile.ZipFile, images: list[zipfile.ZipInfo]) -> list[str]:
    """The class folders, sorted: every image one level inside its folder, no empty
    folder, at least two classes."""
    depths = {len(PurePosixPath(m.filename).parts) for m in images}
    depth = depths.pop() if len(depths) == 1 else 0
    if depth < 2:
        raise UploadError("put every image one level inside its class folder: cats/1.png, dogs/2.png …")
    class_names = sorted({PurePosixPath(m.filename).parent.name for m in images})
    folders = {
        PurePosixPath(m.filename).name
        for m in archive.infolist()
        if m.is_dir() and len(PurePosixPath(m.filename).parts) == depth - 1
    }
    empty = sorted(folders - set(class_names))
    if empty:
        raise UploadError(f"the class folder {empty[0]!r} has no images")
    if len(class_names) < 2:
        raise UploadError(f"found one class folder ({class_names[0]!r}); classification needs at least 2")
    return class_names


def _read_images(
    archive: zipfile.ZipFile, images: list[zipfile.ZipInfo], class_names: list[str], size: int, channels: int
) -> tuple[np.ndarray, np.ndarray]:
    """The images resized to ``size`` x ``size`` in [0, 1], and their class indices."""
    mode = "RGB" if channels == 3 else "L"
    x = np.empty((len(images), size, size, channels), dtype=np.float32)
    y = np.empty(len(images), dtype=np.int64)
    index = {name: i for i, name in enumerate(class_names)}
    for i, member in enumerate(images):
        x[i] = _decode(archive, member, size, mode).reshape(size, size, channels)
        y[i] = index[PurePosixPath(member.filename).parent.name]
    return x, y


def _decode(archive: zipfile.ZipFile, member: zipfile.ZipInfo, size: int, mode: str) -> np.ndarray:
    """One image, its pixel count checked from its header before its pixels are decoded."""
    from PIL import Image, UnidentifiedImageError

    try:
        with archive.open(member) as handle:
            raw = handle.read(member.file_size + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError, ValueError) as exc:
        raise UploadError(f"{member.filename!r} cannot be read from the archive ({_reason(exc)})") from None
    try:
        with warnings.catch_warnings():  # the size is checked here, more strictly than Pillow warns
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw))
        with image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise UploadError(
                    f"{member.filename!r} is {width:,}×{height:,} pixels; images may have at most "
                    f"{MAX_IMAGE_PIXELS:,} pixels (4096×4096)"
                )
            if Image.MAX_IMAGE_PIXELS and width * height > Image.MAX_IMAGE_PIXELS:
                raise Image.DecompressionBombError("over Pillow's limit")  # Pillow would only warn
            image.draft(mode, (size, size))  # JPEG: decode at a reduced scale when it can
            pixels = np.asarray(image.convert(mode).resize((size, size), Image.BILINEAR), dtype=np.float32)
    except UploadError:
        raise
    except Image.DecompressionBombError:
        raise UploadError(f"{member.filename!r} declares too many pixels (a decompression bomb)") from None
    except UnidentifiedImageError:
        raise UploadError(f"{member.filename!r} is not a readable image") from None
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds (SyntaxError, struct.error …) for damaged files
        raise UploadError(f"{member.filename!r} is a damaged image ({type(exc).__name__}); save it again") from None
    return pixels / 255.0
