"""Nested Keras models expanded in place.

A Sequential block or an applications backbone used as a layer of another model imports as
its own layers, inline: each inner layer keeps its name unless an earlier layer or a layer
of the outer model already has it (then it takes its model's name as a prefix,
``blk_conv``), the inner model's inputs read what the outer call passed it, and what read
the inner model's output reads the inner layer that produced it.

The weights a file carries for a nested model are given per inner layer by a path of names,
``"backbone/Conv1"`` (Keras 3 forbids '/' in layer names). ``graph.inner_name`` is the one
naming rule; the worker that copies an imported file's weights (``jobs.file_weights``) names the
layers of the loaded model with it too, so both sides agree on every name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lightdesign.importers.base import ModelFileError, too_many_layers
from lightdesign.importers.keras.graph import (
    MODEL_CLASSES,
    calls,
    inner_name,
    io_tensors,
    layer_name,
    sequential_as_functional,
)

MAX_DEPTH = 16  # models nested in models


class TooDeep(ModelFileError):
    """Models nested beyond ``MAX_DEPTH``: refuses the whole import wherever it is found."""


def too_deep() -> TooDeep:
    """The one refusal of a model nesting models beyond ``MAX_DEPTH`` (expanded in place or
    imported on their own for an opaque block's figures)."""
    return TooDeep(
        f"the model nests models inside models more than {MAX_DEPTH} levels deep; LightDesign imports at most {MAX_DEPTH}"
    )


def is_model(layer: dict) -> bool:
    """A Keras model used as a layer (never a custom class: those are refused elsewhere)."""
    if layer.get("class_name") not in MODEL_CLASSES or not isinstance(layer.get("config"), dict):
        return False
    module = str(layer.get("module") or "")
    registered = layer.get("registered_name")
    return (not module or module.startswith("keras")) and registered in (None, "", layer.get("class_name"))


def functional(layer: dict) -> dict:
    """The functional config of a nested model layer (a Sequential one rewritten)."""
    config = layer["config"]
    if layer.get("class_name") == "Sequential":
        return sequential_as_functional(config)
    return config


class _Flat:
    """The state of one expansion: the flat layers, their weight paths, the names taken."""

    def __init__(self, used: set[str]):
        self.used = used
        self.layers: list[dict] = []
        self.paths: dict[str, str] = {}
        self.count = 0


def expand(layers: list[dict], limit: int, depth: int = 0) -> tuple[list[dict], Callable[[str], str], dict[str, str]]:
    """The layers of a functional config with every nested model expanded in place.

    Returns (flat layers, the tensor-id resolver of the outer model, {flat name: weight path}).
    Each flat layer carries its calls, already read and rewired, under ``"_calls"``; a nested
    model that cannot be expanded stays one layer with the reason under ``"_why"``.
    ``limit`` caps the number of flat layers (a nesting bomb); ``depth`` is how deep in other
    models this one is (a model imported on its own for an opaque block's figures). A nested
    model that stays opaque carries its depth under ``"_depth"``.

    Which nested models are expanded (``_why_not``) and how their layers are named is decided
    here only: the worker that copies a file's weights reads the same names and paths."""
    flat = _Flat({layer_name(layer) for layer in layers})
    resolve = _container(flat, layers, None, (), {}, depth, limit)
    return flat.layers, resolve, flat.paths


def _container(
    flat: _Flat, layers: list[dict], parent: str | None, path: tuple, inputs: dict[str, str], depth: int, limit: int
) -> Callable[[str], str]:
    """Expand one model's layers into ``flat``; returns its tensor-id resolver. ``inputs``
    maps the tensor ids of its input layers to the outer tensors the call passed."""
    if depth > MAX_DEPTH:
        raise too_deep()
    local = dict(inputs)  # tensor id in this model -> flat tensor id
    renamed: dict[str, str] = {}

    def resolve(tid: str) -> str:
        if tid in local:
            return local[tid]
        name, _, rest = tid.partition(":")
        if name in renamed:
            return f"{renamed[name]}:{rest}"
        if path:
            return "/".join((*path, tid))  # produced by nothing: the builder says so by name
        return tid

    for layer in layers:
        name = layer_name(layer)
        layer_calls = calls(layer)
        if layer.get("class_name") == "InputLayer" and parent is not None:
            continue  # its tensor is the outer call's input (in ``inputs``)
        flat.count += 1
        if flat.count > limit:
            raise too_many_layers(flat.count)
        if is_model(layer):
            why = _why_not(layer, layer_calls)
            if why is None:
                inner = functional(layer)
                inner_inputs = io_tensors(inner.get("input_layers"))
                passed = [resolve(tid) for tid, _ in layer_calls[0]["inputs"]]
                sub = _container(
                    flat,
                    [x for x in inner["layers"] if isinstance(x, dict)],
                    name,
                    (*path, name),
                    dict(zip(inner_inputs, passed, strict=True)),
                    depth + 1,
                    limit,
                )
                for k, out_id in enumerate(io_tensors(inner.get("output_layers"))):
                    local[f"{name}:0:{k}"] = sub(out_id)
                flat.count -= 1  # the model itself is not a layer of the design
                continue
            layer = {**layer, "_why": why, "_depth": depth}
        new = name if parent is None else inner_name(parent, name, flat.used)
        renamed[name] = new
        rewired = [
            {"inputs": [(resolve(tid), shape) for tid, shape in call["inputs"]], "constants": call["constants"]}
            for call in layer_calls
        ]
        flat.layers.append({**layer, "name": new, "_calls": rewired})
        flat.paths[new] = "/".join((*path, name))
    return resolve


def _why_not(layer: dict, layer_calls: list[dict]) -> str | None:
    """Why a nested model cannot be expanded in place, or None when it can."""
    if len(layer_calls) != 1:
        return f"a nested model applied {len(layer_calls)} times (its layers share their weights)"
    inner = functional(layer)
    if not isinstance(inner.get("layers"), list):
        return "a nested model whose config has no list of layers"
    inputs, outputs = io_tensors(inner.get("input_layers")), io_tensors(inner.get("output_layers"))
    if len(inputs) != len(layer_calls[0]["inputs"]) or not outputs:
        return (
            f"a nested model with {len(inputs)} input(s) called on {len(layer_calls[0]['inputs'])} tensor(s)"
            if outputs
            else "a nested model without outputs"
        )
    return None


# -- weights per inner layer ---------------------------------------------------------------------


def _models(config: dict) -> list[dict]:
    layers = functional({"class_name": config.get("class_name"), "config": config.get("config")}).get("layers")
    return [x for x in layers or [] if isinstance(x, dict)]


def h5_weights(config: Any, datasets: dict[str, tuple[int, ...]]) -> dict[str, list[tuple[int, ...]]]:
    """A legacy .h5 file's weight shapes by layer, nested models' layers by their path of
    names. ``datasets``: every weight under ``model_weights`` by its path, in natural order.
    A nested model's group holds its layers' weights under paths that name the layer
    (``blk/blk/conv/kernel``, ``backbone/Conv1/kernel``): each weight goes to the first inner
    layer its path names."""
    groups: dict[str, list[tuple[list[str], tuple[int, ...]]]] = {}
    for key, shape in datasets.items():
        first, _, rest = key.partition("/")
        groups.setdefault(first, []).append((rest.split("/") if rest else [], shape))
    out: dict[str, list[tuple[int, ...]]] = {key: [s for _, s in entries] for key, entries in groups.items()}
    if isinstance(config, dict) and isinstance(config.get("config"), dict):
        for layer in _models(config):
            if is_model(layer):
                name = layer_name(layer)
                _distribute(layer, groups.get(name, []), name, out, 1)
    return out


def _distribute(model: dict, entries: list, path: str, out: dict, depth: int) -> None:
    if depth > MAX_DEPTH:
        return
    inner = [x for x in functional(model).get("layers") or [] if isinstance(x, dict)]
    names = {layer_name(x) for x in inner}
    mine: dict[str, list] = {}
    for parts, shape in entries:
        hit = next((i for i, part in enumerate(parts[:-1]) if part in names), None)
        if hit is not None:
            mine.setdefault(parts[hit], []).append((parts[hit + 1 :], shape))
    for layer in inner:
        name = layer_name(layer)
        out[f"{path}/{name}"] = [s for _, s in mine.get(name, [])]
        if is_model(layer):
            _distribute(layer, mine.get(name, []), f"{path}/{name}", out, depth + 1)


def keras3_weights(config: Any, shapes: dict[str, list[tuple]], snake: Callable[[str], str]) -> dict[str, list[tuple]]:
    """A .keras file's weight shapes by layer name, nested models' layers by their path of
    names. ``shapes`` is keyed as the weights file names them: each layer after its class
    with a counter, in the order of its model's layers (operations are not layers), a nested
    model's layers under ``<model>/layers/``."""
    out: dict[str, list[tuple]] = {}
    if isinstance(config, dict) and isinstance(config.get("config"), dict):
        _keras3(_models(config), "", "", shapes, out, snake, 0)
    return out


def _keras3(layers: list[dict], key_prefix: str, path: str, shapes: dict, out: dict, snake, depth: int) -> None:
    used: dict[str, int] = {}
    for layer in layers:
        if str(layer.get("module", "")).startswith("keras.src.ops"):
            continue
        base = snake(str(layer.get("class_name", "")))
        if base in used:
            used[base] += 1
            key = f"{base}_{used[base]}"
        else:
            used[base] = 0
            key = base
        key = key_prefix + key
        name = path + layer_name(layer)
        below = [s for k, v in shapes.items() if k.startswith(f"{key}/layers/") for s in v]
        out[name] = list(shapes.get(key, [])) + below
        if is_model(layer) and depth < MAX_DEPTH:
            inner = [x for x in functional(layer).get("layers") or [] if isinstance(x, dict)]
            _keras3(inner, f"{key}/layers/", f"{name}/", shapes, out, snake, depth + 1)
