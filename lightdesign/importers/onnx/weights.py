"""An ONNX file's weights in Keras's layout and order: what the generated code's layers hold,
from the constants and layouts the mapper recorded for each block (``Mapper.sources``):
kernels transposed from channels-first, BatchNorm's epsilon moved into its variance, the rows
of a Dense after a Flatten of a (C, H, W) tensor (or its columns before a Reshape to one) put
in the design's (H, W, C) order, a recurrent layer's gates put in Keras's order."""

from __future__ import annotations

from typing import Any

from lightdesign.importers.onnx import recurrent
from lightdesign.importers.onnx.layout import rows_channels_last
from lightdesign.importers.onnx.reader import Graph

KERAS_EPSILON = 1e-3  # BatchNormalization's epsilon in Keras (the generated code keeps the default)


def array(graph: Graph, layout: str, name: str, extra: Any = None):
    """One weight in Keras's layout, read as a mapped block's recipe says (``layout``, the
    constant, and what the layout needs besides)."""
    import numpy as np
    from onnx import numpy_helper

    a = numpy_helper.to_array(graph.tensor(name)).astype(np.float32)
    if layout == "conv2d":  # (O, I/g, kh, kw) -> (kh, kw, I/g, O)
        return a.transpose(2, 3, 1, 0)
    if layout == "conv1d":  # (O, I/g, k) -> (k, I/g, O)
        return a.transpose(2, 1, 0)
    if layout == "depthwise":  # (C*m, 1, kh, kw) -> (kh, kw, C, m)
        return a.reshape(-1, extra, *a.shape[2:]).transpose(2, 3, 0, 1)
    if layout == "dense":  # (in, out), or (out, in) with transB; times alpha; rows (columns) reordered
        trans, alpha, flat, *columns = extra
        a = rows_channels_last((a.T if trans else a) * np.float32(alpha), flat)
        return np.ascontiguousarray(rows_channels_last(a.T, columns[0]).T) if columns else a
    if layout == "vector":  # a per-channel vector; times a scale; reordered after a Flatten
        scale, flat = extra
        return rows_channels_last(a.reshape(-1) * np.float32(scale), flat)
    if layout == "variance":  # Keras adds its own epsilon: var + eps_file - eps_keras
        eps, flat = extra
        return rows_channels_last(a.reshape(-1) + np.float32(eps - KERAS_EPSILON), flat)
    if layout == "table":
        return a
    if layout in ("rnn_kernel", "rnn_bias"):  # a recurrent layer's (recurrent.py)
        return recurrent.keras_weight(layout, a, extra)
    raise ValueError(f"unknown weight layout {layout!r}")
