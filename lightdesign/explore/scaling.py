"""Scaling search: the MobileNet paper's two knobs (width multiplier and input resolution)
and, for block-based designs, the expansion ratio and the repeats per stage, scanned on a
grid with the full analysis of every point, against a budget."""

from __future__ import annotations

from dataclasses import dataclass, field

from lightdesign.analysis import metrics
from lightdesign.analysis.network import analyze
from lightdesign.core import edits, kinds
from lightdesign.core.design import MAX_BLOCKS, Block, Design, DesignError, check_limits
from lightdesign.explore.budget import Budget

ALPHAS = (0.35, 0.5, 0.6, 0.75, 0.85, 1.0, 1.15, 1.3, 1.4, 1.5)
RESOLUTIONS = (96, 112, 128, 144, 160, 176, 192, 208, 224, 256)  # the MobileNet paper's, for 224
REFERENCE_RESOLUTION = 224
EXPANSIONS = (0.5, 0.67, 0.83, 1.0, 1.17, 1.33)  # factors on every block's expansion ratio
DEPTHS = (0.5, 0.75, 1.0, 1.25, 1.5)  # factors on the repeats of every stage


@dataclass(frozen=True)
class Point:
    x: float  # the first knob (alpha or expansion factor)
    y: float  # the second knob (resolution or depth factor)
    figures: dict[str, int | None] = field(hash=False)  # metrics.summary of the variant, by metric key
    valid: bool
    fits: bool

    def value(self, metric: metrics.Metric) -> int | None:
        """The variant's figure for ``metric``."""
        return self.figures[metric.key]


def with_resolution(design: Design, resolution: int) -> Design:
    """The design at another input resolution (images only)."""
    if len(design.input_shape) != 3:
        return design
    return edits.set_input_shape(design, [resolution, resolution, design.input_shape[2]])


def width_and_resolution(design: Design, alpha: float, resolution: int) -> Design:
    return with_resolution(edits.scale_width(design, alpha), resolution)


def scale_expansion(design: Design, factor: float) -> Design:
    """Multiply every block's expansion ratio (kept between 1 and 12)."""
    out = design.copy()
    for block in out.blocks:
        if "expansion" in block.params and block.params["expansion"] != 1:
            block.params["expansion"] = round(min(12.0, max(1.0, block.params["expansion"] * factor)), 3)
    return out


def stages(design: Design) -> list[list[int]]:
    """Runs of consecutive composite blocks of one kind and width: the repeats of a stage."""
    runs: list[list[int]] = []
    for i, block in enumerate(design.blocks):
        key = (block.kind, block.params.get("filters"))
        previous = design.blocks[i - 1] if i else None
        if (
            runs
            and previous is not None
            and "filters" in block.params
            and (previous.kind, previous.params.get("filters")) == key
            and block.params.get("strides", 1) == 1
        ):
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def scale_depth(design: Design, factor: float) -> Design:
    """Keep round(n x factor) blocks of every stage of several blocks of a repeatable kind
    (at least one): the first block (which may change stride or width) stays, repeats are
    dropped or copied. Other blocks stay as they are."""
    runs = stages(design)
    total = sum(max(1, round(len(r) * factor)) if _repeatable(design, r) else len(r) for r in runs)
    if total > MAX_BLOCKS:
        raise DesignError(f"depth x{factor:g} would make {total:,} blocks; at most {MAX_BLOCKS:,} are allowed")
    out = design.copy()
    blocks: list[Block] = []
    for run in runs:
        if not _repeatable(design, run):
            blocks.extend(out.blocks[i] for i in run)
            continue
        wanted = max(1, round(len(run) * factor))
        kept = [out.blocks[i] for i in run[:wanted]]
        while len(kept) < wanted:
            source = kept[-1]
            probe = Design(out.name, out.input_shape, out.num_classes, [*blocks, *kept, *out.blocks])
            kept.append(
                Block(source.kind, probe.new_name(source.kind), dict(source.params), probe.new_id(), source.input)
            )
        blocks.extend(kept)
    out.blocks = blocks
    return check_limits(out)


def _repeatable(design: Design, run: list[int]) -> bool:
    """A stage of several blocks of a kind that declares ``repeatable`` (a block kind that
    a network stacks to gain depth)."""
    try:
        kind = kinds.get(design.blocks[run[0]].kind)
    except KeyError:
        return False
    return getattr(kind, "repeatable", False) and len(run) > 1


def _point(design: Design, x: float, y: float, budget: Budget) -> Point:
    result = analyze(design)
    valid = not result.errors
    return Point(x, y, metrics.summary(result), valid, valid and budget.fits(result))


def _invalid(x: float, y: float) -> Point:
    return Point(x, y, {m.key: None for m in metrics.ANALYSIS}, False, False)


# The two scans: (first knob's values, second knob's values, the variant at a point).
WIDTH_RESOLUTION = "width_resolution"
EXPANSION_DEPTH = "expansion_depth"


def variant(design: Design, kind: str, x: float, y: float) -> Design:
    """The design at one point of a scan (DesignError when it would break a limit)."""
    if kind == WIDTH_RESOLUTION:
        return width_and_resolution(design, x, int(y))
    return scale_depth(scale_expansion(design, x), y)


def resolutions(design: Design) -> tuple[int, ...]:
    """The resolutions scanned for ``design``: the MobileNet paper's 96-256 for a 224 input,
    the same fractions of any other input side (28 -> 12-32), multiples of 8 from 64 up.
    A fixed 96-256 would scan a 28x28 digit network only at sizes four times its data's."""
    side = design.input_shape[0] if len(design.input_shape) == 3 else REFERENCE_RESOLUTION
    step = 8 if side >= 64 else 1
    values = {max(step, round(side * r / REFERENCE_RESOLUTION / step) * step) for r in RESOLUTIONS}
    return tuple(sorted(values))


def axes(kind: str, design: Design) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The values of the scan's two knobs for ``design``: columns (x) and rows (y)."""
    return (ALPHAS, resolutions(design)) if kind == WIDTH_RESOLUTION else (EXPANSIONS, DEPTHS)


def scan_points(kind: str, design: Design) -> list[tuple[float, float]]:
    """Every (x, y) of a scan, row by row."""
    xs, ys = axes(kind, design)
    return [(x, y) for y in ys for x in xs]


def compute_point(design: Design, kind: str, x: float, y: float, budget: Budget) -> Point:
    """One point of a scan, analysed in full; a variant that breaks a limit is invalid.
    Picklable in and out, so that it can run in a background process."""
    try:
        return _point(variant(design, kind, x, y), x, y, budget)
    except DesignError:
        return _invalid(x, y)


def assemble(kind: str, design: Design, points: dict[tuple[float, float], Point]) -> list[list[Point | None]]:
    """The grid (rows by y, columns by x) of the points computed so far; None where not yet."""
    xs, ys = axes(kind, design)
    return [[points.get((x, y)) for x in xs] for y in ys]


def width_resolution_grid(design: Design, budget: Budget, alphas=ALPHAS, sides=None) -> list[list[Point]]:
    """Rows by resolution (``resolutions(design)`` unless given), columns by width multiplier."""
    return [
        [compute_point(design, WIDTH_RESOLUTION, a, r, budget) for a in alphas] for r in sides or resolutions(design)
    ]


def expansion_depth_grid(design: Design, budget: Budget, expansions=EXPANSIONS, depths=DEPTHS) -> list[list[Point]]:
    """Rows by depth factor, columns by expansion factor."""
    return [[compute_point(design, EXPANSION_DEPTH, e, d, budget) for e in expansions] for d in depths]


def largest_fit(grid: list[list[Point | None]], rank: metrics.Metric = metrics.MACS) -> Point | None:
    """The feasible point with the most MACs (the most capable design that fits), or the
    highest ``rank`` (``Budget.ranking``: the predicted latency when the budget limits it,
    the point that uses most of the time allowed)."""
    feasible = [p for row in grid for p in row if p is not None and p.fits and p.value(rank) is not None]
    return max(feasible, key=lambda p: (p.value(rank), p.value(metrics.MACS), p.value(metrics.PARAMS)), default=None)


def has_blocks(design: Design) -> bool:
    """Whether the expansion and depth knobs change anything: a block with an expansion
    ratio, or a stage of several blocks of a repeatable kind."""
    return any("expansion" in b.params for b in design.blocks) or any(
        _repeatable(design, run) for run in stages(design)
    )
