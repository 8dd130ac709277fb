"""The Dataset type (arrays ready for ``model.fit``) and the seeded train/test split. Pure
NumPy; no TensorFlow.

Where datasets come from: ``builtin`` and ``sources`` (the offer), ``uploads``; how much
they may take: ``limits``; where they are kept: ``cache``; fitting images to a design:
``adapt``."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Dataset:
    """Arrays ready for ``model.fit``: images float32 in [0, 1] shaped (N, H, W, C), token
    ids int32 shaped (N, T), feature sequences float32 shaped (N, T, F); integer labels."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: list[str]
    description: str = ""
    notes: list[str] = field(default_factory=list)
    path: str | None = None  # the file its arrays are mapped from (see ``save``/``open_file``)

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(int(d) for d in self.x_train.shape[1:])

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def kind(self) -> str:
        if self.x_train.ndim == 4:
            return "image"
        return "tokens" if self.x_train.ndim == 2 else "features"

    def preview(self, count: int = 16, seed: int = 0) -> list[tuple[np.ndarray, str]]:
        """A few training samples with their class names, one per class first."""
        rng = np.random.default_rng(seed)
        picks: list[int] = []
        for label in range(self.num_classes):
            where = np.flatnonzero(self.y_train == label)
            if len(where):
                picks.append(int(rng.choice(where)))
        rest = rng.permutation(len(self.y_train))
        picks += [int(i) for i in rest if i not in picks][: max(0, count - len(picks))]
        return [(self.x_train[i], self.class_names[int(self.y_train[i])]) for i in picks[:count]]

    def capped(self, max_train: int | None, seed: int = 0) -> Dataset:
        """At most ``max_train`` training samples (a random, class-mixed subset)."""
        if not max_train or len(self.y_train) <= max_train:
            return self
        keep = np.sort(np.random.default_rng(seed).permutation(len(self.y_train))[:max_train])
        return Dataset(
            self.name,
            self.x_train[keep],
            self.y_train[keep],
            self.x_test,
            self.y_test,
            self.class_names,
            self.description,
            [*self.notes, f"training on {max_train:,} of {len(self.y_train):,} samples"],
        )

    def to_npz(self) -> bytes:
        buffer = io.BytesIO()
        np.savez(
            buffer,
            x_train=self.x_train,
            y_train=self.y_train,
            x_test=self.x_test,
            y_test=self.y_test,
            class_names=np.array(self.class_names, dtype=str),
            name=np.array(self.name),
        )
        return buffer.getvalue()

    @classmethod
    def from_npz(cls, data: bytes | str) -> Dataset:
        source = io.BytesIO(data) if isinstance(data, bytes) else data
        with np.load(source, allow_pickle=False) as arrays:
            return cls(
                str(arrays["name"]),
                arrays["x_train"],
                arrays["y_train"],
                arrays["x_test"],
                arrays["y_test"],
                [str(c) for c in arrays["class_names"]],
            )


def split_order(count: int, test_fraction: float = 0.2, seed: int = 0) -> tuple[np.ndarray, int]:
    """The shuffled order of ``count`` samples and where its test part begins."""
    order = np.random.default_rng(seed).permutation(count)
    return order, count - max(1, int(round(count * test_fraction)))


def split(x: np.ndarray, y: np.ndarray, test_fraction: float = 0.2, seed: int = 0):
    """Shuffle and split into train and test parts."""
    order, cut = split_order(len(y), test_fraction, seed)
    return x[order[:cut]], y[order[:cut]], x[order[cut:]], y[order[cut:]]
