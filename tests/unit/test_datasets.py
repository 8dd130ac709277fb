"""Built-in datasets: shapes, ranges, classes and determinism."""

import numpy as np
import pytest

from lightdesign.data import adapt, builtin, sources
from lightdesign.data.dataset import Dataset


@pytest.mark.parametrize("key", list(sources.BUILTIN))
def test_builtin_matches_its_catalogue_entry(key):
    source, _ = sources.BUILTIN[key]
    data = sources.load_builtin(key)
    assert data.input_shape == source.input_shape
    assert data.num_classes == source.classes
    assert len(data.x_train) == len(data.y_train) and len(data.x_test) == len(data.y_test)
    assert set(np.unique(data.y_train)) == set(range(source.classes))
    assert 0 <= data.y_test.min() and data.y_test.max() < source.classes
    if data.kind == "image":
        assert data.x_train.dtype == np.float32 and 0 <= data.x_train.min() and data.x_train.max() <= 1
    if data.kind == "tokens":
        assert data.x_train.dtype == np.int32 and data.x_train.max() < 10000


def test_digits_are_scikit_learns_1797_images():
    data = builtin.digits(8)
    assert len(data.y_train) + len(data.y_test) == 1797
    upscaled = builtin.digits(28)
    assert upscaled.input_shape == (28, 28, 1)
    # Upscaling keeps the picture: the mean brightness changes little.
    assert abs(upscaled.x_train.mean() - data.x_train.mean()) < 0.03


def test_generated_data_is_seeded():
    a, b = builtin.shapes(count=50, seed=3), builtin.shapes(count=50, seed=3)
    assert np.array_equal(a.x_train, b.x_train) and np.array_equal(a.y_train, b.y_train)
    assert not np.array_equal(a.x_train, builtin.shapes(count=50, seed=4).x_train)


def test_shapes_differ_by_class():
    # A circle covers pi r^2, a star much less: mean foreground area per class must differ.
    data = builtin.shapes(count=400, size=32, channels=1, seed=0)
    bright = (data.x_train > 0.5).mean(axis=(1, 2, 3))
    circle = bright[data.y_train == 0].mean()
    star = bright[data.y_train == 3].mean()
    assert circle > 1.5 * star


def test_sequences_and_tokens():
    waves = builtin.sequences(count=60, length=40, features=2, classes=4)
    assert waves.input_shape == (40, 2) and waves.class_names == ["sine", "square", "sawtooth", "triangle"]
    tokens = builtin.token_sequences(count=60, length=30, vocabulary=500, classes=3)
    assert tokens.input_shape == (30,) and tokens.x_train.max() < 500


def test_adapt_images_resizes_and_converts_channels():
    data = builtin.digits(8)
    adapted = adapt.adapt_images(data, (16, 16, 3))
    assert adapted.input_shape == (16, 16, 3)
    assert np.allclose(adapted.x_train[..., 0], adapted.x_train[..., 2])
    assert "adapted" in adapted.notes[-1]
    assert adapt.can_adapt((8, 8, 1), (32, 32, 3)) and not adapt.can_adapt((50, 1), (32, 32, 3))


def test_cap_and_npz_round_trip():
    data = builtin.digits(8).capped(100)
    assert len(data.y_train) == 100 and "100 of" in data.notes[-1]
    again = Dataset.from_npz(data.to_npz())
    assert np.array_equal(again.x_train, data.x_train) and again.class_names == data.class_names


def test_preview_shows_every_class_first():
    names = [name for _, name in builtin.digits(8).preview(16)]
    assert names[:10] == [str(d) for d in range(10)]
