"""The training job (runs in a worker process): build the model from the generated Keras
source, fit it while streaming progress, evaluate, and save the trained model."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from lightdesign import datasets

BATCH_EVENT_INTERVAL_S = 0.25
SAMPLE_PREDICTIONS = 16


class Stopped(Exception):
    """Raised from a callback to leave fit or evaluate at once."""


def load_dataset(spec: dict) -> datasets.Dataset:
    """The dataset a job names: an .npz written by the app, or a Keras download."""
    source = spec["dataset"]
    if source["kind"] == "npz":
        return datasets.Dataset.from_npz(source["path"])
    name = source["name"]
    import keras

    try:
        (x_train, y_train), (x_test, y_test) = getattr(keras.datasets, name).load_data()
    except Exception as exc:  # no network, a proxy, a corrupt cache …
        raise RuntimeError(
            f"could not download {name} ({type(exc).__name__}); this machine seems to be offline. "
            f"Use {datasets.OFFLINE_ALTERNATIVES} instead"
        ) from None
    x_train, x_test = (x.astype(np.float32) / 255.0 for x in (x_train, x_test))
    if x_train.ndim == 3:
        x_train, x_test = x_train[..., None], x_test[..., None]
    return datasets.Dataset(
        name,
        x_train,
        y_train.reshape(-1).astype(np.int64),
        x_test,
        y_test.reshape(-1).astype(np.int64),
        datasets.KERAS_CLASS_NAMES[name],
    )


def build_model(source: str):
    namespace: dict = {"__name__": "lightdesign_design"}
    exec(compile(source, "<design>", "exec"), namespace)
    return namespace["build_model"]()


def _optimizer(keras, name: str, learning_rate: float):
    if name == "sgd":
        return keras.optimizers.SGD(learning_rate, momentum=0.9)
    if name == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate)
    return keras.optimizers.Adam(learning_rate)


def _progress_callback(keras, emit, stop_flag, epochs: int, steps: int, batch_size: int):
    class Progress(keras.callbacks.Callback):
        """Streams batch and epoch metrics; raises Stopped when the page asks to stop."""

        def __init__(self):
            super().__init__()
            self.epoch = 0
            self.last_emit = 0.0
            self.epoch_start = time.perf_counter()
            self.history: list[dict] = []

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch
            self.epoch_start = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            if stop_flag.is_set():
                raise Stopped
            now = time.perf_counter()
            if now - self.last_emit >= BATCH_EVENT_INTERVAL_S or batch + 1 == steps:
                self.last_emit = now
                seen = (batch + 1) * batch_size
                emit(
                    {
                        "type": "batch",
                        "epoch": self.epoch + 1,
                        "epochs": epochs,
                        "batch": batch + 1,
                        "batches": steps,
                        "loss": float(logs.get("loss", np.nan)),
                        "accuracy": float(logs.get("accuracy", np.nan)),
                        "samples_per_s": seen / max(now - self.epoch_start, 1e-9),
                    }
                )

        def on_test_batch_end(self, batch, logs=None):
            if stop_flag.is_set():
                raise Stopped

        def on_epoch_end(self, epoch, logs=None):
            seconds = time.perf_counter() - self.epoch_start
            record = {"epoch": epoch + 1, "seconds": seconds, **{k: float(v) for k, v in (logs or {}).items()}}
            self.history.append(record)
            emit({"type": "epoch", **record})

    return Progress()


def _confusion(y_true: np.ndarray, y_pred: np.ndarray, classes: int) -> list[list[int]]:
    matrix = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix.tolist()


def run(spec: dict, emit, stop_flag) -> None:
    emit({"type": "status", "message": "Loading TensorFlow…"})
    import keras

    keras.utils.set_random_seed(int(spec["seed"]))
    if spec.get("mixed_precision"):
        keras.mixed_precision.set_global_policy("mixed_float16")
    emit({"type": "status", "message": "Preparing the data…"})
    data = load_dataset(spec)
    data = datasets.adapt_images(data, tuple(spec["input_shape"]))
    data = data.capped(spec.get("max_samples"), int(spec["seed"]))
    if data.input_shape != tuple(spec["input_shape"]):
        raise ValueError(
            f"the data has samples of shape {data.input_shape} but the design expects {tuple(spec['input_shape'])}"
        )
    classes = int(spec["num_classes"])
    if data.num_classes > classes and classes > 1:
        raise ValueError(f"the data has {data.num_classes} classes but the design outputs {classes}")
    validation = float(spec["validation_split"])
    train_count = int(len(data.y_train) * (1 - validation))
    steps = max(1, -(-train_count // int(spec["batch_size"])))
    emit(
        {
            "type": "data",
            "train": train_count,
            "validation": len(data.y_train) - train_count,
            "test": len(data.y_test),
            "notes": data.notes,
            "class_names": data.class_names,
        }
    )

    emit({"type": "status", "message": "Building the model…"})
    model = build_model(spec["source"])
    loss = (
        keras.losses.BinaryCrossentropy(from_logits=spec["from_logits"])
        if classes == 1
        else keras.losses.SparseCategoricalCrossentropy(from_logits=spec["from_logits"])
    )
    model.compile(
        optimizer=_optimizer(keras, spec["optimizer"], float(spec["learning_rate"])), loss=loss, metrics=["accuracy"]
    )
    progress = _progress_callback(keras, emit, stop_flag, int(spec["epochs"]), steps, int(spec["batch_size"]))
    emit({"type": "status", "message": "Training…"})
    start = time.perf_counter()
    try:
        model.fit(
            data.x_train,
            data.y_train,
            epochs=int(spec["epochs"]),
            batch_size=int(spec["batch_size"]),
            validation_split=validation,
            callbacks=[progress],
            verbose=0,
            shuffle=True,
        )
    except Stopped:
        emit(
            {
                "type": "stopped",
                "message": "stopped at your request",
                "history": progress.history,
                "seconds": time.perf_counter() - start,
            }
        )
        return
    train_seconds = time.perf_counter() - start
    emit({"type": "status", "message": "Evaluating on the test set…"})
    try:
        test_loss, test_accuracy = model.evaluate(
            data.x_test, data.y_test, verbose=0, callbacks=[progress], batch_size=256
        )
        probabilities = model.predict(data.x_test, verbose=0, batch_size=256)
    except Stopped:
        emit(
            {
                "type": "stopped",
                "message": "stopped at your request",
                "history": progress.history,
                "seconds": train_seconds,
            }
        )
        return
    predicted = (
        (probabilities.reshape(len(probabilities), -1) > 0.5).astype(int)[:, 0]
        if classes == 1
        else probabilities.argmax(axis=-1)
    )
    work = Path(spec["work_dir"])
    work.mkdir(parents=True, exist_ok=True)
    model_path = work / "trained.keras"
    model.save(model_path)
    picks = np.random.default_rng(0).permutation(len(data.y_test))[:SAMPLE_PREDICTIONS]
    samples = [
        {
            "index": int(i),
            "true": int(data.y_test[i]),
            "predicted": int(predicted[i]),
            "confidence": float(np.max(probabilities[i])),
        }
        for i in picks
    ]
    images = data.x_test[picks] if data.kind == "image" else None
    emit(
        {
            "type": "finished",
            "test_loss": float(test_loss),
            "test_accuracy": float(test_accuracy),
            "history": progress.history,
            "seconds": train_seconds,
            "samples_per_s": train_count * int(spec["epochs"]) / max(train_seconds, 1e-9),
            "confusion": _confusion(data.y_test, predicted, max(classes, 2)),
            "class_names": data.class_names,
            "samples": samples,
            "sample_images": None if images is None else images.astype(np.float32),
            "model_path": str(model_path),
            "notes": data.notes,
        }
    )
