"""Reading a saved Keras layer's config into a kind's design params (each kind's
``from_keras``): activations by Keras's names, square sizes, channels-last only. A setting no
kind can express raises ``Unmappable`` with the reason; the importer keeps the layer opaque."""

from __future__ import annotations

from typing import Any

from lightdesign.core.symbolic import Unmappable

# Keras activation names -> ours
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


def activation(value: Any) -> str:
    if isinstance(value, dict):  # a serialized function: {"class_name": "function", "config": "relu"}
        value = value.get("config")
    if value not in ACTIVATIONS:
        raise Unmappable(f"activation {value!r} has no LightDesign equivalent")
    return ACTIVATIONS[value]


def square(value: Any, what: str) -> int:
    """One size from an int or a list of equal ints."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, int) for v in value):
        if len(set(value)) == 1:
            return value[0]
        raise Unmappable(f"{what}={list(value)} is not square")
    raise Unmappable(f"{what}={value!r} is not an integer")


def channels_last(cfg: dict) -> None:
    if cfg.get("data_format", "channels_last") not in (None, "channels_last"):
        raise Unmappable(f"data_format {cfg.get('data_format')!r} (only channels_last is mapped)")


def same_names(cfg: dict, names: tuple[str, ...]) -> dict:
    """The settings whose Keras names are the design's (LightDesign's own layers)."""
    return {name: cfg[name] for name in names if name in cfg}
