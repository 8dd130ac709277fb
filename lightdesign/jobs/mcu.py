"""What an int8 ``.tflite`` file holds and does under TensorFlow Lite Micro (its operators,
its input and output tensors, the output for a test input), and the microcontroller bundle
made of it (``output.mcu_bundle``). Runs in a worker or a child process: it imports the
``tflite-micro`` package, whose C++ code may abort the process on a bad model."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from lightdesign.analysis.fit import Measured
from lightdesign.jobs.messages import ExportResult, ModelFormat
from lightdesign.output.mcu_bundle import BundleSpec, TensorInfo

ARENA_BYTES = 64 << 20  # offered to the interpreter that computes the expected output
INVOKE_TIMEOUT_S = 300


def _schema():
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

    return schema


def _model(content: bytes):
    schema = _schema()
    return schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(content, 0))


def file_operators(content: bytes) -> tuple[str, ...]:
    """The builtin operators of a ``.tflite`` file, in the order of its operator codes
    (custom operators by their custom name)."""
    schema = _schema()
    names = {value: name for name, value in vars(schema.BuiltinOperator).items() if not name.startswith("_")}
    out = []
    for code in _model(content).operatorCodes or []:
        builtin = max(code.builtinCode, code.deprecatedBuiltinCode)
        out.append(names[builtin] if builtin != schema.BuiltinOperator.CUSTOM else code.customCode.decode())
    return tuple(out)


def _tensor(model, index: int) -> TensorInfo:
    schema = _schema()
    tensor = model.subgraphs[0].tensors[index]
    quantization = tensor.quantization
    scale = float(quantization.scale[0]) if quantization is not None and quantization.scale is not None else 1.0
    zero = int(quantization.zeroPoint[0]) if quantization is not None and quantization.zeroPoint is not None else 0
    dtype = "int32" if tensor.type == schema.TensorType.INT32 else "int8"
    return TensorInfo(tuple(int(d) for d in tensor.shape), dtype, scale, zero)


def tensors(content: bytes) -> tuple[TensorInfo, TensorInfo]:
    """The model's (first) input and output tensors."""
    model = _model(content)
    graph = model.subgraphs[0]
    return _tensor(model, graph.inputs[0]), _tensor(model, graph.outputs[0])


def quantize(sample: np.ndarray, info: TensorInfo) -> np.ndarray:
    """A float sample as the model's int8 input (token ids stay int32), with a batch axis."""
    if info.dtype == "int32":
        return sample.astype(np.int32).reshape(info.shape)
    q = np.round(sample / info.scale + info.zero_point)
    return np.clip(q, -128, 127).astype(np.int8).reshape(info.shape)


def micro_output(content: bytes, value: np.ndarray) -> np.ndarray:
    """The output TensorFlow Lite Micro's interpreter computes for one input, computed in a
    child process: its C++ code calls abort() on some models while it runs them (after the
    arena was allocated without complaint), which would end the export job and, in the
    tests, the test process. Raises ``MicroCrash`` saying so."""
    with tempfile.TemporaryDirectory() as folder:
        model, given, output = (Path(folder) / name for name in ("model.tflite", "input.npy", "output.npy"))
        model.write_bytes(content)
        np.save(given, value)
        try:
            done = subprocess.run(
                [sys.executable, "-m", __name__, str(model), str(given), str(output)],
                capture_output=True,
                text=True,
                timeout=INVOKE_TIMEOUT_S,
            )
        except subprocess.TimeoutExpired as exc:
            raise MicroCrash(f"TFLite Micro took longer than {INVOKE_TIMEOUT_S} s to run the test input") from exc
        said = [line.strip() for line in done.stderr.splitlines() if line.strip()]
        last = f": {said[-1][:300]}" if said else ""
        if done.returncode < 0:
            raise MicroCrash(f"TFLite Micro crashed running the test input (signal {-done.returncode}){last}")
        if done.returncode != 0:
            raise MicroCrash(f"TFLite Micro could not run the test input{last}")
        return np.load(output)


class MicroCrash(RuntimeError):
    """TFLite Micro's interpreter ended its process while running a model."""


def _invoke(content: bytes, value: np.ndarray) -> np.ndarray:
    from tflite_micro.python.tflite_micro import runtime

    interpreter = runtime.Interpreter.from_bytes(content, arena_size=ARENA_BYTES)
    interpreter.set_input(value, 0)
    interpreter.invoke()
    return interpreter.get_output(0)


def bundle_spec(
    name: str, content: bytes, arena: int, sample: np.ndarray, class_names: tuple[str, ...], source: str
) -> BundleSpec:
    """The facts of the bundle of an int8 file: ``arena`` as the tflite-micro interpreter
    measured it, ``sample`` the float test input (``source`` says where it came from)."""
    info_in, info_out = tensors(content)
    value = quantize(sample, info_in)
    expected = micro_output(content, value)
    return BundleSpec(
        name=name,
        model=content,
        operators=file_operators(content),
        arena_measured=arena,
        input=info_in,
        output=info_out,
        class_names=class_names,
        test_input=tuple(int(v) for v in value.ravel()),
        expected_output=tuple(int(v) for v in expected.ravel()),
        test_input_source=source,
    )


def measured(result: ExportResult) -> Measured:
    """The figures an export measured, as the fit check takes them (``analysis.fit``)."""
    int8 = result.files.get(ModelFormat.TFLITE_INT8)
    head = result.arena.head if result.arena is not None and not result.arena.error and result.arena.head else None
    return Measured(flatbuffer=int8.bytes if int8 is not None and int8.path else None, arena_head=head)


if __name__ == "__main__":  # the child process of micro_output: model, input .npy in; output .npy out
    model_path, input_path, output_path = sys.argv[1:4]
    try:
        np.save(output_path, _invoke(Path(model_path).read_bytes(), np.load(input_path)))
    except Exception as exc:  # noqa: BLE001 - the interpreter's own words, for the parent's message
        print(str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__, file=sys.stderr)
        sys.exit(1)
