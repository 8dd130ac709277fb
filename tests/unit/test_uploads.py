"""Uploaded datasets: valid files load, and each bad file gets its own message."""

import io
import zipfile

import numpy as np
import pytest

from lightdesign.data import uploads
from lightdesign.data.uploads import UploadError, load_image_zip, load_npz


def npz(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def rejected(function, data, **kwargs) -> str:
    with pytest.raises(UploadError) as info:
        function(data, **kwargs)
    return str(info.value)


GOOD_X = np.random.default_rng(0).integers(0, 256, (40, 8, 8), dtype=np.uint8)
GOOD_Y = np.arange(40) % 4


def test_uint8_images_become_floats_with_a_channel_and_a_test_split():
    data = load_npz(npz(x_train=GOOD_X, y_train=GOOD_Y))
    assert data.input_shape == (8, 8, 1) and data.x_train.dtype == np.float32 and data.x_train.max() <= 1
    assert len(data.y_train) == 32 and len(data.y_test) == 8 and data.num_classes == 4


def test_explicit_test_split_and_token_ids():
    x = np.random.default_rng(1).integers(0, 100, (30, 12))
    data = load_npz(npz(x_train=x, y_train=np.arange(30) % 3, x_test=x[:6], y_test=np.arange(6) % 3))
    assert data.kind == "tokens" and data.x_train.dtype == np.int32 and len(data.y_test) == 6


def test_not_an_npz():
    assert rejected(load_npz, b"hello").startswith("this is not a NumPy .npz archive")


def test_object_arrays_are_never_unpickled():
    x = np.array([{"a": 1}] * 4, dtype=object)
    message = rejected(load_npz, npz(x_train=x, y_train=np.arange(4)))
    assert message == "x_train holds Python objects (pickled data), which are never loaded; save plain numeric arrays"


def test_wrong_dtypes():
    assert "dtype <U1" in rejected(load_npz, npz(x_train=np.array([["a"]] * 4), y_train=np.arange(4)))
    assert rejected(load_npz, npz(x_train=GOOD_X, y_train=GOOD_Y + 0.5)).startswith("y_train must hold whole class ids")


def test_nan_and_infinity():
    x = GOOD_X.astype(np.float32)
    x[0, 0, 0], x[1, 1, 1] = np.nan, np.inf
    assert rejected(load_npz, npz(x_train=x, y_train=GOOD_Y)).startswith("x_train contains 2 NaN or infinite values")


def test_mismatched_lengths():
    assert rejected(load_npz, npz(x_train=GOOD_X, y_train=GOOD_Y[:-1])) == (
        "y_train has 39 labels but there are 40 samples; the lengths must match"
    )


def test_labels_out_of_range_and_empty_classes():
    assert rejected(load_npz, npz(x_train=GOOD_X, y_train=GOOD_Y - 1)) == "labels must be class ids 0, 1, 2 …; found -1"
    skipping = np.where(GOOD_Y == 2, 3, GOOD_Y)
    assert rejected(load_npz, npz(x_train=GOOD_X, y_train=skipping)).startswith("class 2 has no training samples")
    message = rejected(load_npz, npz(x_train=GOOD_X, y_train=GOOD_Y, x_test=GOOD_X[:4], y_test=np.array([0, 1, 2, 9])))
    assert message == "y_test has label 9, beyond the training labels 0 … 3"
    assert "single class" in rejected(load_npz, npz(x_train=GOOD_X, y_train=np.zeros(40, dtype=int)))


def test_missing_arrays_and_wrong_shapes():
    assert rejected(load_npz, npz(images=GOOD_X)).startswith("the archive has no x_train; it holds images")
    assert rejected(load_npz, npz(x_train=GOOD_X, y_train=GOOD_Y, x_test=GOOD_X)).startswith(
        "give both x_test and y_test"
    )
    assert "has shape (40,)" in rejected(load_npz, npz(x_train=np.arange(40), y_train=GOOD_Y))
    message = rejected(load_npz, npz(x_train=GOOD_X, y_train=GOOD_Y, x_test=GOOD_X[:, :4], y_test=GOOD_Y))
    assert message == "x_test samples have shape (4, 8) but x_train samples (8, 8)"


def test_oversized_upload(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 1000)
    assert "uploads are limited to" in rejected(load_npz, npz(x_train=GOOD_X, y_train=GOOD_Y))


def png(color) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (10, 12), color).save(buffer, format="PNG")
    return buffer.getvalue()


def zipped(files: dict[str, bytes], dirs=()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in dirs:
            archive.writestr(zipfile.ZipInfo(name), b"")
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_image_folders_load_as_classes():
    files = {f"cats/{i}.png": png((200, 10, 10)) for i in range(5)}
    files |= {f"dogs/{i}.png": png((10, 10, 200)) for i in range(5)}
    data = load_image_zip(zipped(files), size=16, channels=3)
    assert data.class_names == ["cats", "dogs"] and data.input_shape == (16, 16, 3)
    red = data.x_train[data.y_train == 0][..., 0].mean()
    assert red > 0.7


def test_path_traversal_is_refused():
    message = rejected(load_image_zip, zipped({"../../etc/evil.png": png("red"), "dogs/1.png": png("blue")}))
    assert message == "the archive contains the unsafe path '../../etc/evil.png'; paths must stay inside the archive"
    assert "unsafe path '/abs/a.png'" in rejected(load_image_zip, zipped({"/abs/a.png": png("red")}))


def test_zip_bomb_is_refused_before_unpacking():
    bomb = zipped({"cats/huge.png": b"\0" * (20 * 2**20), "dogs/1.png": png("red")})
    assert len(bomb) < 100_000
    assert "looks like a zip bomb" in rejected(load_image_zip, bomb)


def test_bad_structures():
    assert rejected(load_image_zip, b"not a zip").startswith("this is not a zip archive")
    assert rejected(load_image_zip, zipped({"a.png": png("red")})).startswith("put every image one level inside")
    assert "at least 2" in rejected(load_image_zip, zipped({"cats/1.png": png("red")}))
    assert rejected(load_image_zip, zipped({"cats/1.txt": b"x"})).startswith("the archive has no images")
    broken = zipped({"cats/1.png": b"not an image", "dogs/1.png": png("red")})
    assert rejected(load_image_zip, broken) == "'cats/1.png' is not a readable image"
    empty = zipped({"cats/1.png": png("red"), "dogs/1.png": png("red")}, dirs=["birds/"])
    assert rejected(load_image_zip, empty) == "the class folder 'birds' has no images"
