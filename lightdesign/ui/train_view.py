"""The Train page's widgets: dataset choice and preview, settings with estimates, the live
job (polled by a fragment) and the results."""

from __future__ import annotations

import os
import time
import uuid

import numpy as np
import streamlit as st

from lightdesign import datasets, edits, metrics, uploads
from lightdesign import format as fmt
from lightdesign.analysis import Analysis, training_memory
from lightdesign.design import DesignError
from lightdesign.jobs import JobError, JobManager
from lightdesign.jobs.specs import (
    ASSUMED_FLOPS_PER_S,
    TrainSettings,
    available_memory_bytes,
    dataset_for_job,
    epoch_seconds,
    keras_dataset,
    new_work_dir,
    train_spec,
)
from lightdesign.ui import actions, icons, state
from lightdesign.ui.catalog import CATALOG
from lightdesign.ui.i18n import labels, t

SOURCE_KEY = "train_source"
UPLOAD_NPZ = "upload_npz"
UPLOAD_ZIP = "upload_zip"
JOB_KEY = "train_job_id"
SESSION_ID = "session_id"
UPLOADED = "train_uploaded"  # the last valid upload, as a Dataset
RECORDED = "train_recorded_jobs"
MEASURED_RATE = "train_measured_flops_per_s"
MEMORY_SHARE = 0.8  # refuse to train when the estimate exceeds this share of free memory

SOURCES = {**{k: s for k, (s, _) in datasets.BUILTIN.items()}, **datasets.KERAS_DATASETS}
UPLOAD_CHOICES = (UPLOAD_NPZ, UPLOAD_ZIP)


@st.cache_resource
def job_manager() -> JobManager:
    """One manager per server: it enforces the server-wide job limit."""
    return JobManager()


@st.cache_resource(max_entries=8)
def builtin_dataset(key: str) -> datasets.Dataset:
    return datasets.load_builtin(key)


@st.cache_resource(max_entries=8)
def shapes_dataset(count: int, size: int, channels: int, classes: int, seed: int) -> datasets.Dataset:
    return datasets.shapes(count, size, channels, classes, seed)


def session_id() -> str:
    if SESSION_ID not in st.session_state:
        st.session_state[SESSION_ID] = uuid.uuid4().hex
    return st.session_state[SESSION_ID]


def has_gpu() -> bool:
    return os.path.exists("/dev/nvidiactl")


# -- dataset -----------------------------------------------------------------------------------


def _source_label(key: str) -> str:
    return t(f"dataset.{key}")


def status_text(message: str) -> str:
    """A worker's English status line, translated when the catalogue knows it."""
    return t(f"status.{message}") if f"status.{message}" in CATALOG else message


def job_message(message: str) -> str:
    return t(f"job.message.{message}") if f"job.message.{message}" in CATALOG else message


def choose_dataset() -> tuple[str, datasets.Dataset | None]:
    """The chosen source and, when it is loaded in this process, the dataset."""
    options = [*datasets.BUILTIN, *datasets.KERAS_DATASETS, *UPLOAD_CHOICES]
    if SOURCE_KEY not in st.session_state:
        st.session_state[SOURCE_KEY] = "digits28"
    key = st.selectbox(
        t("train.dataset"), options, format_func=labels(options, _source_label), **state.persistent_widget(SOURCE_KEY)
    )
    if key in ("shapes", "shapes_rgb"):
        cols = st.columns(4)
        size = cols[0].number_input(t("shapes.size"), 8, 128, 32, key="shapes_size")
        classes = cols[1].number_input(
            t("shapes.classes"), 2, len(datasets.SHAPES), 4, key="shapes_classes", help=", ".join(datasets.SHAPES)
        )
        count = cols[2].number_input(t("shapes.count"), 100, 20000, 2000, step=100, key="shapes_count")
        seed = cols[3].number_input(t("shapes.seed"), 0, 10**6, 0, key="shapes_seed")
        channels = 3 if key == "shapes_rgb" else 1
        with st.spinner(t("spinner.shapes")):
            return key, shapes_dataset(int(count), int(size), channels, int(classes), int(seed))
    if key in datasets.BUILTIN:
        with st.spinner(t("spinner.dataset")):
            return key, builtin_dataset(key)
    if key in datasets.KERAS_DATASETS:
        st.info(t("dataset.keras_info", title=_source_label(key)))
        return key, None
    return key, _upload(key)


def _upload(key: str) -> datasets.Dataset | None:
    limit_mb = uploads.MAX_UPLOAD_BYTES / 2**20
    if key == UPLOAD_NPZ:
        st.caption(t("upload.npz.caption"))
        upload = st.file_uploader(t("upload.npz"), type=["npz"], key="npz_file", max_upload_size=int(limit_mb) + 1)
    else:
        st.caption(t("upload.zip.caption"))
        cols = st.columns(2)
        size = cols[0].number_input(t("upload.zip.size"), min_value=8, max_value=256, value=32, step=1, key="zip_size")
        channels = cols[1].selectbox(
            t("upload.zip.channels"),
            [1, 3],
            format_func=labels([1, 3], lambda c: t("upload.gray") if c == 1 else t("upload.rgb")),
            key="zip_channels",
        )
        upload = st.file_uploader(t("upload.zip"), type=["zip"], key="zip_file", max_upload_size=int(limit_mb) + 1)
    if upload is None:
        return None
    marker = (upload.file_id, key, st.session_state.get("zip_size"), st.session_state.get("zip_channels"))
    cached = st.session_state.get(UPLOADED)
    if cached and cached[0] == marker:
        return cached[1]
    try:
        data = upload.getvalue()
        if key == UPLOAD_NPZ:
            dataset = uploads.load_npz(data, name=upload.name)
        else:
            dataset = uploads.load_image_zip(data, size=int(size), channels=int(channels), name=upload.name)
    except uploads.UploadError as exc:
        st.error(t("upload.error", file=upload.name, error=exc), icon=icons.ERROR)
        return None
    st.session_state[UPLOADED] = (marker, dataset)
    return dataset


def preview(dataset: datasets.Dataset, key: str) -> None:
    description = t(f"dataset.desc.{key}") if key in datasets.BUILTIN else t("dataset.desc.upload", name=dataset.name)
    classes = ", ".join(dataset.class_names[:12]) + ("…" if dataset.num_classes > 12 else "")
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
        st.image(images, caption=[name for _, name in samples], width=64)
    elif dataset.kind == "features":
        import plotly.graph_objects as go

        figure = go.Figure()
        for x, name in samples[: dataset.num_classes]:
            figure.add_trace(go.Scatter(y=x[:, 0], mode="lines", name=name))
        figure.update_layout(height=220, margin=dict(l=10, r=10, t=10, b=10))
        st.plotly_chart(figure, key="sequence_preview")
    else:
        st.code("\n".join(f"{name}: {' '.join(map(str, x[:20]))} …" for x, name in samples[:6]), language="text")


def match_design(result: Analysis, key: str, dataset: datasets.Dataset | None) -> bool:
    """Check the design's input and classes against the data; offer fixes. True if trainable."""
    design = result.design
    if dataset is None and key in UPLOAD_CHOICES:
        st.info(t("upload.wait"))
        return False
    shape = dataset.input_shape if dataset is not None else SOURCES[key].input_shape
    classes = dataset.num_classes if dataset is not None else SOURCES[key].classes
    ok = True
    if tuple(design.input_shape) != tuple(shape):
        if datasets.can_adapt(tuple(shape), tuple(design.input_shape)):
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


# -- settings and start --------------------------------------------------------------------------


def settings_form() -> TrainSettings:
    cols = st.columns(4)
    epochs = cols[0].number_input(t("set.epochs"), 1, 200, 3, key="set_epochs")
    batch = cols[1].number_input(t("set.batch"), 1, 2048, 32, key="set_batch")
    optimizer = cols[2].selectbox(
        t("set.optimizer"),
        ["adam", "sgd", "rmsprop"],
        key="set_optimizer",
        format_func={"adam": "Adam", "sgd": t("set.sgd"), "rmsprop": "RMSprop"}.get,
    )
    rate = cols[3].number_input(t("set.lr"), 1e-6, 1.0, 1e-3, format="%.5f", step=1e-4, key="set_lr")
    cols = st.columns(4)
    split = cols[0].slider(t("set.split"), 0.0, 0.5, 0.1, 0.05, key="set_split")
    seed = cols[1].number_input(t("set.seed"), 0, 2**31 - 1, 0, key="set_seed")
    cap = cols[2].number_input(t("set.cap"), 0, 10_000_000, 5000, step=500, key="set_cap", help=t("set.cap.help"))
    gpu = has_gpu()
    mixed = cols[3].checkbox(
        t("set.mixed"), key="set_mixed", disabled=not gpu, help=t("set.mixed.gpu") if gpu else t("set.mixed.none")
    )
    return TrainSettings(
        int(epochs), int(batch), optimizer, float(rate), float(split), int(seed), int(cap) or None, bool(mixed and gpu)
    )


def estimates(result: Analysis, settings: TrainSettings, samples: int) -> str | None:
    """Show memory and time estimates; return why training must be refused, if it must."""
    memory = training_memory(result, settings.batch_size, settings.optimizer).total
    rate = st.session_state.get(MEASURED_RATE, ASSUMED_FLOPS_PER_S)
    seconds = epoch_seconds(result, samples, rate)
    free = available_memory_bytes()
    cols = st.columns(3)
    cols[0].metric(
        t("est.memory"), fmt.size(memory), help=t("est.memory.help", value=memory, batch=settings.batch_size)
    )
    how = t("est.measured") if MEASURED_RATE in st.session_state else t("est.assumed")
    cols[1].metric(
        t("est.time"),
        _duration(seconds),
        help=t("est.time.help", flops=result.flops, samples=samples, rate=rate / 1e9, how=how),
    )
    cols[2].metric(t("est.free"), fmt.size(free) if free else t("est.unknown"))
    if free and memory > MEMORY_SHARE * free:
        return t("est.refuse", need=fmt.size(memory), free=fmt.size(free))
    return None


def _duration(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min"


def start(result: Analysis, key: str, dataset: datasets.Dataset | None, settings: TrainSettings) -> None:
    try:
        work = new_work_dir()
        source = dataset_for_job(dataset, work) if dataset is not None else keras_dataset(key)
        spec = train_spec(result.design, source, settings, work)
        spec["dataset_title"] = dataset.name if dataset is not None else SOURCES[key].title
        spec["analysis"] = metrics.summary(result)  # the run record carries every figure by metric key
        job = job_manager().submit(session_id(), "train", spec)
    except (DesignError, JobError, OSError) as exc:
        state.flash("error", t("train.not_started", error=exc))
        return
    st.session_state[JOB_KEY] = job.id


# -- the running job and its results ------------------------------------------------------------


def current_job():
    return job_manager().get(st.session_state.get(JOB_KEY))


def _curves(history: list[dict], batches: list[dict]) -> None:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    figure = make_subplots(rows=1, cols=2, subplot_titles=(t("curve.loss"), t("curve.accuracy")))
    if batches:
        steps = [b["epoch"] - 1 + b["batch"] / b["batches"] for b in batches]
        figure.add_trace(
            go.Scatter(
                x=steps, y=[b["loss"] for b in batches], name=t("curve.batches_loss"), line=dict(color="#9ecae1")
            ),
            row=1,
            col=1,
        )
        figure.add_trace(
            go.Scatter(
                x=steps,
                y=[b["accuracy"] for b in batches],
                name=t("curve.batches_accuracy"),
                line=dict(color="#9ecae1"),
            ),
            row=1,
            col=2,
        )
    if history:
        epochs = [h["epoch"] for h in history]
        for name, column, color in (
            ("loss", 1, "#1f77b4"),
            ("val_loss", 1, "#ff7f0e"),
            ("accuracy", 2, "#1f77b4"),
            ("val_accuracy", 2, "#ff7f0e"),
        ):
            if name in history[0]:
                figure.add_trace(
                    go.Scatter(
                        x=epochs, y=[h[name] for h in history], name=name, mode="lines+markers", line=dict(color=color)
                    ),
                    row=1,
                    col=column,
                )
    figure.update_xaxes(title_text=t("curve.epoch"))
    figure.update_layout(height=300, margin=dict(l=10, r=10, t=30, b=10), legend=dict(orientation="h"))
    st.plotly_chart(figure, key=f"curves_{len(batches)}_{len(history)}")


def live_status(job) -> None:
    """Progress of a queued or running job, with Stop."""
    manager = job_manager()
    if job.state == "queued":
        st.info(
            t(
                "queue.waiting",
                running=manager.running_count(),
                limit=manager.max_running,
                position=manager.queue_position(job),
            )
        )
    status = job.latest("status")
    batch = job.latest("batch")
    if batch:
        epochs, done = batch["epochs"], (batch["epoch"] - 1) + batch["batch"] / batch["batches"]
        elapsed = time.time() - job.events[0]["at"]
        rate = done / max(elapsed, 1e-9)
        eta = (epochs - done) / rate if rate > 0 else 0
        st.progress(
            min(1.0, done / epochs),
            text=t(
                "progress.text",
                epoch=batch["epoch"],
                epochs=epochs,
                batch=batch["batch"],
                batches=batch["batches"],
                rate=batch["samples_per_s"],
                eta=_duration(eta),
            ),
        )
    elif job.state != "queued":
        st.progress(0.0, text=status_text(status["message"]) if status else t("progress.starting"))
    _curves(job.all("epoch"), job.all("batch"))
    st.button(t("train.stop"), key="stop_job", on_click=_stop, args=(job.id,), disabled=job.state == "stopping")


def _stop(job_id: str) -> None:
    state.flash("info", job_manager().stop(job_id))


@st.fragment(run_every=1.0)
def live_fragment() -> None:
    job = current_job()
    if job is None:
        return
    if job.active:
        live_status(job)
    else:
        st.rerun()  # the job ended: redraw the page with its results


def record(job) -> None:
    """Store a finished run on its design (once)."""
    recorded = st.session_state.setdefault(RECORDED, [])
    if job.id in recorded or job.state != "finished":
        return
    recorded.append(job.id)
    spec, result = job.spec, job.result
    run = {
        "job": job.id,
        "dataset": spec["dataset_title"],
        "epochs": spec["epochs"],
        "batch_size": spec["batch_size"],
        "optimizer": spec["optimizer"],
        "learning_rate": spec["learning_rate"],
        "seed": spec["seed"],
        "test_accuracy": result["test_accuracy"],
        "test_loss": result["test_loss"],
        "seconds": result["seconds"],
        "samples_per_s": result["samples_per_s"],
        "model_path": result["model_path"],
        "finished": time.time(),
        **spec["analysis"],
    }
    state.workspace().record_run(spec["design_name"], run)
    flops = spec["analysis"][metrics.FLOPS.key]
    if result["samples_per_s"] > 0 and flops:  # refines the next time estimate
        st.session_state[MEASURED_RATE] = metrics.training_flops(flops, result["samples_per_s"])


def results(job) -> None:
    if job.state == "failed":
        st.error(t("train.failed", message=job_message(job.message)), icon=icons.ERROR)
        return
    result = job.result or {}
    if job.state == "stopped":
        st.warning(t("train.stopped", message=job_message(job.message)), icon=icons.STOPPED)
        if result.get("history"):
            _curves(result["history"], job.all("batch"))
        return
    record(job)
    cols = st.columns(4)
    cols[0].metric(t("result.accuracy"), f"{result['test_accuracy']:.1%}")
    cols[1].metric(t("result.loss"), f"{result['test_loss']:.3f}")
    cols[2].metric(t("result.time"), _duration(result["seconds"]))
    cols[3].metric(t("result.throughput"), t("result.samples_per_s", rate=result["samples_per_s"]))
    for note in result.get("notes", []):
        st.caption(t("result.note", note=note))
    _curves(result["history"], job.all("batch"))
    left, right = st.columns(2)
    with left:
        _confusion(result)
    with right:
        _sample_grid(result)
    st.caption(t("result.kept", name=job.spec["design_name"]))


def _confusion(result: dict) -> None:
    import plotly.graph_objects as go

    names = result["class_names"]
    matrix = result["confusion"]
    labels = names if len(names) == len(matrix) else [str(i) for i in range(len(matrix))]
    figure = go.Figure(
        go.Heatmap(
            z=matrix,
            x=labels,
            y=labels,
            colorscale="Blues",
            text=matrix,
            texttemplate="%{text}",
            hovertemplate=t("result.true") + " %{y}, " + t("result.predicted") + " %{x}: %{z}<extra></extra>",
        )
    )
    figure.update_layout(
        title=t("result.confusion"),
        xaxis_title=t("result.predicted"),
        yaxis_title=t("result.true"),
        yaxis_autorange="reversed",
        height=380,
        margin=dict(l=10, r=10, t=40, b=10),
    )
    st.plotly_chart(figure, key="confusion")


def _sample_grid(result: dict) -> None:
    names = result["class_names"]
    samples = result["samples"]

    def label(sample):
        mark = "✓" if sample["true"] == sample["predicted"] else "✗"
        text = f"{mark} {names[sample['predicted']]}"
        return text if mark == "✓" else f"{text} ({t('result.true_label', label=names[sample['true']])})"

    st.markdown(f"**{t('result.samples')}**")
    images = result.get("sample_images")
    if images is not None:
        pictures = [np.clip(x if x.shape[-1] == 3 else x[..., 0], 0, 1) for x in images]
        st.image(pictures, caption=[label(s) for s in samples], width=72)
    else:
        st.markdown(
            "\n".join(
                "- " + t("result.sample_line", index=s["index"], label=label(s), confidence=s["confidence"])
                for s in samples
            )
        )
