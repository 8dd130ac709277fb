"""Hypothesis strategies for random designs: random kinds, field values inside and outside
their ranges, random input shapes."""

from __future__ import annotations

import math

from hypothesis import strategies as st

from lightdesign.core import fields as F
from lightdesign.core import kinds
from lightdesign.core.design import Block, Design

PALETTE_KINDS = [k for k in kinds.names() if getattr(kinds.get(k), "palette", True)]  # not the opaque imports
IMAGE_KINDS = [
    k
    for k in PALETTE_KINDS
    if kinds.get(k).category in ("Convolution", "Lightweight blocks", "Pooling") and "1D" not in k
]
ANY_KINDS = PALETTE_KINDS
JUNK = st.one_of(
    st.none(),
    st.text(max_size=5),
    st.floats(allow_nan=True),
    st.integers(-(10**12), 10**12),
    st.booleans(),
    st.lists(st.integers(), max_size=3),
)


SMALL_INTS = (
    "kernel_size",
    "pool_size",
    "strides",
    "dilation_rate",
    "groups",
    "depth_multiplier",
    "ratio",
    "parts",
    "index",
    "top",
    "bottom",
    "left",
    "right",
    "dw_kernel_size",
)


def _small_int(spec: F.IntField):
    low = spec.min
    span = 4 if spec.name in SMALL_INTS else 31
    return st.integers(low, min(spec.max, low + span))


# Valid values of each field type (a new field type needs its strategy here).
VALID = {
    F.IntField: _small_int,
    F.FloatField: lambda spec: st.floats(spec.min, spec.max, allow_nan=False),
    F.BoolField: lambda spec: st.booleans(),
    F.ChoiceField: lambda spec: st.sampled_from(spec.choices),
    F.IntsField: lambda spec: st.lists(st.integers(-1, 64), min_size=1, max_size=3),
    F.RefField: lambda spec: st.just("input"),
    F.TextField: lambda spec: st.text(max_size=8).filter(str.isprintable),
}


def _valid_value(spec):
    return VALID[type(spec)](spec)


@st.composite
def params_for(draw, kind: str, earlier: list[str], junk_rate: float):
    values = {}
    for spec in kinds.get(kind).fields:
        if isinstance(spec, F.RefField):
            values[spec.name] = draw(st.sampled_from(["input", *earlier]))
        elif draw(st.floats(0, 1)) < junk_rate:
            values[spec.name] = draw(JUNK)
        else:
            values[spec.name] = draw(_valid_value(spec))
    return values


input_shapes = st.one_of(
    st.tuples(st.integers(1, 40), st.integers(1, 40), st.integers(1, 8)),
    st.tuples(st.integers(1, 30)),
    st.tuples(st.integers(1, 30), st.integers(1, 8)),
)


@st.composite
def designs(draw, junk_rate: float = 0.1, max_blocks: int = 6, image_bias: bool = False):
    shape = draw(input_shapes)
    if image_bias:
        shape = draw(st.tuples(st.integers(8, 40), st.integers(8, 40), st.integers(1, 8)))
    count = draw(st.integers(1, max_blocks))
    blocks: list[Block] = []
    for i in range(count):
        pool = IMAGE_KINDS if image_bias and i < count - 1 else ANY_KINDS
        kind = draw(st.sampled_from(pool))
        names = [b.name for b in blocks]
        blocks.append(Block(kind, f"b{i}_{kind.lower()}"[:60], draw(params_for(kind, names, junk_rate)), f"id{i}"))
    return Design("fuzz", shape, draw(st.integers(1, 20)), blocks)


def _kinds_for_rank() -> dict[int, list[str]]:
    sequence = [k for k in ANY_KINDS if "1D" in k or kinds.get(k).category == "Recurrent" and k != "Embedding"]
    vector = [
        "Dense",
        "Dropout",
        "Activation",
        "BatchNormalization",
        "Reshape",
        "Embedding",
        "Add",
        "Multiply",
        "Concatenate",
    ]
    image = [k for k in ANY_KINDS if k not in sequence and k not in ("Embedding", "Dense")] + ["Dense"]
    return {
        3: image,
        2: [
            *sequence,
            "Dense",
            "Dropout",
            "Activation",
            "BatchNormalization",
            "Flatten",
            "Reshape",
            "Add",
            "Concatenate",
            "Multiply",
        ],
        1: vector,
    }


KINDS_FOR_RANK = _kinds_for_rank()


def finite(value) -> bool:
    return not (isinstance(value, float) and not math.isfinite(value))


@st.composite
def valid_designs(draw, max_blocks: int = 5, attempts: int = 40):
    """Designs grown block by block, keeping only blocks that leave the design valid, so
    that almost every example exercises the Keras comparison."""
    from lightdesign.analysis.network import analyze

    shape = draw(
        st.one_of(
            st.tuples(st.integers(4, 24), st.integers(4, 24), st.integers(1, 6)),
            st.tuples(st.integers(2, 20), st.integers(1, 6)),
            st.tuples(st.integers(2, 20)),
        )
    )
    design = Design("fuzz", shape, draw(st.integers(1, 10)), [])
    target = draw(st.integers(1, max_blocks))
    for attempt in range(attempts):
        if len(design.blocks) >= target:
            break
        rank = len(analyze(design).output_shape or design.input_shape)
        kind = draw(st.sampled_from(KINDS_FOR_RANK[rank]))
        names = [b.name for b in design.blocks]
        block = Block(kind, f"b{attempt}_{kind.lower()}"[:60], draw(params_for(kind, names, 0.0)), f"id{attempt}")
        trial = Design(design.name, design.input_shape, design.num_classes, [*design.blocks, block])
        if analyze(trial).ok:
            design = trial
    return design
