"""Typed fields of a layer kind: default, range or choices, help text.

The UI form, JSON validation and the width multiplier all read these declarations. Each
field type is a small class that checks and normalises a value and says in words what
would be valid; the widget that edits it is chosen by class in ``lightdesign.ui.form``
(this module never imports streamlit).
"""

from __future__ import annotations

import math
from dataclasses import KW_ONLY, dataclass
from typing import Any

# Hard bounds that keep one request from exhausting memory or time.
MAX_CHANNELS = 16384
MAX_RESOLUTION = 4096
MAX_KERNEL = 31
MAX_UNITS = 65536
MAX_VOCAB = 1_000_000
MAX_SEQUENCE = 16384
MAX_INTS = 4  # entries of an integer list (a target shape without the batch axis)
MAX_REF = 64  # characters of a block name referred to


class FieldError(ValueError):
    """A field value that is not valid; the message says what would be."""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Field:
    """One configurable parameter of a layer kind. Subclasses say which values are valid.

    ``channels`` marks channel counts that the width multiplier rescales; ``label`` replaces
    the name in the form where the name alone would not say it.
    """

    name: str
    default: Any
    help: str = ""
    _: KW_ONLY
    label: str = ""
    channels: bool = False

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ")

    def valid_text(self) -> str:
        """What would be valid, in words."""
        raise NotImplementedError

    def check(self, value: Any) -> Any:
        """Return the value normalised to this field's type, or raise FieldError."""
        raise NotImplementedError

    def invalid(self, value: Any) -> FieldError:
        """The error for ``value``, naming the field and what would be valid."""
        return FieldError(f"{self.name}={value!r} is not valid; use {self.valid_text()}")


@dataclass(frozen=True)
class IntField(Field):
    """An integer from ``min`` to ``max``; a whole float (``32.0`` from JSON) counts."""

    _: KW_ONLY
    min: int
    max: int

    def valid_text(self) -> str:
        return f"an integer from {self.min:g} to {self.max:g}"

    def check(self, value: Any) -> int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if _is_int(value) and self.min <= value <= self.max:
            return value
        raise self.invalid(value)


@dataclass(frozen=True)
class FloatField(Field):
    """A finite number from ``min`` to ``max``."""

    _: KW_ONLY
    min: float
    max: float

    def valid_text(self) -> str:
        return f"a number from {self.min:g} to {self.max:g}"

    def check(self, value: Any) -> float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            if math.isfinite(value) and self.min <= value <= self.max:
                return float(value)
        raise self.invalid(value)


@dataclass(frozen=True)
class BoolField(Field):
    def valid_text(self) -> str:
        return "true or false"

    def check(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        raise self.invalid(value)


@dataclass(frozen=True)
class ChoiceField(Field):
    """One of ``choices``, of the same type as they are (``2`` is not ``"2"`` or ``2.0``)."""

    _: KW_ONLY
    choices: tuple

    def valid_text(self) -> str:
        return "one of " + ", ".join(repr(c) for c in self.choices)

    def check(self, value: Any) -> Any:
        if value in self.choices and type(value) is type(self.choices[0]):
            return value
        raise self.invalid(value)


@dataclass(frozen=True)
class RefField(Field):
    """The name of an earlier block, or ``input`` (the model input); None = unset. Whether
    the name exists is checked against the design, not here."""

    def valid_text(self) -> str:
        return "the name of an earlier block, or 'input'"

    def check(self, value: Any) -> str | None:
        if value is None or (isinstance(value, str) and 0 < len(value) <= MAX_REF):
            return value
        raise self.invalid(value)


@dataclass(frozen=True)
class IntsField(Field):
    """A list of 1 to ``MAX_INTS`` integers, each from ``min`` to ``max`` (a target shape)."""

    _: KW_ONLY
    min: int
    max: int

    def valid_text(self) -> str:
        return f"a list of integers from {self.min:g} to {self.max:g}"

    def check(self, value: Any) -> list[int]:
        if (
            isinstance(value, list | tuple)
            and 0 < len(value) <= MAX_INTS
            and all(_is_int(v) and self.min <= v <= self.max for v in value)
        ):
            return list(value)
        raise self.invalid(value)


@dataclass(frozen=True)
class TextField(Field):
    """Printable text of at most ``max_length`` characters (the operation and the reason
    that an imported, unmapped layer keeps). It never reaches generated code."""

    _: KW_ONLY
    max_length: int = 200

    def valid_text(self) -> str:
        return f"printable text of at most {self.max_length} characters"

    def check(self, value: Any) -> str:
        if isinstance(value, str) and len(value) <= self.max_length and value.isprintable():
            return value
        raise self.invalid(value)


# -- the constructors kinds declare their fields with ------------------------------------------


def channels(name: str, default: int, help: str, label: str = "") -> IntField:
    """A channel-count field (rescaled by the width multiplier)."""
    return IntField(name, default, help, min=1, max=MAX_CHANNELS, channels=True, label=label)


def kernel(name: str = "kernel_size", default: int = 3, help: str = "Kernel size (square).") -> IntField:
    return IntField(name, default, help, min=1, max=MAX_KERNEL)


def stride(name: str = "strides", default: int = 1, help: str = "Stride (both axes).") -> IntField:
    return IntField(name, default, help, min=1, max=8)


def choice(name: str, default: Any, choices: tuple, help: str) -> ChoiceField:
    return ChoiceField(name, default, help, choices=choices)


def flag(name: str, default: bool, help: str) -> BoolField:
    return BoolField(name, default, help)


def integer(name: str, default: int, lo: int, hi: int, help: str, channels: bool = False) -> IntField:
    """An integer field; ``channels=True`` when the width multiplier rescales it."""
    return IntField(name, default, help, min=lo, max=hi, channels=channels)


def number(name: str, default: float, lo: float, hi: float, help: str) -> FloatField:
    return FloatField(name, default, help, min=lo, max=hi)


def ints(name: str, default: list[int], lo: int, hi: int, help: str) -> IntsField:
    return IntsField(name, default, help, min=lo, max=hi)


def text(name: str, default: str, help: str, max_length: int = 200) -> TextField:
    return TextField(name, default, help, max_length=max_length)


def ref(name: str, default: str | None, help: str, label: str = "") -> RefField:
    return RefField(name, default, help, label=label)


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


def activation(default: str = "linear", choices: tuple = ACTIVATIONS) -> ChoiceField:
    return choice("activation", default, choices, ACTIVATION_HELP)


def padding(default: str = "same") -> ChoiceField:
    return choice(
        "padding",
        default,
        ("same", "valid"),
        "'same' keeps the size (ceil(size / stride)); 'valid' uses no padding and shrinks the output by kernel - 1.",
    )
