"""The training job (runs in a worker process): build the model from the generated Keras
source, fit it while streaming progress, evaluate, and save the trained model."""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np

from lightdesign.data import adapt, sources
from lightdesign.data.dataset import Dataset
from lightdesign.jobs.messages import (
    Batch,
    CalibrateSpec,
    CalibrationResult,
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

BATCH_EVENT_INTERVAL_S = 0.25  # progress reaches the page at least this often
BATCH_POINTS_PER_EPOCH = 50  # and the charts get about this many batch points per epoch, however short it is
PRECISE_BATCHNORM_SAMPLES = 4096  # training samples the BatchNorm statistics are re-estimated on
SAMPLE_PREDICTIONS = 16
STOPPED_ON_REQUEST = "stopped at your request"


class StopRequested(Exception):
    """Raised from a callback to leave fit or evaluate at once."""


def load_dataset(source: DatasetRef) -> Dataset:
    """The dataset a job names: an .npz written by the app, or a Keras download."""
    if source.kind is DatasetKind.NPZ:
        return Dataset.from_npz(source.path)
    name = source.name
    import keras

    try:
        (x_train, y_train), (x_test, y_test) = getattr(keras.datasets, name).load_data()
    except Exception as exc:  # noqa: BLE001 - no network, a proxy, a corrupt cache …
        raise RuntimeError(
            f"could not download {name} ({type(exc).__name__}); this machine seems to be offline. "
            f"Use {sources.OFFLINE_ALTERNATIVES} instead"
        ) from None
    x_train, x_test = (x.astype(np.float32) / 255.0 for x in (x_train, x_test))
    if x_train.ndim == 3:
        x_train, x_test = x_train[..., None], x_test[..., None]
    return Dataset(
        name,
        x_train,
        y_train.reshape(-1).astype(np.int64),
        x_test,
        y_test.reshape(-1).astype(np.int64),
        sources.KERAS_CLASS_NAMES[name],
    )


def build_model(source: str):
    namespace: dict = {"__name__": "lightdesign_design"}
    exec(compile(source, "<design>", "exec"), namespace)
    return namespace["build_model"]()


def _compiled(keras, source: str, settings, classes: int, from_logits: bool):
    """The model of ``source``, compiled as a training run compiles it."""
    model = build_model(source)
    loss = (
        keras.losses.BinaryCrossentropy(from_logits=from_logits)
        if classes == 1
        else keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits)
    )
    model.compile(
        optimizer=_optimizer(keras, settings.optimizer, settings.learning_rate), loss=loss, metrics=["accuracy"]
    )
    return model, loss


def calibrate(spec: CalibrateSpec, emit, stop_flag) -> None:
    """Time the training loop of the design at the run's batch size on generated data, as
    a run trains: one step first to size the data to about ``spec.seconds`` per epoch, then
    two epochs of ``fit`` with a validation split, timed by a callback. The second epoch
    gives the seconds per training and per validation step (the loop's data pipeline and
    callbacks included); the first step's extra time and what the first epoch took more
    are tracing, paid once per run."""
    emit(Status(stage=Stage.LOADING_TENSORFLOW))
    import keras

    settings = spec.settings
    keras.utils.set_random_seed(settings.seed)
    if settings.mixed_precision:
        keras.mixed_precision.set_global_policy("mixed_float16")
    emit(Status(stage=Stage.BUILDING_MODEL))
    model, _ = _compiled(keras, spec.source, settings, spec.num_classes, spec.from_logits)
    rng = np.random.default_rng(settings.seed)
    batch = settings.batch_size

    def generated(count: int):
        shape = (count, *spec.input_shape)
        x = (
            rng.integers(0, spec.vocabulary, shape).astype(np.int32)
            if len(spec.input_shape) == 1
            else rng.uniform(0, 1, shape).astype(np.float32)
        )
        return x, rng.integers(0, max(spec.num_classes, 2), count)

    emit(Status(stage=Stage.TIMING_STEPS))
    x, y = generated(batch)
    start = time.perf_counter()
    model.train_on_batch(x, y)  # traces the step: fit reuses it
    tracing = time.perf_counter() - start
    start = time.perf_counter()
    model.train_on_batch(x, y)
    step = max(time.perf_counter() - start, 1e-4)
    tracing = max(tracing - step, 0.0)
    train_steps = int(min(max(spec.seconds / step, 4), 200))
    validation_steps = max(1, train_steps // 9)
    x, y = generated(batch * (train_steps + validation_steps))
    clock = _EpochClock(keras, stop_flag)
    try:
        model.fit(
            x,
            y,
            epochs=2,
            batch_size=batch,
            validation_split=validation_steps / (train_steps + validation_steps),
            callbacks=[clock],
            verbose=0,
            shuffle=True,
        )
    except StopRequested:
        emit(Stopped(message=STOPPED_ON_REQUEST, on_request=True))
        return
    (first_train, first_eval), (train_seconds, eval_seconds) = clock.epochs
    emit(
        Finished(
            result=CalibrationResult(
                batch_size=batch,
                steps=train_steps,
                train_step_seconds=train_seconds / train_steps,
                eval_step_seconds=eval_seconds / validation_steps,
                first_step_seconds=tracing + max(first_train + first_eval - train_seconds - eval_seconds, 0.0),
            )
        )
    )


def _EpochClock(keras, stop_flag):  # CamelCase: it builds a Keras callback class
    class EpochClock(keras.callbacks.Callback):
        """Seconds of training and of validation in each epoch."""

        def __init__(self):
            super().__init__()
            self.epochs: list[tuple[float, float]] = []

        def on_epoch_begin(self, epoch, logs=None):
            self.begin = self.test_begin = self.test_end = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            if stop_flag.is_set():
                raise StopRequested

        def on_test_begin(self, logs=None):
            self.test_begin = time.perf_counter()

        def on_test_end(self, logs=None):
            self.test_end = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.epochs.append((self.test_begin - self.begin, self.test_end - self.test_begin))

    return EpochClock()


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


class WindowMeans:
    """The mean of each figure over the batches since the last point, from Keras's running
    means over the epoch (weighted by samples, as Keras weighs them): a point per window
    instead of the running mean, which restarts at every epoch and so jumps there."""

    def __init__(self):
        self.restart()

    def restart(self) -> None:
        self.seen = 0
        self.sums: dict[str, float] = {}

    def window(self, seen: int, logs: dict) -> dict[str, float | None]:
        """The figures' means over the samples after the last call (up to ``seen`` this epoch)."""
        means: dict[str, float | None] = {}
        for name in ("loss", "accuracy"):
            running = _finite(logs.get(name))
            if running is None or seen <= self.seen:
                means[name] = running
                continue
            total = running * seen
            means[name] = (total - self.sums.get(name, 0.0)) / (seen - self.seen)
            self.sums[name] = total
        self.seen = seen
        return means


def _progress_callback(keras, emit, stop_flag, epochs: int, steps: int, batch_size: int, samples: int):
    stride = max(1, math.ceil(steps / BATCH_POINTS_PER_EPOCH))

    class Progress(keras.callbacks.Callback):
        """Streams batch and epoch metrics; raises StopRequested when the page asks to stop."""

        def __init__(self):
            super().__init__()
            self.epoch = 0
            self.last_emit = 0.0
            self.epoch_start = time.perf_counter()
            self.history: list[Epoch] = []
            self.windows = WindowMeans()

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch
            self.epoch_start = time.perf_counter()
            self.windows.restart()

        def on_train_batch_end(self, batch, logs=None):
            if stop_flag.is_set():
                raise StopRequested
            now = time.perf_counter()
            due = (batch + 1) % stride == 0 or batch + 1 == steps
            if due or now - self.last_emit >= BATCH_EVENT_INTERVAL_S:
                self.last_emit = now
                seen = min((batch + 1) * batch_size, samples)
                means = self.windows.window(seen, logs or {})
                emit(
                    Batch(
                        epoch=self.epoch + 1,
                        epochs=epochs,
                        batch=batch + 1,
                        batches=steps,
                        loss=means["loss"],
                        accuracy=means["accuracy"],
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


def batchnorm_layers(keras, model) -> list:
    return [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]


def batch_statistics_loss(model, loss, x, y, batch_size: int, stop_flag) -> float:
    """The loss with every BatchNormalization using each batch's own statistics (training
    mode, as during fit). Updates the moving statistics as a side effect."""
    total, count = 0.0, 0
    for start in range(0, len(x), batch_size):
        if stop_flag.is_set():
            raise StopRequested
        xb, yb = x[start : start + batch_size], y[start : start + batch_size]
        total += float(loss(yb, model(xb, training=True))) * len(xb)
        count += len(xb)
    return total / max(count, 1)


def recalibrate_batchnorm(layers: list, model, x, batch_size: int, seed: int, stop_flag) -> int:
    """Precise BatchNorm (Wu & Johnson, 2021): after training, set every BatchNormalization's
    moving mean and variance to the average of its batch statistics over training batches,
    instead of the exponential average of fit (momentum 0.99 has not settled after a few
    hundred steps, so the model in inference mode sees stale statistics). With momentum
    (seen before) / (seen so far) per batch the moving statistics become exactly that
    average. Returns the number of samples used."""
    if not layers or not len(x):
        return 0
    count = min(len(x), PRECISE_BATCHNORM_SAMPLES)
    order = np.sort(np.random.default_rng(seed).permutation(len(x))[:count])
    momenta = [layer.momentum for layer in layers]
    seen = 0
    try:
        for start in range(0, count, batch_size):
            if stop_flag.is_set():
                raise StopRequested
            batch = x[order[start : start + batch_size]]
            for layer in layers:
                layer.momentum = seen / (seen + len(batch))
            model(batch, training=True)  # eager: each layer reads its momentum now
            seen += len(batch)
    finally:
        for layer, momentum in zip(layers, momenta, strict=True):
            layer.momentum = momentum
    return seen


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
    data = adapt.adapt_images(data, spec.input_shape)
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
    model, loss = _compiled(keras, spec.source, settings, classes, spec.from_logits)
    notes = list(data.notes)
    if spec.weights is not None:  # fine-tune from an imported file's weights
        from lightdesign.jobs.file_weights import copy_weights, describe

        copied, refused = copy_weights(keras, model, spec.weights)
        notes.append(f"started from {describe(spec.weights, copied, refused)}")
    progress = _progress_callback(keras, emit, stop_flag, settings.epochs, steps, settings.batch_size, train_count)
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
    layers = batchnorm_layers(keras, model)
    calibrated, batch_loss = 0, None
    try:
        if layers:
            emit(Status(stage=Stage.RECALIBRATING_BATCHNORM))
            batch_loss = batch_statistics_loss(model, loss, data.x_test, data.y_test, settings.batch_size, stop_flag)
            x_fit = data.x_train[:train_count]  # fit's validation split is the tail
            calibrated = recalibrate_batchnorm(layers, model, x_fit, settings.batch_size, settings.seed, stop_flag)
    except StopRequested:
        emit(_stopped(progress.history, train_seconds))
        return
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
        notes=tuple(notes),
        batchnorm_samples=calibrated,
        batch_statistics_loss=_finite(batch_loss),
    )
    emit(Finished(result=result))
