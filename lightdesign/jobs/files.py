"""Model files for the command line's ``export``, written in a child process (TensorFlow
and the tflite-micro interpreter stay out of the command's own process):

    python -m lightdesign.jobs.files REQUEST.json

REQUEST holds the design (its JSON), the format, the output path, optionally a trained
``.keras`` file and the class names. The formats are the export job's (``jobs.export``'s
conversion): ``keras``, ``tflite`` (float32, TensorFlow Select ops where builtins do not
suffice), ``tflite-int8`` (fully quantized, calibrated on generated samples) and
``mcu-bundle`` (``output.mcu_bundle``). Prints one JSON line: what was written, or the error.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

FORMATS = ("keras", "tflite", "tflite-int8", "mcu-bundle")


def _model(tf, keras, design, model_path: str | None):
    from lightdesign.jobs.train import build_model
    from lightdesign.output.codegen import generate

    model = build_model(generate(design))  # also registers the design's custom layers
    if model_path:
        model = keras.models.load_model(model_path, safe_mode=True)
    return model


def _bundle(tf, model, design, class_names: tuple[str, ...]) -> tuple[bytes, dict]:
    from lightdesign.jobs import export, mcu
    from lightdesign.output.mcu_bundle import write_zip

    samples, calibration = export.representative_for(tuple(design.input_shape), _vocabulary(design))
    content = export.convert(tf, model, True, samples)
    arena = export.micro_arena(content)
    if arena.error:
        raise RuntimeError(f"TFLite Micro could not allocate the model: {arena.error}")
    source = "the first of " + calibration.split(" (")[0]
    spec = mcu.bundle_spec(design.name, content, arena.total, samples[0], class_names, source)
    facts = {"operators": list(spec.operators), "arena": spec.arena, "arena_measured": arena.total}
    return write_zip(spec), facts | {"model_bytes": len(content)}


def _vocabulary(design) -> int:
    embedding = next((b for b in design.blocks if b.kind == "Embedding"), None)
    return embedding.params["input_dim"] if embedding else 100


def write(request: dict) -> dict:
    """Write the requested file; returns what was written (bytes, and the bundle's facts)."""
    from lightdesign.core.design import from_json
    from lightdesign.jobs import export

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras
    import tensorflow as tf

    design = from_json(request["design"])
    output = Path(request["output"])
    model = _model(tf, keras, design, request.get("model"))
    kind = request["format"]
    facts: dict = {}
    if kind == "keras":
        with tempfile.TemporaryDirectory() as folder:  # Keras insists on the .keras suffix
            path = Path(folder) / "model.keras"
            model.save(path)
            data = path.read_bytes()
    elif kind == "tflite":
        try:
            data = export.convert(tf, model, False)
        except Exception:  # noqa: BLE001 - builtins do not suffice: TensorFlow Select ops, as the export job does
            data = export.convert(tf, model, False, select_ops=True)
            facts["note"] = "uses TensorFlow Select ops (needs the Flex delegate)"
    elif kind == "tflite-int8":
        samples, _ = export.representative_for(tuple(design.input_shape), _vocabulary(design))
        data = export.convert(tf, model, True, samples)
    else:
        names = tuple(request.get("class_names") or [f"class {i}" for i in range(design.num_classes)])
        data, facts = _bundle(tf, model, design, names)
    temporary = output.with_name(f".{output.name}.{os.getpid()}.part")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, output)
    finally:
        temporary.unlink(missing_ok=True)
    return {"bytes": len(data), **facts}


def main(path: str) -> None:
    request = json.loads(Path(path).read_text(encoding="utf-8"))
    try:
        result = write(request)
    except Exception as exc:  # noqa: BLE001 - every failure goes back to the command as one line
        from lightdesign.jobs.export import _brief

        result = {"error": _brief(exc)}
    sys.stdout.flush()
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1])
