"""Typed messages: frozen dataclasses that become a JSON-safe dict and back. Job specs,
progress events, run records and imported files' weights are messages, so their keys are
spelled once, on the class."""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from enum import Enum
from typing import Any, ClassVar, Self

TAG = "type"  # the key naming a tagged message's class in its dict


class Message:
    """Mixin of the frozen dataclasses below: a JSON-safe dict and back.

    Enums become their values, tuples lists, nested messages dicts (tagged with ``type``
    when the class has a ``TAG``). ``from_dict`` rebuilds the exact value, so
    ``cls.from_dict(json.loads(json.dumps(m.to_dict()))) == m``."""

    TAG: ClassVar[str | None] = None

    def to_dict(self) -> dict[str, Any]:
        return _encode(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        hints = _hints(cls)
        values = {}
        for key, value in data.items():
            if key == TAG:
                if value != cls.TAG:
                    raise ValueError(f"{cls.__name__} cannot be read from a {value!r} message")
                continue
            if key not in hints:
                raise ValueError(f"{cls.__name__} has no field {key!r}; fields: {', '.join(hints)}")
            values[key] = _decode(hints[key], value)
        return cls(**values)


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    names = {f.name for f in dataclasses.fields(cls)}
    return {k: v for k, v in typing.get_type_hints(cls).items() if k in names}


def _encode(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        encoded = {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        tag = getattr(value, "TAG", None)
        return {TAG: tag, **encoded} if tag else encoded
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {_encode(k): _encode(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"{type(value).__name__} cannot cross the process boundary; convert it to a plain value")


def _decode(hint: Any, value: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(options) > 1 and isinstance(value, dict) and TAG in value:
            tagged = {getattr(a, "TAG", None): a for a in options}
            if value[TAG] not in tagged:
                raise ValueError(f"unexpected message type {value[TAG]!r}")
            return tagged[value[TAG]].from_dict(value)
        return _decode(options[0], value)
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], v) for v in value)
        return tuple(_decode(a, v) for a, v in zip(args, value, strict=True))
    if origin is dict:
        key_hint, value_hint = typing.get_args(hint)
        return {_decode(key_hint, k): _decode(value_hint, v) for k, v in value.items()}
    if hint is Any or value is None:
        return value
    if isinstance(hint, type) and issubclass(hint, Message):
        return hint.from_dict(value)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(value)
    if hint is float:
        return float(value)
    return value
