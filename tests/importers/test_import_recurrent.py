"""Recurrent layers from ONNX and TFLite files: ONNX LSTM/GRU/RNN models written with the onnx
helper API as PyTorch exports them (time-major ops between a Transpose and a Squeeze +
Transpose, the last state read from Y_h) import as the LSTM, GRU and SimpleRNN kinds with the
params Keras counts for the same layers and the output shapes ONNX's reference evaluator
computes; settings Keras has no form for stay opaque with the reason. Keras-marked: the same
layers built in Keras count the same, and TFLite's fused sequence LSTM and Keras 3's WHILE
loop."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import TensorProto, helper

from lightdesign.analysis.network import analyze
from lightdesign.importers import import_bytes

from .onnx_models import Graph

STEPS, VOCAB, EMBED, UNITS, CLASSES = 7, 50, 6, 5, 3
GATES = {"LSTM": 4, "GRU": 3, "RNN": 1}


def sequence_model(
    op="LSTM",
    read="last",
    directions=1,
    layout=0,
    head=True,
    bias=True,
    opset=17,
    **attrs,
):
    """tokens (1, STEPS) -> Gather (an embedding table) -> op -> the output read as PyTorch
    reads it -> a Gemm/MatMul head. ``read``: 'last' (Y_h) or 'sequence' (Y)."""
    g = Graph((1, STEPS), opset=opset)
    g.input = helper.make_tensor_value_info("x", TensorProto.INT64, [1, STEPS])
    x = g.node("Gather", [g.init("table", (VOCAB, EMBED)), "x"], "embedding")
    if layout == 0:
        x = g.node("Transpose", [x], "to_time_major", perm=[1, 0, 2])
    gates = GATES[op]
    ins = [x, g.init("W", (directions, gates * UNITS, EMBED)), g.init("R", (directions, gates * UNITS, UNITS))]
    if bias:
        ins.append(g.init("B", (directions, 2 * gates * UNITS)))
    if directions == 2:
        attrs["direction"] = "bidirectional"
    if layout:
        attrs["layout"] = 1
    y, y_h = g.node(op, ins, op.lower(), outputs=2, hidden_size=UNITS, **attrs)[:2]
    width = directions * UNITS
    if read == "last":
        if layout == 0 and directions == 1:
            out = g.node("Squeeze", [y_h, g.const("axis0", [0])], "last")
        elif layout == 0:
            out = g.node("Transpose", [y_h], "batch_first", perm=[1, 0, 2])
            out = g.node("Reshape", [out, g.const("flat", [1, width])], "last")
        else:
            out = g.node("Reshape", [y_h, g.const("flat", [1, width])], "last")
        if head:
            g.node("Gemm", [out, g.init("fc.w", (CLASSES, width)), g.init("fc.b", (CLASSES,))], "fc", transB=1)
    else:
        if layout == 1:
            out = g.node("Reshape", [y, g.const("seq", [1, STEPS, width])], "sequence")
        elif directions == 1:
            out = g.node("Squeeze", [y, g.const("axis1", [1])], "squeeze")
            out = g.node("Transpose", [out], "sequence", perm=[1, 0, 2])
        else:
            out = g.node("Transpose", [y], "steps_batch", perm=[0, 2, 1, 3])
            out = g.node("Reshape", [out, g.const("seq", [STEPS, 1, width])], "merge")
            out = g.node("Transpose", [out], "sequence", perm=[1, 0, 2])
        if head:
            g.node("MatMul", [out, g.init("fc.w", (width, CLASSES))], "fc")
    return g.model()


def keras_params(op, directions=1, sequence_head=False) -> int:
    """What Keras counts for Embedding + the layer + Dense (LSTM/SimpleRNN: one bias per gate;
    GRU reset_after=True: two). Checked against Keras itself in the Keras-marked test."""
    gates = GATES[op]
    biases = 2 if op == "GRU" else 1
    layer = directions * gates * UNITS * (EMBED + UNITS + biases)
    head = directions * UNITS * CLASSES + (0 if sequence_head else CLASSES)
    return VOCAB * EMBED + layer + head


def reference_shape(model: bytes) -> tuple:
    """The output shape ONNX's own reference evaluator computes (batch axis dropped)."""
    from onnx.reference import ReferenceEvaluator

    tokens = np.random.default_rng(0).integers(0, VOCAB, (1, STEPS)).astype(np.int64)
    (out,) = ReferenceEvaluator(model).run(None, {"x": tokens})
    return tuple(out.shape[1:])


CASES = {
    # name: (op, read, directions, layout, keras kind, return_sequences)
    "lstm_last": ("LSTM", "last", 1, 0, "LSTM", False),
    "lstm_sequence": ("LSTM", "sequence", 1, 0, "LSTM", True),
    "lstm_bidirectional_sequence": ("LSTM", "sequence", 2, 0, "LSTM", True),
    "lstm_bidirectional_last": ("LSTM", "last", 2, 0, "LSTM", False),
    "lstm_batch_first_layout": ("LSTM", "sequence", 1, 1, "LSTM", True),
    "gru_last": ("GRU", "last", 1, 0, "GRU", False),
    "gru_sequence": ("GRU", "sequence", 1, 0, "GRU", True),
    "rnn_last": ("RNN", "last", 1, 0, "SimpleRNN", False),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_onnx_recurrent_layers_import_as_their_kinds(case):
    op, read, directions, layout, kind, sequences = CASES[case]
    extra = {"linear_before_reset": 1} if op == "GRU" else {}
    opset = 14 if layout else 17
    model = sequence_model(op, read, directions, layout, opset=opset, **extra)
    result = import_bytes(model, f"{case}.onnx")
    figures = analyze(result.design)
    assert not figures.errors and not result.unmapped, result.unmapped[:1]
    blocks = [(b.kind, b.params) for b in result.design.blocks if b.kind == kind]
    assert blocks == [(kind, dict(units=UNITS, return_sequences=sequences, bidirectional=directions == 2))]
    assert [b.kind for b in result.design.blocks] == ["Embedding", kind, "Dense"]
    assert figures.params == keras_params(op, directions, sequence_head=sequences)
    assert figures.output_shape == reference_shape(model)
    if op != "GRU":
        assert any("Keras's one bias holds their sum" in note for note in result.notes)


REFUSED = {
    "gru_linear_before_reset_0": (
        dict(op="GRU"),
        "a GRU with linear_before_reset=0: Keras's reset_after=False form, which LightDesign's GRU"
        " (reset_after=True, PyTorch's linear_before_reset=1) does not have",
    ),
    "reverse": (dict(direction="reverse"), "it runs backwards only (direction='reverse')"),
    "clip": (dict(clip=3.0), "cell clipping at 3"),
    "activations": (
        dict(activations=["HardSigmoid", "Tanh", "Tanh"]),
        "activations ['HardSigmoid', 'Tanh', 'Tanh'] (Keras's LSTM uses ['Sigmoid', 'Tanh', 'Tanh'])",
    ),
    "no bias": (dict(bias=False), "a recurrent layer without bias (LightDesign's recurrent kinds have one)"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_what_keras_cannot_express_stays_opaque_with_the_reason(case):
    settings, reason = REFUSED[case]
    model = sequence_model(**settings)
    result = import_bytes(model, "odd.onnx")
    op = settings.get("op", "LSTM")
    assert [(u.op, u.reason) for u in result.unmapped] == [(op, reason)]
    figures = analyze(result.design)
    assert not figures.errors
    # the opaque block keeps the file's weights and the shape ONNX infers
    gates, biases = GATES[op], (2 * GATES[op] * UNITS if settings.get("bias", True) else 0)
    weights = gates * UNITS * (EMBED + UNITS) + biases
    assert figures.params == VOCAB * EMBED + weights + UNITS * CLASSES + CLASSES
    assert figures.output_shape == reference_shape(model) == (CLASSES,)


def test_both_outputs_read_stays_opaque():
    g = Graph((1, STEPS))
    g.input = helper.make_tensor_value_info("x", TensorProto.INT64, [1, STEPS])
    x = g.node("Gather", [g.init("table", (VOCAB, EMBED)), "x"], "embedding")
    x = g.node("Transpose", [x], "tm", perm=[1, 0, 2])
    ins = [x, g.init("W", (1, 4 * UNITS, EMBED)), g.init("R", (1, 4 * UNITS, UNITS)), g.init("B", (1, 8 * UNITS))]
    y, y_h = g.node("LSTM", ins, "lstm", outputs=2, hidden_size=UNITS)
    s = g.node("ReduceMean", [y], "mean", axes=[0, 1], keepdims=0)
    g.node("Add", [s, g.node("Squeeze", [y_h, g.const("a0", [0])], "h")], "both")
    result = import_bytes(g.model(), "both.onnx")
    assert result.unmapped[0].reason == (
        "both its sequence Y and its last state Y_h are read; a Keras layer returns one of them"
    )


def test_the_last_layer_state_read_as_h_n_minus_1():
    """PyTorch's ``out, (h, c) = lstm(x); fc(h[-1])``: a Gather of Y_h's first axis."""
    g = Graph((1, STEPS))
    g.input = helper.make_tensor_value_info("x", TensorProto.INT64, [1, STEPS])
    x = g.node("Gather", [g.init("table", (VOCAB, EMBED)), "x"], "embedding")
    x = g.node("Transpose", [x], "tm", perm=[1, 0, 2])
    ins = [x, g.init("W", (1, 4 * UNITS, EMBED)), g.init("R", (1, 4 * UNITS, UNITS)), g.init("B", (1, 8 * UNITS))]
    _, y_h, _ = g.node("LSTM", ins, "lstm", outputs=3, hidden_size=UNITS)
    h = g.node("Gather", [y_h, g.const("last", -1)], "h_last", axis=0)
    g.node("Gemm", [h, g.init("fc.w", (CLASSES, UNITS)), g.init("fc.b", (CLASSES,))], "fc", transB=1)
    model = g.model()
    result = import_bytes(model, "h_n.onnx")
    figures = analyze(result.design)
    assert not result.unmapped and [b.kind for b in result.design.blocks] == ["Embedding", "LSTM", "Dense"]
    assert figures.params == keras_params("LSTM")
    assert figures.output_shape == reference_shape(model) == (CLASSES,)


def test_a_transpose_elsewhere_stays_opaque():
    g = Graph((1, 4, 8, 8))
    g.node("Transpose", ["x"], "odd", perm=[0, 2, 3, 1])
    result = import_bytes(g.model(), "t.onnx")
    assert [(u.op, u.reason) for u in result.unmapped] == [
        ("Transpose", "the operator Transpose has no LightDesign kind")
    ]


# -- against Keras ---------------------------------------------------------------------------------


def keras_twin(keras, op, directions, sequences):
    """The Keras model the ONNX cases stand for."""
    layers = keras.layers
    inputs = keras.Input((STEPS,), dtype="int32")
    x = layers.Embedding(VOCAB, EMBED)(inputs)
    cell = {"LSTM": layers.LSTM, "GRU": layers.GRU, "RNN": layers.SimpleRNN}[op](UNITS, return_sequences=sequences)
    x = layers.Bidirectional(cell)(x) if directions == 2 else cell(x)
    x = layers.Dense(CLASSES, use_bias=not sequences)(x)
    return keras.Model(inputs, x)


@pytest.mark.keras
@pytest.mark.parametrize("case", sorted(CASES))
def test_the_onnx_cases_count_as_keras_does(case):
    import keras

    op, read, directions, layout, kind, sequences = CASES[case]
    extra = {"linear_before_reset": 1} if op == "GRU" else {}
    model = sequence_model(op, read, directions, layout, opset=14 if layout else 17, **extra)
    figures = analyze(import_bytes(model, f"{case}.onnx").design)
    twin = keras_twin(keras, op, directions, sequences)
    assert figures.params == twin.count_params()
    assert figures.output_shape == tuple(twin.output.shape[1:])


# -- TFLite ----------------------------------------------------------------------------------------


class TFLiteModel:
    """A small .tflite file written with TensorFlow's flatbuffer schema (object API)."""

    def __init__(self):
        from tensorflow.lite.python import schema_py_generated as schema

        self.s = schema
        self.model = schema.ModelT()
        self.model.version = 3
        self.model.buffers = [schema.BufferT()]
        self.model.operatorCodes = []
        self.tensors, self.operators, self.codes = [], [], {}
        self.rng = np.random.default_rng(1)

    def tensor(self, shape, data=None, dtype=None, variable=False, name=""):
        s = self.s
        t = s.TensorT()
        t.shape, t.name, t.isVariable = list(shape), name or f"t{len(self.tensors)}", variable
        t.type = s.TensorType.FLOAT32 if dtype is None else dtype
        t.buffer = 0
        if data is not None:
            buffer = s.BufferT()
            buffer.data = np.frombuffer(np.ascontiguousarray(data).tobytes(), np.uint8)
            self.model.buffers.append(buffer)
            t.buffer = len(self.model.buffers) - 1
        self.tensors.append(t)
        return len(self.tensors) - 1

    def weights(self, *shape):
        return self.tensor(shape, self.rng.normal(0, 0.3, shape).astype(np.float32))

    def ints(self, values):
        values = np.asarray(values, np.int32)
        return self.tensor(values.shape, values, self.s.TensorType.INT32)

    def op(self, code, inputs, outputs, options_type=0, options=None):
        s = self.s
        if code not in self.codes:
            oc = s.OperatorCodeT()
            oc.builtinCode, oc.deprecatedBuiltinCode, oc.version = code, min(code, 127), 1
            self.codes[code] = len(self.model.operatorCodes)
            self.model.operatorCodes.append(oc)
        o = s.OperatorT()
        o.opcodeIndex, o.inputs, o.outputs = self.codes[code], list(inputs), list(outputs)
        o.builtinOptionsType, o.builtinOptions = options_type, options
        self.operators.append(o)

    def finish(self, inputs, outputs, bodies=()) -> bytes:
        """The file; ``bodies``: more subgraphs (a WHILE loop's), after the model's."""
        import flatbuffers

        g = self.s.SubGraphT()
        g.tensors, g.operators, g.inputs, g.outputs, g.name = self.tensors, self.operators, inputs, outputs, "main"
        self.model.subgraphs = [g, *bodies]
        builder = flatbuffers.Builder(1024)
        builder.Finish(self.model.Pack(builder), file_identifier=b"TFL3")
        return bytes(builder.Output())


def fused_sequence_model(op="LSTM", read="last", options=None, damaged=False) -> bytes:
    """ids (1, STEPS) -> GATHER -> UNIDIRECTIONAL_SEQUENCE_LSTM (or _RNN) -> the last step (a
    STRIDED_SLICE, as the converter writes return_sequences=False) or the mean over the steps
    -> FULLY_CONNECTED, the way TFLite's converter fuses a Keras LSTM. ``damaged``: the
    STRIDED_SLICE writes no tensor."""
    m = TFLiteModel()
    s = m.s
    ids = m.tensor((1, STEPS), dtype=s.TensorType.INT32, name="ids")
    embedded = m.tensor((1, STEPS, EMBED), name="embedded")
    gather = s.GatherOptionsT()
    m.op(s.BuiltinOperator.GATHER, [m.weights(VOCAB, EMBED), ids], [embedded], s.BuiltinOptions.GatherOptions, gather)
    sequence = m.tensor((1, STEPS, UNITS), name="sequence")
    if op == "LSTM":
        weights = [m.weights(UNITS, EMBED) for _ in range(4)] + [m.weights(UNITS, UNITS) for _ in range(4)]
        biases = [m.weights(UNITS) for _ in range(4)]
        states = [m.tensor((1, UNITS), variable=True, name=f"state{i}") for i in range(2)]
        ins = [embedded, *weights, -1, -1, -1, *biases, -1, -1, *states, -1, -1, -1, -1]
        opts = options or s.UnidirectionalSequenceLSTMOptionsT(fusedActivationFunction=4)
        m.op(
            s.BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM,
            ins,
            [sequence],
            s.BuiltinOptions.UnidirectionalSequenceLSTMOptions,
            opts,
        )
    else:
        state = m.tensor((1, UNITS), variable=True, name="state")
        ins = [embedded, m.weights(UNITS, EMBED), m.weights(UNITS, UNITS), m.weights(UNITS), state]
        opts = options or s.SequenceRNNOptionsT(fusedActivationFunction=4)
        m.op(s.BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_RNN, ins, [sequence], s.BuiltinOptions.SequenceRNNOptions, opts)
    pooled = m.tensor((1, UNITS), name="pooled")
    if read == "last":
        sl = s.StridedSliceOptionsT()
        sl.beginMask, sl.endMask, sl.shrinkAxisMask = 5, 5, 2
        ins = [sequence, m.ints([0, -1, 0]), m.ints([0, 0, 0]), m.ints([1, 1, 1])]
        outs = [] if damaged else [pooled]
        m.op(s.BuiltinOperator.STRIDED_SLICE, ins, outs, s.BuiltinOptions.StridedSliceOptions, sl)
    else:
        mean = s.ReducerOptionsT()
        m.op(s.BuiltinOperator.MEAN, [sequence, m.ints([1])], [pooled], s.BuiltinOptions.ReducerOptions, mean)
    logits = m.tensor((1, CLASSES), name="logits")
    fc = s.FullyConnectedOptionsT()
    ins = [pooled, m.weights(CLASSES, UNITS), m.weights(CLASSES)]
    m.op(s.BuiltinOperator.FULLY_CONNECTED, ins, [logits], s.BuiltinOptions.FullyConnectedOptions, fc)
    return m.finish([ids], [logits])


def interpreter_shape(data: bytes) -> tuple:
    """The output shape TFLite's interpreter computes for the file (batch axis dropped)."""
    import tensorflow as tf

    interpreter = tf.lite.Interpreter(model_content=data)
    interpreter.allocate_tensors()
    (inp,), (out,) = interpreter.get_input_details(), interpreter.get_output_details()
    interpreter.set_tensor(inp["index"], np.arange(STEPS, dtype=np.int32).reshape(1, STEPS) % VOCAB)
    interpreter.invoke()
    return tuple(interpreter.get_tensor(out["index"]).shape[1:])


@pytest.mark.keras
@pytest.mark.parametrize("op", ["LSTM", "RNN"])
@pytest.mark.parametrize("read", ["last", "mean"])
def test_tflite_fused_sequence_ops_import_as_their_kinds(op, read):
    import keras

    data = fused_sequence_model(op, read)
    result = import_bytes(data, "fused.tflite")
    figures = analyze(result.design)
    assert not figures.errors and not result.unmapped, result.unmapped[:1]
    kind = KINDS_OF[op]
    pooled = ["GlobalAveragePooling1D"] if read == "mean" else []
    assert [b.kind for b in result.design.blocks] == ["Embedding", kind, *pooled, "Dense"]
    assert result.design.blocks[1].params == dict(units=UNITS, return_sequences=read == "mean", bidirectional=False)
    layers = keras.layers
    inputs = keras.Input((STEPS,), dtype="int32")
    x = layers.Embedding(VOCAB, EMBED)(inputs)
    x = {"LSTM": layers.LSTM, "RNN": layers.SimpleRNN}[op](UNITS, return_sequences=read == "mean")(x)
    x = layers.GlobalAveragePooling1D()(x) if read == "mean" else x
    twin = keras.Model(inputs, layers.Dense(CLASSES)(x))
    assert figures.params == twin.count_params()
    assert figures.output_shape == interpreter_shape(data) == tuple(twin.output.shape[1:])


KINDS_OF = {"LSTM": "LSTM", "RNN": "SimpleRNN"}


@pytest.mark.keras
def test_tflite_lstm_settings_keras_lacks_stay_opaque():
    from tensorflow.lite.python import schema_py_generated as schema

    options = schema.UnidirectionalSequenceLSTMOptionsT(fusedActivationFunction=4, cellClip=10.0)
    result = import_bytes(fused_sequence_model("LSTM", "last", options), "clip.tflite")
    assert [(u.op, u.reason) for u in result.unmapped] == [
        ("UNIDIRECTIONAL_SEQUENCE_LSTM", "clipping (cell 10, projection 0)")
    ]
    options = schema.UnidirectionalSequenceLSTMOptionsT(fusedActivationFunction=1)
    result = import_bytes(fused_sequence_model("LSTM", "last", options), "relu.tflite")
    assert result.unmapped[0].reason == "fused activation 1 (Keras's LSTM uses tanh)"
    # the opaque layer keeps the file's weights
    assert analyze(result.design).params == keras_params("LSTM")


@pytest.mark.keras
@pytest.mark.parametrize("layer", ["LSTM", "GRU"])
@pytest.mark.parametrize("sequences", [False, True])
def test_a_keras_recurrent_model_converted_to_tflite(tmp_path, layer, sequences):
    """Keras's converter fuses an LSTM into UNIDIRECTIONAL_SEQUENCE_LSTM when it can; Keras 3's
    layers (and every GRU: TFLite has no GRU builtin) become a WHILE loop, which stays opaque
    with its reason and its weights. Either way the totals are Keras's own count."""
    import keras
    import tensorflow as tf

    from lightdesign.importers.tflite import reader

    layers = keras.layers
    inputs = keras.Input((STEPS,), dtype="int32", batch_size=1)
    x = layers.Embedding(VOCAB, EMBED)(inputs)
    x = getattr(layers, layer)(UNITS, return_sequences=sequences)(x)
    x = layers.GlobalAveragePooling1D()(x) if sequences else x
    model = keras.Model(inputs, layers.Dense(CLASSES)(x))
    rng = np.random.default_rng(2)
    for weight in model.weights:  # a zero bias would be folded away by the converter
        weight.assign(rng.normal(0, 0.3, tuple(weight.shape)).astype(np.float32))
    data = tf.lite.TFLiteConverter.from_keras_model(model).convert()
    codes = reader.read_model(data).codes
    result = import_bytes(data, f"{layer}.tflite")
    figures = analyze(result.design)
    assert not figures.errors
    assert figures.params == model.count_params()
    assert figures.output_shape == tuple(model.output.shape[1:])
    kinds = [b.kind for b in result.design.blocks]
    if "UNIDIRECTIONAL_SEQUENCE_LSTM" in codes and layer == "LSTM":
        assert layer in kinds and not result.unmapped
    else:
        assert "WHILE" in codes
        assert kinds == ["Embedding", "Opaque", *(["GlobalAveragePooling1D"] if sequences else []), "Dense"]
        (unmapped,) = result.unmapped
        assert unmapped.op == "WHILE"
        gates = 4 if layer == "LSTM" else 3
        weights = gates * UNITS * (EMBED + UNITS + (2 if layer == "GRU" else 1))
        assert unmapped.reason.startswith("a WHILE loop over subgraph 2 (how the converter writes Keras 3's LSTM")
        assert f"its {weights:,} weights are counted, its MACs are not" in unmapped.reason


def while_model(loops: int, weights: int = 6, damaged: bool = False) -> bytes:
    """x (3, 1, 4) -> ``loops`` WHILE operators in a chain, each looping over subgraph 1 (which
    holds ``weights`` float weights) -> the last step of the last loop (a STRIDED_SLICE
    shrinking the step axis, as the converter writes a Keras 3 LSTM). ``damaged``: the
    STRIDED_SLICE writes no tensor."""
    m = TFLiteModel()
    s = m.s
    x = m.tensor((3, 1, 4), name="x")
    for _ in range(loops):
        y = m.tensor((3, 1, 4))
        options = s.WhileOptionsT()
        options.condSubgraphIndex, options.bodySubgraphIndex = 1, 1
        m.op(s.BuiltinOperator.WHILE, [x], [y], s.BuiltinOptions.WhileOptions, options)
        x = y
    last = m.tensor((1, 4), name="last")
    sl = s.StridedSliceOptionsT()
    sl.shrinkAxisMask = 1
    ins = [x, m.ints([2, 0, 0]), m.ints([3, 1, 4]), m.ints([1, 1, 1])]
    m.op(s.BuiltinOperator.STRIDED_SLICE, ins, [] if damaged else [last], s.BuiltinOptions.StridedSliceOptions, sl)
    body = s.SubGraphT()
    state = s.TensorT()
    state.shape, state.name, state.type, state.buffer = [1, 4], "state", s.TensorType.FLOAT32, 0
    kernel = s.TensorT()
    kernel.shape, kernel.name, kernel.type = [weights], "kernel", s.TensorType.FLOAT32
    buffer = s.BufferT()
    buffer.data = np.frombuffer(np.ones(weights, np.float32).tobytes(), np.uint8)
    m.model.buffers.append(buffer)
    kernel.buffer = len(m.model.buffers) - 1
    body.tensors, body.inputs, body.outputs, body.operators = [state, kernel], [0], [0], []
    return m.finish([0], [last], [body])


@pytest.mark.keras
def test_tflite_while_loops_parse_the_file_once(monkeypatch):
    """A file with many WHILE operators was parsed again for each one, every buffer walked
    each time (100 loops and 100k empty buffers: 16.5 s before, 0.26 s once): the reader
    keeps the parse and each body's count."""
    from lightdesign.importers.tflite import reader

    parsed = []
    real = reader.read_model

    def counted(data):
        parsed.append(len(data))
        return real(data)

    monkeypatch.setattr(reader, "read_model", counted)
    result = import_bytes(while_model(100), "loops.tflite")
    assert len(parsed) == 1
    assert [u.op for u in result.unmapped] == ["WHILE"] * 100
    assert all("its 6 weights are counted" in u.reason for u in result.unmapped)
    assert analyze(result.design).params == 100 * 6
    assert analyze(result.design).output_shape == (4,)


def index_wrap_model(damaged: bool) -> bytes:
    """Keras 3's id wrap before an Embedding, SELECT_V2(LESS(ids, 0), ADD(ids, n), ids) ->
    GATHER; ``damaged``: the SELECT_V2 writes no tensor."""
    m = TFLiteModel()
    s = m.s
    ids = m.tensor((1, STEPS), dtype=s.TensorType.INT32, name="ids")
    negative = m.tensor((1, STEPS), dtype=s.TensorType.BOOL, name="negative")
    shifted = m.tensor((1, STEPS), dtype=s.TensorType.INT32, name="shifted")
    wrapped = m.tensor((1, STEPS), dtype=s.TensorType.INT32, name="wrapped")
    m.op(s.BuiltinOperator.LESS, [ids, m.ints([0])], [negative])
    m.op(s.BuiltinOperator.ADD, [ids, m.ints([VOCAB])], [shifted], s.BuiltinOptions.AddOptions, s.AddOptionsT())
    m.op(s.BuiltinOperator.SELECT_V2, [negative, shifted, ids], [] if damaged else [wrapped])
    embedded = m.tensor((1, STEPS, EMBED), name="embedded")
    gather = s.GatherOptionsT()
    m.op(
        s.BuiltinOperator.GATHER, [m.weights(VOCAB, EMBED), wrapped], [embedded], s.BuiltinOptions.GatherOptions, gather
    )
    return m.finish([ids], [embedded])


DAMAGED_TFLITE = {
    "sequence op's last step": (lambda: fused_sequence_model("LSTM", "last", damaged=True), "STRIDED_SLICE"),
    "while loop's last step": (lambda: while_model(1, damaged=True), "STRIDED_SLICE"),
    "id wrap's select": (lambda: index_wrap_model(damaged=True), "SELECT_V2"),
}


@pytest.mark.keras
@pytest.mark.parametrize("case", sorted(DAMAGED_TFLITE))
def test_a_fused_operator_without_outputs_is_a_damaged_file(case):
    """An operator the importer fuses with the one before it, written with no output, was an
    IndexError (a traceback on the Design page); it is the one line a damaged file gets."""
    from lightdesign.importers import ModelFileError

    build, code = DAMAGED_TFLITE[case]
    with pytest.raises(ModelFileError) as caught:
        import_bytes(build(), "damaged.tflite")
    assert str(caught.value) == f"a {code} operator has no output tensor (damaged file)"


@pytest.mark.keras
def test_the_well_formed_twins_of_the_damaged_files_import():
    for data in (fused_sequence_model("LSTM", "last"), while_model(1), index_wrap_model(False)):
        result = import_bytes(data, "fine.tflite")
        assert not analyze(result.design).errors
    assert [b.kind for b in import_bytes(index_wrap_model(False), "ids.tflite").design.blocks] == ["Embedding"]
