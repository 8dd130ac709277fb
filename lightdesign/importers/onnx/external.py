"""Weights an ONNX file keeps in external data files (PyTorch's newer exporter writes them
even for small models): read from the model's own folder, never from outside it, within the
size limit on model files. The file states every tensor's shape, so the counts are exact
without them; only the values (the weights a design can keep) need the side files."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from lightdesign.importers.base import ModelFileError, max_model_bytes

EXTERNAL = 1  # TensorProto.DataLocation.EXTERNAL


def _entries(tensor) -> dict[str, str]:
    return {e.key: e.value for e in tensor.external_data}


def _inside(folder: Path, location: str) -> Path | None:
    """The side file ``location`` names, when it lies in ``folder`` itself or below it."""
    relative = PurePosixPath(location.replace("\\", "/"))
    if not location or relative.is_absolute() or ".." in relative.parts:
        return None
    path = (folder / relative).resolve()
    root = folder.resolve()
    return path if path.is_relative_to(root) and path.is_file() else None


def load(model, folder: Path | None) -> list[str]:
    """Read the external data of ``model``'s tensors into them from ``folder`` (in place).
    Returns the side files that were not found there, or lie outside it (their tensors keep
    their shapes, not their values); ModelFileError when they hold more than the size limit
    or less than the model says."""
    tensors = [t for t in model.graph.initializer if t.data_location == EXTERNAL]
    if not tensors:
        return []
    missing: list[str] = []
    files: dict[str, bytes] = {}
    budget = max_model_bytes()
    for tensor in tensors:
        entries = _entries(tensor)
        location = entries.get("location", "")
        if location in missing:
            continue
        path = _inside(folder, location) if folder is not None else None
        if path is None:
            missing.append(location)
            continue
        if location not in files:
            size = path.stat().st_size
            budget -= size
            if budget < 0:
                raise ModelFileError(
                    f"the model's external data ({location!r} and the files before it) is larger than the limit of "
                    f"{max_model_bytes() / 1e6:,.0f} MB (LIGHTDESIGN_MAX_MODEL_MB)"
                )
            files[location] = path.read_bytes()
        data = files[location]
        try:
            offset = int(entries.get("offset", 0))
            length = int(entries["length"]) if "length" in entries else len(data) - offset
        except ValueError:
            raise ModelFileError(f"tensor {tensor.name!r} gives no valid offset or length in {location!r}") from None
        if offset < 0 or length < 0 or offset + length > len(data):
            raise ModelFileError(
                f"tensor {tensor.name!r} reads bytes {offset:,} to {offset + length:,} of {location!r}, "
                f"which holds {len(data):,}: the external data file is truncated or not this model's"
            )
        tensor.raw_data = data[offset : offset + length]
        del tensor.external_data[:]
        tensor.data_location = 0
    return missing


def missing_note(missing: list[str], given: bool) -> str:
    """The import's note about external data files that were not read."""
    names = ", ".join(repr(name) for name in missing[:3]) + (f" … +{len(missing) - 3}" if len(missing) > 3 else "")
    where = "which is not in the model's folder" if given else "which was not given with the model"
    return (
        f"the model keeps weights in the external data file {names}, {where}: the counts are exact (the model "
        "states every shape), but those layers start from new weights; to keep them, import the .onnx file from "
        "its folder or save it with its weights inside (PyTorch: torch.onnx.export(..., external_data=False))"
    )
