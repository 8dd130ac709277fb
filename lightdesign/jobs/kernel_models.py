"""Single-operation TensorFlow Lite models: the micro-benchmarks behind the latency model.

Each kernel (``analysis.latency.Kernel``: a TFLite operation with its geometry and buffer
sizes, as the lowering describes it) is written as a model holding that one operation,
float32 or fully quantized int8, the way the TFLite converter writes it: NHWC tensors,
int8 weights quantized per output channel with int32 biases, the fixed output scales that
TFLite's int8 LOGISTIC, TANH and SOFTMAX require, the same scale on both sides of the
operations that only move values. Writing the flatbuffer directly takes a millisecond where
the converter takes seconds, so a calibration can time hundreds of kernels; the keras
tests check each kind against what the converter makes of the layer.
"""

from __future__ import annotations

from math import prod

import flatbuffers
import numpy as np
from tensorflow.lite.python import schema_py_generated as schema

from lightdesign.analysis.latency import Kernel, image_shape

INPUT_SCALE, WEIGHT_SCALE, OUTPUT_SCALE = 0.02, 0.01, 0.05
# Output quantization TFLite's int8 kernels require (scale, zero point).
FIXED_OUTPUT = {"LOGISTIC": (1 / 256, -128), "SOFTMAX": (1 / 256, -128), "TANH": (1 / 128, 0)}
# Operations that only move values: the converter gives their output the input's scale.
SAME_SCALE = {
    "CONCATENATION",
    "SPLIT",
    "PAD",
    "TRANSPOSE",
    "RESHAPE",
    "EXPAND_DIMS",
    "MAX_POOL_2D",
    "REDUCE_MAX",
    "SPACE_TO_BATCH_ND",
    "BATCH_TO_SPACE_ND",
}
ACTIVATIONS = {
    None: schema.ActivationFunctionType.NONE,
    "relu": schema.ActivationFunctionType.RELU,
    "relu6": schema.ActivationFunctionType.RELU6,
}


class Builder:
    """One subgraph of one operation, written with the schema's object API."""

    def __init__(self, int8: bool, seed: int = 0):
        self.int8 = int8
        self.rng = np.random.default_rng(seed)
        self.tensors: list = []
        self.buffers = [schema.BufferT()]  # buffer 0: the empty buffer by convention
        self.inputs: list[int] = []
        self.outputs: list[int] = []
        self.codes: list = []
        self.operators: list = []

    # -- tensors ---------------------------------------------------------------------------
    def _tensor(self, shape, kind: int, data: np.ndarray | None, quantization=None) -> int:
        tensor = schema.TensorT()
        tensor.shape = [int(d) for d in shape]
        tensor.type = kind
        tensor.name = f"t{len(self.tensors)}"
        tensor.quantization = quantization
        buffer = schema.BufferT()
        if data is not None:
            buffer.data = np.frombuffer(np.ascontiguousarray(data).tobytes(), np.uint8)
        self.buffers.append(buffer)
        tensor.buffer = len(self.buffers) - 1
        self.tensors.append(tensor)
        return len(self.tensors) - 1

    @staticmethod
    def quantization_of(scale, zero, dimension: int = 0):
        q = schema.QuantizationParametersT()
        q.scale = [float(s) for s in np.atleast_1d(scale)]
        q.zeroPoint = [int(z) for z in np.atleast_1d(zero)]
        q.quantizedDimension = dimension
        return q

    def activation(self, shape, scale: float = INPUT_SCALE, zero: int = 0, model_input: bool = True) -> int:
        """A float32 or int8 activation tensor; the model's input unless ``model_input`` is False."""
        if self.int8:
            index = self._tensor(shape, schema.TensorType.INT8, None, self.quantization_of(scale, zero))
        else:
            index = self._tensor(shape, schema.TensorType.FLOAT32, None)
        if model_input:
            self.inputs.append(index)
        return index

    def output(self, shape, op: str, like: int | None = None) -> int:
        if op in FIXED_OUTPUT:
            scale, zero = FIXED_OUTPUT[op]
        elif op in SAME_SCALE and like is not None and self.int8:
            q = self.tensors[like].quantization
            scale, zero = q.scale[0], q.zeroPoint[0]
        else:
            scale, zero = OUTPUT_SCALE, 0
        index = self.activation(shape, scale, zero, model_input=False)
        self.outputs.append(index)
        return index

    def weights(self, shape, dimension: int) -> int:
        """A constant weight tensor, quantized per ``dimension`` (the output channels) in int8."""
        if not self.int8:
            return self._tensor(shape, schema.TensorType.FLOAT32, self.rng.normal(0, 0.1, shape).astype(np.float32))
        channels = shape[dimension]
        data = self.rng.integers(-127, 128, shape, dtype=np.int8)
        q = self.quantization_of([WEIGHT_SCALE] * channels, [0] * channels, dimension)
        return self._tensor(shape, schema.TensorType.INT8, data, q)

    def bias(self, channels: int, input_scale: float = INPUT_SCALE) -> int:
        if not self.int8:
            return self._tensor((channels,), schema.TensorType.FLOAT32, np.zeros(channels, np.float32))
        q = self.quantization_of([input_scale * WEIGHT_SCALE] * channels, [0] * channels)
        return self._tensor((channels,), schema.TensorType.INT32, np.zeros(channels, np.int32), q)

    def constant(self, values, like: int | None = None) -> int:
        """A constant operand of an element-wise operation (float32, or int8 at the scale of ``like``)."""
        values = np.asarray(values, np.float32)
        if not self.int8:
            return self._tensor(values.shape, schema.TensorType.FLOAT32, values)
        q = self.tensors[like].quantization if like is not None else self.quantization_of(INPUT_SCALE, 0)
        data = np.clip(np.round(values / q.scale[0]) + q.zeroPoint[0], -128, 127).astype(np.int8)
        return self._tensor(
            values.shape, schema.TensorType.INT8, data, self.quantization_of(q.scale[0], q.zeroPoint[0])
        )

    def ints(self, values) -> int:
        """A constant int32 tensor (axes, shapes, paddings)."""
        values = np.asarray(values, np.int32)
        return self._tensor(values.shape, schema.TensorType.INT32, values)

    def int_tensor(self, shape, model_input: bool = False, output: bool = False) -> int:
        """An int32 tensor computed at run time (a shape, a size)."""
        index = self._tensor(shape, schema.TensorType.INT32, None)
        if model_input:
            self.inputs.append(index)
        if output:
            self.outputs.append(index)
        return index

    # -- the operation -----------------------------------------------------------------------
    def op(self, name: str, inputs: list[int], outputs: list[int], options_type: int = 0, options=None) -> None:
        code = schema.OperatorCodeT()
        builtin = getattr(schema.BuiltinOperator, name)
        code.builtinCode = builtin
        code.deprecatedBuiltinCode = min(builtin, schema.BuiltinOperator.PLACEHOLDER_FOR_GREATER_OP_CODES)
        code.version = 1
        self.codes.append(code)
        operator = schema.OperatorT()
        operator.opcodeIndex = len(self.codes) - 1
        operator.inputs = inputs
        operator.outputs = outputs
        operator.builtinOptionsType = options_type
        operator.builtinOptions = options
        self.operators.append(operator)

    def content(self) -> bytes:
        graph = schema.SubGraphT()
        graph.tensors = self.tensors
        graph.inputs = self.inputs
        graph.outputs = self.outputs
        graph.operators = self.operators
        graph.name = "main"
        model = schema.ModelT()
        model.version = 3
        model.description = "lightdesign latency kernel"
        model.operatorCodes = self.codes
        model.subgraphs = [graph]
        model.buffers = self.buffers
        builder = flatbuffers.Builder(1024)
        builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
        return bytes(builder.Output())


def _padding(size_in: tuple, size_out: tuple, kernel: tuple, strides: tuple, said: str = "") -> int:
    """The kernel's own padding where it says; else 'SAME' when the output has the size
    'same' padding gives, else 'VALID'."""
    if said:
        return schema.Padding.SAME if said == "same" else schema.Padding.VALID
    same = all(o == -(-i // s) for i, o, s in zip(size_in, size_out, strides, strict=True))
    valid = all(o == (i - k) // s + 1 for i, o, k, s in zip(size_in, size_out, kernel, strides, strict=True))
    return schema.Padding.VALID if valid and not same else schema.Padding.SAME


def _convolution(b: Builder, k: Kernel) -> None:
    g = k.geometry
    h, w, cin = image_shape(g.input)
    ho, wo, cout = image_shape(g.output)
    depthwise = k.op == "DEPTHWISE_CONV_2D"
    x = b.activation((g.batch, h, w, cin))
    if depthwise:
        kernel = b.weights((1, *g.kernel, cout), 3)
        options, kind = schema.DepthwiseConv2DOptionsT(), schema.BuiltinOptions.DepthwiseConv2DOptions
        options.depthMultiplier = cout // cin
    else:
        kernel = b.weights((cout, *g.kernel, cin // g.groups), 0)
        options, kind = schema.Conv2DOptionsT(), schema.BuiltinOptions.Conv2DOptions
    options.padding = _padding((h, w), (ho, wo), g.kernel, g.strides, k.padding)
    options.strideH, options.strideW = g.strides
    options.dilationHFactor = options.dilationWFactor = 1
    options.fusedActivationFunction = ACTIVATIONS.get(k.activation, 0)
    y = b.output((g.batch, ho, wo, cout), k.op)
    b.op(k.op, [x, kernel, b.bias(cout)], [y], kind, options)


def _fully_connected(b: Builder, k: Kernel) -> None:
    g = k.geometry
    rows, cin, cout = prod(g.input[:-1]), g.input[-1], g.output[-1]
    x = b.activation((rows, cin))
    options = schema.FullyConnectedOptionsT()
    options.fusedActivationFunction = ACTIVATIONS.get(k.activation, 0)
    y = b.output((rows, cout), k.op)
    b.op(k.op, [x, b.weights((cout, cin), 0), b.bias(cout)], [y], schema.BuiltinOptions.FullyConnectedOptions, options)


def _pool(b: Builder, k: Kernel) -> None:
    g = k.geometry
    h, w, c = image_shape(g.input)
    ho, wo, _ = image_shape(g.output)
    x = b.activation((1, h, w, c))
    options = schema.Pool2DOptionsT()
    options.padding = _padding((h, w), (ho, wo), g.kernel, g.strides, k.padding)
    options.strideH, options.strideW = g.strides
    options.filterHeight, options.filterWidth = g.kernel
    options.fusedActivationFunction = ACTIVATIONS.get(k.activation, 0)
    y = b.output((1, ho, wo, c), k.op, like=x)
    b.op(k.op, [x], [y], schema.BuiltinOptions.Pool2DOptions, options)


def _reduce(b: Builder, k: Kernel) -> None:
    g = k.geometry
    axes = list(range(1, len(g.input)))
    x = b.activation((1, *g.input))
    keep = len(g.output) == len(g.input)
    options = schema.ReducerOptionsT()
    options.keepDims = keep
    y = b.output((1, *g.output), k.op, like=x)
    b.op(k.op, [x, b.ints(axes)], [y], schema.BuiltinOptions.ReducerOptions, options)


def _binary(b: Builder, k: Kernel) -> None:
    """ADD or MUL: of two tensors (the smaller broadcast over the larger's leading axes),
    or of a tensor and a per-channel constant."""
    size = max(k.outputs)
    if len(k.inputs) == 1:
        x = b.activation((1, size))
        other = b.constant(np.full((1,), 0.5), like=None)
    else:
        small = min(k.inputs)
        x = b.activation((1, size // small, small))
        other = b.activation((1, 1, small) if small < size else (1, size // small, small))
    options_type = schema.BuiltinOptions.AddOptions if k.op == "ADD" else schema.BuiltinOptions.MulOptions
    options = schema.AddOptionsT() if k.op == "ADD" else schema.MulOptionsT()
    options.fusedActivationFunction = ACTIVATIONS.get(k.activation, 0)
    y = b.output(b.tensors[x].shape, k.op)
    b.op(k.op, [x, other], [y], options_type, options)


def _unary(b: Builder, k: Kernel) -> None:
    size = max(k.outputs)
    x = b.activation((1, size))
    y = b.output((1, size), k.op, like=x)
    if k.op == "SOFTMAX":
        options = schema.SoftmaxOptionsT()
        options.beta = 1.0
        b.op(k.op, [x], [y], schema.BuiltinOptions.SoftmaxOptions, options)
    else:
        b.op(k.op, [x], [y])


def _concatenation(b: Builder, k: Kernel) -> None:
    g = k.geometry
    h, w, _ = image_shape(g.input)
    pixels = h * w
    first = b.activation((1, h, w, k.inputs[0] // pixels))
    rest = [b.activation((1, h, w, n // pixels), model_input=True) for n in k.inputs[1:]]
    for index in rest:  # the converter gives a concatenation's operands one scale
        b.tensors[index].quantization = b.tensors[first].quantization
    options = schema.ConcatenationOptionsT()
    options.axis = 3
    options.fusedActivationFunction = ACTIVATIONS.get(k.activation, 0)
    y = b.output((1, *image_shape(g.output)), k.op, like=first)
    b.op(k.op, [first, *rest], [y], schema.BuiltinOptions.ConcatenationOptions, options)


def _split(b: Builder, k: Kernel) -> None:
    g = k.geometry
    h, w, c = image_shape(g.input)
    parts = len(k.outputs)
    x = b.activation((1, h, w, c))
    axis = b.ints(3)
    outputs = [b.output((1, h, w, c // parts), k.op, like=x) for _ in range(parts)]
    options = schema.SplitOptionsT()
    options.numSplits = parts
    b.op(k.op, [axis, x], outputs, schema.BuiltinOptions.SplitOptions, options)


def _transpose(b: Builder, k: Kernel) -> None:
    """ChannelShuffle's transpose: (H, W, groups, C / groups) -> (H, W, C / groups, groups)."""
    g = k.geometry
    h, w, c = image_shape(g.input)
    x = b.activation((1, h, w, g.groups, c // g.groups))
    y = b.output((1, h, w, c // g.groups, g.groups), k.op, like=x)
    b.op(k.op, [x, b.ints([0, 1, 2, 4, 3])], [y], schema.BuiltinOptions.TransposeOptions, schema.TransposeOptionsT())


def _pad(b: Builder, k: Kernel) -> None:
    g = k.geometry
    (h, w, c), (ho, wo, _) = image_shape(g.input), image_shape(g.output)
    x = b.activation((1, h, w, c))
    pads = [[0, 0], [(ho - h) // 2, ho - h - (ho - h) // 2], [(wo - w) // 2, wo - w - (wo - w) // 2], [0, 0]]
    y = b.output((1, ho, wo, c), k.op, like=x)
    b.op(k.op, [x, b.ints(pads)], [y], schema.BuiltinOptions.PadOptions, schema.PadOptionsT())


def _reshape(b: Builder, k: Kernel) -> None:
    size = max(k.outputs)
    x = b.activation((1, size))
    if k.op == "EXPAND_DIMS":
        y = b.output((1, 1, size), k.op, like=x)
        b.op(k.op, [x, b.ints(1)], [y], schema.BuiltinOptions.ExpandDimsOptions, schema.ExpandDimsOptionsT())
        return
    y = b.output((1, size, 1), k.op, like=x)
    b.op(k.op, [x, b.ints([1, size, 1])], [y], schema.BuiltinOptions.ReshapeOptions, schema.ReshapeOptionsT())


def _space_batch(b: Builder, k: Kernel) -> None:
    """SPACE_TO_BATCH_ND / BATCH_TO_SPACE_ND of a dilated convolution (its block: the geometry's strides)."""
    g = k.geometry
    blocks = g.strides
    count = blocks[0] * blocks[1]
    if k.op == "SPACE_TO_BATCH_ND":
        (h, w, c), (stacked, wo, _) = image_shape(g.input), image_shape(g.output)
        ho = stacked // count
        pads = [[0, ho * blocks[0] - h], [0, wo * blocks[1] - w]]
        x = b.activation((1, h, w, c))
        y = b.output((count, ho, wo, c), k.op, like=x)
        options_type, options = schema.BuiltinOptions.SpaceToBatchNDOptions, schema.SpaceToBatchNDOptionsT()
        b.op(k.op, [x, b.ints(list(blocks)), b.ints(pads)], [y], options_type, options)
        return
    (stacked, w, c), (ho, wo, _) = image_shape(g.input), image_shape(g.output)
    h = stacked // count
    crops = [[0, h * blocks[0] - ho], [0, w * blocks[1] - wo]]
    x = b.activation((count, h, w, c))
    y = b.output((1, ho, wo, c), k.op, like=x)
    options_type, options = schema.BuiltinOptions.BatchToSpaceNDOptions, schema.BatchToSpaceNDOptionsT()
    b.op(k.op, [x, b.ints(list(blocks)), b.ints(crops)], [y], options_type, options)


def _shape_ops(b: Builder, k: Kernel) -> None:
    """Flatten's run-time shape: SHAPE of the input, STRIDED_SLICE of its batch size, PACK of
    the new shape (int32 vectors of a few entries)."""
    if k.op == "SHAPE":
        x = b.activation((1, max(k.inputs)))
        y = b.int_tensor((2,), output=True)
        options = schema.ShapeOptionsT()
        options.outType = schema.TensorType.INT32
        b.op(k.op, [x], [y], schema.BuiltinOptions.ShapeOptions, options)
    elif k.op == "STRIDED_SLICE":
        x = b.int_tensor((max(1, k.inputs[0] // 4),), model_input=True)
        y = b.int_tensor((), output=True)
        options = schema.StridedSliceOptionsT()
        options.shrinkAxisMask = 1
        b.op(k.op, [x, b.ints([0]), b.ints([1]), b.ints([1])], [y], schema.BuiltinOptions.StridedSliceOptions, options)
    else:
        count = max(1, k.outputs[0] // 4)
        first = b.int_tensor((), model_input=True)
        rest = [b.ints(7) for _ in range(count - 1)]
        y = b.int_tensor((count,), output=True)
        options = schema.PackOptionsT()
        options.valuesCount, options.axis = count, 0
        b.op(k.op, [first, *rest], [y], schema.BuiltinOptions.PackOptions, options)


BUILDERS = {
    "CONV_2D": _convolution,
    "DEPTHWISE_CONV_2D": _convolution,
    "FULLY_CONNECTED": _fully_connected,
    "MAX_POOL_2D": _pool,
    "AVERAGE_POOL_2D": _pool,
    "MEAN": _reduce,
    "REDUCE_MAX": _reduce,
    "ADD": _binary,
    "MUL": _binary,
    "HARD_SWISH": _unary,
    "LOGISTIC": _unary,
    "TANH": _unary,
    "RELU": _unary,
    "RELU6": _unary,
    "SOFTMAX": _unary,
    "CONCATENATION": _concatenation,
    "SPLIT": _split,
    "TRANSPOSE": _transpose,
    "PAD": _pad,
    "RESHAPE": _reshape,
    "EXPAND_DIMS": _reshape,
    "SPACE_TO_BATCH_ND": _space_batch,
    "BATCH_TO_SPACE_ND": _space_batch,
    "SHAPE": _shape_ops,
    "STRIDED_SLICE": _shape_ops,
    "PACK": _shape_ops,
}


def model(kernel: Kernel, int8: bool, seed: int = 0) -> bytes:
    """The TFLite flatbuffer of a model holding only ``kernel`` (KeyError for an operation
    without a builder)."""
    builder = Builder(int8, seed)
    BUILDERS[kernel.op](builder, kernel)
    return builder.content()


def chain(kernels: list[Kernel], int8: bool, seed: int = 0) -> bytes:
    """The TFLite flatbuffer of a model running ``kernels`` one after another, each one's
    first input the previous one's output, each with weights of its own (ValueError where
    the shapes do not meet). In int8 every link's output keeps the input scale, so that the
    next link's bias scale is what TFLite requires."""
    builder = Builder(int8, seed)
    first = previous = None
    for kernel in kernels:
        operator_index = len(builder.operators)
        BUILDERS[kernel.op](builder, kernel)
        operator = builder.operators[operator_index]
        if previous is None:
            first = operator.inputs[0]
        elif builder.tensors[previous].shape != builder.tensors[operator.inputs[0]].shape:
            raise ValueError(
                f"{kernel.op} takes {builder.tensors[operator.inputs[0]].shape}, not {builder.tensors[previous].shape}"
            )
        else:
            operator.inputs[0] = previous
        previous = operator.outputs[0]
        if int8:
            builder.tensors[previous].quantization = builder.quantization_of(INPUT_SCALE, 0)
    builder.inputs, builder.outputs = [first], [previous]
    return builder.content()
