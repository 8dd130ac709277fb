"""The export job (runs in a worker process): the .keras model, TFLite float32 and int8
files, measured single-image latency of each on this machine's CPU, and the tensor arena
TensorFlow Lite Micro's interpreter (the ``tflite-micro`` package) allocates for the int8
model, beside the analysis's estimate of it (``micro_arena``; an int8 softmax scale that
TFLite Micro would abort on is widened first, ``int8_scales``)."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import statistics
import time
from pathlib import Path

import numpy as np

from lightdesign.analysis import latency_model
from lightdesign.data import adapt
from lightdesign.data.dataset import Dataset
from lightdesign.jobs import int8_scales
from lightdesign.jobs.mcu import file_operators
from lightdesign.jobs.messages import (
    DatasetKind,
    ExportedFile,
    ExportResult,
    ExportSpec,
    Finished,
    MicroArena,
    ModelFormat,
    Stage,
    Status,
    Stopped,
)
from lightdesign.jobs.micro_arena import brief as _brief
from lightdesign.jobs.micro_arena import micro_arena
from lightdesign.jobs.tflite_timing import MIN_RUNS, REFUSED, median_invoke_ms
from lightdesign.jobs.train import STOPPED_ON_REQUEST, build_model

REPRESENTATIVE_SAMPLES = 100


def representative(spec: ExportSpec) -> tuple[np.ndarray, str]:
    """Samples that calibrate int8 ranges, and a sentence saying where they came from."""
    return representative_for(spec.input_shape, spec.vocabulary, spec.representative)


def representative_for(shape: tuple, vocabulary: int = 100, source=None) -> tuple[np.ndarray, str]:
    """Calibration samples for a model of input ``shape``: a run's training data when
    ``source`` names it, else generated ones (token ids below ``vocabulary``)."""
    if source is not None and source.kind is DatasetKind.NPZ:
        data = adapt.adapt_images(Dataset.from_npz(source.path), shape)
        if data.input_shape == shape:
            x = data.x_train[:REPRESENTATIVE_SAMPLES]
            return x, f"{len(x)} training samples of {source.title or 'the run’s dataset'}"
    rng = np.random.default_rng(0)
    if len(shape) == 1:
        x = rng.integers(0, vocabulary, (REPRESENTATIVE_SAMPLES, *shape)).astype(np.int32)
        return x, f"{REPRESENTATIVE_SAMPLES} generated random token sequences (no training run to sample from)"
    if len(shape) == 3:
        x = rng.uniform(0, 1, (REPRESENTATIVE_SAMPLES, *shape)).astype(np.float32)
        return x, f"{REPRESENTATIVE_SAMPLES} generated uniform-noise images in [0, 1] (no training run to sample from)"
    x = rng.normal(0, 1, (REPRESENTATIVE_SAMPLES, *shape)).astype(np.float32)
    return x, f"{REPRESENTATIVE_SAMPLES} generated Gaussian-noise sequences (no training run to sample from)"


def trained_like(model, seed: int = 0) -> None:
    """Give every BatchNormalization statistics and scales away from their initial values,
    as after training: the converter folds an initial BatchNormalization's zero shift away
    (one ADD fewer), a trained one's not, and the lowering and the latency model describe
    trained designs. For timing and sizing designs nobody trained; exports keep their weights."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if type(layer).__name__ != "BatchNormalization":
            continue
        for name, low, high in (("gamma", 0.5, 1.5), ("beta", -0.3, 0.3), ("moving_mean", -0.3, 0.3)):
            variable = getattr(layer, name, None)
            if variable is not None:
                variable.assign(rng.uniform(low, high, variable.shape).astype("float32"))
        layer.moving_variance.assign(rng.uniform(0.5, 1.5, layer.moving_variance.shape).astype("float32"))


def median_ms(function, runs: int, warmup: int = 5) -> float:
    for _ in range(warmup):
        function()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def tflite_latency(tf, content: bytes, sample: np.ndarray, runs: int) -> tuple[float, float]:
    """Median single-image latency of a TFLite model on one thread, as the latency model's
    convention measures it: ``tf.lite.Interpreter(model_content=…, num_threads=1)`` with the
    default delegate, the median of at least ``MIN_RUNS`` ``invoke()`` after 5 warm-up
    calls. Returns (wall milliseconds, the invoking thread's CPU milliseconds)."""
    try:
        interpreter = tf.lite.Interpreter(model_content=content, num_threads=1)
        interpreter.allocate_tensors()
    except REFUSED:  # XNNPACK cannot take every graph: use the reference kernels
        interpreter = tf.lite.Interpreter(
            model_content=content,
            num_threads=1,
            experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES,
        )
        interpreter.allocate_tensors()
    detail = interpreter.get_input_details()[0]
    value = sample[None]
    if detail["dtype"] == np.int8:
        scale, zero = detail["quantization"]
        value = np.clip(np.round(value / scale + zero), -128, 127).astype(np.int8)
    else:
        value = value.astype(detail["dtype"])
    interpreter.set_tensor(detail["index"], value)
    return median_invoke_ms(interpreter, runs)


def convert(tf, model, int8: bool, samples: np.ndarray | None = None, select_ops: bool = False) -> bytes:
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if select_ops:
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS, tf.lite.OpsSet.SELECT_TF_OPS]
        converter._experimental_lower_tensor_list_ops = False
    if int8:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = lambda: ([s[None]] for s in samples)
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        if samples.dtype == np.float32:
            converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
    with contextlib.redirect_stdout(io.StringIO()):  # Keras prints the SavedModel's signature (a screenful per model)
        return converter.convert()


def _bundle(spec: ExportSpec, content: bytes, arena: MicroArena, sample, calibration: str, work: Path) -> ExportedFile:
    """The microcontroller bundle of the int8 file, its test input the first calibration sample.
    Made in this process: the model allocated in the child that measured the arena, so the
    interpreter runs it here."""
    from lightdesign.jobs.mcu import bundle_spec, tensors
    from lightdesign.output.mcu_bundle import write_zip

    try:
        classes = int(np.prod(tensors(content)[1].shape))
        names = spec.class_names or tuple(f"class {i}" for i in range(classes))
        source = "the first of " + calibration.split(" (")[0]
        data = write_zip(bundle_spec(spec.design_name, content, arena.total, sample, names, source))
    except Exception as exc:  # noqa: BLE001 - the bundle is extra: its failure is reported, the export stands
        return ExportedFile(error=_brief(exc))
    path = work / "model_mcu.zip"
    path.write_bytes(data)
    return ExportedFile(path=str(path), bytes=len(data))


def run(spec: ExportSpec, emit, stop_flag) -> None:
    emit(Status(stage=Stage.LOADING_TENSORFLOW))
    import keras
    import tensorflow as tf

    work = Path(spec.work_dir)
    work.mkdir(parents=True, exist_ok=True)
    emit(Status(stage=Stage.BUILDING_MODEL))
    model = build_model(spec.source)  # also registers the design's custom layers
    weights = "initial (untrained) weights"
    if spec.model_path:
        model = keras.models.load_model(spec.model_path, safe_mode=True)
        weights = f"trained weights ({spec.run_label or 'last run'})"
    elif spec.weights is not None:  # an imported file's weights, re-exported in one step
        from lightdesign.jobs.file_weights import copy_weights, describe

        copied, refused = copy_weights(keras, model, spec.weights)
        weights = describe(spec.weights, copied, refused)
    files: dict[ModelFormat, ExportedFile] = {}
    keras_path = work / "model.keras"
    model.save(keras_path)
    files[ModelFormat.KERAS] = ExportedFile(path=str(keras_path), bytes=keras_path.stat().st_size)
    samples, calibration = representative(spec)
    runs = spec.latency_runs
    sample = samples[0]
    latency: dict[ModelFormat, float] = {}
    cpu: dict[ModelFormat, float] = {}
    if stop_flag.is_set():
        emit(Stopped(message=STOPPED_ON_REQUEST, on_request=True))
        return
    emit(Status(stage=Stage.MEASURING_KERAS))
    batch = sample[None]
    # Keras's compiled inference step: an eager call measures Python (100 ms a call on a busy 2-core machine)
    latency[ModelFormat.KERAS] = median_ms(lambda: model.predict_on_batch(batch), runs)
    for fmt, int8, converting, measuring in (
        (ModelFormat.TFLITE_FLOAT32, False, Stage.CONVERTING_FLOAT32, Stage.MEASURING_FLOAT32),
        (ModelFormat.TFLITE_INT8, True, Stage.CONVERTING_INT8, Stage.MEASURING_INT8),
    ):
        if stop_flag.is_set():
            emit(Stopped(message=STOPPED_ON_REQUEST, on_request=True))
            return
        emit(Status(stage=converting))
        note = ""
        try:
            content = convert(tf, model, int8, samples)
        except Exception as exc:  # noqa: BLE001 - a converter failure is this file's error, the others go on
            if int8:
                files[fmt] = ExportedFile(error=_brief(exc))
                continue
            try:
                content = convert(tf, model, False, select_ops=True)
                note = "uses TensorFlow Select ops (needs the Flex delegate)"
            except Exception as again:  # noqa: BLE001 - likewise, with Select ops
                files[fmt] = ExportedFile(error=_brief(again))
                continue
        content, widened = int8_scales.widened(content) if int8 else (content, [])
        path = work / f"model_{'int8' if int8 else 'float32'}.tflite"
        path.write_bytes(content)
        files[fmt] = ExportedFile(
            path=str(path), bytes=len(content), note=note, widened_scales=tuple((w.scale, w.widened) for w in widened)
        )
        emit(Status(stage=measuring))
        try:
            latency[fmt], cpu[fmt] = tflite_latency(tf, content, sample, runs)
        except Exception as exc:  # noqa: BLE001 - the file stays; its latency shows the error
            files[fmt] = dataclasses.replace(files[fmt], latency_error=_brief(exc))
    arena = None
    operators: tuple[str, ...] = ()
    bundle = None
    int8_file = files.get(ModelFormat.TFLITE_INT8)
    if int8_file is not None and int8_file.path and not stop_flag.is_set():
        emit(Status(stage=Stage.MEASURING_ARENA))
        content = Path(int8_file.path).read_bytes()
        arena = micro_arena(content, spec.int8_peak_estimate)
        operators = file_operators(content)
        if not arena.error:
            bundle = _bundle(spec, content, arena, sample, calibration, work)
    result = ExportResult(
        files=files,
        latency_ms=latency,
        weights=weights,
        calibration=calibration,
        latency_runs=runs,
        arena=arena,
        operators=operators,
        bundle=bundle,
        cpu_ms=cpu,
        tflite_runs=max(runs, MIN_RUNS),
        machine=latency_model.this_machine(1).key,
    )
    emit(Finished(result=result))
