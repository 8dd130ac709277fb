"""Keras layer classes -> kinds: ``MAPPING`` says which kind each Keras class name imports as
and how its config becomes the kind's settings; a setting the kind cannot express raises
``Unmappable`` (the layer stays opaque, with that reason)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lightdesign.importers.base import Unmappable

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


def kind_and_params(cls_name: str, cfg: dict, rank: int) -> tuple[str, dict]:
    """(kind, settings) of a Keras layer of class ``cls_name`` whose input has ``rank`` axes
    per sample; Unmappable when no kind expresses it."""
    if cls_name == "Bidirectional":
        return _bidirectional(cfg)
    if cls_name not in MAPPING:
        raise Unmappable(f"{cls_name} has no LightDesign kind")
    kind, to_params = MAPPING[cls_name]
    cfg["_rank"] = rank
    return kind, to_params(cfg)
