"""How much the datasets may take: each one's samples in memory as float32
(``MAX_DATASET_BYTES``, checked before anything is allocated) and the dataset files on disk
together (``MAX_CACHE_BYTES``, see ``lightdesign.data.cache``)."""

from __future__ import annotations

from lightdesign import config

# A dataset's samples as float32 (what training reads) may take at most this much.
MAX_DATASET_BYTES = int(config.value("LIGHTDESIGN_MAX_DATASET_MB") * 2**20)
# The dataset files kept on disk together (oldest used first out).
MAX_CACHE_BYTES = int(config.value("LIGHTDESIGN_DATASET_CACHE_MB") * 2**20)
FLOAT_BYTES = 4


class DatasetTooLarge(ValueError):
    """A dataset whose decoded size is over the budget; the message says by how much."""


def decoded_bytes(samples: int, sample_shape: tuple[int, ...], itemsize: int = FLOAT_BYTES) -> int:
    """Bytes of ``samples`` samples of ``sample_shape`` at ``itemsize`` bytes per value."""
    count = int(samples)
    for dim in sample_shape:
        count *= int(dim)
    return count * itemsize


def check_budget(what: str, samples: int, sample_shape: tuple[int, ...], itemsize: int = FLOAT_BYTES) -> int:
    """Raise DatasetTooLarge when ``samples`` x ``sample_shape`` at ``itemsize`` bytes
    exceeds MAX_DATASET_BYTES; returns the bytes. Call it before allocating."""
    from lightdesign.core.format import size

    need = decoded_bytes(samples, sample_shape, itemsize)
    if need > MAX_DATASET_BYTES:
        shape = "×".join(str(int(d)) for d in sample_shape)
        raise DatasetTooLarge(
            f"{what} would take {size(need)} in memory ({int(samples):,} samples of {shape} at "
            f"{itemsize} bytes per value); datasets are limited to {size(MAX_DATASET_BYTES)} "
            "(LIGHTDESIGN_MAX_DATASET_MB changes the limit)"
        )
    return need
