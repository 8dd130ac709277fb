"""The built-in datasets, all offline: scikit-learn's bundled handwritten digits, and
generated shapes, waveforms and token sequences (seeded; shapes and waveforms are checked
against the memory budget before they are made)."""

from __future__ import annotations

import numpy as np

from lightdesign.data.adapt import resize_images
from lightdesign.data.dataset import Dataset, split
from lightdesign.data.limits import check_budget


def digits(size: int = 8, seed: int = 0) -> Dataset:
    """scikit-learn's 8x8 handwritten digits (1,797 images, shipped with the package),
    optionally upscaled (28 gives the source article's MNIST-sized input)."""
    from sklearn.datasets import load_digits

    data = load_digits()
    x = (data.images / 16.0).astype(np.float32)[..., None]
    if size != 8:
        x = resize_images(x, size, size)
    y = data.target.astype(np.int64)
    return Dataset(
        f"digits {size}x{size}",
        *split(x, y, seed=seed),
        [str(d) for d in range(10)],
        f"scikit-learn's handwritten digits, {size}x{size} grayscale, 10 classes",
    )


SHAPES = ("circle", "square", "triangle", "star", "cross")


def _polygon_mask(px: np.ndarray, py: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Even-odd rule: which grid points lie inside the polygon (xs, ys)."""
    inside = np.zeros(px.shape, dtype=bool)
    j = len(xs) - 1
    for i in range(len(xs)):
        crosses = (ys[i] > py) != (ys[j] > py)
        with np.errstate(divide="ignore", invalid="ignore"):
            at = (xs[j] - xs[i]) * (py - ys[i]) / (ys[j] - ys[i]) + xs[i]
        inside ^= crosses & (px < at)
        j = i
    return inside


def _shape_mask(kind: str, size: int, rng: np.random.Generator) -> np.ndarray:
    py, px = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
    radius = rng.uniform(0.22, 0.42) * size
    cx, cy = rng.uniform(radius, size - radius, 2)
    angle = rng.uniform(0, 2 * np.pi)
    if kind == "circle":
        return (px - cx) ** 2 + (py - cy) ** 2 <= radius**2
    if kind == "cross":
        dx, dy = px - cx, py - cy
        u, v = dx * np.cos(angle) + dy * np.sin(angle), -dx * np.sin(angle) + dy * np.cos(angle)
        arm = radius * 0.3
        return ((np.abs(u) <= arm) & (np.abs(v) <= radius)) | ((np.abs(v) <= arm) & (np.abs(u) <= radius))
    corners = {"square": 4, "triangle": 3, "star": 10}[kind]
    turns = angle + np.arange(corners) * 2 * np.pi / corners
    radii = np.full(corners, radius)
    if kind == "star":
        radii[1::2] = radius * 0.45
    return _polygon_mask(px, py, cx + radii * np.cos(turns), cy + radii * np.sin(turns))


def shapes(count: int = 2000, size: int = 32, channels: int = 1, classes: int = 4, seed: int = 0) -> Dataset:
    """Generated filled shapes (circle, square, triangle, star, cross) at random places,
    sizes, angles and colours, with noise."""
    check_budget("the generated shapes", count, (size, size, channels))
    rng = np.random.default_rng(seed)
    names = list(SHAPES[:classes])
    y = rng.integers(0, classes, count)
    x = np.empty((count, size, size, channels), dtype=np.float32)
    for i, label in enumerate(y):
        mask = _shape_mask(names[label], size, rng)[..., None]
        if channels == 3:
            foreground, background = rng.uniform(0.4, 1.0, 3), rng.uniform(0.0, 0.35, 3)
        else:
            foreground, background = rng.uniform(0.6, 1.0, 1), rng.uniform(0.0, 0.3, 1)
        image = np.where(mask, foreground, background) + rng.normal(0, 0.05, (size, size, channels))
        x[i] = np.clip(image, 0, 1)
    return Dataset(
        f"shapes {size}x{size}x{channels}",
        *split(x, y.astype(np.int64), seed=seed),
        names,
        f"generated {', '.join(names)}; {size}x{size}, {'RGB' if channels == 3 else 'grayscale'}",
    )


WAVES = ("sine", "square", "sawtooth", "triangle")


def sequences(count: int = 2000, length: int = 50, features: int = 1, classes: int = 3, seed: int = 0) -> Dataset:
    """Generated waveforms to classify (sine, square, sawtooth, triangle) with random
    frequency, phase, amplitude and noise: (N, steps, features)."""
    check_budget("the generated waveforms", count, (length, features))
    rng = np.random.default_rng(seed)
    names = list(WAVES[:classes])
    y = rng.integers(0, classes, count)
    t = np.linspace(0, 1, length, dtype=np.float32)
    x = np.empty((count, length, features), dtype=np.float32)
    for i, label in enumerate(y):
        for f in range(features):
            cycle = (rng.uniform(0, 1) + rng.uniform(2, 5) * t) % 1.0
            wave = {
                "sine": np.sin(2 * np.pi * cycle),
                "square": np.where(cycle < 0.5, 1.0, -1.0),
                "sawtooth": 2 * cycle - 1,
                "triangle": 4 * np.abs(cycle - 0.5) - 1,
            }[names[label]]
            x[i, :, f] = rng.uniform(0.5, 1.5) * wave + rng.normal(0, 0.2, length)
    return Dataset(
        f"waves {length}x{features}",
        *split(x, y.astype(np.int64), seed=seed),
        names,
        f"generated waveforms ({', '.join(names)}), {length} steps x {features} features",
    )


def token_sequences(
    count: int = 2000, length: int = 100, vocabulary: int = 10000, classes: int = 2, seed: int = 0
) -> Dataset:
    """Generated 'documents' of token ids: each class has its own keyword tokens sprinkled
    into random text, padded with 0 at the end: (N, steps) int32."""
    rng = np.random.default_rng(seed)
    keywords = rng.choice(np.arange(1, vocabulary), size=(classes, 12), replace=False)
    y = rng.integers(0, classes, count)
    x = np.zeros((count, length), dtype=np.int32)
    for i, label in enumerate(y):
        used = int(rng.integers(length // 2, length + 1))
        words = rng.integers(1, vocabulary, used)
        hits = rng.choice(used, size=max(2, used // 12), replace=False)
        words[hits] = rng.choice(keywords[label], size=len(hits))
        x[i, :used] = words
    names = [f"topic {k}" for k in range(classes)]
    return Dataset(
        f"tokens {length}",
        *split(x, y.astype(np.int64), seed=seed),
        names,
        f"generated token sequences, vocabulary {vocabulary:,}, {classes} topics",
    )
