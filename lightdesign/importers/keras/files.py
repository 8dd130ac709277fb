"""Reading Keras model files as data: the containers (.keras zip, .h5, JSON) with their safety
checks, the model config they hold, and the weight shapes they carry (never the values)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from typing import Any

from lightdesign.importers.base import MAX_CONFIG_BYTES, MAX_ZIP_RATIO, ModelFileError, max_model_bytes
from lightdesign.importers.keras import nested
from lightdesign.importers.keras.member import open_member

MAX_HDF5_OBJECTS = 200_000


def read_json(data: bytes) -> Any:
    """A Keras JSON config (``model.to_json()``, or a container's), its size and depth checked."""
    if len(data) > MAX_CONFIG_BYTES:
        raise ModelFileError(f"the Keras config is {len(data):,} bytes; the limit is {MAX_CONFIG_BYTES:,}")
    try:
        return json.loads(data)
    except RecursionError:
        raise ModelFileError("the Keras config is nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelFileError(f"the Keras config is not valid JSON ({exc})") from None


def read_keras_zip(data: bytes, with_weights: bool = True) -> tuple[Any, dict | None]:
    """(parsed config.json, weight shapes by layer class-counter name or None)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = {info.filename: info for info in archive.infolist()}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ModelFileError("the .keras file is not a complete zip archive (truncated or damaged)") from None
    if len(members) > 64:
        raise ModelFileError(f"the .keras archive holds {len(members)} files; a Keras model holds 3")
    unpacked = sum(info.file_size for info in members.values())
    if unpacked > 4 * max_model_bytes():
        raise ModelFileError(f"the .keras archive unpacks to {unpacked / 1e6:,.0f} MB: refused as a zip bomb")
    for info in members.values():
        if info.file_size > 1024 * 1024 and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1):
            raise ModelFileError(
                f"the .keras archive member {info.filename!r} unpacks {info.file_size / max(info.compress_size, 1):,.0f}"
                " times its size: refused as a zip bomb"
            )
    if "config.json" not in members:
        raise ModelFileError("the .keras archive has no config.json: not a Keras model")
    info = members["config.json"]
    if info.file_size > MAX_CONFIG_BYTES:
        raise ModelFileError(f"the Keras config is {info.file_size:,} bytes; the limit is {MAX_CONFIG_BYTES:,}")
    try:
        with archive.open(info) as handle:
            text = handle.read(MAX_CONFIG_BYTES + 1)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, zipfile.LargeZipFile):
        raise ModelFileError("the .keras file is not a complete zip archive (truncated or damaged)") from None
    config = read_json(text)
    weights = None
    if with_weights and "model.weights.h5" in members:
        with open_member(data, members["model.weights.h5"]) as handle:
            weights = _keras3_weight_shapes(handle)
    return config, weights


def _h5py():
    import h5py

    return h5py


def _open_h5(handle):
    h5py = _h5py()
    try:
        return h5py.File(handle, "r")
    except ModelFileError:
        raise
    except (OSError, ValueError) as exc:
        raise ModelFileError(f"the HDF5 weights cannot be read (truncated or damaged: {exc})") from None


def _datasets(group) -> dict[str, tuple[int, ...]]:
    """Every weight's shape under ``group`` by its path, in natural order. Every link is
    checked first: external and soft links are refused (they could reach other files); only
    shapes are read, never values."""
    h5py = _h5py()
    count = [0]

    def check(name, link):
        # a non-None return stops the visit (raising inside an h5py callback is not safe)
        count[0] += 1
        if count[0] > MAX_HDF5_OBJECTS:
            return "the HDF5 file holds too many objects to be a model"
        if isinstance(link, h5py.ExternalLink):
            return f"the HDF5 file links to another file ({link.filename!r}): external links are refused"
        if isinstance(link, h5py.SoftLink):
            return "the HDF5 file holds a soft link: links inside a model file are refused"
        return None

    shapes: dict[str, tuple[int, ...]] = {}

    def collect(name, obj):
        if isinstance(obj, h5py.Dataset):
            shapes[name] = tuple(int(d) for d in obj.shape)
        if len(shapes) > MAX_HDF5_OBJECTS:
            return "too many"
        return None

    try:
        refused = group.file.visititems_links(check)
        if refused:
            raise ModelFileError(refused)
        group.visititems(collect)
    except ModelFileError:
        raise
    except (OSError, KeyError, ValueError, RuntimeError, TypeError, SystemError) as exc:
        raise ModelFileError(f"the HDF5 weights cannot be read (truncated or damaged: {exc})") from None
    return {path: shapes[path] for path in sorted(shapes, key=_natural)}


def _keras3_key(path: str) -> str:
    """The layer a .keras weights path belongs to: ``conv2d`` for ``conv2d/vars/0``, a nested
    model's layer by its path, ``sequential/layers/conv2d`` for
    ``sequential/layers/conv2d/vars/0``."""
    parts = path.split("/")
    end = 1
    while end + 1 < len(parts) and parts[end] == "layers":
        end += 2
    return "/".join(parts[:end])


def _tree(group, key=lambda path: path.split("/", 1)[0]) -> dict[str, list[tuple[int, ...]]]:
    """Weight shapes under ``group`` by the layer ``key`` reads off each path (its first-level
    member name unless told), in natural order."""
    out: dict[str, list[tuple[int, ...]]] = {k: [] for k in group.keys()}
    for path, shape in _datasets(group).items():
        out.setdefault(key(path), []).append(shape)
    return out


def _natural(key: str) -> tuple:
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", key))


def _keras3_weight_shapes(handle) -> dict[str, list[tuple[int, ...]]]:
    """model.weights.h5 of a .keras file: {class-counter name: [shapes]} (``conv2d_3``; a
    nested model's layers as ``sequential/layers/conv2d``)."""
    with _open_h5(handle) as f:
        try:
            group = f.get("layers")
        except ModelFileError:
            raise
        except (OSError, KeyError, ValueError, RuntimeError) as exc:
            raise ModelFileError(f"the HDF5 weights cannot be read (truncated or damaged: {exc})") from None
        if group is None or not isinstance(group, _h5py().Group):
            _tree(f)  # still refuse links anywhere in the file
            return {}
        return _tree(group, _keras3_key)


def read_h5(data: bytes) -> tuple[Any, dict | None]:
    """A legacy Keras .h5 file: (parsed model_config, weight shapes by layer name or None;
    a nested model's layers by their path of names, ``backbone/Conv1``)."""
    with _open_h5(io.BytesIO(data)) as f:
        try:
            raw = f.attrs.get("model_config")
        except (OSError, KeyError, ValueError, RuntimeError, TypeError) as exc:
            raise ModelFileError(f"the .h5 file cannot be read (truncated or damaged: {exc})") from None
        if raw is None:
            raise ModelFileError("the .h5 file holds no model_config: it has weights only, not a Keras model")
        if isinstance(raw, bytes):
            raw = raw.decode("utf-8", "replace")
        config = read_json(str(raw).encode("utf-8"))
        try:
            group = f.get("model_weights")
        except (OSError, KeyError, ValueError, RuntimeError) as exc:
            raise ModelFileError(f"the .h5 weights cannot be read (truncated or damaged: {exc})") from None
        if group is None or not isinstance(group, _h5py().Group):
            _tree(f)
            return config, None
        return config, nested.h5_weights(config, _datasets(group))


def snake(name: str) -> str:
    """Keras 3's ``naming.to_snake_case`` (the names of layers in a .keras weights file)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def keras3_weights_by_layer(config: Any, shapes: dict[str, list[tuple]] | None) -> dict[str, list[tuple]] | None:
    """Weights of a .keras file by layer name: Keras names each layer's group after its class
    with a counter, in the order of the model's layers (operations are not layers); a nested
    model's layers by their path of names (``backbone/Conv1``)."""
    if shapes is None:
        return None
    return nested.keras3_weights(config, shapes, snake)
