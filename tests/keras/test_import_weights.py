"""Weights of imported .tflite and .onnx files, loaded through the real path (the kept file,
the weights plan, ``copy_weights`` into the model the design's generated code builds) and
checked against an independent truth: the TFLite interpreter running the file itself, and
ONNX's reference evaluator running the ONNX graph on the channels-first input.

The models are small on purpose but hold every layout the importers convert: convolutions,
depthwise convolutions with a multiplier, grouped convolutions, BatchNorm (folded by TFLite;
with ONNX's own epsilon), and a Dense reading a Flatten of a spatial tensor (channels-first
in ONNX: its rows must be reordered, else the numbers are silently wrong). Recurrent layers:
ONNX LSTM, GRU and RNN behind an embedding (gates reordered, biases summed or stacked) and
TFLite's fused sequence LSTM and RNN. Axes, with equal sizes so that only they decide: a
MatMul over a channels-first tensor's last axis stays opaque; a sequence in the file's own
(batch, steps, features) order maps (MatMul, flatten, softmax, mean) with the right numbers."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

from lightdesign.importers import import_bytes, import_file
from lightdesign.importers.weights import file_record, file_weights, keep_model_file
from lightdesign.jobs import train
from lightdesign.jobs.file_weights import copy_weights
from lightdesign.jobs.specs import export_spec, new_work_dir
from tests.importers import onnx_models
from tests.importers.test_import_recurrent import CASES, STEPS, VOCAB, fused_sequence_model, sequence_model

RNG = np.random.default_rng(14)


def loaded(data: bytes, file_name: str, fold: bool = False, edit=None):
    """Import ``data`` as the Design page does, keep the file, edit the design if asked, and
    build the design's Keras model with the file's weights copied in (the job's own path).
    Returns the model, the import result, the weights plan and what ``copy_weights`` said."""
    result = import_bytes(data, file_name, fold=fold)
    assert not result.unmapped, result.unmapped
    design = result.design if edit is None else edit(result.design.copy())
    kept = keep_model_file(data, file_name)
    lent = file_weights(design, file_record(file_name, result.format, kept, result.weights), [kept.parent])
    assert lent.source is not None, lent.reason
    spec = export_spec(design, new_work_dir(), weights=lent.source)
    model = train.build_model(spec.source)
    return model, result, lent.plan, copy_weights(_keras(), model, spec.weights)


def _keras():
    import keras

    return keras


# -- TFLite ----------------------------------------------------------------------------------------


def keras_cnn(keras):
    """conv / BN / relu, depthwise (multiplier 2) / BN / relu6, pointwise / BN / relu,
    max pool / BN, flatten of a 4x4x12 tensor, dense / relu, dense: random, non-initial weights."""
    layers = keras.layers
    inputs = keras.Input((8, 8, 3))
    x = layers.Conv2D(8, 3, padding="same", use_bias=False, name="c1")(inputs)
    x = layers.BatchNormalization(name="c1_bn")(x)
    x = layers.ReLU(name="c1_relu")(x)
    x = layers.DepthwiseConv2D(3, padding="same", depth_multiplier=2, use_bias=False, name="dw")(x)
    x = layers.BatchNormalization(name="dw_bn")(x)
    x = layers.ReLU(6.0, name="dw_relu")(x)
    x = layers.Conv2D(12, 1, use_bias=False, name="pw")(x)
    x = layers.BatchNormalization(name="pw_bn")(x)
    x = layers.ReLU(name="pw_relu")(x)
    x = layers.MaxPooling2D(2, name="pool")(x)
    x = layers.BatchNormalization(name="pool_bn")(x)  # no conv to fold into: a per-channel MUL and ADD
    x = layers.Flatten(name="flat")(x)
    x = layers.Dense(16, activation="relu", name="fc1")(x)
    outputs = layers.Dense(10, name="fc2")(x)
    model = keras.Model(inputs, outputs, name="cnn")
    rng = np.random.default_rng(3)
    for weight in model.weights:
        shape = tuple(weight.shape)
        if "variance" in weight.path:
            values = rng.uniform(0.5, 1.5, shape)
        elif "gamma" in weight.path:
            values = rng.uniform(0.5, 1.5, shape)
        else:
            values = rng.normal(0, 0.4, shape)
        weight.assign(values.astype(np.float32))
    return model


def tflite_bytes(model, mode: str) -> bytes:
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if mode == "float16":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.target_spec.supported_types = [tf.float16]
    elif mode == "int8":
        samples = np.random.default_rng(5).normal(0, 1, (64, 8, 8, 3)).astype(np.float32)
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = lambda: ([s[None]] for s in samples)
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    return converter.convert()


def interpret(data: bytes, x: np.ndarray) -> np.ndarray:
    """The TFLite interpreter's output for each sample (float input and output)."""
    import tensorflow as tf

    interpreter = tf.lite.Interpreter(model_content=data)
    interpreter.allocate_tensors()
    (inp,), (out,) = interpreter.get_input_details(), interpreter.get_output_details()
    got = []
    for sample in x:
        interpreter.reset_all_variables()  # a recurrent operator's state starts at zero each time
        interpreter.set_tensor(inp["index"], sample[None].astype(inp["dtype"]))
        interpreter.invoke()
        got.append(interpreter.get_tensor(out["index"]).astype(np.float32))
    return np.concatenate(got)


@pytest.fixture(scope="module")
def cnn(keras):
    return keras_cnn(keras)


@pytest.fixture(scope="module")
def x_nhwc():
    return RNG.normal(0, 1, (16, 8, 8, 3)).astype(np.float32)


def test_float_tflite_weights_give_the_interpreters_outputs(keras, cnn, x_nhwc):
    data = tflite_bytes(cnn, "float32")
    model, result, plan, (copied, refused) = loaded(data, "cnn.tflite")
    assert plan.unchanged and refused == [] and copied == len(result.weights) == 6
    kinds = [b.kind for b in result.design.blocks]
    assert {"Conv2D", "DepthwiseConv2D", "Flatten", "Dense"} <= set(kinds) and "BatchNormalization" not in kinds
    assert kinds.count("DepthwiseConv2D") == 2  # dw, and pool_bn as a 1x1 depthwise with a bias
    expected = interpret(data, x_nhwc)
    got = model.predict(x_nhwc, verbose=0)
    error = np.abs(got - expected).max()
    print(f"float32 .tflite: max |keras - interpreter| = {error:.2e} (outputs up to {np.abs(expected).max():.1f})")
    np.testing.assert_allclose(got, expected, atol=1e-4, rtol=1e-4)
    # the original Keras model too (BatchNorm folded by the converter, unfolded nowhere)
    np.testing.assert_allclose(got, cnn.predict(x_nhwc, verbose=0), atol=1e-4, rtol=1e-4)


def test_float16_tflite_weights_are_read_behind_their_dequantize(keras, cnn, x_nhwc):
    data = tflite_bytes(cnn, "float16")
    model, result, plan, (copied, refused) = loaded(data, "cnn16.tflite")
    assert plan.unchanged and refused == [] and copied == 6
    expected = interpret(data, x_nhwc)
    got = model.predict(x_nhwc, verbose=0)
    error = np.abs(got - expected).max()
    print(f"float16 .tflite: max |keras - interpreter| = {error:.2e}")
    # the interpreter computes in float32 with the dequantized float16 weights: the same numbers
    np.testing.assert_allclose(got, expected, atol=1e-4, rtol=1e-4)
    # and they are the float16-rounded weights, not the original ones
    assert np.abs(got - cnn.predict(x_nhwc, verbose=0)).max() > 1e-5


def test_int8_tflite_weights_are_dequantized_per_channel(keras, cnn, x_nhwc):
    data = tflite_bytes(cnn, "int8")
    model, result, plan, (copied, refused) = loaded(data, "cnn8.tflite")
    assert plan.unchanged and refused == [] and copied == 6
    from lightdesign.importers.tflite.mapper import _convert

    mapper = _convert(data, "cnn8")[1]
    kernels = [mapper.graph.tensors[recipe[0][1]] for recipe in mapper.sources.values()]
    assert all(t.type == 9 for t in kernels)  # int8 weights, each conv's with one scale per channel
    for t in kernels:
        quantization = t.table.table(4)
        if len(t.shape) == 4:  # (O, kh, kw, I) per output channel; depthwise (1, kh, kw, C*m) per last axis
            assert len(quantization.ints(2, "<f")) == t.shape[quantization.scalar(6, "<i")] > 1
    expected = interpret(data, x_nhwc)
    got = model.predict(x_nhwc, verbose=0)
    float_out = cnn.predict(x_nhwc, verbose=0)
    span = float(float_out.max() - float_out.min())
    error = np.abs(got - expected).max()
    new = train.build_model(export_spec(result.design, new_work_dir()).source).predict(x_nhwc, verbose=0)
    print(
        f"int8 .tflite: max |keras - interpreter| = {error:.3f} ({error / span:.1%} of the output range {span:.1f}); "
        f"keras vs the float model {np.abs(got - float_out).max():.3f}; new weights {np.abs(new - expected).max():.1f}"
    )
    # The interpreter also rounds every activation to int8 (256 steps over each tensor's
    # calibrated range), and those errors add up over the six layers; the Keras model with
    # the dequantized weights computes activations in float. Their gap is a few output steps:
    # bounded by 5% of the output range. A wrong layout or scale (a transposed kernel, a
    # per-tensor scale applied per channel) puts it at the scale of the outputs themselves,
    # as new weights do.
    assert error < 0.05 * span
    assert (got.argmax(-1) == expected.argmax(-1)).mean() >= 0.9
    assert np.abs(new - expected).max() > 0.2 * span


@pytest.mark.applications
def test_mobilenet_v3_small_tflite_weights_give_the_interpreters_logits(keras):
    """A real network: hard-swish, squeeze-and-excitation whose hard sigmoid the converter
    splits into a conv with a fused relu6 (the +3 in its bias, taken out again for Keras's
    hard_sigmoid) and a MUL by 1/6, residual adds, and the head's 1x1 convolutions."""
    from tests.importers.test_import_keras import randomize

    net = keras.applications.MobileNetV3Small(
        weights=None, input_shape=(96, 96, 3), include_preprocessing=False, classifier_activation=None
    )
    randomize(net)
    data = tflite_bytes(net, "float32")
    model, result, plan, (copied, refused) = loaded(data, "v3small.tflite")
    assert plan.unchanged and refused == [] and copied == len(result.weights) == 54
    assert sum(b.params.get("activation") == "hard_sigmoid" for b in result.design.blocks) == 9
    x = RNG.normal(0, 1, (2, 96, 96, 3)).astype(np.float32)
    expected = interpret(data, x)
    got = model.predict(x, verbose=0)
    error = np.abs(got - expected).max()
    print(
        f"MobileNetV3Small .tflite: max |keras - interpreter| = {error:.2e} (logits up to {np.abs(expected).max():.2f})"
    )
    # the logits are small (randomize's weights are): a tight bound, 10x under what leaving
    # the +3 in the hard sigmoids' biases gives (5e-5), 15x over float32 rounding
    np.testing.assert_allclose(got, expected, atol=2e-6, rtol=1e-5)


# -- ONNX ------------------------------------------------------------------------------------------


class OnnxGraph:
    """An ONNX graph built with the helper API; random initializers (positive variances)."""

    def __init__(self, shape):
        self.shape, self.nodes, self.inits = shape, [], []
        self.rng = np.random.default_rng(len(shape) + sum(shape))

    def init(self, name, shape, low=None, high=None):
        if low is None:
            values = self.rng.normal(0, 0.5, shape)
        else:
            values = self.rng.uniform(low, high, shape)
        self.inits.append(numpy_helper.from_array(values.astype(np.float32), name))
        return name

    def node(self, op, inputs, name, **attrs):
        self.nodes.append(helper.make_node(op, inputs, [name], name=name, **attrs))
        return name

    def conv(self, x, cin, cout, k=3, pad=1, stride=1, group=1, bias=True, name="conv"):
        w = self.init(f"{name}.w", (cout, cin // group, k, k))
        ins = [x, w] + ([self.init(f"{name}.b", (cout,))] if bias else [])
        return self.node("Conv", ins, name, kernel_shape=[k, k], strides=[stride] * 2, pads=[pad] * 4, group=group)

    def bn(self, x, c, name, **attrs):
        ins = [
            x,
            self.init(f"{name}.scale", (c,), 0.5, 1.5),
            self.init(f"{name}.bias", (c,)),
            self.init(f"{name}.mean", (c,)),
            self.init(f"{name}.var", (c,), 0.5, 1.5),
        ]
        return self.node("BatchNormalization", ins, name, **attrs)

    def model(self, last) -> bytes:
        inp = helper.make_tensor_value_info("x", TensorProto.FLOAT, list(self.shape))
        out = helper.make_tensor_value_info(last, TensorProto.FLOAT, None)
        graph = helper.make_graph(self.nodes, "g", [inp], [out], self.inits)
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]).SerializeToString()


def onnx_cnn() -> bytes:
    """conv / BN / relu / max pool, flatten of an 8x4x4 tensor, BatchNorm of the flat features,
    Gemm (transB, alpha, beta) / relu, Gemm (no transB)."""
    g = OnnxGraph((1, 3, 8, 8))
    x = g.conv("x", 3, 8, name="c1")
    x = g.bn(x, 8, "c1_bn")
    x = g.node("Relu", [x], "c1_relu")
    x = g.node("MaxPool", [x], "pool", kernel_shape=[2, 2], strides=[2, 2])
    x = g.node("Flatten", [x], "flat", axis=1)
    x = g.bn(x, 128, "flat_bn", epsilon=1e-3)
    x = g.node("Gemm", [x, g.init("fc1.w", (16, 128)), g.init("fc1.b", (16,))], "fc1", transB=1, alpha=0.5, beta=2.0)
    x = g.node("Relu", [x], "fc1_relu")
    x = g.node("Gemm", [x, g.init("fc2.w", (16, 10)), g.init("fc2.b", (10,))], "fc2")
    return g.model(x)


def onnx_grouped() -> bytes:
    """conv / BN, depthwise conv (multiplier 2, pads 1, stride 2) / BN / clip(0, 6), grouped conv
    (2 groups) / relu, a Reshape (N, -1) of the 12x4x4 result, MatMul with its bias added."""
    g = OnnxGraph((1, 4, 8, 8))
    x = g.conv("x", 4, 6, k=1, pad=0, bias=False, name="pw0")
    x = g.bn(x, 6, "pw0_bn")
    x = g.conv(x, 6, 12, k=3, pad=1, stride=2, group=6, bias=False, name="dw")
    x = g.bn(x, 12, "dw_bn")
    lo = numpy_helper.from_array(np.array(0.0, np.float32), "lo")
    hi = numpy_helper.from_array(np.array(6.0, np.float32), "hi")
    g.inits += [lo, hi]
    x = g.node("Clip", [x, "lo", "hi"], "dw_relu6")
    x = g.conv(x, 12, 12, k=1, pad=0, group=2, name="gconv")
    x = g.node("Relu", [x], "gconv_relu")
    g.inits.append(numpy_helper.from_array(np.array([1, -1], np.int64), "flat_shape"))
    x = g.node("Reshape", [x, "flat_shape"], "flat")
    x = g.node("MatMul", [x, g.init("head.w", (192, 7))], "head")
    x = g.node("Add", [x, g.init("head.b", (7,))], "head_bias")
    return g.model(x)


def onnx_conv1d() -> bytes:
    """A 1-D convolution over (C, L) = (4, 16), relu, a flatten of the (6, 14) result, Gemm."""
    g = OnnxGraph((1, 4, 16))
    x = g.node("Conv", ["x", g.init("c.w", (6, 4, 3)), g.init("c.b", (6,))], "c", kernel_shape=[3], pads=[0, 0])
    x = g.node("Relu", [x], "c_relu")
    x = g.node("Flatten", [x], "flat", axis=1)
    x = g.node("Gemm", [x, g.init("fc.w", (5, 84)), g.init("fc.b", (5,))], "fc", transB=1)
    return g.model(x)


def reference(data: bytes, x_nchw: np.ndarray) -> np.ndarray:
    from onnx.reference import ReferenceEvaluator

    evaluator = ReferenceEvaluator(data)
    return np.concatenate([evaluator.run(None, {"x": sample[None]})[0] for sample in x_nchw])


def keras_output(model, x_nchw: np.ndarray) -> np.ndarray:
    out = model.predict(np.moveaxis(x_nchw, 1, -1), verbose=0)
    return np.moveaxis(out, -1, 1) if out.ndim >= 3 else out  # back to channels first


ONNX_MODELS = {  # the model and its input (channels first, no batch axis)
    "cnn": (onnx_cnn, (3, 8, 8)),
    "grouped": (onnx_grouped, (4, 8, 8)),
    "shuffle": (onnx_models.shuffle_unit, (12, 8, 8)),  # grouped conv, channel shuffle, depthwise, split
    "conv1d": (onnx_conv1d, (4, 16)),
}


@pytest.mark.parametrize("name", sorted(ONNX_MODELS))
@pytest.mark.parametrize("fold", [False, True], ids=["flat", "folded"])
def test_onnx_weights_give_the_reference_evaluators_outputs(keras, name, fold):
    build, shape = ONNX_MODELS[name]
    data = build()
    model, result, plan, (copied, refused) = loaded(data, f"{name}.onnx", fold=fold)
    assert plan.unchanged and refused == [] and copied == len(result.weights)
    x = RNG.normal(0, 1, (8, *shape)).astype(np.float32)
    expected = reference(data, x)
    got = keras_output(model, x)
    error = np.abs(got - expected).max()
    print(f"{name}.onnx ({'folded' if fold else 'flat'}): max |keras - reference| = {error:.2e}")
    np.testing.assert_allclose(got, expected, atol=1e-4, rtol=1e-4)


def test_onnx_cnn_counts():
    result = import_bytes(onnx_cnn(), "cnn.onnx")
    assert sorted(result.weights) == ["c1", "c1_bn", "fc1", "fc2", "flat_bn"]
    result = import_bytes(onnx_grouped(), "g.onnx")
    assert sorted(result.weights) == ["dw", "dw_bn", "gconv", "head", "pw0", "pw0_bn"]
    kinds = {b.name: (b.kind, b.params) for b in result.design.blocks}
    assert kinds["dw"][0] == "DepthwiseConv2D" and kinds["dw"][1]["depth_multiplier"] == 2
    assert kinds["gconv"][0] == "Conv2D" and kinds["gconv"][1]["groups"] == 2
    assert kinds["head"][0] == "Dense" and kinds["head"][1]["use_bias"]


def test_the_flatten_reordering_is_what_makes_the_dense_right(keras):
    """Without the (C, H, W) -> (H, W, C) reordering of the rows the outputs are far off: the
    check above can fail."""
    data = onnx_cnn()
    model, *_ = loaded(data, "cnn.onnx")
    x = RNG.normal(0, 1, (4, 3, 8, 8)).astype(np.float32)
    expected = reference(data, x)
    fc1 = model.get_layer("fc1")
    kernel, bias = fc1.get_weights()
    # undo the reordering: rows back in the file's channels-first order
    wrong = kernel.reshape(4, 4, 8, 16).transpose(2, 0, 1, 3).reshape(128, 16)
    fc1.set_weights([wrong, bias])
    assert np.abs(keras_output(model, x) - expected).max() > 0.1


def test_an_edited_onnx_design_keeps_the_weights_of_its_unchanged_layers(keras):
    """c1 narrowed from 8 to 6 filters: c1, c1_bn, the flat BatchNorm and fc1 change shape and
    start fresh; fc2 keeps the file's weights, exactly."""
    data = onnx_cnn()

    def narrower(design):
        design.block_named("c1").params["filters"] = 6
        return design

    model, result, plan, (copied, refused) = loaded(data, "cnn.onnx", edit=narrower)
    assert plan.fresh == ["c1", "c1_bn", "flat_bn", "fc1"] and plan.kept == {"fc2": "fc2"}
    assert (copied, refused) == (1, [])
    from lightdesign.importers.onnx import weight_values

    values = weight_values(data)
    for mine, theirs in zip(model.get_layer("fc2").get_weights(), values["fc2"], strict=True):
        np.testing.assert_array_equal(mine, theirs)
    assert not np.allclose(model.get_layer("c1").get_weights()[0][..., :6], values["c1"][0][..., :6])


def test_an_edited_tflite_design_keeps_the_weights_of_its_unchanged_layers(keras, cnn, tmp_path):
    """fc1 widened from 16 to 20 units: fc1 and fc2 start fresh, the convolutions (and the
    BatchNorm after the pool) keep theirs."""
    data = tflite_bytes(cnn, "float32")

    def wider(design):
        dense = [b for b in design.blocks if b.kind == "Dense"]
        dense[0].params["units"] = 20
        return design

    model, result, plan, (copied, refused) = loaded(data, "cnn.tflite", edit=wider)
    dense = [b.name for b in result.design.blocks if b.kind == "Dense"]
    assert plan.fresh == dense and len(plan.kept) == 4 and (copied, refused) == (4, [])
    from lightdesign.importers.tflite import weight_values

    values = weight_values(data)
    for name in plan.kept:
        for mine, theirs in zip(model.get_layer(name).get_weights(), values[name], strict=True):
            np.testing.assert_array_equal(mine, theirs)
    # and the file's kernels are the original model's, in Keras's layout (BatchNorm folded in)
    path = tmp_path / "cnn.tflite"
    path.write_bytes(data)
    first = next(b.name for b in import_file(path).design.blocks if b.kind == "Conv2D")
    gamma, _, _, variance = cnn.get_layer("c1_bn").get_weights()
    folded = cnn.get_layer("c1").get_weights()[0] * gamma / np.sqrt(variance + 1e-3)
    np.testing.assert_allclose(values[first][0], folded, rtol=1e-5, atol=1e-6)


# -- recurrent layers --------------------------------------------------------------------------------


def recurrent_model(case: str) -> bytes:
    op, read, directions, layout, _, _ = CASES[case]
    extra = {"linear_before_reset": 1} if op == "GRU" else {}
    return sequence_model(op, read, directions, layout, opset=14 if layout else 17, **extra)


def tokens(count: int = 8) -> np.ndarray:
    return RNG.integers(0, VOCAB, (count, STEPS)).astype(np.int64)


def reference_tokens(data: bytes, ids: np.ndarray) -> np.ndarray:
    """ONNX's reference evaluator on each row of token ids (the graph's batch is 1)."""
    from onnx.reference import ReferenceEvaluator

    evaluator = ReferenceEvaluator(data)
    return np.concatenate([evaluator.run(None, {"x": row[None]})[0] for row in ids])


@pytest.mark.parametrize("case", sorted(CASES))
def test_onnx_recurrent_weights_give_the_reference_evaluators_outputs(keras, case):
    """Gather + LSTM / GRU / RNN (+ a head), forward and bidirectional, the last state or the
    sequence, time-major or batch-first: the embedding, the recurrent layer and the head
    all keep the file's weights, and the Keras model computes what ONNX computes."""
    data = recurrent_model(case)
    model, result, plan, (copied, refused) = loaded(data, f"{case}.onnx")
    assert plan.unchanged and refused == [] and copied == len(result.weights) == 3
    ids = tokens()
    expected = reference_tokens(data, ids)
    got = model.predict(ids.astype(np.int32), verbose=0)
    error = np.abs(got - expected).max()
    print(f"{case}.onnx: max |keras - reference| = {error:.2e} (outputs up to {np.abs(expected).max():.1f})")
    np.testing.assert_allclose(got, expected, atol=1e-5, rtol=1e-5)


def _regated(kernel: np.ndarray, order: list[int]) -> np.ndarray:
    """A Keras weight's gate blocks (its last axis) put in another order."""
    parts = np.split(kernel, len(order), axis=-1)
    return np.concatenate([parts[i] for i in order], axis=-1)


MISTAKES = {
    # case, what is done wrong to the copied weights
    "lstm_onnx_gate_order": ("lstm_last", lambda w: [_regated(v, [0, 3, 1, 2]) for v in w]),  # left as i, o, f, c
    "lstm_input_bias_only": ("lstm_last", lambda w: [w[0], w[1], w[2] - w[2] / 2]),
    "gru_update_reset_swapped": ("gru_last", lambda w: [_regated(v, [1, 0, 2]) for v in w]),
    "gru_biases_swapped": ("gru_sequence", lambda w: [w[0], w[1], w[2][::-1]]),
}


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_a_wrong_gate_order_or_bias_is_far_off(keras, mistake):
    """The check above can fail: the same weights with the gates in ONNX's order (or the
    biases mixed up) give outputs far from the reference evaluator's."""
    case, spoil = MISTAKES[mistake]
    data = recurrent_model(case)
    model, *_ = loaded(data, f"{case}.onnx")
    ids = tokens(4)
    expected = reference_tokens(data, ids)
    layer = next(layer for layer in model.layers if type(layer).__name__ in ("LSTM", "GRU"))
    right = model.predict(ids.astype(np.int32), verbose=0)
    layer.set_weights(spoil(layer.get_weights()))
    wrong = model.predict(ids.astype(np.int32), verbose=0)
    print(f"{mistake}: max |keras - reference| = {np.abs(wrong - expected).max():.2f}")
    np.testing.assert_allclose(right, expected, atol=1e-5, rtol=1e-5)
    assert np.abs(wrong - expected).max() > 0.1


@pytest.mark.parametrize("op", ["LSTM", "RNN"])
@pytest.mark.parametrize("read", ["last", "mean"])
def test_tflite_fused_sequence_weights_give_the_interpreters_outputs(keras, op, read):
    """TFLite's UNIDIRECTIONAL_SEQUENCE_LSTM (four input-to-gate and four recurrent-to-gate
    tensors and four biases) and _RNN, written by hand, behind a GATHER: the interpreter's
    outputs."""
    data = fused_sequence_model(op, read)
    model, result, plan, (copied, refused) = loaded(data, f"fused_{op}.tflite")
    assert plan.unchanged and refused == [] and copied == len(result.weights) == 3
    ids = tokens().astype(np.int32)
    expected = interpret(data, ids)
    got = model.predict(ids, verbose=0)
    error = np.abs(got - expected).max()
    print(f"fused {op} ({read}) .tflite: max |keras - interpreter| = {error:.2e}")
    np.testing.assert_allclose(got, expected, atol=1e-5, rtol=1e-5)
    if op == "LSTM":  # and the check can fail: the forget and cell gates swapped
        layer = model.get_layer(next(b.name for b in result.design.blocks if b.kind == "LSTM"))
        layer.set_weights([_regated(v, [0, 2, 1, 3]) for v in layer.get_weights()])
        assert np.abs(model.predict(ids, verbose=0) - expected).max() > 0.1


def test_a_keras_files_recurrent_layers_keep_their_weights(keras, tmp_path):
    """The weights plan sizes a recurrent layer as Keras holds it (kernel, recurrent kernel,
    bias, per direction), so a .keras file's Bidirectional GRU and LSTM keep theirs too (one
    total size against three tensors left them fresh) and the model predicts as the file's."""
    layers = keras.layers
    inputs = keras.Input((STEPS,), dtype="int32")
    x = layers.Embedding(VOCAB, 6, name="embedding")(inputs)
    x = layers.Bidirectional(layers.GRU(5, return_sequences=True), name="bigru")(x)
    x = layers.LSTM(4, name="lstm")(x)
    original = keras.Model(inputs, layers.Dense(3, name="head")(x))
    rng = np.random.default_rng(4)
    for weight in original.weights:
        weight.assign(rng.normal(0, 0.5, tuple(weight.shape)).astype(np.float32))
    path = tmp_path / "recurrent.keras"
    original.save(path)
    model, result, plan, (copied, refused) = loaded(path.read_bytes(), path.name)
    assert plan.unchanged and (copied, refused) == (4, [])
    ids = tokens().astype(np.int32)
    np.testing.assert_allclose(model.predict(ids, verbose=0), original.predict(ids, verbose=0), atol=1e-5)


# -- axes: channels-first tensors and sequences in the file's order ---------------------------------


def small_graph(shape, nodes, inits, dtype=TensorProto.FLOAT) -> bytes:
    """A graph of helper-API ``nodes`` reading ``x`` of ``shape`` and returning the last node's output."""
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", dtype, list(shape))],
        [helper.make_tensor_value_info(nodes[-1].output[0], TensorProto.FLOAT, None)],
        [numpy_helper.from_array(np.asarray(v), name) for name, v in inits.items()],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]).SerializeToString()


def _weights(*shape, seed=0):
    return np.random.default_rng(seed).normal(0, 0.5, shape).astype(np.float32)


@pytest.mark.parametrize("after_conv", [False, True], ids=["input", "conv1d"])
def test_a_matmul_over_a_channels_first_axis_stays_opaque(after_conv):
    """(N, C, L) @ (L, U) contracts L; the design holds the tensor as (L, C), so a Dense would
    contract C. With C == L the shapes and counts agree and the numbers are wrong: such a
    MatMul is opaque, with the reason."""
    nodes, inits, x = [], {"w": _weights(4, 3)}, "x"
    if after_conv:
        inits["cw"] = _weights(4, 4, 1, seed=1)
        nodes.append(helper.make_node("Conv", ["x", "cw"], ["c"], name="conv", kernel_shape=[1]))
        x = "c"
    nodes.append(helper.make_node("MatMul", [x, "w"], ["y"], name="mm"))
    data = small_graph((1, 4, 4), nodes, inits)
    result = import_bytes(data, "mm.onnx")
    assert [(u.op, u.reason) for u in result.unmapped] == [
        ("MatMul", "a matrix product over the last axis of a channels-first tensor, not its channels")
    ]
    # what a Dense over the design's last axis (the channels) gives is not what ONNX computes
    x_ncl = RNG.normal(0, 1, (4, 4, 4)).astype(np.float32)
    expected = reference(data, x_ncl)  # (N, C, U)
    features = x_ncl if not after_conv else np.einsum("oi,nil->nol", inits["cw"][..., 0], x_ncl)
    dense = np.moveaxis(features, 1, -1) @ inits["w"]  # (N, L, U), as the design would compute
    assert dense.shape == expected.shape and np.abs(dense - expected).max() > 0.5


def sequence_then(tail, steps=7, features=7, units=5, vocab=20):
    """ids (1, steps) -> Gather (vocab, features) -> ``tail``; with steps == features on purpose."""
    inits = {"table": _weights(vocab, features, seed=2)}
    nodes = [helper.make_node("Gather", ["table", "x"], ["e"], name="embedding")]
    tail(nodes, inits, steps, features, units)
    return small_graph((1, steps), nodes, inits, TensorProto.INT64)


def _lstm_sequence(nodes, inits, steps, features, units):
    """Transpose, LSTM, Squeeze + Transpose: the (N, steps, units) sequence, as PyTorch exports it."""
    inits.update(W=_weights(1, 4 * units, features, seed=3), R=_weights(1, 4 * units, units, seed=4))
    inits.update(B=_weights(1, 8 * units, seed=5), axis1=np.array([1], np.int64))
    nodes.append(helper.make_node("Transpose", ["e"], ["tm"], name="tm", perm=[1, 0, 2]))
    nodes.append(helper.make_node("LSTM", ["tm", "W", "R", "B"], ["y"], name="lstm", hidden_size=units))
    nodes.append(helper.make_node("Squeeze", ["y", "axis1"], ["sq"], name="sq"))
    nodes.append(helper.make_node("Transpose", ["sq"], ["seq"], name="seq", perm=[1, 0, 2]))


def _embedding_matmul_softmax(nodes, inits, steps, features, units):
    inits.update(w=_weights(features, 3, seed=6), b=_weights(3, seed=7))
    nodes.append(helper.make_node("MatMul", ["e", "w"], ["mm"], name="head"))
    nodes.append(helper.make_node("Add", ["mm", "b"], ["add"], name="head_bias"))
    nodes.append(helper.make_node("Softmax", ["add"], ["out"], name="softmax", axis=-1))


def _lstm_flatten_gemm(nodes, inits, steps, features, units):
    _lstm_sequence(nodes, inits, steps, features, units)
    inits.update(fw=_weights(3, steps * units, seed=8), fb=_weights(3, seed=9))
    nodes.append(helper.make_node("Flatten", ["seq"], ["flat"], name="flat", axis=1))
    nodes.append(helper.make_node("Gemm", ["flat", "fw", "fb"], ["out"], name="fc", transB=1))


def _lstm_relu_matmul_mean(nodes, inits, steps, features, units):
    _lstm_sequence(nodes, inits, steps, features, units)
    inits.update(w=_weights(units, 4, seed=10))
    nodes.append(helper.make_node("Relu", ["seq"], ["relu"], name="relu"))
    nodes.append(helper.make_node("MatMul", ["relu", "w"], ["mm"], name="proj"))
    nodes.append(helper.make_node("ReduceMean", ["mm"], ["out"], name="mean", axes=[1], keepdims=0))


FILE_ORDER = {  # a sequence in the file's own (batch, steps, features) order, and what reads it
    "embedding_matmul_softmax": (_embedding_matmul_softmax, ["Embedding", "Dense", "Activation"]),
    "lstm_flatten_gemm": (_lstm_flatten_gemm, ["Embedding", "LSTM", "Flatten", "Dense"]),
    "lstm_relu_matmul_mean": (
        _lstm_relu_matmul_mean,
        ["Embedding", "LSTM", "Activation", "Dense", "GlobalAveragePooling1D"],
    ),
}


@pytest.mark.parametrize("case", sorted(FILE_ORDER))
def test_a_sequence_in_the_files_order_maps_with_its_weights(keras, case):
    """Steps == features, so only the axes decide: a MatMul and a softmax over the features, a
    flatten of (steps, units) in the file's row order (no channels-first reordering), a mean
    over the steps. Outputs equal ONNX's reference evaluator's."""
    tail, kinds = FILE_ORDER[case]
    data = sequence_then(tail)
    model, result, plan, (copied, refused) = loaded(data, f"{case}.onnx")
    assert [b.kind for b in result.design.blocks] == kinds
    assert plan.unchanged and refused == [] and copied == len(result.weights)
    ids = RNG.integers(0, 20, (6, 7)).astype(np.int64)
    expected = reference_tokens(data, ids)
    got = model.predict(ids.astype(np.int32), verbose=0)
    error = np.abs(got - expected).max()
    print(f"{case}.onnx: max |keras - reference| = {error:.2e}")
    np.testing.assert_allclose(got, expected, atol=1e-5, rtol=1e-5)


def test_other_operators_on_a_sequence_in_the_files_order_stay_opaque():
    """A BatchNormalization of (N, steps, features) normalizes the steps in ONNX (axis 1) but
    would normalize the features in the design: opaque, and what follows keeps the file's order."""

    def tail(nodes, inits, steps, features, units):
        inits.update({f"bn.{p}": _weights(steps, seed=11) ** 2 + 0.5 for p in ("s", "b", "m", "v")})
        inits["w"] = _weights(features, 3, seed=12)
        nodes.append(helper.make_node("BatchNormalization", ["e", "bn.s", "bn.b", "bn.m", "bn.v"], ["bn"], name="bn"))
        nodes.append(helper.make_node("MatMul", ["bn", "w"], ["out"], name="head"))

    result = import_bytes(sequence_then(tail), "bn.onnx")
    assert [(u.op, u.reason) for u in result.unmapped] == [
        (
            "BatchNormalization",
            "BatchNormalization of a (batch, steps, features) tensor: mapped on channels-first tensors only",
        )
    ]
    assert [b.kind for b in result.design.blocks] == ["Embedding", "Opaque", "Dense"]


@pytest.mark.parametrize("axis", [1, -1])
def test_a_softmax_maps_over_the_channels_of_a_channels_first_tensor(keras, axis):
    """Conv output (N, 4, 4, 4): axis 1 is its channels (mapped, the reference evaluator's
    numbers); axis -1 is its width, which a softmax over the design's last axis would not
    compute (opaque, where it was mapped before)."""
    inits = {"cw": _weights(4, 3, 1, 1, seed=13)}
    nodes = [
        helper.make_node("Conv", ["x", "cw"], ["c"], name="conv", kernel_shape=[1, 1]),
        helper.make_node("Softmax", ["c"], ["out"], name="softmax", axis=axis),
    ]
    data = small_graph((1, 3, 4, 4), nodes, inits)
    result = import_bytes(data, "softmax.onnx")
    if axis == -1:
        assert [(u.op, u.reason) for u in result.unmapped] == [
            ("Softmax", "softmax over axis -1, not the channels (axis 1)")
        ]
        return
    model, *_ = loaded(data, "softmax.onnx")
    x = RNG.normal(0, 1, (4, 3, 4, 4)).astype(np.float32)
    np.testing.assert_allclose(keras_output(model, x), reference(data, x), atol=1e-5, rtol=1e-5)


def test_a_channels_first_input_is_not_read_as_a_sequence():
    """A float (N, 6, 6) input is channels-first to the importer, (6, 6) with its axes swapped in
    the design: a Transpose (1, 0, 2) of it into an LSTM is not followed as the time-major
    view of a sequence (steps == features would have hidden the swap), so the LSTM stays opaque."""
    inits = {"W": _weights(1, 8, 6), "R": _weights(1, 8, 2, seed=1), "B": _weights(1, 16, seed=2)}
    inits["axis0"] = np.array([0], np.int64)
    nodes = [
        helper.make_node("Transpose", ["x"], ["tm"], name="tm", perm=[1, 0, 2]),
        helper.make_node("LSTM", ["tm", "W", "R", "B"], ["y", "h"], name="lstm", hidden_size=2),
        helper.make_node("Squeeze", ["h", "axis0"], ["out"], name="last"),
    ]
    result = import_bytes(small_graph((1, 6, 6), nodes, inits), "seq.onnx")
    assert "LSTM" not in [b.kind for b in result.design.blocks]
    assert [u.op for u in result.unmapped][:2] == ["Transpose", "LSTM"]


# -- flattened channels-first features through merges, splits and reshapes --------------------------


def _flat_pair(nodes, inits):
    """x (1, 2, 3, 3) -> relu and sigmoid, each flattened: features in (C, H, W) order in the
    file, (H, W, C) in the design."""
    nodes += [
        helper.make_node("Relu", ["x"], ["a"], name="relu"),
        helper.make_node("Sigmoid", ["x"], ["b"], name="sig"),
        helper.make_node("Flatten", ["a"], ["fa"], name="fa"),
        helper.make_node("Flatten", ["b"], ["fb"], name="fb"),
    ]


def _concat_gemm(nodes, inits):
    """a Concat of two Flattens and of a pooled (same order) one, then a Dense: its rows are
    reordered per part (off by 2.7 when the Concat dropped the reordering)."""
    _flat_pair(nodes, inits)
    inits.update(w=_weights(5, 2 * 18 + 2, seed=20), bias=_weights(5, seed=21))
    nodes += [
        helper.make_node("GlobalAveragePool", ["x"], ["p"], name="pool"),
        helper.make_node("Flatten", ["p"], ["fp"], name="fp"),
        helper.make_node("Concat", ["fa", "fp", "fb"], ["cat"], name="cat", axis=1),
        helper.make_node("Gemm", ["cat", "w", "bias"], ["out"], name="fc", transB=1),
    ]


def _concat_split_gemm(nodes, inits):
    """Split and Slice of a Concat of two Flattens at the parts' boundary: each part keeps its order."""
    _flat_pair(nodes, inits)
    inits.update(w=_weights(18, 4, seed=22), v=_weights(18, 4, seed=23))
    inits.update(lo=np.array([18], np.int64), hi=np.array([36], np.int64), ax=np.array([1], np.int64))
    nodes += [
        helper.make_node("Concat", ["fa", "fb"], ["cat"], name="cat", axis=1),
        helper.make_node("Split", ["cat"], ["s0", "s1"], name="split", axis=1),
        helper.make_node("Slice", ["cat", "lo", "hi", "ax"], ["s2"], name="slice"),
        helper.make_node("MatMul", ["s0", "w"], ["m0"], name="fc0"),
        helper.make_node("MatMul", ["s2", "v"], ["m1"], name="fc1"),
        helper.make_node("Add", ["m0", "m1"], ["out"], name="sum"),
    ]


def _add_same_order_gemm(nodes, inits):
    _flat_pair(nodes, inits)
    inits.update(w=_weights(18, 3, seed=24))
    nodes += [
        helper.make_node("Add", ["fa", "fb"], ["s"], name="add"),
        helper.make_node("Gemm", ["s", "w"], ["out"], name="fc"),
    ]


def _gemm_reshape_conv(nodes, inits):
    """flattened (3, 2, 2) -> Dense -> (N, 3, 2, 2) -> 1x1 conv: the Dense's columns and bias are
    put in the (H, W, C) order the design's Reshape reads (off by 3.8 without), its rows in the
    Flatten's. (A flat input would be token ids in a design.)"""
    inits.update(w=_weights(12, 12, seed=25), bias=_weights(12, seed=26), cw=_weights(4, 3, 1, 1, seed=27))
    inits["shape"] = np.array([1, 3, 2, 2], np.int64)
    nodes += [
        helper.make_node("Flatten", ["x"], ["f"], name="flat"),
        helper.make_node("Gemm", ["f", "w", "bias"], ["d"], name="fc"),
        helper.make_node("Reshape", ["d", "shape"], ["r"], name="unflatten"),
        helper.make_node("Conv", ["r", "cw"], ["out"], name="conv", kernel_shape=[1, 1]),
    ]


def _matmul_bias_relu_reshape_conv(nodes, inits):
    """MatMul + bias Add + Relu before the Reshape: the reordering goes through the activation."""
    inits.update(w=_weights(12, 18, seed=28), bias=_weights(18, seed=29), cw=_weights(4, 2, 3, 3, seed=30))
    inits["shape"] = np.array([1, 2, 3, 3], np.int64)
    nodes += [
        helper.make_node("Flatten", ["x"], ["f"], name="flat"),
        helper.make_node("MatMul", ["f", "w"], ["m"], name="fc"),
        helper.make_node("Add", ["m", "bias"], ["d"], name="fc_bias"),
        helper.make_node("Relu", ["d"], ["a"], name="relu"),
        helper.make_node("Reshape", ["a", "shape"], ["r"], name="unflatten"),
        helper.make_node("Conv", ["r", "cw"], ["out"], name="conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
    ]


def _flatten_reshape_back(nodes, inits):
    """Flatten of (2, 3, 3) and Reshape back to (N, 2, 3, 3): the design's (H, W, C) order both ways."""
    inits.update(cw=_weights(4, 2, 1, 1, seed=31), shape=np.array([1, 2, 3, 3], np.int64))
    nodes += [
        helper.make_node("Relu", ["x"], ["a"], name="relu"),
        helper.make_node("Flatten", ["a"], ["f"], name="flat"),
        helper.make_node("Reshape", ["f", "shape"], ["r"], name="unflatten"),
        helper.make_node("Conv", ["r", "cw"], ["out"], name="conv", kernel_shape=[1, 1]),
    ]


FLAT_ORDER = {  # builder, input shape (channels first, no batch), kinds
    "concat_gemm": (_concat_gemm, (2, 3, 3), ["Concatenate", "Dense"]),
    "concat_split_gemm": (_concat_split_gemm, (2, 3, 3), ["ChannelSplit", "Dense", "Add"]),
    "add_same_order_gemm": (_add_same_order_gemm, (2, 3, 3), ["Add", "Dense"]),
    "gemm_reshape_conv": (_gemm_reshape_conv, (3, 2, 2), ["Dense", "Reshape", "Conv2D"]),
    "matmul_bias_relu_reshape_conv": (_matmul_bias_relu_reshape_conv, (3, 2, 2), ["Dense", "Reshape", "Conv2D"]),
    "flatten_reshape_back": (_flatten_reshape_back, (2, 3, 3), ["Flatten", "Reshape", "Conv2D"]),
}


@pytest.mark.parametrize("case", sorted(FLAT_ORDER))
def test_flattened_features_keep_their_order_through_merges_splits_and_reshapes(keras, case):
    """Flat features in (C, H, W) order in the file and (H, W, C) in the design, carried through
    Concat (a row permutation per part), Split/Slice at the parts' boundaries, Add of two in the
    same order, and back to (N, C, H, W) by a Reshape (a Dense's columns reordered, or the
    inverse of a Flatten): outputs equal the reference evaluator's."""
    build, shape, kinds = FLAT_ORDER[case]
    nodes, inits = [], {}
    build(nodes, inits)
    data = small_graph((1, *shape), nodes, inits)
    model, result, plan, (copied, refused) = loaded(data, f"{case}.onnx")
    assert set(kinds) <= {b.kind for b in result.design.blocks}
    assert plan.unchanged and refused == [] and copied == len(result.weights)
    x = RNG.normal(0, 1, (6, *shape)).astype(np.float32)
    expected = reference(data, x)
    got = keras_output(model, x)
    print(f"{case}.onnx: max |keras - reference| = {np.abs(got - expected).max():.2e}")
    np.testing.assert_allclose(got, expected, atol=1e-5, rtol=1e-5)


def _opaque(nodes, inits, shape=(1, 2, 2, 2)):
    result = import_bytes(small_graph(shape, nodes, inits), "opaque.onnx")
    return [(u.op, u.reason) for u in result.unmapped]


@pytest.mark.parametrize("op", ["Split", "Slice"])
def test_a_split_of_flattened_channels_first_features_is_opaque(op):
    """The first half of a flattened (2, 2, 2) tensor is channel 0 in the file but positions
    (0, *) of both channels in the design: a ChannelSplit would read other features (off by
    0.89 before)."""
    inits = {"w": _weights(4, 3), "lo": np.array([0], np.int64), "hi": np.array([4], np.int64)}
    inits["ax"] = np.array([1], np.int64)
    split = (
        helper.make_node("Split", ["f"], ["s", "s1"], name="split", axis=1)
        if op == "Split"
        else helper.make_node("Slice", ["f", "lo", "hi", "ax"], ["s"], name="slice")
    )
    nodes = [helper.make_node("Flatten", ["x"], ["f"], name="flat"), split]
    nodes.append(helper.make_node("Gemm", ["s", "w"], ["out"], name="fc"))
    assert _opaque(nodes, inits) == [
        (
            op,
            "features 0:4 of flattened channels-first (C, H, W) features, which the design holds in "
            "(H, W, C) order: not the same features",
        )
    ]


def test_an_add_of_flat_features_in_different_orders_is_opaque():
    inits = {"w": _weights(8, 8)}
    nodes = [
        helper.make_node("Flatten", ["x"], ["f"], name="flat"),
        helper.make_node("Gemm", ["f", "w"], ["d"], name="fc"),
        helper.make_node("Add", ["f", "d"], ["out"], name="add"),
    ]
    assert _opaque(nodes, inits) == [
        (
            "Add",
            "Add of flattened features in different orders (channels-first (C, H, W) in the file, (H, W, C) "
            "in the design)",
        )
    ]


def test_reshapes_that_move_the_channel_axis_are_opaque():
    """A Dense read by its Reshape and by another node cannot have its columns reordered; a
    conv output (N, 4, 2, 3) reshaped to (N, 2, 4, 3) moves its channels."""
    inits = {"w": _weights(8, 8), "shape": np.array([1, 2, 2, 2], np.int64)}
    nodes = [
        helper.make_node("Flatten", ["x"], ["f"], name="flat"),
        helper.make_node("Gemm", ["f", "w"], ["d"], name="fc"),
        helper.make_node("Reshape", ["d", "shape"], ["r"], name="unflatten"),
        helper.make_node("Relu", ["d"], ["a"], name="relu"),
        helper.make_node("Add", ["r", "r"], ["out"], name="add"),
        helper.make_node("Add", ["out", "a"], ["out2"], name="add2"),
    ]
    reasons = _opaque(nodes, inits)
    assert reasons[0] == (
        "Reshape",
        "a reshape of flat features to [1, 2, 2, 2]: the file reads them in (C, H, W) order, the design in "
        "(H, W, C) order, and no Dense read only by this reshape computes them",
    )
    inits = {"cw": _weights(4, 2, 1, 1), "shape": np.array([1, 2, 4, 3], np.int64)}
    nodes = [
        helper.make_node("Conv", ["x", "cw"], ["c"], name="conv", kernel_shape=[1, 1]),
        helper.make_node("Reshape", ["c", "shape"], ["out"], name="reshape"),
    ]
    assert _opaque(nodes, inits, (1, 2, 2, 3)) == [
        (
            "Reshape",
            "a reshape to [1, 2, 4, 3] that moves the channel axis of its input (4 channels; channels-first "
            "in the file, last in the design)",
        )
    ]


@pytest.mark.parametrize("alpha", [1 / 6, 0.2])
def test_a_hard_sigmoid_maps_only_with_keras_slope(keras, alpha):
    """Keras's hard_sigmoid is relu6(x + 3) / 6 (alpha 1/6, beta 0.5, as PyTorch exports it);
    ONNX's default alpha is 0.2: that one stays opaque, where it was mapped before."""
    inits = {"cw": _weights(3, 2, 1, 1, seed=32) * 8}
    nodes = [
        helper.make_node("Conv", ["x", "cw"], ["c"], name="conv", kernel_shape=[1, 1]),
        helper.make_node("HardSigmoid", ["c"], ["out"], name="hsig", alpha=alpha),
    ]
    data = small_graph((1, 2, 3, 3), nodes, inits)
    if alpha == 0.2:
        assert _opaque(nodes, inits, (1, 2, 3, 3)) == [
            ("HardSigmoid", "a hard sigmoid with alpha 0.2 and beta 0.5 (Keras's has alpha 1/6, beta 0.5)")
        ]
        return
    model, *_ = loaded(data, "hsig.onnx")
    x = RNG.normal(0, 1, (4, 2, 3, 3)).astype(np.float32)
    expected = reference(data, x)
    assert (expected == 0).any() and (expected == 1).any() and ((0 < expected) & (expected < 1)).any()
    np.testing.assert_allclose(keras_output(model, x), expected, atol=1e-5, rtol=1e-5)
