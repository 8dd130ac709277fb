"""Typed fields of a layer kind: default, range or choices, help text.

The UI form, JSON validation and the width multiplier all read these declarations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

# Hard bounds that keep one request from exhausting memory or time.
MAX_CHANNELS = 16384
MAX_RESOLUTION = 4096
MAX_KERNEL = 31
MAX_UNITS = 65536
MAX_VOCAB = 1_000_000
MAX_SEQUENCE = 16384


class FieldError(ValueError):
    """A field value that is not valid; the message says what would be."""


@dataclass(frozen=True)
class Field:
    """One configurable parameter of a layer kind.

    ``type`` is one of ``int``, ``float``, ``bool``, ``choice``, ``ref`` (name of an
    earlier block, or ``input``) and ``ints`` (a list of integers, e.g. a target shape).
    ``channels`` marks channel counts that the width multiplier rescales.
    """

    name: str
    type: str
    default: Any
    help: str = ""
    min: float | None = None
    max: float | None = None
    choices: tuple = ()
    channels: bool = False
    label: str = ""

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ")

    def valid_text(self) -> str:
        """What would be valid, in words."""
        if self.type == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.type == "bool":
            return "true or false"
        if self.type == "ref":
            return "the name of an earlier block, or 'input'"
        if self.type == "ints":
            return f"a list of integers from {self.min:g} to {self.max:g}"
        kind = "an integer" if self.type == "int" else "a number"
        return f"{kind} from {self.min:g} to {self.max:g}"

    def check(self, value: Any) -> Any:
        """Return the value normalised to this field's type, or raise FieldError."""
        if self.type == "bool":
            if isinstance(value, bool):
                return value
        elif self.type == "int":
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if isinstance(value, int) and not isinstance(value, bool):
                if self.min <= value <= self.max:
                    return value
        elif self.type == "float":
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                if math.isfinite(value) and self.min <= value <= self.max:
                    return float(value)
        elif self.type == "choice":
            if value in self.choices and type(value) is type(self.choices[0]):
                return value
        elif self.type == "ref":
            if value is None or (isinstance(value, str) and 0 < len(value) <= 64):
                return value
        elif self.type == "ints":
            if (
                isinstance(value, (list, tuple))
                and 0 < len(value) <= 4
                and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
                and all(self.min <= v <= self.max for v in value)
            ):
                return list(value)
        raise FieldError(f"{self.name}={value!r} is not valid; use {self.valid_text()}")


def channels(name: str, default: int, help: str, label: str = "") -> Field:
    """A channel-count field (rescaled by the width multiplier)."""
    return Field(name, "int", default, help, 1, MAX_CHANNELS, channels=True, label=label)


def kernel(name: str = "kernel_size", default: int = 3, help: str = "Kernel size (square).") -> Field:
    return Field(name, "int", default, help, 1, MAX_KERNEL)


def stride(name: str = "strides", default: int = 1, help: str = "Stride (both axes).") -> Field:
    return Field(name, "int", default, help, 1, 8)


def choice(name: str, default: Any, choices: tuple, help: str) -> Field:
    return Field(name, "choice", default, help, choices=choices)


def flag(name: str, default: bool, help: str) -> Field:
    return Field(name, "bool", default, help)


def integer(name: str, default: int, lo: int, hi: int, help: str) -> Field:
    return Field(name, "int", default, help, lo, hi)


def number(name: str, default: float, lo: float, hi: float, help: str) -> Field:
    return Field(name, "float", default, help, lo, hi)


ACTIVATIONS = (
    "linear",
    "relu",
    "relu6",
    "hard_swish",
    "swish",
    "sigmoid",
    "hard_sigmoid",
    "tanh",
    "softmax",
)
ACTIVATION_HELP = (
    "Activation applied to the output; 'linear' means none. relu6 and hard_swish are the "
    "cheap, quantization-friendly choices of MobileNetV2/V3."
)


def activation(default: str = "linear", choices: tuple = ACTIVATIONS) -> Field:
    return Field("activation", "choice", default, ACTIVATION_HELP, choices=choices)


def padding(default: str = "same") -> Field:
    return choice(
        "padding",
        default,
        ("same", "valid"),
        "'same' keeps the size (ceil(size / stride)); 'valid' uses no padding and shrinks the output by kernel - 1.",
    )
