"""Every UI string in English and Simplified Chinese, by key, one module per page.
Technical terms (layer kinds, metric names such as MACs and FLOPs) stay in English beside
the Chinese.

A key is named for what the text means (``train.start``, ``job.step.training``), never by
the English text itself, so that editing the English cannot orphan its translation. To add
a text, append it to the module of the page that shows it; a key defined in two modules is
an error at import time.
"""

from __future__ import annotations

from lightdesign.catalog import (
    common,
    compare,
    design,
    editor,
    export,
    fields,
    latency,
    learn,
    metrics,
    scale,
    storage,
    targets,
    train,
)

MODULES = (common, design, editor, train, compare, export, learn, metrics, fields, storage, scale, targets, latency)


def _merge() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for module in MODULES:
        twice = merged.keys() & module.ENTRIES.keys()
        if twice:
            raise ValueError(f"{module.__name__} defines catalogue keys defined before: {', '.join(sorted(twice))}")
        merged.update(module.ENTRIES)
    return merged


CATALOG: dict[str, dict[str, str]] = _merge()
