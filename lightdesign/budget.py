"""Budgets: limits on MACs, params, int8 weight size (flash) and peak activation memory
(RAM), checked against an analysis."""

from __future__ import annotations

from dataclasses import dataclass, field

from lightdesign import format as fmt
from lightdesign.analysis import Analysis


@dataclass(frozen=True)
class Limit:
    key: str
    label: str
    unit: str  # "count" or "bytes"

    def value(self, result: Analysis) -> int:
        return {
            "macs": result.macs,
            "params": result.params,
            "int8": result.weight_bytes.get("int8", 0),
            "peak": result.peak_activation_bytes,
        }[self.key]

    def show(self, amount: float) -> str:
        return fmt.count(amount) if self.unit == "count" else fmt.size(amount)


LIMITS = (
    Limit("macs", "MACs", "count"),
    Limit("params", "Params", "count"),
    Limit("int8", "int8 weights (flash)", "bytes"),
    Limit("peak", "Peak activations (RAM)", "bytes"),
)
LIMIT_BY_KEY = {limit.key: limit for limit in LIMITS}


@dataclass
class Budget:
    """Upper limits (None = no limit) and an optional minimum input resolution."""

    limits: dict[str, int | None] = field(default_factory=dict)
    min_resolution: int | None = None

    @property
    def active(self) -> bool:
        return any(v for v in self.limits.values()) or bool(self.min_resolution)

    def checks(self, result: Analysis) -> list[tuple[Limit, int, int, bool]]:
        """(limit, value, maximum, fits) for every limit that is set."""
        out = []
        for limit in LIMITS:
            maximum = self.limits.get(limit.key)
            if maximum:
                value = limit.value(result)
                out.append((limit, value, maximum, value <= maximum))
        return out

    def resolution_ok(self, resolution: int) -> bool:
        return not self.min_resolution or resolution >= self.min_resolution

    def fits(self, result: Analysis) -> bool:
        if result.errors:
            return False
        shape = result.design.input_shape
        if len(shape) == 3 and not self.resolution_ok(min(shape[0], shape[1])):
            return False
        return all(ok for *_, ok in self.checks(result))
