"""Every layer kind, registered: importing this module imports the primitive layers and
the composite blocks, whose ``@register`` decorators fill ``lightdesign.core.registry``.
Palette, forms, JSON, analysis, rendering and code generation look kinds up here::

    from lightdesign import kinds

    kinds.get("Conv2D").fields
"""

from __future__ import annotations

from lightdesign.core import blocks, layers
from lightdesign.core.registry import CATEGORIES, by_category, for_keras_class, get, names

PACKAGES = (layers, blocks)  # the packages whose import registers the kinds

__all__ = ["CATEGORIES", "PACKAGES", "by_category", "for_keras_class", "get", "names"]
