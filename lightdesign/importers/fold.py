"""Fold a flat imported design into composite blocks.

At each position, each composite kind proposes parameters read off the flat blocks there;
a proposal is accepted only when the composite, traced on the same input, expands into
exactly the flat blocks' primitives (kinds, settings and wiring) and nothing outside the span
reads an inner block. Folding therefore never changes a figure of the analysis, with one
stated exception: a Dropout inside a folded run (EfficientNet's drop-connect before the
residual add) is left out, with a note; it has no parameters, MACs or FLOPs, but the
training-memory estimate no longer keeps its output.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from lightdesign.core import kinds
from lightdesign.core.blocks.common import make_divisible
from lightdesign.core.design import Block, Design
from lightdesign.core.graph import trace
from lightdesign.core.symbolic import LayerError, Trace
from lightdesign.importers.base import ImportResult


def _p(block: Block | None, key: str, default: Any = None) -> Any:
    return block.params.get(key, default) if block is not None else default


def _at(blocks: list[Block], i: int) -> Block | None:
    return blocks[i] if 0 <= i < len(blocks) else None


def _act_after(blocks, j) -> str:
    b = _at(blocks, j)
    return _p(b, "activation", "linear") if b is not None and b.kind == "Activation" else "linear"


def _act_of(blocks, j) -> str:
    """The activation after the convolution at ``j`` (past its BatchNorm, if it has one)."""
    after = _at(blocks, j + 1)
    return _act_after(blocks, j + 2 if after is not None and after.kind == "BatchNormalization" else j + 1)


def _pad_styles(blocks, i, strides: int, same: str) -> tuple[str, ...]:
    """The pad styles a strided window at ``i`` may have: ``symmetric`` when a ZeroPadding2D
    comes before it, else the block's own default ``same``."""
    if strides == 1:
        return (same,)
    return ("symmetric", same) if i > 0 and blocks[i - 1].kind == "ZeroPadding2D" else (same,)


# -- proposals per kind: (blocks, position, input channels) -> candidate params ------------------


def _conv_bn(blocks, i, cin):
    j = i + 1 if blocks[i].kind == "ZeroPadding2D" else i
    b = _at(blocks, j)
    norm = _at(blocks, j + 1)
    if b is None or b.kind != "Conv2D" or norm is None or norm.kind != "BatchNormalization":
        return []
    return [
        dict(
            filters=b.params["filters"],
            kernel_size=b.params["kernel_size"],
            strides=b.params["strides"],
            groups=b.params["groups"],
            activation=_act_after(blocks, j + 2),
            pad_style=style,
        )
        for style in _pad_styles(blocks, j, b.params["strides"], "same")
    ]


def _separable(blocks, i, cin):
    j = i + 1 if blocks[i].kind == "ZeroPadding2D" else i
    dw = _at(blocks, j)
    pw = _at(blocks, j + 3)
    if dw is None or dw.kind != "DepthwiseConv2D" or pw is None or pw.kind != "Conv2D":
        return []
    return [
        dict(
            filters=pw.params["filters"],
            kernel_size=dw.params["kernel_size"],
            strides=dw.params["strides"],
            depth_multiplier=dw.params["depth_multiplier"],
            activation=_act_after(blocks, j + 2),
        )
    ]


def _find(blocks, i, kind, limit=8):
    for j in range(i, min(i + limit, len(blocks))):
        if blocks[j].kind == kind:
            return j
    return None


def _se_ratios(blocks, start, cin, expanded):
    """Squeeze-excitation candidates (ratio, style) for an inverted residual whose SE would
    start at ``start``: none unless a global pooling is there."""
    se = _at(blocks, start)
    if se is None or se.kind != "GlobalAveragePooling2D":
        return [(0.0, "mobilenet_v3")], start
    reduce = _find(blocks, start + 1, "Conv2D", 2)  # EfficientNet reshapes the squeeze first
    reduced = _p(_at(blocks, reduce) if reduce is not None else None, "filters", 0) or 1
    scale = _find(blocks, start + 1, "Multiply", 8)
    ratios = [
        (0.25, "mobilenet_v3"),
        (reduced / expanded, "mobilenet_v3"),
        (0.25, "mnasnet"),
        (reduced / cin, "mnasnet"),
        (0.25, "efficientnet"),
        (reduced / cin, "efficientnet"),
    ]
    return ratios, (scale + 1 if scale is not None else start)


def _inverted(blocks, i, cin):
    first = blocks[i]
    folded = None
    if first.kind == "Conv2D" and first.params["kernel_size"] == 1:
        expanded = first.params["filters"]
        expansions = {expanded / cin}
        activation = _act_of(blocks, i)
        folded = bool(first.params["use_bias"])
    elif first.kind in ("DepthwiseConv2D", "ZeroPadding2D"):
        expanded = cin
        expansions = {1.0}
        activation = None
    else:
        return []
    d = _find(blocks, i, "DepthwiseConv2D")
    if d is None:
        return []
    dw = blocks[d]
    folded = bool(dw.params["use_bias"]) if folded is None else folded
    if activation is None:
        activation = _act_of(blocks, d)
    ratios, after_se = _se_ratios(blocks, d + (2 if folded else 3), cin, expanded)
    project = next(
        (
            j
            for j in range(after_se, min(after_se + 4, len(blocks)))
            if blocks[j].kind == "Conv2D"
            and blocks[j].params["kernel_size"] == 1
            and bool(blocks[j].params["use_bias"]) == folded
        ),
        None,
    )
    if project is None:
        return []
    out = []
    for expansion in expansions:
        if not 1.0 <= expansion <= 12.0:
            continue
        for style in _pad_styles(blocks, d, dw.params["strides"], "keras"):
            for ratio, se_style in ratios:
                out.append(
                    dict(
                        filters=blocks[project].params["filters"],
                        expansion=float(expansion),
                        kernel_size=dw.params["kernel_size"],
                        strides=dw.params["strides"],
                        activation=activation,
                        se_ratio=min(ratio, 1.0),
                        se_style=se_style,
                        pad_style=style,
                        folded_bn=folded,
                    )
                )
    return out


def _se(blocks, i, cin):
    if blocks[i].kind != "GlobalAveragePooling2D":
        return []
    reduce = _find(blocks, i + 1, "Conv2D", 2)
    expand = _find(blocks, reduce + 1, "Conv2D", 3) if reduce is not None else None
    if expand is None:
        return []
    reduced = blocks[reduce].params["filters"]
    gate, inner = blocks[expand].params["activation"], blocks[reduce].params["activation"]
    if gate == "linear":  # an imported model's activations are layers of their own
        gate, inner = _act_after(blocks, expand + 1), _act_after(blocks, reduce + 1)
    out = []
    for divisor in (8, 4, 1):
        # (reduced + 0.5) / cin: rounded down, it gives ``reduced`` back whatever the float error
        for ratio in (0.25, reduced / cin, (reduced + 0.5) / cin):
            out.append(dict(ratio=min(max(ratio, 0.01), 1.0), divisor=divisor, gate=gate, activation=inner))
    return out


def _fire(blocks, i, cin):
    convs = [j for j in range(i, min(i + 6, len(blocks))) if blocks[j].kind == "Conv2D"][:3]
    if len(convs) < 3 or convs[0] != i:
        return []
    squeeze, left, right = (blocks[j] for j in convs)
    return [
        dict(squeeze=squeeze.params["filters"], expand1x1=left.params["filters"], expand3x3=right.params["filters"])
    ]


def _ghost(blocks, i, cin):
    primary = blocks[i]
    cheap = _find(blocks, i, "DepthwiseConv2D", 4)
    if primary.kind != "Conv2D" or cheap is None:
        return []
    ratio = blocks[cheap].params["depth_multiplier"] + 1
    relu = _act_after(blocks, i + 2) == "relu"
    if primary.params["kernel_size"] not in (1, 3, 5) or blocks[cheap].params["kernel_size"] not in (3, 5, 7):
        return []
    return [
        dict(
            filters=primary.params["filters"] * ratio,
            ratio=ratio,
            kernel_size=primary.params["kernel_size"],
            dw_kernel_size=blocks[cheap].params["kernel_size"],
            relu=relu,
        )
    ]


def _shuffle_v2(blocks, i, cin):
    first = blocks[i]
    if first.kind == "ChannelSplit":
        return [
            dict(filters=cin, strides=1, kernel_size=k, folded_bn=folded) for k in (3, 5, 7) for folded in (False, True)
        ]
    j = i + 1 if first.kind == "ZeroPadding2D" else i
    dw = _at(blocks, j)
    if dw is None or dw.kind != "DepthwiseConv2D" or dw.params["strides"] != 2:
        return []
    pw = _find(blocks, j + 1, "Conv2D", 2)
    if pw is None:
        return []
    return [
        dict(
            filters=2 * blocks[pw].params["filters"],
            strides=2,
            kernel_size=dw.params["kernel_size"],
            pad_style=style,
            folded_bn=bool(dw.params["use_bias"]),
        )
        for style in _pad_styles(blocks, j, 2, "same")
    ]


PROPOSALS: list[tuple[str, Callable]] = [
    ("shufflenet_v2_unit", _shuffle_v2),
    ("depthwise_separable", _separable),
    ("inverted_residual", _inverted),
    ("fire_module", _fire),
    ("ghost_module", _ghost),
    ("squeeze_excite", _se),
    ("conv_bn", _conv_bn),
]


# -- matching -------------------------------------------------------------------------------------


def _takes_activation(kind: str) -> bool:
    """A layer (not an Activation) with an activation argument an Activation after it can fold into."""
    cls = kinds.get(kind)
    return "activation" in cls.keras_defaults and cls.article_stage != "activation"


def _signature(nodes, entry: str) -> list[tuple]:
    """Kinds, settings and wiring of a run of primitive nodes, with names replaced by
    positions (``entry`` is the run's input). Two spellings that compute the same thing read
    the same: an Activation right after a linear convolution (its only reader) is folded
    into it, the padding of a 1x1 window (same and valid agree) is left out, a global
    pooling reshaped to 1x1 (its only reader) reads as one that keeps its dims, the inputs
    of an Add or Multiply are unordered, and a Dropout inside the run (EfficientNet's
    drop-connect, which acts only in training) passes its input through."""
    readers: dict[str, int] = {}
    for n in nodes:
        for name in n.inputs:
            readers[name] = readers.get(name, 0) + 1
    merged: dict[str, str] = {}  # activation node -> the conv it was folded into
    rows: list[list] = []
    index: dict[str, int] = {}
    for n in nodes:
        cfg = dict(n.layer.cfg)
        if n.kind == "Dropout" and n is not nodes[-1] and len(n.inputs) == 1 and n.inputs[0] in index:
            index[n.name] = index[n.inputs[0]]  # inside the run only: a Dropout before or after it stays
            continue
        if n.kind == "Reshape" and len(n.inputs) == 1 and n.inputs[0] in index:
            producer = rows[index[n.inputs[0]]]
            if (
                producer[0] == "GlobalAveragePooling2D"
                and not producer[1].get("keepdims")
                and readers[n.inputs[0]] == 1
                and len(n.shape) == 3
                and n.shape[:2] == (1, 1)
            ):
                producer[1]["keepdims"] = True
                index[n.name] = index[n.inputs[0]]
                continue
        if n.kind == "Activation" and len(n.inputs) == 1 and n.inputs[0] in index:
            producer = rows[index[n.inputs[0]]]
            if (
                _takes_activation(producer[0])
                and producer[1].get("activation") in (None, "linear")
                and readers[n.inputs[0]] == 1
            ):
                producer[1]["activation"] = cfg["activation"]
                index[n.name] = index[n.inputs[0]]
                merged[n.name] = n.inputs[0]
                continue
        if cfg.get("kernel_size") == 1 or cfg.get("pool_size") == 1:
            cfg.pop("padding", None)
        index[n.name] = len(rows)
        rows.append([n.kind, cfg, n.inputs])
    out = []
    for kind, cfg, inputs in rows:
        wiring = tuple("in" if name == entry else index.get(name, "out") for name in inputs)
        if kinds.get(kind).commutative:
            wiring = tuple(sorted(wiring, key=str))
        out.append((kind, tuple(sorted((k, _norm(v)) for k, v in cfg.items())), wiring))
    return out


def _norm(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, list):
        return tuple(_norm(v) for v in value)
    if isinstance(value, tuple):
        return tuple(_norm(v) for v in value)
    return value


def _expand(kind: str, params: dict, shape: tuple) -> list | None:
    cls = kinds.get(kind)
    full = {f.name: params.get(f.name, f.default) for f in cls.fields}
    try:
        for f in cls.fields:
            full[f.name] = f.check(full[f.name])
        tr = Trace()
        x = tr.input(shape)
        cls.apply([x], full, "fold")
    except (LayerError, ValueError, TypeError, ZeroDivisionError, KeyError):
        return None
    return tr.nodes[1:]


def _stem(names: list[str], kind: str, used: set[str]) -> str:
    """The composite's name: the longest '_'-bounded prefix that most of its layers' names
    share (``block_3`` for ``block_3_expand``, ``block_3_expand_BN`` ...), else ``kind_N``."""
    counts: dict[str, int] = {}
    for name in names:
        parts = name.split("_")
        for k in range(1, len(parts) + 1):
            prefix = "_".join(parts[:k])
            counts[prefix] = counts.get(prefix, 0) + 1
    shared = [p for p, c in counts.items() if 2 * c > len(names) and p]
    for prefix in sorted(shared, key=len, reverse=True):
        if (
            re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,63}", prefix)
            and prefix not in used
            and prefix not in ("input", "input_layer")
        ):
            return prefix
    n = 1
    while f"{kind}_{n}" in used:
        n += 1
    return f"{kind}_{n}"


def fold(design: Design) -> tuple[Design, dict[str, int]]:
    """The design with recognised runs of primitives replaced by composite blocks, and how
    many of each kind were folded. A design that does not trace completely is returned as is."""
    folded, counts, _ = _fold(design)
    return folded, counts


def _fold(design: Design) -> tuple[Design, dict[str, int], list[str]]:
    """``fold``, and the Dropouts inside folded runs that were left out (drop-connect)."""
    graph = trace(design)
    if not graph.complete:
        return design, {}, []
    nodes = graph.nodes
    by_name = {n.name: n for n in nodes}
    spans = graph.spans
    blocks = list(design.blocks)
    # every block is one primitive here; composite blocks already present stay as they are
    primitive = [not kinds.get(b.kind).composite for b in blocks]
    readers: dict[str, list[int]] = {}
    for i, b in enumerate(blocks):
        for name in _reads(b):
            readers.setdefault(name, []).append(i)
    out: list[Block] = []
    counts: dict[str, int] = {}
    dropped: list[str] = []
    renamed: dict[str, str] = {}
    used = {b.name for b in blocks}
    i = 0
    while i < len(blocks):
        folded = None
        if primitive[i]:
            entry = by_name[nodes[spans[i].first].inputs[0]] if nodes[spans[i].first].inputs else None
            if entry is not None and len(entry.shape) == 3:
                folded = _try(blocks, spans, nodes, i, entry, primitive, readers)
        if folded is None:
            out.append(blocks[i])
            i += 1
            continue
        kind, params, end = folded
        names = [b.name for b in blocks[i:end]]
        dropped += [b.name for b in blocks[i:end] if b.kind == "Dropout"]
        name = _stem(names, kind, used - set(names))
        used.add(name)
        first = blocks[i]
        block = Block(
            kind, name, {f.name: params.get(f.name, f.default) for f in kinds.get(kind).fields}, first.id, first.input
        )
        for old in names:
            renamed[old] = name
        out.append(block)
        counts[kind] = counts.get(kind, 0) + 1
        i = end
    final = []
    previous = "input"
    for b in out:
        b = replace(b, params=dict(b.params))
        if b.input is not None:
            b.input = renamed.get(b.input, b.input)
            if b.input == previous:
                b.input = None
        for ref in kinds.get(b.kind).ref_fields:
            b.params[ref] = renamed.get(b.params[ref], b.params[ref])
        final.append(b)
        previous = b.name
    return replace(design, blocks=final), counts, dropped


def _reads(block: Block) -> list[str]:
    found = [block.input] if block.input else []
    found += [block.params[r] for r in kinds.get(block.kind).ref_fields if block.params.get(r)]
    return found


def _try(blocks, spans, nodes, i, entry, primitive, readers):
    cin = entry.shape[-1]
    for kind, propose in PROPOSALS:
        try:
            candidates = propose(blocks, i, cin)
        except (KeyError, TypeError, ZeroDivisionError, IndexError):
            continue
        for params in candidates:
            expanded = _expand(kind, params, entry.shape)
            if not expanded:
                continue
            want = _signature(expanded, expanded[0].inputs[0])
            for end in range(i + len(want), min(i + 2 * len(expanded), len(blocks)) + 1):
                if not all(primitive[i:end]) or any(spans[k].end - spans[k].first != 1 for k in range(i, end)):
                    break
                flat = [nodes[spans[k].first] for k in range(i, end)]
                got = _signature(flat, entry.name)
                if len(got) > len(want):
                    break
                if got != want:
                    continue
                inner = {blocks[k].name for k in range(i, end - 1)}
                if any(r >= end for name in inner for r in readers.get(name, [])):
                    break
                return kind, params, end
    return None


def fold_design(result: ImportResult) -> ImportResult:
    """An import result with its design folded; a note says what was folded, and which
    Dropouts inside folded blocks were left out."""
    design, counts, dropped = _fold(result.design)
    if not counts:
        return replace(result, notes=[*result.notes, "no composite blocks were recognised"])
    total = sum(counts.values())
    listed = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items(), key=lambda kv: -kv[1]))
    kept = {b.name for b in design.blocks}
    notes = [*result.notes, f"folded {total} composite blocks: {listed}"]
    if dropped:
        shown = ", ".join(dropped[:3]) + (f" … +{len(dropped) - 3}" if len(dropped) > 3 else "")
        notes.append(
            f"{len(dropped)} Dropout layer(s) inside folded blocks were left out ({shown}): drop-connect acts"
            " only in training, so no parameter, MAC or FLOP changes; the training-memory estimate no longer"
            " keeps their outputs"
        )
    return replace(
        result,
        design=design,
        unmapped=[u for u in result.unmapped if u.block in kept],
        notes=notes,
        folded=counts,
    )


__all__ = ["fold", "fold_design", "make_divisible", "math"]
