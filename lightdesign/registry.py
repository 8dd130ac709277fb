"""The one registry of layer kinds: primitives (``lightdesign.layers``) and composite
blocks (``lightdesign.blocks``). Palette, forms, JSON, analysis, rendering and code
generation all look kinds up here.
"""

from __future__ import annotations

import importlib

CATEGORIES = (
    "Convolution",
    "Lightweight blocks",
    "Pooling",
    "Dense",
    "Recurrent",
    "Regularization",
    "Shape & merge",
)

_KINDS: dict[str, type] = {}  # filled once at import time, never mutated afterwards


def register(cls: type) -> type:
    """Class decorator: add a kind to the registry."""
    if cls.kind in _KINDS:
        raise ValueError(f"layer kind {cls.kind!r} registered twice")
    if cls.category not in CATEGORIES:
        raise ValueError(f"{cls.kind}: unknown category {cls.category!r}")
    _KINDS[cls.kind] = cls
    return cls


def _load() -> None:
    if not _KINDS:
        importlib.import_module("lightdesign.layers")
        importlib.import_module("lightdesign.blocks")


def get(kind: str) -> type:
    """The class of a registered kind; KeyError with the valid names otherwise."""
    _load()
    try:
        return _KINDS[kind]
    except (KeyError, TypeError):
        raise KeyError(f"unknown layer kind {kind!r}; valid kinds: {', '.join(sorted(_KINDS))}") from None


def kinds() -> list[str]:
    _load()
    return list(_KINDS)


def by_category() -> dict[str, list[type]]:
    """Registered kinds grouped by palette category, in palette order."""
    _load()
    groups: dict[str, list[type]] = {c: [] for c in CATEGORIES}
    for cls in _KINDS.values():
        groups[cls.category].append(cls)
    return groups
