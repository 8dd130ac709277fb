"""The training job (runs in a worker process): build the model from the generated Keras
source, fit it while streaming progress, evaluate, and save the trained model."""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np

from lightdesign import datasets
from lightdesign.jobs.messages import (
    Batch,
    DataReady,
    DatasetKind,
    DatasetRef,
    Epoch,
    Finished,
    Sample,
    Stage,
    Status,
    Stopped,
    TrainResult,
    TrainSpec,
)

BATCH_EVENT_INTERVAL_S = 0.25
SAMPLE_PREDICTIONS = 16
STOPPED_ON_REQUEST = "stopped at your request"


class StopRequested(Exception):
    """Raised from a callback to leave fit or evaluate at once."""


def load_dataset(source: DatasetRef) -> datasets.Dataset:
    """The dataset a job names: an .npz written by the app, or a Keras download."""
    if source.kind is DatasetKind.NPZ:
        return datasets.Dataset.from_npz(source.path)
    name = source.name
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


def _finite(value) -> float | None:
    """A logged figure as a plain float; None when missing or not finite (JSON has no NaN)."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _progress_callback(keras, emit, stop_flag, epochs: int, steps: int, batch_size: int):
    class Progress(keras.callbacks.Callback):
        """Streams batch and epoch metrics; raises StopRequested when the page asks to stop."""

        def __init__(self):
            super().__init__()
            self.epoch = 0
            self.last_emit = 0.0
            self.epoch_start = time.perf_counter()
            self.history: list[Epoch] = []

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch
            self.epoch_start = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            if stop_flag.is_set():
                raise StopRequested
            now = time.perf_counter()
            if now - self.last_emit >= BATCH_EVENT_INTERVAL_S or batch + 1 == steps:
                self.last_emit = now
                seen = (batch + 1) * batch_size
                logs = logs or {}
                emit(
                    Batch(
                        epoch=self.epoch + 1,
                        epochs=epochs,
                        batch=batch + 1,
                        batches=steps,
                        loss=_finite(logs.get("loss")),
                        accuracy=_finite(logs.get("accuracy")),
                        samples_per_s=seen / max(now - self.epoch_start, 1e-9),
                    )
                )

        def on_test_batch_end(self, batch, logs=None):
            if stop_flag.is_set():
                raise StopRequested

        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            record = Epoch(
                epoch=epoch + 1,
                seconds=time.perf_counter() - self.epoch_start,
                **{name: _finite(logs.get(name)) for name in ("loss", "accuracy", "val_loss", "val_accuracy")},
            )
            self.history.append(record)
            emit(record)

    return Progress()


def _confusion(y_true: np.ndarray, y_pred: np.ndarray, classes: int) -> tuple[tuple[int, ...], ...]:
    matrix = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(matrix, (y_true, y_pred), 1)
    return tuple(tuple(int(v) for v in row) for row in matrix)


def _stopped(history: list[Epoch], seconds: float) -> Stopped:
    return Stopped(message=STOPPED_ON_REQUEST, on_request=True, history=tuple(history), seconds=seconds)


def run(spec: TrainSpec, emit, stop_flag) -> None:
    settings = spec.settings
    emit(Status(stage=Stage.LOADING_TENSORFLOW))
    import keras

    keras.utils.set_random_seed(settings.seed)
    if settings.mixed_precision:
        keras.mixed_precision.set_global_policy("mixed_float16")
    emit(Status(stage=Stage.PREPARING_DATA))
    data = load_dataset(spec.dataset)
    data = datasets.adapt_images(data, spec.input_shape)
    data = data.capped(settings.max_samples, settings.seed)
    if data.input_shape != spec.input_shape:
        raise ValueError(f"the data has samples of shape {data.input_shape} but the design expects {spec.input_shape}")
    classes = spec.num_classes
    if data.num_classes > classes and classes > 1:
        raise ValueError(f"the data has {data.num_classes} classes but the design outputs {classes}")
    validation = settings.validation_split
    train_count = int(len(data.y_train) * (1 - validation))
    steps = max(1, -(-train_count // settings.batch_size))
    emit(
        DataReady(
            train=train_count,
            validation=len(data.y_train) - train_count,
            test=len(data.y_test),
            notes=tuple(data.notes),
            class_names=tuple(data.class_names),
        )
    )

    emit(Status(stage=Stage.BUILDING_MODEL))
    model = build_model(spec.source)
    loss = (
        keras.losses.BinaryCrossentropy(from_logits=spec.from_logits)
        if classes == 1
        else keras.losses.SparseCategoricalCrossentropy(from_logits=spec.from_logits)
    )
    model.compile(
        optimizer=_optimizer(keras, settings.optimizer, settings.learning_rate), loss=loss, metrics=["accuracy"]
    )
    progress = _progress_callback(keras, emit, stop_flag, settings.epochs, steps, settings.batch_size)
    emit(Status(stage=Stage.TRAINING))
    start = time.perf_counter()
    try:
        model.fit(
            data.x_train,
            data.y_train,
            epochs=settings.epochs,
            batch_size=settings.batch_size,
            validation_split=validation,
            callbacks=[progress],
            verbose=0,
            shuffle=True,
        )
    except StopRequested:
        emit(_stopped(progress.history, time.perf_counter() - start))
        return
    train_seconds = time.perf_counter() - start
    emit(Status(stage=Stage.EVALUATING))
    try:
        test_loss, test_accuracy = model.evaluate(
            data.x_test, data.y_test, verbose=0, callbacks=[progress], batch_size=256
        )
        probabilities = model.predict(data.x_test, verbose=0, batch_size=256)
    except StopRequested:
        emit(_stopped(progress.history, train_seconds))
        return
    predicted = (
        (probabilities.reshape(len(probabilities), -1) > 0.5).astype(int)[:, 0]
        if classes == 1
        else probabilities.argmax(axis=-1)
    )
    work = Path(spec.work_dir)
    work.mkdir(parents=True, exist_ok=True)
    model_path = work / "trained.keras"
    model.save(model_path)
    picks = np.random.default_rng(0).permutation(len(data.y_test))[:SAMPLE_PREDICTIONS]
    samples = tuple(
        Sample(
            index=int(i),
            true=int(data.y_test[i]),
            predicted=int(predicted[i]),
            confidence=float(np.max(probabilities[i])),
        )
        for i in picks
    )
    images_path = None
    if data.kind == "image":  # images travel as a file, not through the event channel
        images_path = work / "sample_images.npy"
        np.save(images_path, data.x_test[picks].astype(np.float32), allow_pickle=False)
    result = TrainResult(
        test_loss=float(test_loss),
        test_accuracy=float(test_accuracy),
        history=tuple(progress.history),
        seconds=train_seconds,
        samples_per_s=train_count * settings.epochs / max(train_seconds, 1e-9),
        confusion=_confusion(data.y_test, predicted, max(classes, 2)),
        class_names=tuple(data.class_names),
        samples=samples,
        sample_images_path=None if images_path is None else str(images_path),
        model_path=str(model_path),
        notes=tuple(data.notes),
    )
    emit(Finished(result=result))
