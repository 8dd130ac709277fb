"""Which format a model file is, from its first bytes (the name only breaks ties)."""

from __future__ import annotations

from lightdesign.importers.base import ModelFileError

HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
ZIP_MAGIC = b"PK\x03\x04"
SUPPORTED = ".keras, .h5, Keras JSON (.json), .tflite or .onnx"


def detect(data: bytes, filename: str = "") -> str:
    """The format of a model file from its first bytes (the name only breaks ties)."""
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    head = data[:16]
    if head.startswith(ZIP_MAGIC) or suffix == "keras" and head[:2] == b"PK":
        return "keras"
    if head.startswith(HDF5_MAGIC):
        return "h5"
    if len(data) >= 8 and data[4:8] == b"TFL3":
        return "tflite"
    if data[:1024].lstrip()[:1] in (b"{", b"["):
        return "json"
    if suffix == "onnx" or _looks_like_onnx(data):
        return "onnx"
    if suffix in ("keras", "h5", "hdf5", "tflite", "json"):
        what = {"keras": "a .keras zip archive", "h5": "an HDF5 file", "hdf5": "an HDF5 file"}.get(
            suffix, f"a .{suffix} model"
        )
        raise ModelFileError(f"the file is named .{suffix} but is not {what} (truncated or damaged?)")
    raise ModelFileError(f"not a model file: LightDesign imports {SUPPORTED}")


def _looks_like_onnx(data: bytes) -> bool:
    """An ONNX ModelProto starts with its ir_version field (tag 0x08) and names a producer
    or a graph soon after."""
    return data[:1] == b"\x08" and (b"\x12" in data[2:6] or b"\x3a" in data[2:6])
