"""The one int8 quantization scale TensorFlow Lite Micro refuses, found and widened in a
converted ``.tflite`` file (no TensorFlow here: the file is read as a flatbuffer).

TFLite Micro's int8 SOFTMAX turns ``beta * input_scale * 2**26`` into a fixed-point multiplier
that must exceed 1 (``QuantizeMultiplierGreaterThanOne``); below that its check calls
``abort()``, which takes the whole process down without a word. The converter gives a tensor
whose calibration range is (almost) empty the scale of a range of 2e-6, about 7.8e-9: below
2**-26 (1.5e-8). An untrained deep network gives exactly that: with Keras's initial weights
the activations shrink layer by layer (MobileNetV2 at 224: logits of 1e-13 on the calibration
images), so the softmax's input range is empty and its scale is the converter's floor.

Widening such a scale to twice the smallest TFLite Micro accepts changes no computation the
file describes beyond that tensor's rounding: the operator writing it and the softmax reading
it both compute their multipliers from the scale stored in the file, and a range 4x the
empty one still holds every value the calibration saw."""

from __future__ import annotations

import struct
from dataclasses import dataclass

from lightdesign.importers.tflite.reader import Subgraph, read_model

SOFTMAX_MULTIPLIER_BITS = 26  # 31 - kScaledDiffIntegerBits (5) in TFLite Micro's softmax
MARGIN = 2.0  # a widened scale is this many times the smallest the softmax accepts


@dataclass(frozen=True)
class ScaleProblem:
    """A softmax input whose int8 scale TFLite Micro's softmax refuses."""

    tensor: str  # the tensor's name in the file
    scale: float  # its scale in the file
    smallest: float  # the smallest scale the softmax accepts (exclusive)
    offset: int  # where the scale's float32 lies in the file

    @property
    def widened(self) -> float:
        """The scale ``widened`` gives it."""
        return MARGIN * self.smallest


def smallest_softmax_scale(beta: float) -> float:
    """The scale TFLite Micro's int8 softmax needs its input's scale to exceed."""
    return 1.0 / (max(beta, 1e-30) * 2**SOFTMAX_MULTIPLIER_BITS)


def problems(content: bytes) -> list[ScaleProblem]:
    """The int8 softmax inputs of ``content`` (a .tflite file) whose scale TFLite Micro
    refuses; empty for a float model or one without such a softmax. ``ModelFileError`` when
    the file cannot be read."""
    graph = Subgraph(read_model(content))
    graph.read_operators()
    found = []
    for code, op, inputs, _ in graph.ops:
        if code != "SOFTMAX" or not inputs or inputs[0] < 0:
            continue
        tensor = graph.tensor(inputs[0])
        quantization = tensor.table.table(4)
        if tensor.type != 9 or quantization is None:  # 9: INT8
            continue
        options = op.table(4)
        smallest = smallest_softmax_scale(options.scalar(0, "<f", 1.0) if options is not None else 1.0)
        start, count = quantization.vector(2, 4)
        for i in range(count):
            scale = struct.unpack_from("<f", content, start + 4 * i)[0]
            if scale <= smallest:
                found.append(ScaleProblem(tensor.name, scale, smallest, start + 4 * i))
    return found


def widened(content: bytes) -> tuple[bytes, list[ScaleProblem]]:
    """``content`` with every softmax input scale TFLite Micro refuses set to ``MARGIN`` times
    the smallest it accepts (the float32 rewritten in place: the file's layout is unchanged),
    and the scales that were widened."""
    found = problems(content)
    if not found:
        return content, []
    data = bytearray(content)
    for problem in found:
        struct.pack_into("<f", data, problem.offset, problem.widened)
    return bytes(data), found
