"""The Train page's widgets: dataset choice and preview, settings with estimates, the live
job (polled by a fragment) and the results."""

from __future__ import annotations

import os
import time
import uuid

import numpy as np
import streamlit as st

from lightdesign import datasets, edits, uploads
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
from lightdesign.ui import actions, state

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
UPLOAD_CHOICES = {UPLOAD_NPZ: "Upload arrays (.npz)", UPLOAD_ZIP: "Upload image folders (.zip)"}


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
    return UPLOAD_CHOICES.get(key) or SOURCES[key].title


def choose_dataset() -> tuple[str, datasets.Dataset | None]:
    """The chosen source and, when it is loaded in this process, the dataset."""
    options = [*datasets.BUILTIN, *datasets.KERAS_DATASETS, *UPLOAD_CHOICES]
    if SOURCE_KEY not in st.session_state:
        st.session_state[SOURCE_KEY] = "digits28"
    key = st.selectbox("Dataset", options, format_func=_source_label, **state.persistent_widget(SOURCE_KEY))
    if key in ("shapes", "shapes_rgb"):
        cols = st.columns(4)
        size = cols[0].number_input("Image size", 8, 128, 32, key="shapes_size")
        classes = cols[1].number_input("Shapes", 2, len(datasets.SHAPES), 4, key="shapes_classes",
                                       help=", ".join(datasets.SHAPES))
        count = cols[2].number_input("Images", 100, 20000, 2000, step=100, key="shapes_count")
        seed = cols[3].number_input("Seed", 0, 10**6, 0, key="shapes_seed")
        channels = 3 if key == "shapes_rgb" else 1
        with st.spinner("Drawing the shapes…"):
            return key, shapes_dataset(int(count), int(size), channels, int(classes), int(seed))
    if key in datasets.BUILTIN:
        with st.spinner("Preparing the dataset…"):
            return key, builtin_dataset(key)
    if key in datasets.KERAS_DATASETS:
        source = SOURCES[key]
        st.info(f"{source.description}. Downloaded by the training worker when you start (needs internet; "
                f"offline, use {datasets.OFFLINE_ALTERNATIVES}).")
        return key, None
    return key, _upload(key)


def _upload(key: str) -> datasets.Dataset | None:
    limit_mb = uploads.MAX_UPLOAD_BYTES / 2**20
    if key == UPLOAD_NPZ:
        st.caption("numpy.savez(x_train=…, y_train=…[, x_test=…, y_test=…]): images (N, H, W[, C]), token ids (N, T) "
                   "or sequences (N, T, F); integer labels 0 … K-1.")
        upload = st.file_uploader("Arrays (.npz)", type=["npz"], key="npz_file", max_upload_size=int(limit_mb) + 1)
    else:
        st.caption("A zip with one folder per class: cats/1.png, dogs/2.jpg …")
        cols = st.columns(2)
        size = cols[0].number_input("Resize images to", min_value=8, max_value=256, value=32, step=1, key="zip_size")
        channels = cols[1].selectbox("Channels", [1, 3], format_func=lambda c: "grayscale" if c == 1 else "RGB",
                                     key="zip_channels")
        upload = st.file_uploader("Image folders (.zip)", type=["zip"], key="zip_file", max_upload_size=int(limit_mb) + 1)
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
        st.error(f"{upload.name}: {exc}", icon="⛔")
        return None
    st.session_state[UPLOADED] = (marker, dataset)
    return dataset


def preview(dataset: datasets.Dataset) -> None:
    st.caption(f"{dataset.description} · {len(dataset.y_train):,} training and {len(dataset.y_test):,} test samples · "
               f"samples {dataset.input_shape} · classes: {', '.join(dataset.class_names[:12])}"
               + ("…" if dataset.num_classes > 12 else ""))
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
        st.info("Upload a file to train on it.")
        return False
    shape = dataset.input_shape if dataset is not None else SOURCES[key].input_shape
    classes = dataset.num_classes if dataset is not None else SOURCES[key].classes
    ok = True
    if tuple(design.input_shape) != tuple(shape):
        if datasets.can_adapt(tuple(shape), tuple(design.input_shape)):
            st.info(f"The images are {fmt.shape(shape)} and the design expects {fmt.shape(design.input_shape)}: "
                    "they will be resized (and converted between gray and RGB) for training.")
        else:
            st.error(f"The design expects samples of shape {fmt.shape(design.input_shape)} but this data has "
                     f"{fmt.shape(shape)}.", icon="⛔")
            ok = False
        st.button(f"Set the design's input to {fmt.shape(shape)}", key="fit_input",
                  on_click=actions.edit, args=(edits.set_input_shape, list(shape)))
    if design.num_classes != classes:
        st.warning(f"The data has {classes} classes and the design outputs {design.num_classes}.", icon="⚠️")
        st.button(f"Set the design to {classes} classes", key="fit_classes",
                  on_click=actions.edit, args=(edits.set_num_classes, classes))
        ok = ok and design.num_classes > classes
    return ok


# -- settings and start --------------------------------------------------------------------------


def settings_form() -> TrainSettings:
    cols = st.columns(4)
    epochs = cols[0].number_input("Epochs", 1, 200, 3, key="set_epochs")
    batch = cols[1].number_input("Batch size", 1, 2048, 32, key="set_batch")
    optimizer = cols[2].selectbox("Optimizer", ["adam", "sgd", "rmsprop"], key="set_optimizer",
                                  format_func={"adam": "Adam", "sgd": "SGD + momentum 0.9", "rmsprop": "RMSprop"}.get)
    rate = cols[3].number_input("Learning rate", 1e-6, 1.0, 1e-3, format="%.5f", step=1e-4, key="set_lr")
    cols = st.columns(4)
    split = cols[0].slider("Validation split", 0.0, 0.5, 0.1, 0.05, key="set_split")
    seed = cols[1].number_input("Seed", 0, 2**31 - 1, 0, key="set_seed")
    cap = cols[2].number_input("Sample cap (0 = all)", 0, 10_000_000, 5000, step=500, key="set_cap",
                               help="Train on at most this many samples, for speed")
    gpu = has_gpu()
    mixed = cols[3].checkbox("Mixed precision", key="set_mixed", disabled=not gpu,
                             help="float16 compute on a GPU" if gpu else "Needs a GPU; this server has none")
    return TrainSettings(int(epochs), int(batch), optimizer, float(rate), float(split), int(seed), int(cap) or None,
                         bool(mixed and gpu))


def estimates(result: Analysis, settings: TrainSettings, samples: int) -> str | None:
    """Show memory and time estimates; return why training must be refused, if it must."""
    memory = training_memory(result, settings.batch_size, settings.optimizer).total
    rate = st.session_state.get(MEASURED_RATE, ASSUMED_FLOPS_PER_S)
    seconds = epoch_seconds(result, samples, rate)
    free = available_memory_bytes()
    cols = st.columns(3)
    cols[0].metric("Estimated training memory", fmt.size(memory),
                   help=f"{memory:,} bytes at batch {settings.batch_size}: weights, gradients, optimizer state, activations")
    cols[1].metric("Estimated time per epoch", _duration(seconds),
                   help=f"3 x {result.flops:,} FLOPs per sample x {samples:,} samples at "
                        f"{rate / 1e9:.1f} GFLOP/s ({'measured on your last run' if MEASURED_RATE in st.session_state else 'assumed'})")
    cols[2].metric("Free memory on the server", fmt.size(free) if free else "unknown")
    if free and memory > MEMORY_SHARE * free:
        return (f"Training would need about {fmt.size(memory)} but the server has {fmt.size(free)} free. "
                "Lower the batch size, the resolution or the width.")
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
        spec["analysis"] = {"params": result.params, "macs": result.macs, "flops": result.flops,
                            "peak_activation_bytes": result.peak_activation_bytes,
                            "int8_bytes": result.weight_bytes["int8"]}
        job = job_manager().submit(session_id(), "train", spec)
    except (DesignError, JobError, OSError) as exc:
        state.flash("error", f"Training did not start: {exc}")
        return
    st.session_state[JOB_KEY] = job.id


# -- the running job and its results ------------------------------------------------------------


def current_job():
    return job_manager().get(st.session_state.get(JOB_KEY))


def _curves(history: list[dict], batches: list[dict]) -> None:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    figure = make_subplots(rows=1, cols=2, subplot_titles=("Loss", "Accuracy"))
    if batches:
        steps = [b["epoch"] - 1 + b["batch"] / b["batches"] for b in batches]
        figure.add_trace(go.Scatter(x=steps, y=[b["loss"] for b in batches], name="train loss (batches)",
                                    line=dict(color="#9ecae1")), row=1, col=1)
        figure.add_trace(go.Scatter(x=steps, y=[b["accuracy"] for b in batches], name="train accuracy (batches)",
                                    line=dict(color="#9ecae1")), row=1, col=2)
    if history:
        epochs = [h["epoch"] for h in history]
        for name, column, color in (("loss", 1, "#1f77b4"), ("val_loss", 1, "#ff7f0e"), ("accuracy", 2, "#1f77b4"),
                                    ("val_accuracy", 2, "#ff7f0e")):
            if name in history[0]:
                figure.add_trace(go.Scatter(x=epochs, y=[h[name] for h in history], name=name, mode="lines+markers",
                                            line=dict(color=color)), row=1, col=column)
    figure.update_xaxes(title_text="epoch")
    figure.update_layout(height=300, margin=dict(l=10, r=10, t=30, b=10), legend=dict(orientation="h"))
    st.plotly_chart(figure, key=f"curves_{len(batches)}_{len(history)}")


def live_status(job) -> None:
    """Progress of a queued or running job, with Stop."""
    manager = job_manager()
    if job.state == "queued":
        st.info(f"Waiting for a free worker: {manager.running_count()} job(s) are running on this server "
                f"(limit {manager.max_running}); you are number {manager.queue_position(job)} in the queue.")
    status = job.latest("status")
    batch = job.latest("batch")
    if batch:
        epochs, done = batch["epochs"], (batch["epoch"] - 1) + batch["batch"] / batch["batches"]
        elapsed = time.time() - job.events[0]["at"]
        rate = done / max(elapsed, 1e-9)
        eta = (epochs - done) / rate if rate > 0 else 0
        st.progress(min(1.0, done / epochs),
                    text=f"Epoch {batch['epoch']}/{epochs} · batch {batch['batch']}/{batch['batches']} · "
                         f"{batch['samples_per_s']:.0f} samples/s · about {_duration(eta)} left")
    elif job.state != "queued":
        st.progress(0.0, text=status["message"] if status else "Starting the worker…")
    _curves(job.all("epoch"), job.all("batch"))
    st.button("Stop", key="stop_job", on_click=_stop, args=(job.id,), disabled=job.state == "stopping")


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
        "job": job.id, "dataset": spec["dataset_title"], "epochs": spec["epochs"], "batch_size": spec["batch_size"],
        "optimizer": spec["optimizer"], "learning_rate": spec["learning_rate"], "seed": spec["seed"],
        "test_accuracy": result["test_accuracy"], "test_loss": result["test_loss"], "seconds": result["seconds"],
        "samples_per_s": result["samples_per_s"], "model_path": result["model_path"], "finished": time.time(),
        **spec["analysis"],
    }
    state.workspace().record_run(spec["design_name"], run)
    if result["samples_per_s"] > 0 and spec["analysis"]["flops"]:  # refines the next time estimate
        st.session_state[MEASURED_RATE] = 3 * spec["analysis"]["flops"] * result["samples_per_s"]


def results(job) -> None:
    if job.state == "failed":
        st.error(f"Training failed: {job.message}", icon="⛔")
        return
    result = job.result or {}
    if job.state == "stopped":
        st.warning(f"Training stopped: {job.message}.", icon="⏹️")
        if result.get("history"):
            _curves(result["history"], job.all("batch"))
        return
    record(job)
    cols = st.columns(4)
    cols[0].metric("Test accuracy", f"{result['test_accuracy']:.1%}")
    cols[1].metric("Test loss", f"{result['test_loss']:.3f}")
    cols[2].metric("Training time", _duration(result["seconds"]))
    cols[3].metric("Throughput", f"{result['samples_per_s']:.0f} samples/s")
    for note in result.get("notes", []):
        st.caption(f"Note: {note}")
    _curves(result["history"], job.all("batch"))
    left, right = st.columns(2)
    with left:
        _confusion(result)
    with right:
        _sample_grid(result)
    st.caption(f"The trained model is kept for the Export page ({job.spec['design_name']}).")


def _confusion(result: dict) -> None:
    import plotly.graph_objects as go

    names = result["class_names"]
    matrix = result["confusion"]
    labels = names if len(names) == len(matrix) else [str(i) for i in range(len(matrix))]
    figure = go.Figure(go.Heatmap(z=matrix, x=labels, y=labels, colorscale="Blues", text=matrix, texttemplate="%{text}",
                                  hovertemplate="true %{y}, predicted %{x}: %{z}<extra></extra>"))
    figure.update_layout(title="Confusion matrix (test set)", xaxis_title="predicted", yaxis_title="true",
                         yaxis_autorange="reversed", height=380, margin=dict(l=10, r=10, t=40, b=10))
    st.plotly_chart(figure, key="confusion")


def _sample_grid(result: dict) -> None:
    names = result["class_names"]
    samples = result["samples"]

    def label(sample):
        mark = "✓" if sample["true"] == sample["predicted"] else "✗"
        text = f"{mark} {names[sample['predicted']]}"
        return text if mark == "✓" else f"{text} (true {names[sample['true']]})"

    st.markdown("**Sample predictions**")
    images = result.get("sample_images")
    if images is not None:
        pictures = [np.clip(x if x.shape[-1] == 3 else x[..., 0], 0, 1) for x in images]
        st.image(pictures, caption=[label(s) for s in samples], width=72)
    else:
        st.markdown("\n".join(f"- sample {s['index']}: {label(s)} ({s['confidence']:.0%})" for s in samples))
