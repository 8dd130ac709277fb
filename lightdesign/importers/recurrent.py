"""Recurrent layers of ONNX and TFLite files -> the LSTM, GRU and SimpleRNN kinds.

ONNX ``LSTM``, ``GRU`` and ``RNN`` run time-major by default: ``X`` is (seq, batch, input),
``Y`` (seq, num_directions, batch, hidden), ``Y_h`` (num_directions, batch, hidden); with
``layout=1`` batch comes first. Exporters wrap them in transposes and squeezes (PyTorch's
``batch_first``: Transpose (1, 0, 2) before, Squeeze + Transpose after; a bidirectional one
Transpose (0, 2, 1, 3) + Reshape). The design's sequence tensor is per sample, (steps,
features), so those reshuffles of the batch and direction axes are followed as pass-throughs
(``onnx_follow``), and which output the graph reads decides ``return_sequences``: the
sequence ``Y`` or the last state ``Y_h`` (a Keras layer returns one of them).

Parameters are counted as Keras holds them: ONNX keeps two bias vectors per gate (input
and recurrent); an LSTM or simple RNN adds them, so its one Keras bias holds their sum, and
the design counts that. A GRU keeps both, as Keras's ``reset_after=True`` GRU does, which is
ONNX's ``linear_before_reset=1`` (PyTorch's form); ``linear_before_reset=0`` is Keras's
``reset_after=False``, which the GRU kind does not have: it stays opaque, and so does
whatever else Keras cannot express (peepholes, clipping, other activations, a reverse-only
direction, initial states, variable lengths, a read cell state).

TFLite has ``UNIDIRECTIONAL_SEQUENCE_LSTM`` and ``UNIDIRECTIONAL_SEQUENCE_RNN`` builtins
(batch-major unless ``time_major``; the sequence out, a STRIDED_SLICE after them taking the
last step when the Keras layer returned only that) and no GRU builtin. Keras 3's recurrent
layers convert to a ``WHILE`` loop over a body subgraph, which LightDesign does not read: it
stays opaque with that reason and with the weights of its body counted.

Weights: a mapped layer records how its Keras weights are read (``weight_values`` of the
importers). ONNX's W [dirs, G*H, I] and R [dirs, G*H, H] become the kernel (I, G*H) and the
recurrent kernel (H, G*H) with the gates put in Keras's order (ONNX's LSTM stacks i, o, f, c,
Keras's i, f, c, o; GRUs z, r, h in both); B [dirs, 2*G*H] becomes the sum of its halves (LSTM,
RNN) or the (2, 3H) input-over-recurrent bias of a reset_after GRU; a bidirectional layer gives
the forward weights, then the backward ones. TFLite's fused LSTM keeps one tensor per gate in
Keras's order (i, f, c, o), (H, I) and (H, H) each: stacked and transposed.

The hooks in ``onnx_model`` and ``tflite`` call these functions; each returns None when it
mapped the node, or the reason it is opaque.
"""

from __future__ import annotations

KINDS = {"LSTM": "LSTM", "GRU": "GRU", "RNN": "SimpleRNN"}
GATES = {"LSTM": 4, "GRU": 3, "RNN": 1}
DEFAULT_ACTIVATIONS = {"LSTM": ["Sigmoid", "Tanh", "Tanh"], "GRU": ["Sigmoid", "Tanh"], "RNN": ["Tanh"]}
TANH = 4  # TFLite's fused activation code for tanh


class _State:
    """What the walk of one file learnt about its sequence tensors."""

    def __init__(self):
        # ONNX tensor -> how its axes differ from the design's per-sample tensor:
        # ("TNF",) a time-major input; ("Y", directions, layout) and ("Yh", directions, layout)
        # a recurrent op's outputs; ("TNH",) a time-major sequence; ("TNDH",) / ("NTDH",) /
        # ("NDH",) on the way from Y or Y_h to a batch-major tensor
        self.tags: dict[str, tuple] = {}
        self.notes: list[str] = []


def _state(reader) -> _State:
    state = getattr(reader, "_recurrent", None)
    if state is None:
        state = _State()
        reader._recurrent = state
    return state


def notes(reader) -> list[str]:
    """The notes the recurrent layers of a file leave on its import."""
    state = getattr(reader, "_recurrent", None)
    return list(state.notes) if state is not None else []


def _note(reader, text: str) -> None:
    state = _state(reader)
    if text not in state.notes:
        state.notes.append(text)


# -- ONNX -----------------------------------------------------------------------------------------


def _read(reader, node) -> set[str]:
    """The outputs of ``node`` that some node or the graph output reads."""
    outputs = {o.name for o in reader.graph.output}
    return {o for o in node.output if o and (reader.consumers.get(o) or o in outputs)}


def onnx_recurrent(reader, node, name: str, attrs: dict, data_in: list[str]) -> str | None:
    """Map an ONNX LSTM, GRU or RNN node; returns None, or why it stays opaque. A layer whose
    settings Keras has no form for stays opaque here, with the shape and axes the Keras layer
    would give, so the squeezes and transposes after it still follow."""
    op = node.op_type
    inputs = list(node.input) + [""] * (8 - len(node.input))
    x, w, r, bias, lengths, h0 = inputs[:6]
    c0, peephole = (inputs[6], inputs[7]) if op == "LSTM" else ("", "")
    if not reader.is_const(w) or not reader.is_const(r):
        return "its weights are computed in the graph"
    w_dims, r_dims = list(reader.tensor(w).dims), list(reader.tensor(r).dims)
    gates = GATES[op]
    if len(w_dims) != 3 or len(r_dims) != 3 or w_dims[1] % gates:
        return f"weights of shapes {w_dims} and {r_dims}"
    directions, units, features = w_dims[0], w_dims[1] // gates, w_dims[2]
    layout = int(attrs.get("layout", 0))
    tag = _state(reader).tags.get(x)
    if layout == 0 and tag != ("TNF",):
        return "its input is not known to be time-major (expected a Transpose (1, 0, 2) of the sequence)"
    if layout == 1 and (tag is not None or not reader.in_file_order(x)):
        return "its input's axes are not (batch, steps, features)"
    shape = reader.b.shape(x)
    if shape is None or len(shape) != 2 or shape[1] != features:
        return f"its input {shape} is not a sequence of {features} features"
    read = _read(reader, node)
    y, y_h, y_c = (list(node.output) + ["", "", ""])[:3]
    if y_c and y_c in read:
        return "its cell state Y_c is read; a Keras layer returns its output only"
    if y in read and y_h in read:
        return "both its sequence Y and its last state Y_h are read; a Keras layer returns one of them"
    sequences = y in read or y_h not in read
    out = y if sequences else y_h
    if not out:
        return "it has no output the graph reads"
    width = directions * units
    direction = attrs.get("direction", "forward")
    why = None
    if direction == "reverse":
        why = "it runs backwards only (direction='reverse')"
    elif (direction == "bidirectional") != (directions == 2) or int(attrs.get("hidden_size", units)) != units:
        why = f"direction {direction!r} with weights for {directions} direction(s)"
    else:
        why = _refused(reader, node, op, attrs, bias, lengths, h0, c0, peephole, directions, x)
    new_tag = ("Y" if sequences else "Yh", directions, layout)
    if why:
        count = sum(reader.size(i) for i in (w, r, bias, peephole) if i and reader.is_const(i))
        shape_out = (shape[0], width) if sequences else (width,)
        block = reader.b.opaque(out, name, op, [x], shape_out, (count, 0), why)
        reader.file_order.add(block)  # (steps, width) as in the file
        for other in node.output:
            if other and other != out:
                reader.b.alias(other, out)
        _state(reader).tags[out] = new_tag
        return None
    kind = KINDS[op]
    biases = reader.size(bias)
    count = reader.size(w) + reader.size(r) + (biases if op == "GRU" else biases // 2)
    params = dict(units=units, return_sequences=sequences, bidirectional=directions == 2)
    stacked = gates * units
    shapes = [(features, stacked), (units, stacked), (2, stacked) if op == "GRU" else (stacked,)] * directions
    block = reader.add(node, name, kind, params, [x], (count, 0), out=out, shapes=shapes)
    # Keras's weights, direction by direction (a Bidirectional layer holds the forward
    # layer's, then the backward one's): kernel, recurrent kernel, bias
    parts = (("rnn_kernel", w), ("rnn_kernel", r), ("rnn_bias", bias))
    recipe = [(how, tensor, (op, d)) for d in range(directions) for how, tensor in parts]
    reader.record(block, kind, recipe)
    reader.file_order.add(block)  # a sequence (steps, width) as in the file, features last
    last = reader.b.blocks[-1] if reader.b.blocks else None
    _state(reader).tags[out] = new_tag
    if last is not None and last.name == block and last.kind == kind and op != "GRU":
        _note(
            reader,
            f"{op}: ONNX keeps an input and a recurrent bias per gate; Keras's one bias holds their sum,"
            " so the design counts half the file's bias values",
        )
    return None


# The gates of ONNX's weights, in Keras's order: ONNX's LSTM stacks them i, o, f, c and
# Keras's i, f, c, o; both GRUs stack z, r, h (update, reset, candidate); an RNN has one.
KERAS_GATE_ORDER = {"LSTM": (0, 2, 3, 1), "GRU": (0, 1, 2), "RNN": (0,)}


def keras_gates(a, op: str):
    """``a``'s first axis, ONNX's gates one after the other, put in Keras's gate order."""
    import numpy as np

    parts = np.split(a, GATES[op])
    return np.concatenate([parts[i] for i in KERAS_GATE_ORDER[op]])


def onnx_weight(layout: str, a, extra):
    """One Keras weight of a recurrent layer from an ONNX tensor (``onnx_model._Reader.array``).
    ``extra``: (op, direction). 'rnn_kernel': W [dirs, G*H, I] or R [dirs, G*H, H] ->
    Keras's kernel (I, G*H) or recurrent kernel (H, G*H). 'rnn_bias': B [dirs, 2*G*H], the
    input biases then the recurrent ones -> an LSTM's or RNN's one bias, their sum (G*H,), or
    a reset_after GRU's (2, G*H), the input bias above the recurrent one."""
    import numpy as np

    op, direction = extra
    a = a[direction]
    if layout == "rnn_kernel":
        return np.ascontiguousarray(keras_gates(a, op).T)
    inputs, recurrents = np.split(a.reshape(-1), 2)
    if op == "GRU":
        return np.stack([keras_gates(inputs, op), keras_gates(recurrents, op)])
    return keras_gates(inputs + recurrents, op)


def _refused(reader, node, op, attrs, bias, lengths, h0, c0, peephole, directions, x) -> str | None:
    """Settings of an ONNX recurrent node that Keras's layer does not have."""
    if not bias:
        return "a recurrent layer without bias (LightDesign's recurrent kinds have one)"
    if not reader.is_const(bias):
        return "its bias is computed in the graph"
    if peephole:
        return "an LSTM with peephole connections"
    if attrs.get("clip") is not None:
        return f"cell clipping at {attrs['clip']:g}"
    if int(attrs.get("input_forget", 0)):
        return "an LSTM with coupled input and forget gates (input_forget=1)"
    if op == "GRU" and int(attrs.get("linear_before_reset", 0)) != 1:
        return (
            "a GRU with linear_before_reset=0: Keras's reset_after=False form, which LightDesign's GRU"
            " (reset_after=True, PyTorch's linear_before_reset=1) does not have"
        )
    activations = next(
        (
            [v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in a.strings]
            for a in node.attribute
            if a.name == "activations"
        ),
        [],
    )
    if activations and activations != DEFAULT_ACTIVATIONS[op] * directions:
        return f"activations {activations} (Keras's {op} uses {DEFAULT_ACTIVATIONS[op]})"
    if lengths:
        steps = (reader.b.shape(x) or (0,))[0]
        values = reader.values(lengths, 4096)
        if values is None or any(int(v) != steps for v in values):
            return "variable sequence lengths (sequence_lens)"
    for state, what in ((h0, "initial_h"), (c0, "initial_c")):
        if state:
            values = reader.values(state, 1 << 16)
            if values is None or any(values):
                return f"a given initial state ({what})"
    return None


def _axes(reader, node, attrs) -> list[int] | None:
    axes = attrs.get("axes")
    if axes is None and len(node.input) > 1 and node.input[1]:
        axes = reader.values(node.input[1], 8)
    return None if axes is None else [int(a) for a in axes]


def _target_rank(reader, node) -> int | None:
    target = reader.shapes.get(node.output[0])
    if target is None and len(node.input) > 1:
        target = reader.values(node.input[1], 8)
    return len(target) if target else None


def onnx_follow(reader, node, attrs: dict, data_in: list[str]) -> bool:
    """Follow a Transpose, Squeeze, Reshape or Gather that only moves the batch, time or
    direction axes of a recurrent layer's input or output: the node passes its input
    through (True). False: not such a node; the usual mapping applies."""
    if not data_in or not node.output:
        return False
    x, out = node.input[0], node.output[0]
    state = _state(reader)
    tag = state.tags.get(x)
    op = node.op_type
    new: tuple | None | bool = False  # False: not followed; None: a plain (batch-major) tensor
    if op == "Transpose":
        perm = [int(p) for p in attrs.get("perm") or []]
        # a batch-major sequence (an embedding's, not a channels-first tensor) made time-major
        if tag is None and perm == [1, 0, 2] and reader.in_file_order(x) and _feeds_recurrent(reader, out):
            new = ("TNF",)
        elif tag == ("TNH",) and perm == [1, 0, 2]:
            new = None
        elif tag is not None and tag[0] == "Y" and tag[2] == 0 and perm == [0, 2, 1, 3]:
            new = ("TNDH",)
        elif tag is not None and tag[0] == "Y" and tag[2] == 0 and perm == [2, 0, 1, 3]:
            new = ("NTDH",)
        elif tag is not None and tag[0] == "Yh" and tag[2] == 0 and perm == [1, 0, 2]:
            new = ("NDH",)
    elif op == "Squeeze" and tag is not None and tag[0] in ("Y", "Yh") and tag[1] == 1:
        axes = _axes(reader, node, attrs)
        want = {("Y", 0): [1], ("Y", 1): [2], ("Yh", 0): [0], ("Yh", 1): [1]}[(tag[0], tag[2])]
        if axes is not None and [a % (4 if tag[0] == "Y" else 3) for a in axes] == want:
            new = ("TNH",) if (tag[0], tag[2]) == ("Y", 0) else None
    elif op == "Reshape" and tag is not None:
        rank = _target_rank(reader, node)
        single = len(tag) == 3 and tag[1] == 1  # one direction: its axis has size 1
        if rank == 3 and (tag == ("TNDH",) or tag[0] == "Y" and tag[2] == 0 and single):
            new = ("TNH",)
        elif rank == 3 and (tag == ("NTDH",) or tag[0] == "Y" and tag[2] == 1):
            new = None
        elif rank == 2 and (tag == ("NDH",) or tag[0] == "Yh" and (tag[2] == 1 or single)):
            new = None
    elif op == "Gather" and tag is not None and tag[0] == "Yh" and tag[1] == 1:
        index = reader.values(node.input[1], 1) if len(node.input) > 1 else None
        axis = int(attrs.get("axis", 0))
        if index is not None and len(index) == 1 and int(index[0]) in (0, -1) and axis == tag[2]:
            new = None
    if new is False:
        return False
    reader.b.alias(out, x)
    if new is None:
        state.tags.pop(out, None)
    else:
        state.tags[out] = new
    return True


def _feeds_recurrent(reader, tensor: str) -> bool:
    """Whether every reader of ``tensor`` is a time-major recurrent op reading it as X."""
    found = reader.consumers.get(tensor, [])
    return bool(found) and all(
        reader.nodes[k].op_type in KINDS
        and reader.nodes[k].input[0] == tensor
        and not any(a.name == "layout" and a.i == 1 for a in reader.nodes[k].attribute)
        for k in found
    )


# -- TFLite ---------------------------------------------------------------------------------------


def tflite_sequence(reader, code: str, tid: str, name: str, options, ins: list[int], outs: list[int]) -> str | None:
    """Map a TFLite UNIDIRECTIONAL_SEQUENCE_LSTM or _RNN operator; None, or why it stays opaque.
    Settings Keras has no form for keep it opaque here with the Keras layer's shape (and the
    last-step slice after it read), so what follows still maps."""
    lstm = code == "UNIDIRECTIONAL_SEQUENCE_LSTM"
    if options is None:
        return "no options"
    ins = list(ins) + [-1] * (24 - len(ins))
    weights, biases = (ins[1:9], ins[12:16]) if lstm else (ins[1:3], ins[3:4])
    given = [i for i in weights if i >= 0]
    if not given or any(i not in reader.constant for i in given):
        return "its weights are not constants"
    kernel = reader.tensors[weights[1] if lstm else weights[0]].shape  # input-to-forget: an LSTM always has it
    if len(kernel) != 2:
        return f"input weights of shape {kernel}"
    units, features = kernel
    x = str(ins[0])
    shape = reader.b.shape(x)
    if shape is None or len(shape) != 2 or shape[1] != features:
        return f"its input {shape} is not a sequence of {features} features"
    if lstm:
        fused, cell_clip, proj_clip = options.scalar(0, "<b"), options.scalar(1, "<f"), options.scalar(2, "<f")
        time_major = bool(options.scalar(3, "<B"))
    else:
        time_major, fused, cell_clip, proj_clip = bool(options.scalar(0, "<B")), options.scalar(1, "<b"), 0, 0
    if time_major:
        return "a time-major sequence (time_major=true)"
    out, sequences = tid, True
    k = reader.only_consumer(outs[0])
    if k is not None and _last_step(reader, k, outs[0], shape[0]):
        reader.skip.add(k)
        out, sequences = str(reader.output(k)), False
    why = None
    if cell_clip or proj_clip:
        why = f"clipping (cell {cell_clip:g}, projection {proj_clip:g})"
    elif fused != TANH:
        why = f"fused activation {fused} (Keras's {'LSTM' if lstm else 'SimpleRNN'} uses tanh)"
    elif lstm and ins[1] < 0:
        why = "an LSTM with coupled input and forget gates (no input gate weights)"
    elif lstm and any(i >= 0 for i in ins[9:12]):
        why = "an LSTM with peephole connections"
    elif lstm and (ins[16] >= 0 or ins[17] >= 0):
        why = "an LSTM with a projection layer"
    elif lstm and any(i >= 0 for i in ins[20:24]):
        why = "an LSTM with layer normalisation"
    elif any(i < 0 or i not in reader.constant for i in [*weights, *biases]):
        why = "a recurrent layer without bias (LightDesign's recurrent kinds have one)"
    extra = [*ins[9:12], *ins[16:18], *ins[20:24]] if lstm else []
    count = sum(reader.tensors[i].size for i in [*weights, *biases, *extra] if i >= 0 and i in reader.constant)
    if why:
        reader.b.opaque(out, name, code, [x], (shape[0], units) if sequences else (units,), (count, 0), why)
    else:
        kind = "LSTM" if lstm else "SimpleRNN"
        gates = 4 if lstm else 1
        shapes = [(features, gates * units), (units, gates * units), (gates * units,)]
        params = dict(units=units, return_sequences=sequences)
        block = reader.b.add(out, name, code, kind, params, [x], (count, 0), shapes)
        # Keras's kernel, recurrent kernel and bias; an LSTM's from its per-gate tensors (i, f,
        # c, o: TFLite's order is Keras's), each (units, features) or (units, units) or (units,)
        if lstm:
            recipe = [
                ("gates", tuple(ins[1:5]), None),
                ("gates", tuple(ins[5:9]), None),
                ("gates", tuple(ins[12:16]), None),
            ]
        else:
            recipe = [("dense", ins[1], None), ("dense", ins[2], None), ("vector", ins[3], 0.0)]
        reader.record(block, kind, recipe)
    if out != tid:
        reader.b.alias(tid, out)  # the full sequence has no reader but the slice
    return None


def _last_step(reader, k: int, tensor: int, steps: int) -> bool:
    """Whether operator ``k`` is a STRIDED_SLICE of (batch, steps, units) taking the last step."""
    code, op, ins, _ = reader.ops[k]
    if code != "STRIDED_SLICE" or len(ins) < 4 or ins[0] != tensor:
        return False
    begin, end, strides = (reader.values(i, 8) for i in ins[1:4])
    options = op.table(4)
    if not begin or not end or not strides or len(begin) != 3 or options is None:
        return False
    begin_mask, end_mask, shrink = options.scalar(0, "<i"), options.scalar(1, "<i"), options.scalar(4, "<i")
    last = int(begin[1]) in (-1, steps - 1) and not begin_mask & 2
    whole = all((begin_mask >> a & 1 or int(begin[a]) == 0) and (end_mask >> a & 1) for a in (0, 2))
    return bool(shrink & 2) and last and whole and all(int(s) == 1 for s in strides)


def tflite_while(reader, tid: str, name: str, options, ins: list[int], outs: list[int], data_in: list[int]) -> None:
    """A WHILE loop stays opaque: its body's weights are counted and its output shape is the
    shape of the loop output the graph reads, (steps, units) for a time-major sequence. The
    file was parsed once (``reader.graphs``) and each body's count is kept: a file with many
    WHILE operators reads each body once."""
    from lightdesign.importers.tflite.mapper import _Tensor

    body = options.scalar(1, "<i") if options is not None else -1
    count = 0
    if 0 < body < len(reader.graphs):
        if body not in reader.body_weights:
            for table in reader.graphs[body].tables(0):
                t = _Tensor(-1, table)
                if t.buffer in reader.filled and t.buffer > 0 and t.type not in (2, 4, 6) and t.size > 1:
                    count += t.size
            reader.body_weights[body] = count
        count = reader.body_weights[body]
    read = [o for o in outs if reader.consumers.get(o)]
    shape = None
    target = str(read[0]) if read else tid
    if read:
        signature = reader.tensors[read[0]].signature
        if len(signature) == 3 and signature[1] == 1 and all(d > 0 for d in signature):
            shape = (signature[0], signature[2])  # (steps, batch 1, units): a time-major sequence
            k = reader.only_consumer(read[0])
            if k is not None and _time_step(reader, k, read[0]):
                reader.skip.add(k)  # the last step of it: the loop's output is (units,)
                target, shape = str(reader.output(k)), (signature[2],)
        else:
            shape = reader.dims(read[0])
    reason = (
        f"a WHILE loop over subgraph {body} (how the converter writes Keras 3's LSTM, GRU and SimpleRNN);"
        f" LightDesign does not read loop bodies: its {count:,} weights are counted, its MACs are not"
    )
    x = [str(i) for i in data_in if len(reader.b.shape(str(i)) or ()) >= 2][-1:] or [str(data_in[0])]
    reader.b.opaque(target, name, "WHILE", x, shape, (count, 0), reason)
    for o in outs:
        if str(o) != target:
            reader.b.alias(str(o), target)
    return None


def _time_step(reader, k: int, tensor: int) -> bool:
    """Whether operator ``k`` is a STRIDED_SLICE of (steps, batch, units) taking one step (the
    last one of a loop's outputs) with the step axis shrunk away."""
    code, op, ins, _ = reader.ops[k]
    if code != "STRIDED_SLICE" or len(ins) < 4 or ins[0] != tensor:
        return False
    strides = reader.values(ins[3], 8)
    options = op.table(4)
    shrink = options.scalar(4, "<i") if options is not None else 0
    return bool(strides) and all(int(v) == 1 for v in strides) and shrink == 1


def tflite_follow(reader, ins: list[int], outs: list[int], data_in: list[int]) -> bool:
    """A RESHAPE or TRANSPOSE that swaps a batch of 1 with the steps of a sequence, (1, steps,
    features) <-> (steps, 1, features), around a WHILE loop (Keras 3's recurrent layers run
    time-major): the design's per-sample sequence is the same, so it passes through (True)."""
    if not data_in or not outs:
        return False
    before, after = reader.tensors[ins[0]].signature, reader.tensors[outs[0]].signature
    if len(before) != 3 or len(after) != 3 or before[0] != 1 or after[1] != 1:
        if not (len(before) == 3 and len(after) == 3 and before[1] == 1 and after[0] == 1):
            return False
    if sorted(before) != sorted(after) or before[2] != after[2] or before == after:
        return False
    near = [reader.ops[k][0] for k in reader.consumers.get(outs[0], [])]
    producer = reader.producer.get(ins[0])
    if producer is not None:
        near.append(reader.ops[producer][0])
    if "WHILE" not in near:
        return False
    reader.b.alias(str(outs[0]), str(data_in[0]))
    return True


def tflite_index_wrap(reader, k: int, ins: list[int], outs: list[int]) -> bool:
    """Keras 3's Embedding wraps negative ids: SELECT(LESS(ids, 0), ADD(ids, n), ids). For the
    ids an Embedding accepts it passes them through: the three operators are skipped and the
    SELECT's output stands for the ids (True). ``k`` is the LESS operator."""
    if len(ins) != 2 or ins[0] < 0:
        return False
    zero = reader.values(ins[1], 1)
    select = reader.only_consumer(outs[0])
    if zero != [0] or select is None or reader.ops[select][0] not in ("SELECT", "SELECT_V2"):
        return False
    cond, when_negative, otherwise = (list(reader.ops[select][2]) + [-1, -1, -1])[:3]
    add = reader.producer.get(when_negative)
    if cond != outs[0] or otherwise != ins[0] or add is None or reader.ops[add][0] != "ADD":
        return False
    add_ins = reader.ops[add][2]
    if ins[0] not in add_ins or reader.only_consumer(when_negative) != select:
        return False
    shift = [i for i in add_ins if i != ins[0]]
    if len(shift) != 1 or not reader.values(shift[0], 1):
        return False
    reader.skip.update((add, select))
    reader.meta.update(outs)
    reader.b.alias(str(reader.output(select)), str(ins[0]))
    return True
