"""Layout shared by the app's Plotly figures."""

from __future__ import annotations

# A horizontal legend's default place is under the plot, where it covers the x axis title
# (and, with slanted tick labels, the ticks). It goes in a row above the plot instead; over
# subplot titles, high enough to clear them. Plotly widens the top margin to fit it.
LEGEND = dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0)
LEGEND_OVER_TITLES = {**LEGEND, "y": 1.14}


def legend_above(figure, *, subplot_titles: bool = False) -> None:
    """Put ``figure``'s legend in a row above the plot, clear of the axis titles."""
    figure.update_layout(legend=LEGEND_OVER_TITLES if subplot_titles else LEGEND)


def padded_range(values: list[float], *, floor: float | None = 0.0) -> list[float] | None:
    """An axis range around ``values`` with some room on either side: a single value (or
    values a hair apart) gets ±10% of itself, never Plotly's ticks a millionth apart
    (3.662079M … 3.662081M). None when there is nothing to show."""
    finite = [float(v) for v in values if v is not None]
    if not finite:
        return None
    low, high = min(finite), max(finite)
    pad = max(0.1 * (high - low), 0.1 * max(abs(low), abs(high)), 1e-9)
    start, end = low - pad, high + pad
    if floor is not None and low >= floor:
        start = max(start, floor)
    return [start, end]
