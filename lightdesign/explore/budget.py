"""Budgets: limits on MACs, params, int8 weight size (flash), peak activation memory
(RAM), the int8 model's TFLite Micro activation arena (SRAM) and the predicted latency on
this machine (float32 or int8, one thread), checked against an analysis. Each limit is on
one metric of ``lightdesign.analysis.metrics`` and a budget is keyed by metric key. A
latency that is not predicted (not calibrated) never fits a latency limit. A budget may
also name a target device: the int8 deployment's RAM and flash must then fit it as
``analysis.fit`` counts them."""

from __future__ import annotations

from dataclasses import dataclass, field

from lightdesign.analysis import fit, metrics
from lightdesign.analysis.network import Analysis
from lightdesign.analysis.targets import Target


@dataclass(frozen=True)
class Limit:
    """An upper limit on one metric. ``name`` is its short name: the CLI option
    ``--max-{name}``, the budget widget ``budget_{name}`` and the catalogue keys
    ``budget.{name}`` (input label) and ``limit.{name}`` (in the over-budget list)."""

    metric: metrics.Metric
    name: str

    @property
    def key(self) -> str:
        """The metric key: budgets are keyed by it."""
        return self.metric.key

    @property
    def label(self) -> str:
        return self.metric.label

    def value(self, result: Analysis) -> int | float | None:
        return self.metric.read(result)

    @property
    def latency(self) -> bool:
        """A limit on predicted milliseconds (rather than a count or bytes)."""
        return self.metric.unit is metrics.Unit.MS

    def show(self, amount: float) -> str:
        return self.metric.show(amount)


LIMITS = (
    Limit(metrics.MACS, "macs"),
    Limit(metrics.PARAMS, "params"),
    Limit(metrics.WEIGHTS_INT8, "int8"),
    Limit(metrics.PEAK, "peak"),
    Limit(metrics.PEAK_INT8, "sram"),  # TFLite Micro's activation arena: what must fit into SRAM
    Limit(metrics.PREDICTED_FP32, "latency"),  # predicted TFLite float32 milliseconds, one thread
    Limit(metrics.PREDICTED_INT8, "latency_int8"),
)
LIMIT_BY_KEY = {limit.key: limit for limit in LIMITS}
LIMIT_BY_NAME = {limit.name: limit for limit in LIMITS}


@dataclass
class Budget:
    """Upper limits (None = no limit), an optional minimum input resolution and an optional
    target device the int8 deployment must fit."""

    limits: dict[str, int | float | None] = field(default_factory=dict)  # metric key -> maximum
    min_resolution: int | None = None
    target: Target | None = None

    def __post_init__(self) -> None:
        unknown = set(self.limits) - set(LIMIT_BY_KEY)
        if unknown:
            raise KeyError(f"no limit on {', '.join(sorted(unknown))}; limits: {', '.join(LIMIT_BY_KEY)}")

    @classmethod
    def saved(
        cls, limits: dict[str, int | None], min_resolution: int | None = None, target: Target | None = None
    ) -> Budget:
        """A budget from saved settings, whose limits may be keyed by the limits' short
        names (``int8``, ``peak``: budgets saved before they were keyed by metric)."""
        by_key = {LIMIT_BY_NAME[k].key if k in LIMIT_BY_NAME else k: v for k, v in limits.items()}
        return cls(by_key, min_resolution, target)

    @property
    def active(self) -> bool:
        return any(v for v in self.limits.values()) or bool(self.min_resolution) or self.target is not None

    def target_fit(self, result: Analysis) -> fit.Fit | None:
        """The int8 deployment against the budget's target (None without a target)."""
        if self.target is None:
            return None
        return fit.check(fit.footprint(result), self.target)

    def checks(self, result: Analysis) -> list[tuple[Limit, int | float | None, int | float, bool]]:
        """(limit, value, maximum, fits) for every limit that is set; a value that is not
        known (a latency not predicted) is None and does not fit."""
        out = []
        for limit in LIMITS:
            maximum = self.limits.get(limit.key)
            if maximum:
                value = limit.value(result)
                out.append((limit, value, maximum, value is not None and value <= maximum))
        return out

    @property
    def ranking(self) -> metrics.Metric:
        """What ranks the designs that fit: the limited latency when a latency limit is set
        (the scan's largest fit, the sweep's candidates, the substitutes), else MACs."""
        for limit in LIMITS:
            if limit.latency and self.limits.get(limit.key):
                return limit.metric
        return metrics.MACS

    def resolution_ok(self, resolution: int) -> bool:
        return not self.min_resolution or resolution >= self.min_resolution

    def fits(self, result: Analysis) -> bool:
        if result.errors:
            return False
        shape = result.design.input_shape
        if len(shape) == 3 and not self.resolution_ok(min(shape[0], shape[1])):
            return False
        target = self.target_fit(result)
        if target is not None and not target.fits:
            return False
        return all(ok for *_, ok in self.checks(result))
