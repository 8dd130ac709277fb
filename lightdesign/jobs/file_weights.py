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

from pathlib import Path

import numpy as np

from lightdesign.importers.base import safe_name
from lightdesign.importers.weights import WeightsSource


def _layers(model, config):
    """(name, layer) for the layers of a loaded Keras model, named as the importer names them
    in the flat design. ``config`` is the file's own model config, read as the importer read
    it; ``importers.keras.flat_paths`` gives each flat name with its path of names, so
    a nested model is walked into exactly where the importer expanded it: one it kept opaque
    (applied twice, say) gives no inner layers, and takes no names from the layers after it."""
    from lightdesign.importers.keras import flat_paths

    for name, path in flat_paths(config).items():
        layer = model
        try:
            for part in path.split("/"):
                layer = layer.get_layer(part)
        except (ValueError, AttributeError):
            continue
        if type(layer).__name__ == "InputLayer" or getattr(layer, "layers", None) is not None:
            continue  # an input, or a nested model kept opaque: no block takes its weights
        yield name, layer


def _config(source: WeightsSource):
    """The model config of a .keras or .h5 file, read as the importer reads it."""
    from lightdesign.importers import check_size
    from lightdesign.importers.keras import files

    path = Path(source.path)
    check_size(path.stat().st_size)
    data = path.read_bytes()
    if source.format == "h5":
        return files.read_h5(data)[0]
    return files.read_keras_zip(data, with_weights=False)[0]


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
            from lightdesign.importers.onnx import weight_values
        return weight_values(data, source.input_shape)
    except (OSError, ModelFileError, ValueError, RecursionError) as exc:
        text = " ".join(str(exc).split())[:300] or type(exc).__name__
        raise RuntimeError(f"the weights of {source.file_name} cannot be loaded: {text}") from None


def file_weights(keras, source: WeightsSource) -> dict[str, list[np.ndarray]]:
    """The file's weights by layer name (its own names and the importer's block names)."""
    if source.format in EXACT:
        return mapped_weights(source)
    try:
        model = keras.models.load_model(source.path, compile=False, safe_mode=True)
        layers = list(_layers(model, _config(source)))
    except Exception as exc:  # noqa: BLE001 - any loader error is one line for the person
        text = " ".join(str(exc).split())[:300] or type(exc).__name__
        raise RuntimeError(f"the weights of {source.file_name} cannot be loaded: {text}") from None
    out: dict[str, list[np.ndarray]] = {}
    for name, layer in layers:
        values = layer.get_weights()
        if values:
            out.setdefault(safe_name(name, set()), values)  # the importer's block name
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
