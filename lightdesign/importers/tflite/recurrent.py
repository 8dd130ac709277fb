"""TFLite recurrent layers -> the LSTM and SimpleRNN kinds, and what the converter writes
around Keras 3's recurrent layers and embeddings.

TFLite has ``UNIDIRECTIONAL_SEQUENCE_LSTM`` and ``UNIDIRECTIONAL_SEQUENCE_RNN`` builtins
(batch-major unless ``time_major``; the sequence out, a STRIDED_SLICE after them taking the
last step when the Keras layer returned only that) and no GRU builtin. Keras 3's recurrent
layers convert to a ``WHILE`` loop over a body subgraph, which LightDesign does not read: it
stays opaque with that reason and with the weights of its body counted; the RESHAPE or
TRANSPOSE that makes its sequence time-major passes through (``follow``). Whatever Keras
cannot express (clipping, peepholes, a projection, layer normalisation, coupled gates,
another activation, a time-major input) stays opaque with the Keras layer's shape.

Weights: TFLite's fused LSTM keeps one tensor per gate in Keras's order (i, f, c, o), (H, I)
and (H, H) each: stacked and transposed (the ``gates`` layout of ``weights.array``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lightdesign.core.symbolic import Unmappable

if TYPE_CHECKING:
    from lightdesign.importers.tflite.mapper import Mapper

TANH = 4  # TFLite's fused activation code for tanh


def sequence_lstm(m: Mapper, tid, name, op, options, ins, outs, data_in):
    why = _sequence(m, "UNIDIRECTIONAL_SEQUENCE_LSTM", tid, name, options, ins, outs)
    if why:
        raise Unmappable(why)


def sequence_rnn(m: Mapper, tid, name, op, options, ins, outs, data_in):
    why = _sequence(m, "UNIDIRECTIONAL_SEQUENCE_RNN", tid, name, options, ins, outs)
    if why:
        raise Unmappable(why)


def _sequence(m: Mapper, code: str, tid: str, name: str, options, ins: list[int], outs: list[int]) -> str | None:
    """Map a UNIDIRECTIONAL_SEQUENCE_LSTM or _RNN operator; None, or why it stays opaque.
    Settings Keras has no form for keep it opaque here with the Keras layer's shape (and the
    last-step slice after it read), so what follows still maps."""
    lstm = code == "UNIDIRECTIONAL_SEQUENCE_LSTM"
    if options is None:
        return "no options"
    ins = list(ins) + [-1] * (24 - len(ins))
    weights, biases = (ins[1:9], ins[12:16]) if lstm else (ins[1:3], ins[3:4])
    given = [i for i in weights if i >= 0]
    if not given or any(i not in m.graph.constant for i in given):
        return "its weights are not constants"
    kernel = m.graph.tensors[weights[1] if lstm else weights[0]].shape  # input-to-forget: an LSTM always has it
    if len(kernel) != 2:
        return f"input weights of shape {kernel}"
    units, features = kernel
    x = str(ins[0])
    shape = m.b.shape(x)
    if shape is None or len(shape) != 2 or shape[1] != features:
        return f"its input {shape} is not a sequence of {features} features"
    fused, cell_clip, proj_clip, time_major = _settings(options, lstm)
    if time_major:
        return "a time-major sequence (time_major=true)"
    out, sequences = tid, True
    k = m.graph.only_consumer(outs[0])
    if k is not None and _last_step(m, k, outs[0], shape[0]):
        m.skip.add(k)
        out, sequences = str(m.graph.output(k)), False
    why = _refused(m, ins, lstm, [*weights, *biases], fused, cell_clip, proj_clip)
    extra = [*ins[9:12], *ins[16:18], *ins[20:24]] if lstm else []
    count = sum(m.graph.tensors[i].size for i in [*weights, *biases, *extra] if i >= 0 and i in m.graph.constant)
    if why:
        m.b.opaque(out, name, code, [x], (shape[0], units) if sequences else (units,), (count, 0), why)
    else:
        _add(m, out, name, code, ins, x, (units, features), sequences, count)
    if out != tid:
        m.b.alias(tid, out)  # the full sequence has no reader but the slice
    return None


def _settings(options, lstm: bool) -> tuple[int, float, float, bool]:
    """(fused activation, cell clip, projection clip, time major) of the operator's options."""
    if lstm:
        fused, cell_clip, proj_clip = options.scalar(0, "<b"), options.scalar(1, "<f"), options.scalar(2, "<f")
        return fused, cell_clip, proj_clip, bool(options.scalar(3, "<B"))
    return options.scalar(1, "<b"), 0, 0, bool(options.scalar(0, "<B"))


def _refused(m: Mapper, ins: list[int], lstm: bool, weights: list[int], fused, cell_clip, proj_clip) -> str | None:
    """Why a recurrent operator's settings have no Keras form, or None."""
    if cell_clip or proj_clip:
        return f"clipping (cell {cell_clip:g}, projection {proj_clip:g})"
    if fused != TANH:
        return f"fused activation {fused} (Keras's {'LSTM' if lstm else 'SimpleRNN'} uses tanh)"
    if lstm and ins[1] < 0:
        return "an LSTM with coupled input and forget gates (no input gate weights)"
    if lstm and any(i >= 0 for i in ins[9:12]):
        return "an LSTM with peephole connections"
    if lstm and (ins[16] >= 0 or ins[17] >= 0):
        return "an LSTM with a projection layer"
    if lstm and any(i >= 0 for i in ins[20:24]):
        return "an LSTM with layer normalisation"
    if any(i < 0 or i not in m.graph.constant for i in weights):
        return "a recurrent layer without bias (LightDesign's recurrent kinds have one)"
    return None


def _add(m: Mapper, out: str, name: str, code: str, ins: list[int], x: str, kernel, sequences: bool, count: int):
    """The LSTM or SimpleRNN block, with how its Keras weights are read."""
    lstm = code == "UNIDIRECTIONAL_SEQUENCE_LSTM"
    units, features = kernel
    kind = "LSTM" if lstm else "SimpleRNN"
    gates = 4 if lstm else 1
    shapes = [(features, gates * units), (units, gates * units), (gates * units,)]
    params = dict(units=units, return_sequences=sequences)
    block = m.b.add(out, name, code, kind, params, [x], (count, 0), shapes)
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
    m.record(block, kind, recipe)


def _last_step(m: Mapper, k: int, tensor: int, steps: int) -> bool:
    """Whether operator ``k`` is a STRIDED_SLICE of (batch, steps, units) taking the last step."""
    code, op, ins, _ = m.graph.ops[k]
    if code != "STRIDED_SLICE" or len(ins) < 4 or ins[0] != tensor:
        return False
    begin, end, strides = (m.graph.values(i, 8) for i in ins[1:4])
    options = op.table(4)
    if not begin or not end or not strides or len(begin) != 3 or options is None:
        return False
    begin_mask, end_mask, shrink = options.scalar(0, "<i"), options.scalar(1, "<i"), options.scalar(4, "<i")
    last = int(begin[1]) in (-1, steps - 1) and not begin_mask & 2
    whole = all((begin_mask >> a & 1 or int(begin[a]) == 0) and (end_mask >> a & 1) for a in (0, 2))
    return bool(shrink & 2) and last and whole and all(int(s) == 1 for s in strides)


def while_loop(m: Mapper, tid, name, op, options, ins, outs, data_in) -> None:
    """A WHILE loop stays opaque: its body's weights are counted and its output shape is the
    shape of the loop output the graph reads, (steps, units) for a time-major sequence. The
    file was parsed once (``graph.model``), each body's count is kept there."""
    body = options.scalar(1, "<i") if options is not None else -1
    model = m.graph.model
    count = model.weights_in(body) if 0 < body < len(model.graphs) else 0
    read = [o for o in outs if m.graph.consumers.get(o)]
    shape = None
    target = str(read[0]) if read else tid
    if read:
        signature = m.graph.tensors[read[0]].signature
        if len(signature) == 3 and signature[1] == 1 and all(d > 0 for d in signature):
            shape = (signature[0], signature[2])  # (steps, batch 1, units): a time-major sequence
            k = m.graph.only_consumer(read[0])
            if k is not None and _time_step(m, k, read[0]):
                m.skip.add(k)  # the last step of it: the loop's output is (units,)
                target, shape = str(m.graph.output(k)), (signature[2],)
        else:
            shape = m.dims(read[0])
    reason = (
        f"a WHILE loop over subgraph {body} (how the converter writes Keras 3's LSTM, GRU and SimpleRNN);"
        f" LightDesign does not read loop bodies: its {count:,} weights are counted, its MACs are not"
    )
    x = [str(i) for i in data_in if len(m.b.shape(str(i)) or ()) >= 2][-1:] or [str(data_in[0])]
    m.b.opaque(target, name, "WHILE", x, shape, (count, 0), reason)
    for o in outs:
        if str(o) != target:
            m.b.alias(str(o), target)
    return None


def _time_step(m: Mapper, k: int, tensor: int) -> bool:
    """Whether operator ``k`` is a STRIDED_SLICE of (steps, batch, units) taking one step (the
    last one of a loop's outputs) with the step axis shrunk away."""
    code, op, ins, _ = m.graph.ops[k]
    if code != "STRIDED_SLICE" or len(ins) < 4 or ins[0] != tensor:
        return False
    strides = m.graph.values(ins[3], 8)
    options = op.table(4)
    shrink = options.scalar(4, "<i") if options is not None else 0
    return bool(strides) and all(int(v) == 1 for v in strides) and shrink == 1


def transpose(m: Mapper, tid, name, op, options, ins, outs, data_in):
    return None if follow(m, ins, outs, data_in) else False


def follow(m: Mapper, ins: list[int], outs: list[int], data_in: list[int]) -> bool:
    """A RESHAPE or TRANSPOSE that swaps a batch of 1 with the steps of a sequence, (1, steps,
    features) <-> (steps, 1, features), around a WHILE loop (Keras 3's recurrent layers run
    time-major): the design's per-sample sequence is the same, so it passes through (True)."""
    if not data_in or not outs:
        return False
    before, after = m.graph.tensors[ins[0]].signature, m.graph.tensors[outs[0]].signature
    if len(before) != 3 or len(after) != 3 or before[0] != 1 or after[1] != 1:
        if not (len(before) == 3 and len(after) == 3 and before[1] == 1 and after[0] == 1):
            return False
    if sorted(before) != sorted(after) or before[2] != after[2] or before == after:
        return False
    near = [m.graph.ops[k][0] for k in m.graph.consumers.get(outs[0], [])]
    producer = m.graph.producer.get(ins[0])
    if producer is not None:
        near.append(m.graph.ops[producer][0])
    if "WHILE" not in near:
        return False
    m.b.alias(str(outs[0]), str(data_in[0]))
    return True


def index_wrap(m: Mapper, tid, name, op, options, ins, outs, data_in):
    """Keras 3's Embedding wraps negative ids: SELECT(LESS(ids, 0), ADD(ids, n), ids). For the
    ids an Embedding accepts it passes them through: the three operators are skipped and the
    SELECT's output stands for the ids. Called on the LESS; False when it is not that."""
    return None if _index_wrap(m, ins, outs) else False


def _index_wrap(m: Mapper, ins: list[int], outs: list[int]) -> bool:
    if len(ins) != 2 or ins[0] < 0:
        return False
    zero = m.graph.values(ins[1], 1)
    select = m.graph.only_consumer(outs[0])
    if zero != [0] or select is None or m.graph.ops[select][0] not in ("SELECT", "SELECT_V2"):
        return False
    cond, when_negative, otherwise = (list(m.graph.ops[select][2]) + [-1, -1, -1])[:3]
    add = m.graph.producer.get(when_negative)
    if cond != outs[0] or otherwise != ins[0] or add is None or m.graph.ops[add][0] != "ADD":
        return False
    add_ins = m.graph.ops[add][2]
    if ins[0] not in add_ins or m.graph.only_consumer(when_negative) != select:
        return False
    shift = [i for i in add_ins if i != ins[0]]
    if len(shift) != 1 or not m.graph.values(shift[0], 1):
        return False
    m.skip.update((add, select))
    m.b.alias(str(m.graph.output(select)), str(ins[0]))
    return True
