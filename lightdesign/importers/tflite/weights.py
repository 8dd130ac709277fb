"""A TFLite file's weights in Keras's layout: what the generated code's layers hold, from the
tensors and layouts the mapper recorded for each block (``Mapper.sources``)."""

from __future__ import annotations

from typing import Any

from lightdesign.importers.tflite.reader import Subgraph


def array(graph: Subgraph, layout: str, index: Any, extra: Any = None):
    """One weight in Keras's layout, read as a mapped block's recipe says (``layout``, the
    tensor or, for ``gates``, the tensors, and what the layout needs besides)."""
    if layout == "gates":  # an LSTM's per-gate tensors (i, f, c, o) stacked as Keras stacks them
        import numpy as np

        parts = [graph.raw(i) for i in index]
        if any(p is None for p in parts) or len({p.shape for p in parts}) != 1:
            return None
        stacked = np.concatenate(parts)  # (4 * units, ...)
        return np.ascontiguousarray(stacked.T)
    a = graph.raw(index)
    if a is None:
        return None
    if layout == "conv":  # (O, kh, kw, I/g) -> (kh, kw, I/g, O)
        return a.transpose(1, 2, 3, 0)
    if layout == "depthwise":  # (1, kh, kw, C*m) -> (kh, kw, C, m)
        return a.reshape(a.shape[1], a.shape[2], extra, -1)
    if layout == "dense":  # (O, I) -> (I, O)
        return a.T
    if layout == "vector":  # a bias; ``extra`` added (the +3 a hard sigmoid moved into it)
        return a.reshape(-1) + a.dtype.type(extra or 0)
    if layout == "scale":  # a per-channel scale as a 1x1 depthwise kernel (1, 1, C, 1)
        return a.reshape(1, 1, -1, 1)
    if layout == "table":
        return a
    raise ValueError(f"unknown weight layout {layout!r}")
