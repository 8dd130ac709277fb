"""Recurrent layers of ONNX files -> the LSTM, GRU and SimpleRNN kinds.

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

Weights: a mapped layer records how its Keras weights are read (``weight_values`` of the
importers). ONNX's W [dirs, G*H, I] and R [dirs, G*H, H] become the kernel (I, G*H) and the
recurrent kernel (H, G*H) with the gates put in Keras's order (ONNX's LSTM stacks i, o, f, c,
Keras's i, f, c, o; GRUs z, r, h in both); B [dirs, 2*G*H] becomes the sum of its halves (LSTM,
RNN) or the (2, 3H) input-over-recurrent bias of a reset_after GRU; a bidirectional layer gives
the forward weights, then the backward ones.

The hooks in ``onnx.mapper`` call these functions; each returns None when it
mapped the node, or the reason it is opaque.
"""

from __future__ import annotations

KINDS = {"LSTM": "LSTM", "GRU": "GRU", "RNN": "SimpleRNN"}
GATES = {"LSTM": 4, "GRU": 3, "RNN": 1}
DEFAULT_ACTIVATIONS = {"LSTM": ["Sigmoid", "Tanh", "Tanh"], "GRU": ["Sigmoid", "Tanh"], "RNN": ["Tanh"]}


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
