"""The datasets on offer: the built-in ones (with how each is made) and Keras's downloads
(loaded in the worker), each with the shape and classes it brings."""

from __future__ import annotations

from dataclasses import dataclass

from lightdesign.data.builtin import digits, sequences, shapes, token_sequences
from lightdesign.data.dataset import Dataset


@dataclass(frozen=True)
class Source:
    """A dataset the Train page offers: what its samples look like before it is loaded."""

    key: str
    title: str
    input_shape: tuple[int, ...]
    classes: int
    offline: bool
    description: str


KERAS_DATASETS = {
    "mnist": Source("mnist", "MNIST (download)", (28, 28, 1), 10, False, "70,000 handwritten digits, 28x28"),
    "fashion_mnist": Source(
        "fashion_mnist", "Fashion-MNIST (download)", (28, 28, 1), 10, False, "70,000 clothing images, 28x28, 10 classes"
    ),
    "cifar10": Source("cifar10", "CIFAR-10 (download)", (32, 32, 3), 10, False, "60,000 colour images, 32x32"),
}
KERAS_CLASS_NAMES = {
    "mnist": [str(d) for d in range(10)],
    "fashion_mnist": ["T-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "boot"],
    "cifar10": ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"],
}
OFFLINE_ALTERNATIVES = "the built-in digits (8x8 or 28x28), shapes or sequences, or an upload"

BUILTIN = {
    "digits28": (
        Source(
            "digits28",
            "Digits 28x28 (built in)",
            (28, 28, 1),
            10,
            True,
            "scikit-learn's digits upscaled to the article's MNIST size",
        ),
        lambda: digits(28),
    ),
    "digits8": (
        Source("digits8", "Digits 8x8 (built in)", (8, 8, 1), 10, True, "scikit-learn's 8x8 digits"),
        lambda: digits(8),
    ),
    "shapes": (
        Source("shapes", "Shapes 32x32 (generated)", (32, 32, 1), 4, True, "circles, squares, triangles and stars"),
        lambda: shapes(),
    ),
    "shapes_rgb": (
        Source("shapes_rgb", "Shapes 32x32 RGB (generated)", (32, 32, 3), 4, True, "coloured shapes"),
        lambda: shapes(channels=3),
    ),
    "waves": (
        Source(
            "waves",
            "Waveforms 50x1 (generated)",
            (50, 1),
            3,
            True,
            "sine, square and sawtooth sequences for recurrent models",
        ),
        lambda: sequences(),
    ),
    "tokens": (
        Source(
            "tokens",
            "Token sequences 100 (generated)",
            (100,),
            2,
            True,
            "token-id documents for the Embedding + LSTM preset",
        ),
        lambda: token_sequences(),
    ),
}


def load_builtin(key: str) -> Dataset:
    """The built-in dataset ``key`` (a key of BUILTIN), made now."""
    if key not in BUILTIN:
        raise KeyError(f"unknown dataset {key!r}; built-in datasets: {', '.join(BUILTIN)}")
    return BUILTIN[key][1]()
