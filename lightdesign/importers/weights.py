"""Which layers of a (possibly edited) design can keep the weights an imported file carries.

Pure Python, no weight values: a layer keeps its weights when the file has a layer of the same
name whose weight tensors have the same sizes, or, failing that, the next unclaimed layer in
the file's order with the same sizes (folding renames layers but keeps their order). Sizes,
not shapes, are compared, so TFLite's and ONNX's layouts match Keras's.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lightdesign.core.design import Design
from lightdesign.core.graph import trace
from lightdesign.core.message import Message
from lightdesign.data.owned import owned_file


@dataclass(frozen=True, kw_only=True)
class WeightsSource(Message):
    """An imported model file whose weights a job copies into the design's model before
    training (fine-tuning) or exporting: ``layers`` maps each layer of the design that
    keeps the file's weights to the file's layer (``lightdesign.importers.weights.plan``);
    the other layers start from new weights."""

    path: str  # the kept copy of the uploaded file: .keras/.h5 read with safe_mode=True, .tflite/.onnx as data
    format: str  # "keras", "h5", "tflite" or "onnx"
    file_name: str  # the uploaded file's name, for the page and the run's notes
    layers: dict[str, str]  # design layer -> the file's layer (block names, as the importer named them)
    fresh: tuple[str, ...] = ()  # design layers with parameters that start from new weights
    input_shape: tuple[int, ...] | None = None  # the input shape given at import (.tflite/.onnx are mapped again)

    @property
    def unchanged(self) -> bool:
        return not self.fresh


@dataclass
class WeightPlan:
    kept: dict[str, str] = field(default_factory=dict)  # design layer -> layer of the file
    fresh: list[str] = field(default_factory=list)  # design layers that start from new weights

    @property
    def unchanged(self) -> bool:
        return not self.fresh


def _sizes(shapes) -> tuple[int, ...]:
    return tuple(sorted(math.prod(s) for s in shapes))


def layer_sizes(design: Design) -> list[tuple[str, tuple[int, ...]]]:
    """(layer name, sorted weight-tensor sizes) of every layer with parameters, in order."""
    graph = trace(design)
    by_name = {n.name: n for n in graph.nodes}
    out = []
    for node in graph.nodes[1:]:
        if node.cost.params == 0:
            continue
        sizes = node.layer.weight_sizes(node, [by_name[name] for name in node.inputs])
        out.append((node.name, tuple(sorted(sizes))))
    return out


def plan(design: Design, weights: dict[str, list[tuple[int, ...]]]) -> WeightPlan:
    """Match the design's layers with the file's weights (see the module docstring)."""
    mine = layer_sizes(design)
    theirs = [(name, _sizes(shapes)) for name, shapes in weights.items() if shapes]
    # a file layer whose tensors are split differently (TFLite's folded bias) still matches by total
    result = WeightPlan()
    claimed: set[int] = set()
    index = {name: i for i, (name, _) in enumerate(theirs)}
    for name, sizes in mine:
        i = index.get(name)
        if i is not None and _same(theirs[i][1], sizes):
            result.kept[name] = name
            claimed.add(i)
    cursor = 0
    for name, sizes in mine:
        if name in result.kept:
            cursor = max(cursor, index.get(name, cursor) + 1)
            continue
        found = next((i for i in range(cursor, len(theirs)) if i not in claimed and _same(theirs[i][1], sizes)), None)
        if found is None:
            result.fresh.append(name)
            continue
        result.kept[name] = theirs[found][0]
        claimed.add(found)
        cursor = found + 1
    return result


def _same(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    return a == b or sum(a) == sum(b) and len(a) == len(b)


# -- the uploaded file kept with its design ------------------------------------------------------

MODEL_FILES = "model_files"  # workspace setting: design id -> the record of its imported file
# formats whose weights a job loads: Keras files with safe_mode=True; TFLite and ONNX files
# read as data by the importer's own mapping, in Keras's layout (``tflite.weight_values``,
# ``onnx.weight_values``)
LOADABLE = ("keras", "h5", "tflite", "onnx")
MODELS_DIR = "models"  # under the work folder: one folder per kept file


def keep_model_file(data: bytes, filename: str) -> Path:
    """Write an uploaded model file into its own folder under the work folder; returns its path."""
    import uuid

    from lightdesign import config

    suffix = Path(filename).suffix.lower()
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", Path(filename).stem)[:60] or "model"
    folder = config.work_dir() / MODELS_DIR / uuid.uuid4().hex[:12]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}{suffix}"
    path.write_bytes(data)
    return path


def file_record(
    file_name: str, fmt: str, path: Path | None, weights: dict | None, input_shape: tuple | None = None
) -> dict:
    """What the workspace keeps about a design's imported file (JSON-safe). ``input_shape``:
    the input shape the person gave when importing it (the job maps the file again with it)."""
    return {
        "file": file_name,
        "format": fmt,
        "path": None if path is None else str(path),
        "weights": {name: [list(s) for s in shapes] for name, shapes in (weights or {}).items()},
        "input_shape": None if input_shape is None else [int(d) for d in input_shape],
    }


def checked_record(record: object) -> dict | None:
    """A record from outside (a workspace archive) in exactly the form ``file_record`` writes,
    or None when it is not one (it is then dropped: the design keeps no file)."""
    if not isinstance(record, dict) or set(record) - {"file", "format", "path", "weights", "input_shape"}:
        return None
    name, fmt, path = record.get("file"), record.get("format"), record.get("path")
    weights, shape = record.get("weights") or {}, record.get("input_shape")
    if not isinstance(name, str) or not isinstance(fmt, str) or not (path is None or isinstance(path, str)):
        return None
    if not isinstance(weights, dict) or not all(
        isinstance(layer, str) and isinstance(shapes, list) and all(_dims(s) for s in shapes)
        for layer, shapes in weights.items()
    ):
        return None
    if shape is not None and not (_dims(shape) and 1 <= len(shape) <= 3 and all(shape)):
        return None
    return {"file": name[:200], "format": fmt[:20], "path": path, "weights": weights, "input_shape": shape}


def _dims(value: object) -> bool:
    return (
        isinstance(value, list)
        and len(value) <= 8
        and all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 2**31 for d in value)
    )


@dataclass
class FileWeights:
    """Whether a design's imported file lends it weights, and which layers keep them."""

    file: str
    format: str
    source: WeightsSource | None  # None: the file's weights are not used (``reason``)
    plan: WeightPlan | None = None
    reason: str = ""  # "no_weights", "format", "missing", "none_kept" or "" when used


def file_weights(design: Design, record: dict | None, owned: Iterable[str | os.PathLike]) -> FileWeights | None:
    """The weights a design's imported file lends it (``record`` from ``file_record``).
    ``owned``: the files and folders the workspace owns; the record's path is used only when
    it resolves to a file inside one of them (``data.owned``), else the reason is "missing"
    (gone and not owned read the same, so a record cannot probe the server's files)."""
    if not record:
        return None
    name, fmt = str(record.get("file", "")), str(record.get("format", ""))
    shapes = record.get("weights") or {}
    if not shapes:
        return FileWeights(name, fmt, None, reason="no_weights")
    if fmt not in LOADABLE:
        return FileWeights(name, fmt, None, reason="format")
    path = owned_file(record.get("path"), owned)
    if path is None:
        return FileWeights(name, fmt, None, reason="missing")
    result = plan(design, {k: [tuple(s) for s in v] for k, v in shapes.items()})
    if not result.kept:
        return FileWeights(name, fmt, None, plan=result, reason="none_kept")
    given = record.get("input_shape")
    source = WeightsSource(
        path=str(path),
        format=fmt,
        file_name=name,
        layers=dict(result.kept),
        fresh=tuple(result.fresh),
        input_shape=tuple(int(d) for d in given) if given else None,
    )
    return FileWeights(name, fmt, source, plan=result)
