"""Keras layer classes -> kinds: each kind lists the Keras class names it imports from
(``keras_classes``) and reads their config (``from_keras``); a setting the kind cannot express
raises ``Unmappable`` (the layer stays opaque, with that reason). A ``Bidirectional`` wrapper
imports as its inner recurrent kind with ``bidirectional`` set."""

from __future__ import annotations

from lightdesign.core import kinds
from lightdesign.core.symbolic import Unmappable


def own_layer(cls_name: str) -> bool:
    """A layer class LightDesign's generated code defines (a custom kind)."""
    cls = kinds.for_keras_class(cls_name)
    return cls is not None and cls.custom


def _bidirectional(cfg: dict, rank: int) -> tuple[str, dict]:
    inner = cfg.get("layer") or {}
    name = inner.get("class_name")
    cls = kinds.for_keras_class(name) if isinstance(name, str) else None
    wraps = cls is not None and any(f.name == "bidirectional" for f in cls.fields)
    if not wraps or cfg.get("merge_mode", "concat") != "concat":
        raise Unmappable(f"Bidirectional around {name} with merge_mode {cfg.get('merge_mode')!r}")
    params = cls.from_keras(name, inner.get("config") or {}, rank)
    params["bidirectional"] = True
    return cls.kind, params


def kind_and_params(cls_name: str, cfg: dict, rank: int) -> tuple[str, dict]:
    """(kind, settings) of a Keras layer of class ``cls_name`` whose input has ``rank`` axes
    per sample; Unmappable when no kind expresses it."""
    if cls_name == "Bidirectional":
        return _bidirectional(cfg, rank)
    cls = kinds.for_keras_class(cls_name)
    if cls is None:
        raise Unmappable(f"{cls_name} has no LightDesign kind")
    return cls.kind, cls.from_keras(cls_name, cfg, rank)
