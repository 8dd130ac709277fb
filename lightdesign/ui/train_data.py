"""The Train page's data: the dataset choice (built in, Keras download or upload), its
preview, and the check of the design's input and classes against it.

No dataset is held in memory between runs, by a session or by a cache: each lives in one
file on disk (``cache.save``: written once, named by its content or its parameters) and
is mapped again on each run (``cache.open_file``, a few pages read). A session keeps only
the path of its upload, so nothing large is left behind when its tab closes."""

from __future__ import annotations

import numpy as np
import streamlit as st

from lightdesign.analysis.network import Analysis
from lightdesign.core import edits
from lightdesign.core import format as fmt
from lightdesign.data import adapt, builtin, cache, limits, sources, uploads
from lightdesign.data.dataset import Dataset
from lightdesign.ui import actions, icons, state
from lightdesign.ui.i18n import labels, t
from lightdesign.ui.markup import html, md, message

SOURCE_KEY = "train_source"
UPLOAD_NPZ = "upload_npz"
UPLOAD_ZIP = "upload_zip"
ZIP_SIZE = "zip_size"  # the side, in pixels, of the images of an uploaded zip
ZIP_CHANNELS = "zip_channels"
UPLOADED = "train_uploaded"  # the last valid upload, as (marker, path of its dataset file)
KERAS_TRAIN_SAMPLES = 60_000  # training samples of a Keras download (MNIST size), before it is loaded

SOURCES = {**{k: s for k, (s, _) in sources.BUILTIN.items()}, **sources.KERAS_DATASETS}
UPLOAD_CHOICES = (UPLOAD_NPZ, UPLOAD_ZIP)


def builtin_dataset(key: str) -> Dataset:
    return cache.materialized(f"builtin:{key}", lambda: sources.load_builtin(key))


def shapes_dataset(count: int, size: int, channels: int, classes: int, seed: int) -> Dataset:
    """Generated shapes (checked against the dataset budget before they are made)."""
    return cache.materialized(
        f"shapes:{count}:{size}:{channels}:{classes}:{seed}",
        lambda: builtin.shapes(count, size, channels, classes, seed),
    )


def _source_label(key: str) -> str:
    return t(f"dataset.{key}")


def waiting_for_upload(key: str, dataset: Dataset | None) -> bool:
    """No data to train on yet: an upload not made (or refused), or generated data refused."""
    return dataset is None and key not in sources.KERAS_DATASETS


def train_count(dataset: Dataset | None) -> int:
    """Training samples of the chosen data (a Keras download's are assumed until loaded)."""
    return len(dataset.y_train) if dataset is not None else KERAS_TRAIN_SAMPLES


def choose_dataset() -> tuple[str, Dataset | None]:
    """The chosen source and, when it is loaded in this process, the dataset."""
    options = [*sources.BUILTIN, *sources.KERAS_DATASETS, *UPLOAD_CHOICES]
    if SOURCE_KEY not in st.session_state:
        st.session_state[SOURCE_KEY] = "digits28"
    key = st.selectbox(
        t("train.dataset"), options, format_func=labels(options, _source_label), **state.persistent_widget(SOURCE_KEY)
    )
    if key in ("shapes", "shapes_rgb"):
        return key, _shapes(channels=3 if key == "shapes_rgb" else 1)
    if key in sources.BUILTIN:
        with st.spinner(t("spinner.dataset")):
            try:
                return key, builtin_dataset(key)
            except OSError as exc:
                st.error(message("dataset.not_kept", error=exc), icon=icons.ERROR)
                return key, None
    if key in sources.KERAS_DATASETS:
        st.info(t("dataset.keras_info", title=_source_label(key)))
        return key, None
    return key, _upload(key)


def _shapes(channels: int) -> Dataset:
    cols = st.columns(4)
    size = cols[0].number_input(t("shapes.size"), 8, 128, 32, key="shapes_size")
    classes = cols[1].number_input(
        t("shapes.classes"), 2, len(builtin.SHAPES), 4, key="shapes_classes", help=", ".join(builtin.SHAPES)
    )
    count = cols[2].number_input(t("shapes.count"), 100, 20000, 2000, step=100, key="shapes_count")
    seed = cols[3].number_input(t("shapes.seed"), 0, 10**6, 0, key="shapes_seed")
    with st.spinner(t("spinner.shapes")):
        try:
            return shapes_dataset(int(count), int(size), channels, int(classes), int(seed))
        except (limits.DatasetTooLarge, OSError) as exc:
            st.error(message("dataset.not_kept", error=exc), icon=icons.ERROR)
            return None


def _upload(key: str) -> Dataset | None:
    limit_mb = uploads.MAX_UPLOAD_BYTES / 2**20
    if key == UPLOAD_NPZ:
        st.caption(t("upload.npz.caption"))
        upload = st.file_uploader(t("upload.npz"), type=["npz"], key="npz_file", max_upload_size=int(limit_mb) + 1)
    else:
        st.caption(t("upload.zip.caption"))
        cols = st.columns(2)
        size = cols[0].number_input(t("upload.zip.size"), min_value=8, max_value=256, value=32, step=1, key=ZIP_SIZE)
        channels = cols[1].selectbox(
            t("upload.zip.channels"),
            [1, 3],
            format_func=labels([1, 3], lambda c: t("upload.gray") if c == 1 else t("upload.rgb")),
            key=ZIP_CHANNELS,
        )
        upload = st.file_uploader(t("upload.zip"), type=["zip"], key="zip_file", max_upload_size=int(limit_mb) + 1)
    if upload is None:
        return None
    marker = (upload.file_id, key, st.session_state.get(ZIP_SIZE), st.session_state.get(ZIP_CHANNELS))
    cached = st.session_state.get(UPLOADED)
    if cached and cached[0] == marker:
        try:
            return cache.open_file(cached[1])
        except (OSError, ValueError, KeyError):
            pass  # trimmed from the dataset cache meanwhile: read the upload again
    st.session_state.pop(UPLOADED, None)
    try:
        data = upload.getvalue()
        if key == UPLOAD_NPZ:
            dataset = uploads.load_npz(data, name=upload.name)
        else:
            dataset = uploads.load_image_zip(data, size=int(size), channels=int(channels), name=upload.name)
        del data
        dataset = cache.on_disk(dataset)
    except uploads.UploadError as exc:
        st.error(message("upload.error", file=upload.name, error=exc), icon=icons.ERROR)
        return None
    except OSError as exc:  # a full disk (DiskFull) or an unwritable work folder
        st.error(message("upload.error", file=upload.name, error=exc), icon=icons.ERROR)
        return None
    st.session_state[UPLOADED] = (marker, dataset.path)
    return dataset


def preview(dataset: Dataset, key: str) -> None:
    description = (
        t(f"dataset.desc.{key}") if key in sources.BUILTIN else message("dataset.desc.upload", name=dataset.name)
    )
    classes = md(", ".join(dataset.class_names[:12])) + ("…" if dataset.num_classes > 12 else "")
    st.caption(
        t(
            "dataset.preview",
            description=description,
            train=len(dataset.y_train),
            test=len(dataset.y_test),
            shape=fmt.shape(dataset.input_shape),
            classes=classes,
        )
    )
    samples = dataset.preview(16)
    if dataset.kind == "image":
        images = [np.clip(x, 0, 1) if x.shape[-1] == 3 else np.clip(x[..., 0], 0, 1) for x, _ in samples]
        st.image(images, caption=[md(name) for _, name in samples], width=64)
    elif dataset.kind == "features":
        import plotly.graph_objects as go

        figure = go.Figure()
        for x, name in samples[: dataset.num_classes]:
            figure.add_trace(go.Scatter(y=x[:, 0], mode="lines", name=html(name)))
        figure.update_layout(height=220, margin=dict(l=10, r=10, t=10, b=10))
        st.plotly_chart(figure, key="sequence_preview")
    else:
        st.code("\n".join(f"{name}: {' '.join(map(str, x[:20]))} …" for x, name in samples[:6]), language="text")


def match_design(result: Analysis, key: str, dataset: Dataset | None) -> bool:
    """Check the design's input and classes against the data; offer fixes. True if trainable."""
    design = result.design
    if waiting_for_upload(key, dataset):
        if key in UPLOAD_CHOICES:
            st.info(t("upload.wait"))
        return False
    shape = dataset.input_shape if dataset is not None else SOURCES[key].input_shape
    classes = dataset.num_classes if dataset is not None else SOURCES[key].classes
    ok = True
    if tuple(design.input_shape) != tuple(shape):
        if adapt.can_adapt(tuple(shape), tuple(design.input_shape)):
            st.info(t("match.resize", data=fmt.shape(shape), design=fmt.shape(design.input_shape)))
        else:
            st.error(
                t("match.bad_shape", design=fmt.shape(design.input_shape), data=fmt.shape(shape)), icon=icons.ERROR
            )
            ok = False
        st.button(
            t("match.set_input", shape=fmt.shape(shape)),
            key="fit_input",
            on_click=actions.edit,
            args=(edits.set_input_shape, list(shape)),
        )
    if design.num_classes != classes:
        st.warning(t("match.classes", data=classes, design=design.num_classes), icon=icons.WARNING)
        st.button(
            t("match.set_classes", classes=classes),
            key="fit_classes",
            on_click=actions.edit,
            args=(edits.set_num_classes, classes),
        )
        ok = ok and design.num_classes > classes
    return ok
