"""Keras models -> designs: ``files`` reads the containers (the ``.keras`` zip, a legacy
``.h5`` file, ``model.to_json()``), ``nested`` expands models used as layers, ``mapper``
maps the config's layers onto kinds."""

from __future__ import annotations

from lightdesign.importers.base import ImportResult
from lightdesign.importers.keras import files, mapper
from lightdesign.importers.keras.mapper import flat_paths


def convert(data: bytes, fmt: str, input_shape: tuple | None = None) -> ImportResult:
    """A Keras file's contents (``fmt``: "keras", "h5" or "json") -> ImportResult."""
    if fmt == "keras":
        config, shapes = files.read_keras_zip(data)
        weights = files.keras3_weights_by_layer(config, shapes)
    elif fmt == "h5":
        config, weights = files.read_h5(data)
    else:
        config, weights = files.read_json(data), None
    return mapper.convert(config, fmt, weights, input_shape)


__all__ = ["convert", "files", "flat_paths"]
