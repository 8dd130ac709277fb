"""Brief training, honestly: (1) the epoch time estimate against the real epoch time,
from a calibration job and from a first run of the same design, for a second run; (2)
precise BatchNorm: a BN-heavy design's test loss in inference mode without and with the
re-estimated statistics, beside its loss with batch statistics, and the accuracy of the
saved model against the reported one. Ratios against the real time measured in this run.

    python -m bench.train_estimate
"""

from __future__ import annotations

import dataclasses
import os
import threading

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _run(function, spec):
    events = []
    function(spec, events.append, threading.Event())
    return events[-1].result


def time_estimates(name: str, options: dict, data, settings) -> None:
    from lightdesign.analysis.network import analyze
    from lightdesign.core import presets
    from lightdesign.jobs import policy, timing, train
    from lightdesign.jobs.messages import RunRecord, design_key
    from lightdesign.jobs.specs import calibrate_spec, dataset_for_job, new_work_dir, train_spec
    from lightdesign.output.codegen import generate

    design = presets.build(name, **options)
    result = analyze(design)
    key = design_key(generate(design))
    train_samples = policy.training_samples(len(data.y_train), settings)
    validation = min(len(data.y_train), settings.max_samples or len(data.y_train)) - train_samples
    calibrated = _run(train.calibrate, calibrate_spec(design, settings))
    calibration = timing.Calibration(key, settings.batch_size, result.flops, calibrated)
    from_calibration = timing.estimate(
        key, result.flops, settings.batch_size, train_samples, validation, settings.epochs, [], [calibration]
    )
    assumed = timing.estimate(
        key, result.flops, settings.batch_size, train_samples, validation, settings.epochs, [], []
    )
    runs = []
    for attempt in (1, 2):
        work = new_work_dir()
        spec = train_spec(design, dataset_for_job(data, work), settings, work)
        ran = _run(train.run, spec)
        epoch = ran.seconds / len(ran.history)
        if attempt == 1:
            print(
                f"{name}: epoch {epoch:.2f} s; assumed-speed estimate {assumed.epoch_seconds:.2f} s "
                f"({epoch / assumed.epoch_seconds:.2f}x), calibration estimate {from_calibration.epoch_seconds:.2f} s "
                f"({epoch / from_calibration.epoch_seconds:.2f}x)"
            )
            runs.append(RunRecord.of("bench", dataclasses.replace(spec), ran))
        else:
            second = timing.estimate(
                key, result.flops, settings.batch_size, train_samples, validation, settings.epochs, runs, []
            )
            print(
                f"{name}: second run epoch {epoch:.2f} s; estimate from the first run {second.epoch_seconds:.2f} s "
                f"({epoch / second.epoch_seconds:.2f}x)"
            )


def precise_batchnorm() -> None:
    import keras
    import numpy as np

    from lightdesign.core import presets
    from lightdesign.data import builtin
    from lightdesign.jobs import train
    from lightdesign.jobs.messages import TrainSettings
    from lightdesign.jobs.specs import dataset_for_job, new_work_dir, train_spec

    data = builtin.shapes(count=1200, size=32, channels=3, classes=4)
    design = presets.build("mobilenet_v2", alpha=0.35, resolution=32, classes=4)
    work = new_work_dir()
    spec = train_spec(design, dataset_for_job(data, work), TrainSettings(epochs=1, batch_size=32), work)
    original = train.batch_statistics_loss
    stale = {}

    def measured(model, loss, x, y, batch_size, stop_flag):  # fit's moving statistics, before anything changes them
        stale["loss"], stale["accuracy"] = model.evaluate(data.x_test, data.y_test, verbose=0, batch_size=256)
        return original(model, loss, x, y, batch_size, stop_flag)

    train.batch_statistics_loss = measured
    try:
        result = _run(train.run, spec)
    finally:
        train.batch_statistics_loss = original
    saved = keras.models.load_model(result.model_path, safe_mode=True)
    _, accuracy = saved.evaluate(data.x_test, data.y_test, verbose=0, batch_size=256)
    probabilities = saved.predict(data.x_test, verbose=0, batch_size=256)
    print(
        f"MobileNetV2 0.35 on 32x32 shapes, 1 epoch: test loss with batch statistics {result.batch_statistics_loss:.3f}; "
        f"inference mode with fit's moving statistics {stale['loss']:.3f} (accuracy {stale['accuracy']:.1%}), "
        f"after precise BN on {result.batchnorm_samples} samples {result.test_loss:.3f} "
        f"(accuracy {result.test_accuracy:.1%}); saved model {accuracy:.1%}, mean top probability "
        f"{np.max(probabilities, axis=1).mean():.2f}"
    )


def main() -> None:
    from lightdesign.data import builtin
    from lightdesign.jobs.messages import TrainSettings

    settings = TrainSettings(epochs=2, batch_size=32)
    time_estimates("seed_cnn", {}, builtin.digits(28), settings)
    time_estimates(
        "mobilenet_v2",
        {"alpha": 0.35, "resolution": 32, "classes": 4},
        builtin.shapes(count=1200, size=32, channels=3, classes=4),
        settings,
    )
    precise_batchnorm()


if __name__ == "__main__":
    main()
