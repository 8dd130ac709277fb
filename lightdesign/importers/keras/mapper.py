"""Keras model configs (``.keras`` zip's ``config.json``, a legacy ``.h5`` file's
``model_config`` attribute, ``model.to_json()``) -> designs.

Only the JSON config is read, plus the shapes of the weights (never their values, never a
pickle, never code): a Lambda layer's code and custom objects are refused by name and kept
as opaque blocks. Functional graphs keep their branches as ``input``/``source`` references.
Which kind a layer class maps to is each kind's ``keras_classes`` (``layers``).
"""

from __future__ import annotations

import math
from typing import Any

from lightdesign.core.symbolic import Unmappable
from lightdesign.importers.base import MAX_LAYERS, Builder, ImportResult, ModelFileError, too_many_layers
from lightdesign.importers.keras import graph, opaque
from lightdesign.importers.keras.graph import MODEL_CLASSES, layer_name
from lightdesign.importers.keras.layers import kind_and_params, own_layer
from lightdesign.importers.keras.nested import MAX_DEPTH, TooDeep, expand, too_deep

CODE_LAYERS = {"Lambda", "TFOpLambda", "SlicingOpLambda"}


class _Weights:
    """Weight shapes by layer name, read from the file's HDF5 weights (shapes only)."""

    def __init__(self, by_layer: dict[str, list[tuple[int, ...]]] | None):
        self.by_layer = by_layer

    def of(self, layer: str) -> list[tuple[int, ...]] | None:
        if self.by_layer is None:
            return None
        return self.by_layer.get(layer, [])


def flat_paths(data: Any) -> dict[str, str]:
    """{the name ``convert`` gives each layer: its path of names in the file} (``"blk/conv"``
    for a layer of the expanded nested model ``blk``; a nested model kept opaque is one
    layer under its own name). The worker copying a file's weights names the loaded model's
    layers with it, so it expands exactly the nested models the importer expanded."""
    _, config = graph.model_config(data)
    layers, _, _ = graph.layers_of(config)
    if len(layers) > 4 * MAX_LAYERS:
        raise too_many_layers(len(layers))
    return expand(layers, 4 * MAX_LAYERS)[2]


def convert(
    data: Any,
    fmt: str,
    weights: dict[str, list[tuple]] | None = None,
    input_shape: tuple | None = None,
    depth: int = 0,
) -> ImportResult:
    """A parsed Keras model config -> ImportResult. ``weights``: weight shapes per layer
    name (None when the file carries none); ``depth``: how deep in other models this one is
    (an opaque nested model imported on its own for its figures)."""
    if depth > MAX_DEPTH:
        raise too_deep()
    name, config = graph.model_config(data)
    layers, inputs, outputs = graph.layers_of(config)
    if len(layers) > 4 * MAX_LAYERS:
        raise too_many_layers(len(layers))
    layers, resolve, paths = expand(layers, 4 * MAX_LAYERS, depth)
    applied = sum(max(len(graph.calls(layer)), 1) for layer in layers if layer.get("class_name") != "InputLayer")
    if applied > MAX_LAYERS:  # refused with the model's own count, before the walk stops at the limit
        raise too_many_layers(applied)
    inputs, outputs = [resolve(i) for i in inputs], [resolve(o) for o in outputs]
    if weights is not None:
        weights = {name: weights.get(path, []) for name, path in paths.items()}
    if len(inputs) != 1 or len(outputs) != 1:
        raise ModelFileError(
            f"the model has {len(inputs)} inputs and {len(outputs)} outputs; LightDesign designs have one of each"
        )
    by_name = {layer_name(layer): layer for layer in layers}
    input_layer = inputs[0].split(":")[0]
    if input_layer not in by_name:
        raise ModelFileError(f"the model input {input_layer!r} is not among its layers")
    in_cfg = by_name[input_layer].get("config") or {}
    raw_shape = graph.input_shape(in_cfg)
    shape = tuple(input_shape) if input_shape else graph.fixed_shape(raw_shape)
    if shape is None:
        dims = ", ".join("?" if not isinstance(d, int) else str(d) for d in (raw_shape or [None])[1:]) or "?"
        raise ModelFileError(f"the model input has no fixed shape ({dims}); give the input shape, e.g. 224,224,3")
    dtype = "int32" if str(in_cfg.get("dtype", "float32")).startswith("int") else "float32"
    builder = Builder(inputs[0], shape, dtype)
    recorded: dict[str, tuple] = {}
    for layer in layers:
        for call in graph.calls(layer):
            for tid, s in call["inputs"]:
                if s is not None:
                    recorded[tid] = s
    shared = _walk(builder, layers, input_layer, recorded, _Weights(weights))
    notes = [f"layer {n!r} is applied several times; its weights are counted at every use" for n in shared]
    if weights is None:
        notes.append("the file carries no weights: parameter counts come from the layer settings")
    return builder.result(name, outputs[0], fmt, notes)


def _consumers(layers: list[dict]) -> dict[str, list[tuple[str, dict]]]:
    found: dict[str, list[tuple[str, dict]]] = {}
    for layer in layers:
        for call in graph.calls(layer):
            for tid, _ in call["inputs"]:
                found.setdefault(tid, []).append((str(layer.get("name")), layer))
    return found


def _hard_sigmoids(layers: list[dict]) -> dict[str, tuple[str, str]]:
    """Keras applications' hard_sigmoid: ops.add(x, 3) -> ReLU(6) -> ops.multiply(., 1/6).
    Returns {multiply layer: (add layer, relu layer)}."""
    consumers = _consumers(layers)
    found = {}
    for layer in layers:
        if layer.get("class_name") != "Add":
            continue
        calls = graph.calls(layer)
        if len(calls) != 1 or calls[0]["constants"] != [3.0]:
            continue
        name = str(layer.get("name"))
        after = consumers.get(f"{name}:0:0", [])
        if len(after) != 1 or after[0][1].get("class_name") != "ReLU":
            continue
        relu_name, relu = after[0]
        if (relu.get("config") or {}).get("max_value") not in (6, 6.0):
            continue
        after2 = consumers.get(f"{relu_name}:0:0", [])
        if len(after2) != 1 or after2[0][1].get("class_name") != "Multiply":
            continue
        mul_name, mul = after2[0]
        constants = graph.calls(mul)[0]["constants"] if graph.calls(mul) else []
        if len(constants) == 1 and math.isclose(constants[0], 1 / 6, rel_tol=1e-4):
            found[mul_name] = (name, relu_name)
    return found


def _weight_count(layer_cls: str, shapes: list[tuple]) -> tuple[int, int]:
    sizes = [math.prod(s) for s in shapes]
    total = sum(sizes)
    if layer_cls == "BatchNormalization":
        return total - sum(sizes[-2:]), sum(sizes[-2:])  # moving mean and variance come last
    if layer_cls == "Normalization":
        return 0, total
    return total, 0


def _walk(builder: Builder, layers: list[dict], input_layer: str, recorded: dict, weights: _Weights) -> list[str]:
    """Map every layer call in order; returns the names of layers called more than once."""
    shared = []
    hard = _hard_sigmoids(layers)
    skipped = {n for pair in hard.values() for n in pair}
    for layer in layers:
        cls_name = str(layer.get("class_name"))
        name = layer_name(layer)
        cfg = dict(layer.get("config") or {})
        if cls_name == "InputLayer":
            if name != input_layer:
                raise ModelFileError(f"the model has a second input {name!r}; designs have one input")
            continue
        if name in skipped:
            continue
        calls = graph.calls(layer)
        for index, call in enumerate(calls):
            inputs = [tid for tid, _ in call["inputs"]]
            tensor_id = f"{name}:{index}:0"
            if not inputs:
                raise ModelFileError(f"layer {name!r} has no inputs")
            if name in hard:
                add, _ = hard[name]
                add_inputs = [
                    tid for tid, _ in graph.calls(next(x for x in layers if x.get("name") == add))[0]["inputs"]
                ]
                builder.add(tensor_id, name, "hard_sigmoid", "Activation", dict(activation="hard_sigmoid"), add_inputs)
                continue
            _map_layer(builder, cls_name, layer, cfg, name, tensor_id, inputs, call["constants"], recorded, weights)
        if len(calls) > 1:
            shared.append(name)
    return shared


def _nested_figures(layer: dict, in_shape: tuple | None) -> tuple[tuple[int, int], int, tuple] | None:
    """((trainable, non-trainable), MACs, output shape) of a nested model that stays opaque,
    from the model imported on its own on the input it is given; None when that fails. Kept
    on the layer per input shape, so a model applied several times is imported once. Models
    nested beyond ``MAX_DEPTH`` refuse the whole import, as when they are expanded."""
    if in_shape is None:
        return None
    cache = layer.setdefault("_figures", {})
    if in_shape not in cache:
        from lightdesign.analysis.network import analyze

        cache[in_shape] = None
        try:
            sub = convert(
                {"class_name": layer.get("class_name"), "config": layer.get("config")},
                "json",
                None,
                in_shape,
                int(layer.get("_depth", 0)) + 1,
            )
            figures = analyze(sub.design)
        except TooDeep:
            raise
        except (ModelFileError, ValueError, TypeError, KeyError):
            return None
        if not figures.errors and not sub.unmapped:
            cache[in_shape] = ((figures.trainable, figures.non_trainable), figures.macs, figures.output_shape)
    return cache[in_shape]


def _check_loadable(cls_name: str, layer: dict, inputs: list[str], constants: list[float]) -> None:
    """Unmappable for a layer LightDesign never reads: code, a nested model kept whole, an
    operation on constants, a custom object."""
    module = str(layer.get("module") or "")
    registered = str(layer.get("registered_name") or "")
    if cls_name in CODE_LAYERS:
        raise Unmappable(f"a {cls_name} layer holds Python code, which LightDesign never runs")
    if cls_name in MODEL_CLASSES:
        raise Unmappable(layer.get("_why") or "a nested model (import the inner model on its own)")
    if module.startswith("keras.src.ops") or constants:
        if constants or len(inputs) < 2:
            raise Unmappable(f"the operation {cls_name} with constant {constants[:2]}")
        if cls_name not in ("Add", "Multiply"):
            raise Unmappable(f"the operation {cls_name}")
    elif own_layer(cls_name):
        if registered and not registered.startswith("lightdesign>"):
            raise Unmappable(f"a custom layer {registered!r}; custom objects are never loaded")
    elif registered and registered != cls_name or module and not module.startswith("keras"):
        raise Unmappable(
            f"a custom object {registered or cls_name!r} from {module or 'unknown module'}; custom objects are never loaded"
        )


def _map_layer(builder, cls_name, layer, cfg, name, tensor_id, inputs, constants, recorded, weights) -> None:
    shapes = weights.of(name)
    in_shape = builder.shape(inputs[0])
    params_in_file = _weight_count(cls_name, shapes) if shapes is not None else None
    hint = recorded.get(tensor_id)
    try:
        _check_loadable(cls_name, layer, inputs, constants)
        kind, params = kind_and_params(cls_name, cfg, len(in_shape) if in_shape else 0)
    except Unmappable as exc:
        reason = str(exc)
    except (TypeError, ValueError, KeyError, IndexError, AttributeError) as exc:
        reason = f"its settings could not be read ({type(exc).__name__})"
    else:
        builder.add(tensor_id, name, cls_name, kind, params, inputs, params_in_file, shapes, hint)
        return
    macs = 0 if cls_name in opaque.NO_MACS else None
    if params_in_file is None:
        params_in_file = opaque.params(cls_name, cfg, in_shape)
    shape = hint or opaque.shape(cls_name, cfg, in_shape)
    inner = _nested_figures(layer, in_shape) if cls_name in MODEL_CLASSES else None
    if inner is not None:
        params_in_file = params_in_file or inner[0]
        macs, shape = inner[1], hint or inner[2]
    builder.opaque(tensor_id, name, cls_name, inputs, shape, params_in_file, reason, macs, shapes)
