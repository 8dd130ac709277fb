"""Model files -> editable designs: ``.keras`` (the zip's ``config.json``), legacy ``.h5``
(its ``model_config``), Keras JSON (``model.to_json()``), ``.tflite`` (the flatbuffer) and
``.onnx``. Files are parsed as data only: TensorFlow is never imported, nothing in a file
is executed or unpickled. Layers no kind can express become opaque blocks that keep their
figures; ``fold`` recognises the composite blocks in the flat result.

One subpackage per format (``keras``, ``tflite``, ``onnx``), each a reader of the file apart
from the mapper of what it read onto kinds; ``detect`` tells the formats apart, ``base``
holds what every mapper shares (the error, the limits, the result, the design ``Builder``).

    from lightdesign.importers import import_file
    result = import_file("mobilenet_v2.keras")
    result.design, result.unmapped
"""

from __future__ import annotations

from pathlib import Path

from lightdesign.importers.base import (
    FORMATS,
    ImportResult,
    ModelFileError,
    Unmapped,
    check_size,
    max_model_bytes,
)
from lightdesign.importers.detect import SUPPORTED, detect

SUFFIXES = (".keras", ".h5", ".hdf5", ".json", ".tflite", ".onnx")


def import_bytes(
    data: bytes, filename: str = "", input_shape: tuple | None = None, fold: bool = False, folder: Path | None = None
) -> ImportResult:
    """Import a model file's contents. ``input_shape`` (no batch axis, channels last) fixes
    an input the file leaves open; ``fold`` folds the flat layers into composite blocks;
    ``folder`` is the file's own (an ONNX model's external data files are read from it).
    Every refusal is a ModelFileError with one line, a structure too deep for Python's
    stack included (the importers bound their own recursion; this is the last guard)."""
    try:
        return _import(data, filename, input_shape, fold, folder)
    except RecursionError:
        raise ModelFileError("the model file is nested too deeply to be read (a recursion bomb?)") from None


def _import(data: bytes, filename: str, input_shape: tuple | None, fold: bool, folder: Path | None) -> ImportResult:
    check_size(len(data))
    if not data:
        raise ModelFileError("the file is empty: not a model file")
    fmt = detect(data, filename)
    stem = Path(filename).stem or "imported"
    if fmt in ("keras", "h5", "json"):
        from lightdesign.importers import keras

        result = keras.convert(data, fmt, input_shape)
    elif fmt == "tflite":
        from lightdesign.importers import tflite

        result = tflite.convert(data, stem, input_shape)
    else:
        from lightdesign.importers import onnx

        result = onnx.convert(data, stem, input_shape, folder)
    if fold:
        from lightdesign.importers.fold import fold_design

        result = fold_design(result)
    return _without_weights_for_flat_features(result)


def _without_weights_for_flat_features(result: ImportResult) -> ImportResult:
    """A design reads a one-axis input as token ids (int32): a model that feeds its flat
    input to anything but an Embedding takes floating-point features, which the design's
    Keras model would truncate to integers. Its counts stay exact, but its weights would
    give other numbers than the file's, so they are not lent."""
    design = result.design
    if len(design.input_shape) != 1 or not result.weights:
        return result
    readers = [b for i, b in enumerate(design.blocks) if b.input == "input" or (i == 0 and b.input is None)]
    if all(b.kind == "Embedding" for b in readers):
        return result
    result.weights = None
    result.notes.append(
        f"the model reads {design.input_shape[0]:,} floating-point features; designs read a one-axis input "
        "as token ids, so the file's weights are not used (the counts are exact)"
    )
    return result


def import_file(path: str | Path, input_shape: tuple | None = None, fold: bool = False) -> ImportResult:
    """Import a model file from disk (size checked before it is read); an ONNX model's
    external data files are read from its folder."""
    path = Path(path)
    try:
        check_size(path.stat().st_size)
        data = path.read_bytes()
    except OSError as exc:
        raise ModelFileError(f"cannot read {path.name}: {exc.strerror}") from None
    return import_bytes(data, path.name, input_shape, fold, path.parent)


def is_model_file(path: str | Path) -> bool:
    """Whether a path names a model file by its suffix (``.json`` is decided by content)."""
    return Path(path).suffix.lower() in SUFFIXES and Path(path).suffix.lower() != ".json"


def parse_shape(text: str) -> tuple[int, ...]:
    """'224,224,3' or '224x224x3' -> (224, 224, 3); ModelFileError otherwise."""
    parts = [p for p in text.replace("x", ",").replace(" ", "").split(",") if p]
    try:
        shape = tuple(int(p) for p in parts)
    except ValueError:
        shape = ()
    if not shape or any(d < 1 for d in shape):
        raise ModelFileError(f"input shape {text!r} is not valid; use sizes like 224,224,3")
    return shape


__all__ = [
    "FORMATS",
    "ImportResult",
    "ModelFileError",
    "SUPPORTED",
    "SUFFIXES",
    "Unmapped",
    "import_bytes",
    "import_file",
    "is_model_file",
    "max_model_bytes",
    "parse_shape",
]
