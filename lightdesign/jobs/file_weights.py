"""Copying an imported model file's weights into a design's model (runs in a worker process).

The file is the kept copy of what the person uploaded. Keras reads a ``.keras`` or ``.h5``
file with ``safe_mode=True``, so a file holding code (a Lambda layer) is refused, never run;
a ``.tflite`` or ``.onnx`` file is read as data by its importer's own mapping, which gives
each block's weights in Keras's layout (kernels transposed from the file's layout, int8
dequantized, a Dense after a channels-first Flatten with its rows reordered).
The app decided which layers keep the file's weights (``importers.weights.plan``, sent as
``WeightsSource.layers``); here each such layer receives the file layer's tensors. Keras
files' tensors are reshaped only where the sizes agree in order (a layout the importer
mapped differently); TFLite and ONNX tensors, already in Keras's layout, are copied only
where their shapes are exactly the layer's."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from lightdesign.jobs.messages import WeightsSource


def _layers(model, parent: str | None = None, used: set[str] | None = None):
    """(name, layer) for every layer of a model, nested models' layers included, in order,
    each named as the importer names it in the flat design (``importers.nested.inner_name``)."""
    from lightdesign.importers.nested import inner_name

    if used is None:
        used = {layer.name for layer in model.layers}
    for layer in model.layers:
        inner = getattr(layer, "layers", None)
        if inner and hasattr(layer, "inputs"):
            yield from _layers(layer, layer.name, used)
        elif type(layer).__name__ != "InputLayer":
            yield (layer.name if parent is None else inner_name(parent, layer.name, used)), layer


def _safe(name: str) -> str:
    """The importer's block name for a layer name (``importers.base.safe_name`` without the counter)."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", name)[:56] or "layer"
    if name[0].isdigit():
        name = f"l_{name}"
    return f"{name}_" if name in ("input", "input_layer") else name


EXACT = ("tflite", "onnx")  # formats whose tensors come in Keras's layout: shapes must match exactly


def mapped_weights(source: WeightsSource) -> dict[str, list[np.ndarray]]:
    """A .tflite or .onnx file's weights by the importer's block names, in Keras's layout."""
    from lightdesign.importers import ModelFileError, check_size

    try:
        path = Path(source.path)
        check_size(path.stat().st_size)
        data = path.read_bytes()
        if source.format == "tflite":
            from lightdesign.importers.tflite import weight_values
        else:
            from lightdesign.importers.onnx_model import weight_values
        return weight_values(data, source.input_shape)
    except (OSError, ModelFileError, ValueError) as exc:
        text = " ".join(str(exc).split())[:300] or type(exc).__name__
        raise RuntimeError(f"the weights of {source.file_name} cannot be loaded: {text}") from None


def file_weights(keras, source: WeightsSource) -> dict[str, list[np.ndarray]]:
    """The file's weights by layer name (its own names and the importer's block names)."""
    if source.format in EXACT:
        return mapped_weights(source)
    try:
        model = keras.models.load_model(source.path, compile=False, safe_mode=True)
    except Exception as exc:  # noqa: BLE001 - any loader error is one line for the person
        text = " ".join(str(exc).split())[:300] or type(exc).__name__
        raise RuntimeError(f"the weights of {source.file_name} cannot be loaded: {text}") from None
    out: dict[str, list[np.ndarray]] = {}
    for name, layer in _layers(model):
        values = layer.get_weights()
        if values:
            out.setdefault(_safe(name), values)
            out.setdefault(name, values)
    return out


def copy_weights(keras, model, source: WeightsSource) -> tuple[int, list[str]]:
    """Set the planned layers of ``model`` to the file's weights. Returns the number of
    layers copied and the design layers that could not take them (they keep new weights)."""
    theirs = file_weights(keras, source)
    copied, refused = 0, []
    for mine, name in source.layers.items():
        try:
            layer = model.get_layer(mine)
        except ValueError:
            refused.append(mine)
            continue
        target = layer.get_weights()
        values = theirs.get(name)
        if values is None or len(values) != len(target):
            refused.append(mine)
            continue
        exact = source.format in EXACT
        if any((v.shape != t.shape) if exact else (v.size != t.size) for v, t in zip(values, target, strict=True)):
            refused.append(mine)
            continue
        layer.set_weights([np.reshape(v, t.shape) for v, t in zip(values, target, strict=True)])
        copied += 1
    return copied, refused


def describe(source: WeightsSource, copied: int, refused: list[str]) -> str:
    """The weights used, in words (kept with the run or export)."""
    fresh = [*source.fresh, *refused]
    if not fresh:
        return f"the weights of {source.file_name} (all {copied} layers with weights)"
    shown = ", ".join(fresh[:8]) + (f" … +{len(fresh) - 8}" if len(fresh) > 8 else "")
    return f"the weights of {source.file_name} for {copied} of {copied + len(fresh)} layers; new weights for {shown}"
