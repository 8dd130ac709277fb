"""Lighter substitutes for blocks, each priced exactly by analysing the substituted design:
standard convolution -> depthwise separable, Flatten + Dense head -> global pooling head,
a pair of 3x3 convolutions -> a fire module."""

from __future__ import annotations

from dataclasses import dataclass

from lightdesign.analysis import metrics
from lightdesign.analysis.network import Analysis, analyze
from lightdesign.core.design import Block, Design, new_block

_SEPARABLE_ACTIVATIONS = ("relu", "relu6", "hard_swish", "swish", "linear")


@dataclass(frozen=True)
class Suggestion:
    rule: str
    block_ids: tuple[str, ...]
    title: str
    detail: str
    params_saved: int
    macs_saved: int
    theory: str = ""  # the textbook estimate, for comparison with the exact figure
    latency_saved_ms: float | None = None  # predicted float32 milliseconds saved (None: not predicted)

    @property
    def key(self) -> tuple[str, tuple[str, ...]]:
        return self.rule, self.block_ids


def _replace(design: Design, first: int, count: int, blocks: list[Block]) -> Design:
    out = design.copy()
    out.blocks[first : first + count] = blocks
    return out


def _separable(design: Design, index: int, result: Analysis) -> tuple[Design, str] | None:
    conv = design.blocks[index]
    p = conv.params
    if (
        conv.kind != "Conv2D"
        or p["kernel_size"] not in (3, 5, 7)
        or p["groups"] != 1
        or p["dilation_rate"] != 1
        or p["strides"] not in (1, 2)
    ):
        return None
    activation = p["activation"] if p["activation"] in _SEPARABLE_ACTIVATIONS else "relu6"
    block = new_block(
        "depthwise_separable",
        conv.name,
        conv.id,
        conv.input,
        filters=p["filters"],
        kernel_size=p["kernel_size"],
        strides=p["strides"],
        activation=activation,
    )
    n, k = p["filters"], p["kernel_size"]
    theory = (
        f"the article's ratio 1/N + 1/k² = 1/{n} + 1/{k * k} = {1 / n + 1 / (k * k):.3f} of this convolution's MACs"
    )
    return _replace(design, index, 1, [block]), theory


def _global_pool_head(design: Design, index: int, result: Analysis) -> tuple[Design, str] | None:
    flatten = design.blocks[index]
    if flatten.kind != "Flatten" or index + 1 >= len(design.blocks) or design.blocks[index + 1].kind != "Dense":
        return None
    rows = {b.index: b for b in result.blocks}
    if index == 0 or index - 1 not in rows or len(rows[index - 1].shape) != 3:
        return None
    pool = new_block("GlobalAveragePooling2D", flatten.name, flatten.id, flatten.input)
    return _replace(design, index, 1, [pool]), "global pooling feeds the Dense layer C values instead of H x W x C"


def _fire(design: Design, index: int, result: Analysis) -> tuple[Design, str] | None:
    if index + 1 >= len(design.blocks):
        return None
    first, second = design.blocks[index], design.blocks[index + 1]
    for conv in (first, second):
        p = conv.params
        if (
            conv.kind != "Conv2D"
            or p["kernel_size"] != 3
            or p["strides"] != 1
            or p["groups"] != 1
            or p["padding"] != "same"
            or conv.input is not None
            and conv is second
        ):
            return None
    filters = second.params["filters"]
    if filters % 2:
        return None
    fire = new_block(
        "fire_module",
        first.name,
        first.id,
        first.input,
        squeeze=max(8, filters // 8),
        expand1x1=filters // 2,
        expand3x3=filters // 2,
    )
    return _replace(design, index, 2, [fire]), "SqueezeNet squeezes to few channels before the 3x3 filters"


_RULES = {
    "separable": (
        _separable,
        1,
        "Use a depthwise-separable unit",
        "{name}: Conv2D {k}x{k} → depthwise {k}x{k} + pointwise 1x1 (MobileNetV1)",
    ),
    "global_pool": (
        _global_pool_head,
        1,
        "Use a global-pooling head",
        "{name}: Flatten → GlobalAveragePooling2D before the Dense layer",
    ),
    "fire": (
        _fire,
        2,
        "Use a fire module",
        "{name} + the next 3x3 conv → one fire module (squeeze, then 1x1 and 3x3 expands)",
    ),
}


def substitute(design: Design, rule: str, block_ids: tuple[str, ...]) -> Design | None:
    """The design with one suggestion applied (None when it no longer applies)."""
    index = next((i for i, b in enumerate(design.blocks) if b.id == block_ids[0]), None)
    if index is None or rule not in _RULES:
        return None
    function, width, *_ = _RULES[rule]
    if tuple(b.id for b in design.blocks[index : index + width]) != block_ids:
        return None
    made = function(design, index, analyze(design))
    return made[0] if made else None


def suggest(design: Design) -> list[Suggestion]:
    """Every applicable substitution whose result is valid and lighter in MACs or params."""
    return suggest_within(design, None)[0]


def _saved(before: Analysis, after: Analysis, metric: metrics.Metric) -> float | None:
    old, new = metric.read(before), metric.read(after)
    return None if old is None or new is None else old - new


def suggest_within(
    design: Design, seconds: float | None, rank: metrics.Metric = metrics.MACS
) -> tuple[list[Suggestion], bool]:
    """The suggestions found within ``seconds`` (each one analyses the whole substituted
    design: a 1,000-block design takes many seconds), and whether the search is complete.
    With a predicted latency as ``rank`` (``Budget.ranking`` under a latency budget) they come
    by the time they save, the largest first, and a substitute that is lighter but slower
    is left out; otherwise in the design's order."""
    found, complete = _search(design, seconds)
    if rank.unit is metrics.Unit.MS:
        found = [s for s in found if s.latency_saved_ms is not None and s.latency_saved_ms > 0]
        found.sort(key=lambda s: -s.latency_saved_ms)
    return found, complete


def _search(design: Design, seconds: float | None) -> tuple[list[Suggestion], bool]:
    import time

    deadline = None if seconds is None else time.monotonic() + seconds
    before = analyze(design)
    if before.errors:
        return [], True
    found = []
    for index, block in enumerate(design.blocks):
        if deadline is not None and time.monotonic() > deadline:
            return found, False
        for rule, (function, width, title, pattern) in _RULES.items():
            made = function(design, index, before)
            if made is None:
                continue
            after_design, theory = made
            after = analyze(after_design)
            if after.errors:
                continue
            saved_params, saved_macs = before.params - after.params, before.macs - after.macs
            if saved_params <= 0 and saved_macs <= 0:
                continue
            ids = tuple(b.id for b in design.blocks[index : index + width])
            detail = pattern.format(name=block.name, k=block.params.get("kernel_size", ""))
            saved_ms = _saved(before, after, metrics.PREDICTED_FP32)
            found.append(Suggestion(rule, ids, title, detail, saved_params, saved_macs, theory, saved_ms))
    return found, True
