"""The formulas the Learn page teaches, as plain functions (so they can be tested against
the analysis that the rest of the app uses)."""

from __future__ import annotations

import numpy as np


def conv_output_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """floor((H + 2P - K) / S) + 1."""
    return (size + 2 * padding - kernel) // stride + 1


def conv_cost(size: int, kernel: int, stride: int, padding: int, c_in: int, c_out: int) -> dict[str, int]:
    """Output size, weights and MACs of a standard convolution with bias."""
    out = conv_output_size(size, kernel, stride, padding)
    return {
        "output": out,
        "params": kernel * kernel * c_in * c_out + c_out,
        "macs": max(out, 0) ** 2 * kernel * kernel * c_in * c_out,
    }


def separable_cost(size: int, kernel: int, c_in: int, c_out: int) -> dict[str, float]:
    """MACs of a standard and of a depthwise-separable convolution ('same', stride 1) and
    their ratio, which the MobileNet paper writes as 1/N + 1/Dk^2."""
    standard = size * size * kernel * kernel * c_in * c_out
    separable = size * size * kernel * kernel * c_in + size * size * c_in * c_out
    return {
        "standard": standard,
        "separable": separable,
        "ratio": separable / standard,
        "formula": 1 / c_out + 1 / (kernel * kernel),
    }


ACTIVATIONS = {
    "sigmoid": (lambda x: 1 / (1 + np.exp(-x)), r"\sigma(x) = \frac{1}{1 + e^{-x}}"),
    "tanh": (np.tanh, r"\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}"),
    "relu": (lambda x: np.maximum(x, 0), r"\mathrm{ReLU}(x) = \max(0, x)"),
    "relu6": (lambda x: np.clip(x, 0, 6), r"\mathrm{ReLU6}(x) = \min(\max(0, x), 6)"),
    "hard_sigmoid": (
        lambda x: np.clip(x + 3, 0, 6) / 6,
        r"\mathrm{h\text{-}sigmoid}(x) = \frac{\mathrm{ReLU6}(x + 3)}{6}",
    ),
    "swish": (lambda x: x / (1 + np.exp(-x)), r"\mathrm{swish}(x) = x \cdot \sigma(x)"),
    "hard_swish": (
        lambda x: x * np.clip(x + 3, 0, 6) / 6,
        r"\mathrm{h\text{-}swish}(x) = x \cdot \frac{\mathrm{ReLU6}(x + 3)}{6}",
    ),
}


def pool(matrix: np.ndarray, size: int, stride: int, kind: str) -> np.ndarray:
    """Max or average pooling of a 2-D matrix ('valid' windows)."""
    rows = (matrix.shape[0] - size) // stride + 1
    cols = (matrix.shape[1] - size) // stride + 1
    out = np.empty((max(rows, 0), max(cols, 0)))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            window = matrix[i * stride : i * stride + size, j * stride : j * stride + size]
            out[i, j] = window.max() if kind == "max" else window.mean()
    return out
