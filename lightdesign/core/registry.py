"""The registry of layer kinds: the ``register`` decorator that primitives
(``lightdesign.core.layers``) and composite blocks (``lightdesign.core.blocks``) put on their
classes, and the lookups. It imports neither package; ``lightdesign.core.kinds`` imports both,
so look kinds up through ``kinds`` (which guarantees every kind is registered).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

CATEGORIES = (
    "Convolution",
    "Lightweight blocks",
    "Pooling",
    "Dense",
    "Recurrent",
    "Regularization",
    "Shape & merge",
)

_KINDS: dict[str, type] = {}  # filled at import time; only ``registered`` (tests) changes it later


def register(cls: type) -> type:
    """Class decorator: add a kind to the registry."""
    if cls.kind in _KINDS:
        raise ValueError(f"layer kind {cls.kind!r} registered twice")
    if cls.category not in CATEGORIES:
        raise ValueError(f"{cls.kind}: unknown category {cls.category!r}")
    _KINDS[cls.kind] = cls
    return cls


@contextmanager
def registered(cls: type) -> Iterator[type]:
    """A kind registered for the duration of a ``with`` block: a test defines a kind of its
    own and shows that it flows through the library with nothing else changed."""
    register(cls)
    try:
        yield cls
    finally:
        del _KINDS[cls.kind]


def get(kind: str) -> type:
    """The class of a registered kind; KeyError with the valid names otherwise."""
    try:
        return _KINDS[kind]
    except (KeyError, TypeError):
        raise KeyError(f"unknown layer kind {kind!r}; valid kinds: {', '.join(sorted(_KINDS))}") from None


def for_keras_class(class_name: str) -> type | None:
    """The kind a saved Keras layer of this class imports as (it lists the class in its
    ``keras_classes``), or None."""
    for cls in _KINDS.values():
        if class_name in getattr(cls, "keras_classes", ()):
            return cls
    return None


def names() -> list[str]:
    """Every registered kind, in registration order."""
    return list(_KINDS)


def by_category() -> dict[str, list[type]]:
    """Registered kinds grouped by palette category, in palette order; kinds marked
    ``palette = False`` (the opaque blocks only importers create) are left out."""
    groups: dict[str, list[type]] = {c: [] for c in CATEGORIES}
    for cls in _KINDS.values():
        if getattr(cls, "palette", True):
            groups[cls.category].append(cls)
    return groups
