"""The training charts' batch points: each is the mean over the batches since the previous
point, derived from Keras's running means (which restart every epoch), so the curve does not
jump where an epoch starts."""

import numpy as np
import pytest

from lightdesign.jobs.train import WindowMeans


def running_means(values: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """What Keras logs after each batch: the mean so far this epoch, weighted by samples."""
    return np.cumsum(values * sizes) / np.cumsum(sizes)


@pytest.mark.parametrize("stride", [1, 3, 7])
def test_each_point_is_the_mean_of_its_own_batches(stride):
    rng = np.random.default_rng(stride)
    sizes = np.array([32] * 20 + [17])  # the last batch is partial
    losses = rng.uniform(0.1, 2.0, len(sizes))
    logged = running_means(losses, sizes)
    windows = WindowMeans()
    start = 0
    for end in [*range(stride, len(sizes), stride), len(sizes)]:
        seen = int(sizes[:end].sum())
        point = windows.window(seen, {"loss": float(logged[end - 1]), "accuracy": None})
        expected = np.average(losses[start:end], weights=sizes[start:end])
        assert point["loss"] == pytest.approx(expected, rel=1e-9)
        assert point["accuracy"] is None
        start = end


def test_a_new_epoch_starts_a_new_stretch_without_carrying_the_last_epochs_mean():
    windows = WindowMeans()
    windows.window(64, {"loss": 2.0})  # epoch 1 ends: its running mean is high
    windows.restart()
    # Epoch 2's first point is its own batches' mean, not a running mean reset mid-way.
    assert windows.window(32, {"loss": 0.5})["loss"] == pytest.approx(0.5)
    assert windows.window(64, {"loss": 0.45})["loss"] == pytest.approx(0.4)
