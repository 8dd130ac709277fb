"""Keras model configs (``.keras`` zip's ``config.json``, a legacy ``.h5`` file's
``model_config`` attribute, ``model.to_json()``) -> designs.

Only the JSON config is read, plus the shapes of the weights (never their values, never a
pickle, never code): a Lambda layer's code and custom objects are refused by name and kept
as opaque blocks. Functional graphs keep their branches as ``input``/``source`` references.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from lightdesign.importers.base import MAX_LAYERS, Builder, ImportResult, ModelFileError, too_many_layers
from lightdesign.importers.keras.nested import MAX_DEPTH, MODEL_CLASSES, TooDeep, expand, too_deep
from lightdesign.importers.keras.nested import input_shape as _input_shape
from lightdesign.importers.keras.nested import sequential_as_functional as _sequential_as_functional

ACTIVATIONS = {
    None: "linear",
    "linear": "linear",
    "relu": "relu",
    "relu6": "relu6",
    "hard_silu": "hard_swish",
    "hard_swish": "hard_swish",
    "silu": "swish",
    "swish": "swish",
    "sigmoid": "sigmoid",
    "hard_sigmoid": "hard_sigmoid",
    "tanh": "tanh",
    "softmax": "softmax",
}
CODE_LAYERS = {"Lambda", "TFOpLambda", "SlicingOpLambda"}
# layers that keep their input's shape (for opaque blocks the config gives no shape for)
SAME_SHAPE = {
    "Rescaling",
    "Normalization",
    "LeakyReLU",
    "PReLU",
    "ELU",
    "ReLU",
    "Softmax",
    "Activation",
    "LayerNormalization",
    "GroupNormalization",
    "UnitNormalization",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "GaussianNoise",
    "GaussianDropout",
    "AlphaDropout",
    "ActivityRegularization",
    "Subtract",
    "Maximum",
    "Minimum",
    "Average",
    "Lambda",
}


class Unmappable(Exception):
    """This layer has no registered kind (the message says why)."""


def _act(value: Any) -> str:
    if isinstance(value, dict):  # a serialized function: {"class_name": "function", "config": "relu"}
        value = value.get("config")
    if value not in ACTIVATIONS:
        raise Unmappable(f"activation {value!r} has no LightDesign equivalent")
    return ACTIVATIONS[value]


def _square(value: Any, what: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, int) for v in value):
        if len(set(value)) == 1:
            return value[0]
        raise Unmappable(f"{what}={list(value)} is not square")
    raise Unmappable(f"{what}={value!r} is not an integer")


def _channels_last(cfg: dict) -> None:
    if cfg.get("data_format", "channels_last") not in (None, "channels_last"):
        raise Unmappable(f"data_format {cfg.get('data_format')!r} (only channels_last is mapped)")


def _conv(cfg: dict, kind: str) -> dict:
    _channels_last(cfg)
    out = dict(
        kernel_size=_square(cfg.get("kernel_size"), "kernel_size"),
        strides=_square(cfg.get("strides", 1), "strides"),
        padding=cfg.get("padding", "valid"),
        dilation_rate=_square(cfg.get("dilation_rate", 1), "dilation_rate"),
        use_bias=bool(cfg.get("use_bias", True)),
        activation=_act(cfg.get("activation")),
    )
    if kind != "DepthwiseConv2D":
        out["filters"] = cfg.get("filters")
    if kind in ("Conv2D", "Conv1D"):
        out["groups"] = cfg.get("groups", 1)
    if kind in ("DepthwiseConv2D", "SeparableConv2D"):
        out["depth_multiplier"] = cfg.get("depth_multiplier", 1)
    return out


def _pool(cfg: dict) -> dict:
    _channels_last(cfg)
    size = _square(cfg.get("pool_size", 2), "pool_size")
    strides = cfg.get("strides")
    return dict(
        pool_size=size,
        strides=size if strides is None else _square(strides, "strides"),
        padding=cfg.get("padding", "valid"),
    )


def _global(cfg: dict) -> dict:
    _channels_last(cfg)
    return dict(keepdims=bool(cfg.get("keepdims", False)))


def _padding(cfg: dict) -> dict:
    _channels_last(cfg)
    pad = cfg.get("padding", 1)
    if isinstance(pad, int):
        return dict(top=pad, bottom=pad, left=pad, right=pad)
    rows, cols = pad
    rows = rows if isinstance(rows, (list, tuple)) else (rows, rows)
    cols = cols if isinstance(cols, (list, tuple)) else (cols, cols)
    return dict(top=rows[0], bottom=rows[1], left=cols[0], right=cols[1])


def _relu(cfg: dict) -> dict:
    if cfg.get("negative_slope") or cfg.get("threshold"):
        raise Unmappable("a leaky or thresholded ReLU")
    top = cfg.get("max_value")
    if top is None:
        return dict(activation="relu")
    if float(top) == 6.0:
        return dict(activation="relu6")
    raise Unmappable(f"ReLU with max_value={top}")


def _softmax(cfg: dict) -> dict:
    if cfg.get("axis", -1) != -1:
        raise Unmappable(f"softmax over axis {cfg.get('axis')}")
    return dict(activation="softmax")


def _bn(cfg: dict) -> dict:
    axis = cfg.get("axis", -1)
    if isinstance(axis, list):
        axis = axis[0] if len(axis) == 1 else None
    if axis not in (-1, 1, 2, 3) or axis == 1 and cfg.get("_rank", 0) > 1:
        raise Unmappable(f"normalisation over axis {cfg.get('axis')!r} (only the channel axis is mapped)")
    return dict(center=bool(cfg.get("center", True)), scale=bool(cfg.get("scale", True)))


def _recurrent(cfg: dict, kind: str) -> dict:
    expected = {"SimpleRNN": "tanh", "LSTM": "tanh", "GRU": "tanh"}[kind]
    if cfg.get("activation", expected) != expected or not cfg.get("use_bias", True):
        raise Unmappable("a recurrent layer with a non-default activation or without bias")
    if kind == "GRU" and not cfg.get("reset_after", True):
        raise Unmappable("GRU with reset_after=False")
    if cfg.get("return_state") or cfg.get("go_backwards") or cfg.get("stateful"):
        raise Unmappable("a recurrent layer returning state, running backwards or stateful")
    return dict(units=cfg.get("units"), return_sequences=bool(cfg.get("return_sequences", False)))


def _concat(cfg: dict) -> dict:
    axis = cfg.get("axis", -1)
    rank = cfg.get("_rank", 0)
    if axis != -1 and axis != rank:
        raise Unmappable(f"concatenation along axis {axis} (only the last axis is mapped)")
    return {}


def _dropout(cfg: dict) -> dict:
    rate = float(cfg.get("rate", 0.0))
    if not 0.0 <= rate <= 0.95:
        raise Unmappable(f"dropout rate {rate}")
    return dict(rate=rate)


def _reshape(cfg: dict) -> dict:
    target = cfg.get("target_shape")
    return dict(target_shape=[int(v) for v in target])


def _lightdesign(cfg: dict, fields: tuple) -> dict:
    return {f: cfg[f] for f in fields if f in cfg}


# Keras class name -> (kind, config -> design params)
MAPPING: dict[str, tuple[str, Callable[[dict], dict]]] = {
    "Conv2D": ("Conv2D", lambda c: _conv(c, "Conv2D")),
    "Conv1D": ("Conv1D", lambda c: _conv(c, "Conv1D")),
    "DepthwiseConv2D": ("DepthwiseConv2D", lambda c: _conv(c, "DepthwiseConv2D")),
    "SeparableConv2D": ("SeparableConv2D", lambda c: _conv(c, "SeparableConv2D")),
    "Dense": (
        "Dense",
        lambda c: dict(
            units=c.get("units"), activation=_act(c.get("activation")), use_bias=bool(c.get("use_bias", True))
        ),
    ),
    "Embedding": ("Embedding", lambda c: dict(input_dim=c.get("input_dim"), output_dim=c.get("output_dim"))),
    "BatchNormalization": ("BatchNormalization", _bn),
    "Activation": ("Activation", lambda c: dict(activation=_act(c.get("activation")))),
    "ReLU": ("Activation", _relu),
    "Softmax": ("Activation", _softmax),
    "Dropout": ("Dropout", _dropout),
    "MaxPooling2D": ("MaxPooling2D", _pool),
    "AveragePooling2D": ("AveragePooling2D", _pool),
    "MaxPooling1D": ("MaxPooling1D", _pool),
    "AveragePooling1D": ("AveragePooling1D", _pool),
    "GlobalAveragePooling2D": ("GlobalAveragePooling2D", _global),
    "GlobalMaxPooling2D": ("GlobalMaxPooling2D", _global),
    "GlobalAveragePooling1D": ("GlobalAveragePooling1D", _global),
    "GlobalMaxPooling1D": ("GlobalMaxPooling1D", _global),
    "Flatten": ("Flatten", lambda c: (_channels_last(c), {})[1]),
    "Reshape": ("Reshape", _reshape),
    "ZeroPadding2D": ("ZeroPadding2D", _padding),
    "Add": ("Add", lambda c: {}),
    "Multiply": ("Multiply", lambda c: {}),
    "Concatenate": ("Concatenate", _concat),
    "SimpleRNN": ("SimpleRNN", lambda c: _recurrent(c, "SimpleRNN")),
    "LSTM": ("LSTM", lambda c: _recurrent(c, "LSTM")),
    "GRU": ("GRU", lambda c: _recurrent(c, "GRU")),
    # LightDesign's own layers in generated code (recognised by name, never run)
    "ChannelShuffle": ("ChannelShuffle", lambda c: _lightdesign(c, ("groups",))),
    "ChannelSplit": ("ChannelSplit", lambda c: _lightdesign(c, ("parts", "index"))),
}
OWN_LAYERS = {"ChannelShuffle", "ChannelSplit"}


def _bidirectional(cfg: dict) -> tuple[str, dict]:
    inner = cfg.get("layer") or {}
    cls = inner.get("class_name")
    if cls not in ("SimpleRNN", "LSTM", "GRU") or cfg.get("merge_mode", "concat") != "concat":
        raise Unmappable(f"Bidirectional around {cls} with merge_mode {cfg.get('merge_mode')!r}")
    params = _recurrent(inner.get("config") or {}, cls)
    params["bidirectional"] = True
    return cls, params


# -- reading the config --------------------------------------------------------------------------


def _shape(value: Any) -> tuple | None:
    """A per-sample shape (batch axis dropped) with every size known, else None."""
    if not isinstance(value, (list, tuple)) or len(value) < 2:
        return None
    dims = tuple(value[1:])
    if all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in dims):
        return dims
    return None


def _refs(value: Any, out: list) -> None:
    """Tensor references inside a Keras 3 node's args: (layer, node, tensor) triples."""
    if isinstance(value, dict):
        if value.get("class_name") == "__keras_tensor__":
            history = (value.get("config") or {}).get("keras_history") or []
            if len(history) == 3:
                out.append((tuple(history), _shape((value.get("config") or {}).get("shape"))))
            return
        for v in value.values():
            _refs(v, out)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _refs(v, out)


def _constants(value: Any) -> list[float]:
    """Plain numbers among a node's args (``x + 3.0``)."""
    found: list[float] = []
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            found.append(float(v))
        elif isinstance(v, list):
            stack.extend(v)
    return found


def _nodes(layer: dict) -> list[dict]:
    """Each call of a layer as {"inputs": [(tensor id, recorded shape)], "constants": [...]}
    (read once: a layer of an expanded nested model carries its rewired calls)."""
    if "_calls" in layer:
        return layer["_calls"]
    calls = []
    for node in layer.get("inbound_nodes") or []:
        refs: list = []
        if isinstance(node, dict):  # Keras 3
            _refs(node.get("args"), refs)
            _refs(node.get("kwargs"), refs)
            constants = _constants(node.get("args"))
        else:  # Keras 2: [["name", node, tensor, {kwargs}], ...]
            constants = []
            for item in node if isinstance(node, list) else []:
                if isinstance(item, list) and len(item) >= 3 and isinstance(item[0], str):
                    refs.append(((item[0], item[1], item[2]), None))
        calls.append({"inputs": [(_tid(h), s) for h, s in refs], "constants": constants})
    return calls


def _tid(history) -> str:
    name, node, tensor = (list(history) + [0, 0])[:3]
    return f"{name}:{node}:{tensor}"


def _io(value: Any) -> list[str]:
    """input_layers / output_layers: ["name", 0, 0] or [["name", 0, 0], ...]."""
    if isinstance(value, list) and len(value) == 3 and isinstance(value[0], str):
        value = [value]
    if isinstance(value, dict):
        value = list(value.values())
    return [_tid(v) for v in value or [] if isinstance(v, list) and v]


def _model_config(data: Any) -> tuple[str, dict]:
    if (
        not isinstance(data, dict)
        or data.get("class_name") not in MODEL_CLASSES
        or not isinstance(data.get("config"), dict)
    ):
        cls = data.get("class_name") if isinstance(data, dict) else type(data).__name__
        raise ModelFileError(f"the config describes a {cls!r}, not a Keras Functional or Sequential model")
    config = data["config"]
    if data["class_name"] == "Sequential":
        config = _sequential_as_functional(config)
    if not isinstance(config.get("layers"), list):
        raise ModelFileError("the Keras config has no list of layers")
    return str(config.get("name") or "imported"), config


def _layers(config: dict) -> tuple[list[dict], list[str], list[str]]:
    """The layers of a functional config: (layers, input ids, output ids)."""
    layers = []
    for layer in config["layers"]:
        if not isinstance(layer, dict):
            raise ModelFileError("a layer of the Keras config is not an object")
        layers.append(layer)
    return layers, _io(config.get("input_layers")), _io(config.get("output_layers"))


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
    _, config = _model_config(data)
    layers, _, _ = _layers(config)
    if len(layers) > 4 * MAX_LAYERS:
        raise too_many_layers(len(layers))
    return expand(layers, _nodes, _io, 4 * MAX_LAYERS)[2]


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
    name, config = _model_config(data)
    layers, inputs, outputs = _layers(config)
    if len(layers) > 4 * MAX_LAYERS:
        raise too_many_layers(len(layers))
    layers, resolve, paths = expand(layers, _nodes, _io, 4 * MAX_LAYERS, depth)
    inputs, outputs = [resolve(i) for i in inputs], [resolve(o) for o in outputs]
    if weights is not None:
        weights = {name: weights.get(path, []) for name, path in paths.items()}
    if len(inputs) != 1 or len(outputs) != 1:
        raise ModelFileError(
            f"the model has {len(inputs)} inputs and {len(outputs)} outputs; LightDesign designs have one of each"
        )
    by_name = {str(layer.get("name") or (layer.get("config") or {}).get("name")): layer for layer in layers}
    input_layer = inputs[0].split(":")[0]
    if input_layer not in by_name:
        raise ModelFileError(f"the model input {input_layer!r} is not among its layers")
    in_cfg = by_name[input_layer].get("config") or {}
    raw_shape = _input_shape(in_cfg)
    shape = tuple(input_shape) if input_shape else _shape(raw_shape)
    if shape is None:
        dims = ", ".join("?" if not isinstance(d, int) else str(d) for d in (raw_shape or [None])[1:]) or "?"
        raise ModelFileError(f"the model input has no fixed shape ({dims}); give the input shape, e.g. 224,224,3")
    dtype = "int32" if str(in_cfg.get("dtype", "float32")).startswith("int") else "float32"
    builder = Builder(inputs[0], shape, dtype)
    recorded: dict[str, tuple] = {}
    for layer in layers:
        for call in _nodes(layer):
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
        for call in _nodes(layer):
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
        calls = _nodes(layer)
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
        constants = _nodes(mul)[0]["constants"] if _nodes(mul) else []
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


def _opaque_params(cls_name: str, cfg: dict, in_shape: tuple | None) -> tuple[int, int] | None:
    """Parameters of an unmapped layer from its settings, for the few known ones."""
    channels = in_shape[-1] if in_shape else 0
    if cls_name == "Normalization" and cfg.get("mean") is None:
        return 0, 2 * channels + 1
    if cls_name in ("LayerNormalization", "GroupNormalization"):
        return channels * (int(cfg.get("center", True)) + int(cfg.get("scale", True))), 0
    if cls_name == "PReLU" and in_shape:
        shared = set(cfg.get("shared_axes") or [])
        return math.prod(d for i, d in enumerate(in_shape, start=1) if i not in shared), 0
    return None


def _opaque_shape(cls_name: str, cfg: dict, in_shape: tuple | None) -> tuple | None:
    if in_shape is None:
        return None
    if cls_name == "Cropping2D" and len(in_shape) == 3:
        crop = cfg.get("cropping", ((0, 0), (0, 0)))
        (t, b), (left, r) = (c if isinstance(c, (list, tuple)) else (c, c) for c in crop)
        return (in_shape[0] - t - b, in_shape[1] - left - r, in_shape[2])
    if cls_name == "UpSampling2D" and len(in_shape) == 3:
        size = cfg.get("size", (2, 2))
        sh, sw = size if isinstance(size, (list, tuple)) else (size, size)
        return (in_shape[0] * sh, in_shape[1] * sw, in_shape[2])
    if cls_name in SAME_SHAPE:
        return in_shape
    return None


def _walk(builder: Builder, layers: list[dict], input_layer: str, recorded: dict, weights: _Weights) -> list[str]:
    """Map every layer call in order; returns the names of layers called more than once."""
    shared = []
    hard = _hard_sigmoids(layers)
    skipped = {n for pair in hard.values() for n in pair}
    for layer in layers:
        cls_name = str(layer.get("class_name"))
        name = str(layer.get("name") or (layer.get("config") or {}).get("name"))
        cfg = dict(layer.get("config") or {})
        if cls_name == "InputLayer":
            if name != input_layer:
                raise ModelFileError(f"the model has a second input {name!r}; designs have one input")
            continue
        if name in skipped:
            continue
        calls = _nodes(layer)
        for index, call in enumerate(calls):
            inputs = [tid for tid, _ in call["inputs"]]
            tensor_id = f"{name}:{index}:0"
            if not inputs:
                raise ModelFileError(f"layer {name!r} has no inputs")
            if name in hard:
                add, _ = hard[name]
                add_inputs = [tid for tid, _ in _nodes(next(x for x in layers if x.get("name") == add))[0]["inputs"]]
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


def _map_layer(builder, cls_name, layer, cfg, name, tensor_id, inputs, constants, recorded, weights) -> None:
    module = str(layer.get("module") or "")
    registered = str(layer.get("registered_name") or "")
    shapes = weights.of(name)
    in_shape = builder.shape(inputs[0])
    params_in_file = _weight_count(cls_name, shapes) if shapes is not None else None
    hint = recorded.get(tensor_id)
    reason = None
    try:
        if cls_name in CODE_LAYERS:
            raise Unmappable(f"a {cls_name} layer holds Python code, which LightDesign never runs")
        if cls_name in MODEL_CLASSES:
            raise Unmappable(layer.get("_why") or "a nested model (import the inner model on its own)")
        if module.startswith("keras.src.ops") or constants:
            if constants or len(inputs) < 2:
                raise Unmappable(f"the operation {cls_name} with constant {constants[:2]}")
            if cls_name not in ("Add", "Multiply"):
                raise Unmappable(f"the operation {cls_name}")
        elif cls_name in OWN_LAYERS:
            if registered and not registered.startswith("lightdesign>"):
                raise Unmappable(f"a custom layer {registered!r}; custom objects are never loaded")
        elif registered and registered != cls_name or module and not module.startswith("keras"):
            raise Unmappable(
                f"a custom object {registered or cls_name!r} from {module or 'unknown module'}; custom objects are never loaded"
            )
        if cls_name == "Bidirectional":
            kind, params = _bidirectional(cfg)
        elif cls_name in MAPPING:
            kind, to_params = MAPPING[cls_name]
            cfg["_rank"] = len(in_shape) if in_shape else 0
            params = to_params(cfg)
        else:
            raise Unmappable(f"{cls_name} has no LightDesign kind")
    except Unmappable as exc:
        reason = str(exc)
    except (TypeError, ValueError, KeyError, IndexError, AttributeError) as exc:
        reason = f"its settings could not be read ({type(exc).__name__})"
    if reason is not None:
        macs = 0
        if params_in_file is None:
            params_in_file = _opaque_params(cls_name, cfg, in_shape)
        shape = hint or _opaque_shape(cls_name, cfg, in_shape)
        inner = _nested_figures(layer, in_shape) if cls_name in MODEL_CLASSES else None
        if inner is not None:
            params_in_file = params_in_file or inner[0]
            macs, shape = inner[1], hint or inner[2]
        builder.opaque(tensor_id, name, cls_name, inputs, shape, params_in_file, reason, macs, shapes)
        return
    builder.add(tensor_id, name, cls_name, kind, params, inputs, params_in_file, shapes, hint)
