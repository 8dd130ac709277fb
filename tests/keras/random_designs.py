"""Seeded random image designs for the deployment-memory checks: chains of convolutions,
normalisation, activations, padding, pooling, merges with earlier blocks, branches that
read an earlier block (sometimes leaving a block that feeds nothing) and lightweight
blocks, each block kept only when the design still analyses without errors."""

from __future__ import annotations

import random

from lightdesign.analysis.network import analyze
from lightdesign.core import kinds
from lightdesign.core.design import Block, Design

ACTIVATIONS = ("linear", "relu", "relu6", "hard_swish", "swish", "sigmoid", "hard_sigmoid", "tanh")
KINDS = (
    ("Conv2D", 6),
    ("DepthwiseConv2D", 3),
    ("SeparableConv2D", 2),
    ("BatchNormalization", 4),
    ("Activation", 4),
    ("Dropout", 1),
    ("MaxPooling2D", 2),
    ("AveragePooling2D", 1),
    ("ZeroPadding2D", 2),
    ("Add", 2),
    ("Multiply", 1),
    ("Concatenate", 2),
    ("ChannelShuffle", 1),
    ("ChannelSplit", 1),
    ("inverted_residual", 2),
    ("conv_bn", 2),
    ("depthwise_separable", 2),
    ("fire_module", 1),
    ("squeeze_excite", 1),
    ("ghost_module", 1),
    ("shufflenet_v2_unit", 1),
)
_CHOICES = [kind for kind, weight in KINDS for _ in range(weight)]


SIZES = (8, 12, 16, 20, 24, 32)
FILTERS = (4, 6, 8, 12, 16, 24)
BLOCK_FILTERS = (8, 16, 24)


def _params(rng: random.Random, kind: str, earlier: list[str], filters=FILTERS, block_filters=BLOCK_FILTERS) -> dict:
    params = {spec.name: spec.default for spec in kinds.get(kind).fields}
    pick = {
        "filters": lambda: rng.choice(filters),
        "kernel_size": lambda: rng.choice((1, 3, 3, 5)) if isinstance(params["kernel_size"], int) else 3,
        "strides": lambda: rng.choice((1, 1, 2)),
        "padding": lambda: rng.choice(("same", "valid")),
        "activation": lambda: rng.choice(ACTIVATIONS),
        "use_bias": lambda: rng.random() < 0.5,
        "depth_multiplier": lambda: rng.choice((1, 1, 2)),
        "dilation_rate": lambda: 1,
        "groups": lambda: 1,
        "source": lambda: rng.choice(earlier or ["input"]),
        "pool_size": lambda: rng.choice((2, 3)),
        "top": lambda: rng.randint(0, 2),
        "bottom": lambda: rng.randint(0, 2),
        "left": lambda: rng.randint(0, 2),
        "right": lambda: rng.randint(0, 2),
        "center": lambda: rng.random() < 0.8,
        "scale": lambda: rng.random() < 0.7,
        "squeeze": lambda: rng.choice((4, 8)),
        "expand1x1": lambda: rng.choice((4, 8, 12)),
        "expand3x3": lambda: rng.choice((4, 8, 12)),
        "expansion": lambda: rng.choice((1.0, 3.0, 6.0)),
        "se_ratio": lambda: rng.choice((0.0, 0.25)),
        "keepdims": lambda: rng.random() < 0.3,
        "index": lambda: rng.randint(0, 1),
    }
    for name in params:
        if name in pick:
            params[name] = pick[name]()
    if kind in ("inverted_residual", "shufflenet_v2_unit", "ghost_module"):
        params["filters"] = rng.choice(block_filters)
    if kind == "inverted_residual":
        params["kernel_size"] = rng.choice((3, 5))
        params["activation"] = rng.choice(("relu6", "relu", "hard_swish", "swish"))
    if kind in ("conv_bn", "depthwise_separable"):
        params["activation"] = rng.choice(("relu", "relu6", "hard_swish", "swish", "linear"))
        if kind == "depthwise_separable":
            params["kernel_size"] = rng.choice((3, 5))
    if "strides" in params and params.get("dilation_rate", 1) == 1 and rng.random() < 0.1 and params["strides"] == 1:
        params["dilation_rate"] = 2
    return params


def random_design(
    seed: int, blocks: int | None = None, sizes=SIZES, filters=FILTERS, block_filters=BLOCK_FILTERS
) -> Design:
    """A random design; ``sizes`` (input sides), ``filters`` and ``block_filters`` (the
    lightweight blocks' widths) draw larger designs for the latency benchmark, each tuple
    as long as its default so that a seed draws the same structure."""
    rng = random.Random(seed)
    size = rng.choice(sizes)
    design = Design(f"random_{seed}", (size, size, rng.choice((1, 3))), 10, [])
    wanted = blocks or rng.randint(3, 9)
    attempts = 0
    while len(design.blocks) < wanted and attempts < 200:
        attempts += 1
        kind = rng.choice(_CHOICES)
        earlier = [b.name for b in design.blocks]
        name = f"b{len(design.blocks) + 1}_{kind.lower()}"[:40]
        block = Block(kind, name, _params(rng, kind, earlier, filters, block_filters), name)
        if earlier and rng.random() < 0.1 and kind not in ("Add", "Multiply", "Concatenate"):
            block.input = rng.choice(["input", *earlier])
        trial = Design(design.name, design.input_shape, design.num_classes, [*design.blocks, block])
        if not analyze(trial).errors:
            design = trial
    head = rng.random()
    tail = []
    if head < 0.5:
        tail = [("GlobalAveragePooling2D", {"keepdims": False}), ("Dense", {"units": 10, "activation": "softmax"})]
    elif head < 0.75:
        tail = [("Flatten", {}), ("Dense", {"units": 10, "activation": rng.choice(("softmax", "linear", "relu"))})]
    for kind, params in tail:
        full = {spec.name: spec.default for spec in kinds.get(kind).fields} | params
        name = f"head_{kind.lower()}"
        trial = Design(design.name, design.input_shape, 10, [*design.blocks, Block(kind, name, full, name)])
        if not analyze(trial).errors:
            design = trial
    return design
