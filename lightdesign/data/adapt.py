"""Fitting image datasets to a design's input: resized (bilinear, with Pillow) and converted
between gray and RGB; other kinds of data are never adapted."""

from __future__ import annotations

import numpy as np

from lightdesign.data.dataset import Dataset


def resize_images(x: np.ndarray, height: int, width: int) -> np.ndarray:
    """Bilinear resize of (N, H, W, C) float images with Pillow."""
    from PIL import Image

    if x.shape[1:3] == (height, width):
        return x
    out = np.empty((len(x), height, width, x.shape[3]), dtype=np.float32)
    for i, image in enumerate(x):
        for c in range(x.shape[3]):
            plane = Image.fromarray(image[:, :, c].astype(np.float32), mode="F")
            out[i, :, :, c] = np.asarray(plane.resize((width, height), Image.BILINEAR))
    return out


def adapt_images(dataset: Dataset, shape: tuple[int, ...]) -> Dataset:
    """Resize images and convert gray <-> RGB to fit a design's (H, W, C) input."""
    if dataset.kind != "image" or len(shape) != 3 or dataset.input_shape == tuple(shape):
        return dataset
    height, width, channels = shape

    def fit(x):
        x = resize_images(x, height, width)
        if x.shape[3] == 1 and channels == 3:
            x = np.repeat(x, 3, axis=3)
        elif x.shape[3] == 3 and channels == 1:
            x = x.mean(axis=3, keepdims=True, dtype=np.float32)
        return x

    note = f"images adapted from {dataset.input_shape} to {tuple(shape)}"
    return Dataset(
        dataset.name,
        fit(dataset.x_train),
        dataset.y_train,
        fit(dataset.x_test),
        dataset.y_test,
        dataset.class_names,
        dataset.description,
        [*dataset.notes, note],
    )


def can_adapt(dataset_shape: tuple[int, ...], design_shape: tuple[int, ...]) -> bool:
    """Images can be resized and converted between gray and RGB; nothing else can."""
    return (
        len(dataset_shape) == 3 and len(design_shape) == 3 and design_shape[2] in (1, 3) and dataset_shape[2] in (1, 3)
    )
