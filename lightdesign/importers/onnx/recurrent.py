"""ONNX recurrent layers -> the LSTM, GRU and SimpleRNN kinds.

ONNX ``LSTM``, ``GRU`` and ``RNN`` run time-major by default: ``X`` is (seq, batch, input),
``Y`` (seq, num_directions, batch, hidden), ``Y_h`` (num_directions, batch, hidden); with
``layout=1`` batch comes first. Exporters wrap them in transposes and squeezes (PyTorch's
``batch_first``: Transpose (1, 0, 2) before, Squeeze + Transpose after; a bidirectional one
Transpose (0, 2, 1, 3) + Reshape). The design's sequence tensor is per sample, (steps,
features), so those reshuffles of the batch and direction axes are followed as pass-throughs
(``sequences.follow``), and which output the graph reads decides ``return_sequences``: the
sequence ``Y`` or the last state ``Y_h`` (a Keras layer returns one of them).

Parameters are counted as Keras holds them: ONNX keeps two bias vectors per gate (input
and recurrent); an LSTM or simple RNN adds them, so its one Keras bias holds their sum, and
the design counts that. A GRU keeps both, as Keras's ``reset_after=True`` GRU does, which is
ONNX's ``linear_before_reset=1`` (PyTorch's form); ``linear_before_reset=0`` is Keras's
``reset_after=False``, which the GRU kind does not have: it stays opaque, and so does
whatever else Keras cannot express (peepholes, clipping, other activations, a reverse-only
direction, initial states, variable lengths, a read cell state).

Weights: a mapped layer records how its Keras weights are read (``keras_weight``). ONNX's
W [dirs, G*H, I] and R [dirs, G*H, H] become the kernel (I, G*H) and the recurrent kernel
(H, G*H) with the gates put in Keras's order (ONNX's LSTM stacks i, o, f, c, Keras's i, f, c,
o; GRUs z, r, h in both); B [dirs, 2*G*H] becomes the sum of its halves (LSTM, RNN) or the
(2, 3H) input-over-recurrent bias of a reset_after GRU; a bidirectional layer gives the
forward weights, then the backward ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lightdesign.core.symbolic import Unmappable

if TYPE_CHECKING:
    from lightdesign.importers.onnx.mapper import Mapper

KINDS = {"LSTM": "LSTM", "GRU": "GRU", "RNN": "SimpleRNN"}
GATES = {"LSTM": 4, "GRU": 3, "RNN": 1}
DEFAULT_ACTIVATIONS = {"LSTM": ["Sigmoid", "Tanh", "Tanh"], "GRU": ["Sigmoid", "Tanh"], "RNN": ["Tanh"]}
# The gates of ONNX's weights, in Keras's order: ONNX's LSTM stacks them i, o, f, c and
# Keras's i, f, c, o; both GRUs stack z, r, h (update, reset, candidate); an RNN has one.
KERAS_GATE_ORDER = {"LSTM": (0, 2, 3, 1), "GRU": (0, 1, 2), "RNN": (0,)}


def layer(m: Mapper, node, name, attrs, data_in):
    """An LSTM, GRU or RNN node."""
    why = _map(m, node, name, attrs, data_in)
    if why:
        raise Unmappable(why)


def _read(m: Mapper, node) -> set[str]:
    """The outputs of ``node`` that some node or the graph output reads."""
    outputs = {o.name for o in m.graph.outputs}
    return {o for o in node.output if o and (m.graph.consumers.get(o) or o in outputs)}


def _map(m: Mapper, node, name: str, attrs: dict, data_in: list[str]) -> str | None:
    """Map an ONNX LSTM, GRU or RNN node; returns None, or why it stays opaque. A layer whose
    settings Keras has no form for stays opaque here, with the shape and axes the Keras layer
    would give, so the squeezes and transposes after it still follow."""
    op = node.op_type
    inputs = list(node.input) + [""] * (8 - len(node.input))
    x, w, r, bias, lengths, h0 = inputs[:6]
    c0, peephole = (inputs[6], inputs[7]) if op == "LSTM" else ("", "")
    if not m.graph.is_const(w) or not m.graph.is_const(r):
        return "its weights are computed in the graph"
    w_dims, r_dims = list(m.graph.tensor(w).dims), list(m.graph.tensor(r).dims)
    gates = GATES[op]
    if len(w_dims) != 3 or len(r_dims) != 3 or w_dims[1] % gates:
        return f"weights of shapes {w_dims} and {r_dims}"
    directions, units, features = w_dims[0], w_dims[1] // gates, w_dims[2]
    layout = int(attrs.get("layout", 0))
    tag = m.sequence_tags.get(x)
    if layout == 0 and tag != ("TNF",):
        return "its input is not known to be time-major (expected a Transpose (1, 0, 2) of the sequence)"
    if layout == 1 and (tag is not None or not m.layout.in_file_order(x)):
        return "its input's axes are not (batch, steps, features)"
    shape = m.b.shape(x)
    if shape is None or len(shape) != 2 or shape[1] != features:
        return f"its input {shape} is not a sequence of {features} features"
    read = _read(m, node)
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
        why = _refused(m, node, op, attrs, bias, lengths, h0, c0, peephole, directions, x)
    new_tag = ("Y" if sequences else "Yh", directions, layout)
    if why:
        count = sum(m.graph.size(i) for i in (w, r, bias, peephole) if i and m.graph.is_const(i))
        shape_out = (shape[0], width) if sequences else (width,)
        block = m.b.opaque(out, name, op, [x], shape_out, (count, 0), why)
        m.layout.file_order.add(block)  # (steps, width) as in the file
        for other in node.output:
            if other and other != out:
                m.b.alias(other, out)
        m.sequence_tags[out] = new_tag
        return None
    kind = KINDS[op]
    biases = m.graph.size(bias)
    count = m.graph.size(w) + m.graph.size(r) + (biases if op == "GRU" else biases // 2)
    params = dict(units=units, return_sequences=sequences, bidirectional=directions == 2)
    stacked = gates * units
    shapes = [(features, stacked), (units, stacked), (2, stacked) if op == "GRU" else (stacked,)] * directions
    block = m.add(node, name, kind, params, [x], (count, 0), out=out, shapes=shapes)
    # Keras's weights, direction by direction (a Bidirectional layer holds the forward
    # layer's, then the backward one's): kernel, recurrent kernel, bias
    parts = (("rnn_kernel", w), ("rnn_kernel", r), ("rnn_bias", bias))
    recipe = [(how, tensor, (op, d)) for d in range(directions) for how, tensor in parts]
    m.record(block, kind, recipe)
    m.layout.file_order.add(block)  # a sequence (steps, width) as in the file, features last
    last = m.b.blocks[-1] if m.b.blocks else None
    m.sequence_tags[out] = new_tag
    if last is not None and last.name == block and last.kind == kind and op != "GRU":
        m.note(
            f"{op}: ONNX keeps an input and a recurrent bias per gate; Keras's one bias holds their sum,"
            " so the design counts half the file's bias values",
        )
    return None


def _refused(m: Mapper, node, op, attrs, bias, lengths, h0, c0, peephole, directions, x) -> str | None:
    """Settings of an ONNX recurrent node that Keras's layer does not have."""
    if not bias:
        return "a recurrent layer without bias (LightDesign's recurrent kinds have one)"
    if not m.graph.is_const(bias):
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
        steps = (m.b.shape(x) or (0,))[0]
        values = m.graph.values(lengths, 4096)
        if values is None or any(int(v) != steps for v in values):
            return "variable sequence lengths (sequence_lens)"
    for state, what in ((h0, "initial_h"), (c0, "initial_c")):
        if state:
            values = m.graph.values(state, 1 << 16)
            if values is None or any(values):
                return f"a given initial state ({what})"
    return None


def keras_gates(a, op: str):
    """``a``'s first axis, ONNX's gates one after the other, put in Keras's gate order."""
    import numpy as np

    parts = np.split(a, GATES[op])
    return np.concatenate([parts[i] for i in KERAS_GATE_ORDER[op]])


def keras_weight(layout: str, a, extra):
    """One Keras weight of a recurrent layer from an ONNX tensor (``weights.array``).
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
