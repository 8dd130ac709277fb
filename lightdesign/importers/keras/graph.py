"""A Keras model config read as a graph: its layers, each layer's calls with the tensors they
read, and the model's input and output tensors (Keras 2 and Keras 3 spellings; a Sequential
model as the chain of functional layers it is). Plain data in, plain data out: which kind a
layer maps to is decided elsewhere.

A tensor is named ``"layer:node:tensor"``, as Keras's history of it reads."""

from __future__ import annotations

from typing import Any

from lightdesign.importers.base import ModelFileError, unique

MODEL_CLASSES = ("Functional", "Model", "Sequential")


def layer_name(layer: dict) -> str:
    return str(layer.get("name") or (layer.get("config") or {}).get("name"))


def inner_name(parent: str, name: str, used: set[str]) -> str:
    """The flat name of layer ``name`` of the model ``parent`` (a nested model expanded in place,
    a Sequential model's input); ``used`` holds the outer model's layer names and every name
    given so far (the new one is added)."""
    return unique(name if name not in used else f"{parent}_{name}", used)


def fixed_shape(value: Any) -> tuple | None:
    """A per-sample shape (batch axis dropped) with every size known, else None."""
    if not isinstance(value, (list, tuple)) or len(value) < 2:
        return None
    dims = tuple(value[1:])
    if all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in dims):
        return dims
    return None


def input_shape(cfg: dict) -> Any:
    """The batch shape an InputLayer (or a first layer) records."""
    for key in ("batch_shape", "batch_input_shape"):
        if cfg.get(key) is not None:
            return cfg[key]
    if cfg.get("input_shape") is not None:
        return [None, *cfg["input_shape"]]
    return None


def _refs(value: Any, out: list) -> None:
    """Tensor references inside a Keras 3 node's args: (layer, node, tensor) triples."""
    if isinstance(value, dict):
        if value.get("class_name") == "__keras_tensor__":
            history = (value.get("config") or {}).get("keras_history") or []
            if len(history) == 3:
                out.append((tuple(history), fixed_shape((value.get("config") or {}).get("shape"))))
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


def calls(layer: dict) -> list[dict]:
    """Each call of a layer as {"inputs": [(tensor id, recorded shape)], "constants": [...]}
    (read once: a layer of an expanded nested model carries its rewired calls)."""
    if "_calls" in layer:
        return layer["_calls"]
    found = []
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
        found.append({"inputs": [(_tensor_id(h), s) for h, s in refs], "constants": constants})
    return found


def _tensor_id(history) -> str:
    name, node, tensor = (list(history) + [0, 0])[:3]
    return f"{name}:{node}:{tensor}"


def io_tensors(value: Any) -> list[str]:
    """The tensors of input_layers / output_layers: ["name", 0, 0] or [["name", 0, 0], ...]."""
    if isinstance(value, list) and len(value) == 3 and isinstance(value[0], str):
        value = [value]
    if isinstance(value, dict):
        value = list(value.values())
    return [_tensor_id(v) for v in value or [] if isinstance(v, list) and v]


def sequential_as_functional(config: dict) -> dict:
    """A Sequential config as a chain of functional layers."""
    layers = [dict(layer) for layer in config.get("layers") or [] if isinstance(layer, dict)]
    shape = None
    if layers and layers[0].get("class_name") == "InputLayer":
        shape = input_shape(layers[0].get("config") or {})
        layers = layers[1:]
    if shape is None and layers:
        shape = input_shape(layers[0].get("config") or {})
    if shape is None:
        shape = config.get("build_input_shape") or (config.get("build_config") or {}).get("input_shape")
    used = {layer_name(layer) for layer in layers}
    start = inner_name("sequential", "input_layer", used)
    out = [{"class_name": "InputLayer", "name": start, "config": {"batch_shape": shape}, "inbound_nodes": []}]
    previous = start
    for i, layer in enumerate(layers):
        name = (layer.get("config") or {}).get("name") or f"layer_{i}"
        out.append({**layer, "name": name, "inbound_nodes": [[[previous, 0, 0, {}]]]})
        previous = name
    return {
        "name": config.get("name", "sequential"),
        "layers": out,
        "input_layers": [[start, 0, 0]],
        "output_layers": [[previous, 0, 0]],
    }


def model_config(data: Any) -> tuple[str, dict]:
    """(model name, functional config) of a parsed Keras model config; ModelFileError when it
    describes no Functional or Sequential model."""
    if (
        not isinstance(data, dict)
        or data.get("class_name") not in MODEL_CLASSES
        or not isinstance(data.get("config"), dict)
    ):
        cls = data.get("class_name") if isinstance(data, dict) else type(data).__name__
        raise ModelFileError(f"the config describes a {cls!r}, not a Keras Functional or Sequential model")
    config = data["config"]
    if data["class_name"] == "Sequential":
        config = sequential_as_functional(config)
    if not isinstance(config.get("layers"), list):
        raise ModelFileError("the Keras config has no list of layers")
    return str(config.get("name") or "imported"), config


def layers_of(config: dict) -> tuple[list[dict], list[str], list[str]]:
    """The layers of a functional config: (layers, input tensors, output tensors)."""
    layers = []
    for layer in config["layers"]:
        if not isinstance(layer, dict):
            raise ModelFileError("a layer of the Keras config is not an object")
        layers.append(layer)
    return layers, io_tensors(config.get("input_layers")), io_tensors(config.get("output_layers"))
