"""The scaling search: the design scaled over a grid (width and resolution, or expansion
and depth), every point analysed against the budget, shown as heatmaps while the scan runs
(in the background for large designs), and the largest design that fits added on request."""

from __future__ import annotations

import time

import streamlit as st

from lightdesign.analysis import metrics
from lightdesign.analysis.network import Analysis
from lightdesign.core.design import Design, DesignError
from lightdesign.explore import scaling
from lightdesign.explore.budget import Budget
from lightdesign.ui import background, icons, state
from lightdesign.ui.background import Work
from lightdesign.ui.budget_view import current_budget
from lightdesign.ui.i18n import labels, t
from lightdesign.ui.markup import html

SCAN = "scaling_scan"  # the session's one scan (a background.Work: its points by (x, y))
INLINE_BUDGET_S = 2.0  # small designs are scanned in the page run (usually all of it)
SCAN_BUDGET_S = 60.0  # a scan stops after this long with what it has (Continue resumes it)


def _heatmap(grid, kind: str, design, metric: metrics.Metric, title: str, x_label: str, y_label: str, key: str) -> None:
    import plotly.graph_objects as go

    xs, ys = scaling.axes(kind, design)
    z = [[p.value(metric) if p is not None and p.valid else None for p in row] for row in grid]
    text = [
        [metric.show(p.value(metric)) if p is not None and p.valid else ("…" if p is None else "–") for p in row]
        for row in grid
    ]
    # The red frames of the points that fit, given all at once: one add_shape per point
    # took Plotly ~9 ms each (0.9 s for a grid that fits everywhere, on every refresh).
    frames = [
        dict(type="rect", x0=i - 0.5, x1=i + 0.5, y0=j - 0.5, y1=j + 0.5, line=dict(color="#ff3030", width=3))
        for j, row in enumerate(grid)
        for i, point in enumerate(row)
        if point is not None and point.fits
    ]
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=[str(x) for x in xs],
            y=[str(y) for y in ys],
            text=text,
            texttemplate="%{text}",
            colorscale="Viridis",
            showscale=False,
            hovertemplate=f"{html(x_label)} %{{x}}, {html(y_label)} %{{y}}: %{{text}}<extra></extra>",
        ),
        layout=dict(
            shapes=frames,
            title=html(title),
            height=360,
            margin=dict(l=10, r=10, t=40, b=10),
            xaxis_title=x_label,
            yaxis_title=y_label,
        ),
    )
    st.plotly_chart(figure, key=key)


def _add_scaled(design) -> None:
    try:
        name = state.workspace().add(design)
    except DesignError as exc:
        state.flash("error", str(exc))
        return
    st.session_state[state.SELECTED] = None
    state.flash("success", t("scaling.applied", name=name))


def _scan(design: Design, kind: str, budget: Budget) -> Work:
    """The session's scan of this design, kind and budget: kept across reruns (a rerun
    redoes nothing); another design, kind, budget, target or latency calibration replaces it
    (and cancels its tasks)."""
    key = (
        background.fingerprint(design),
        kind,
        tuple(sorted(budget.limits.items())),
        budget.min_resolution,
        budget.target,
        state.calibration_stamp(),
    )
    return background.session_work(SCAN, key, lambda: Work(key, about=(design, kind, budget)))


def _advance(scan: Work) -> None:
    """Collect finished points; compute small designs inline; keep IN_FLIGHT tasks going
    in the background; stop at the time budget."""
    if scan.state != background.RUNNING:
        return
    scan.collect()  # a point that failed (a broken pool) is computed again
    design, kind, budget = scan.about
    todo = [p for p in scaling.scan_points(kind, design) if p not in scan.results and p not in scan.futures]
    if len(design.blocks) <= background.INLINE_MAX_BLOCKS:
        started = time.perf_counter()
        while todo and time.perf_counter() - started < INLINE_BUDGET_S:
            x, y = todo.pop(0)
            scan.results[(x, y)] = scaling.compute_point(design, kind, x, y, budget)
    scan.seconds = time.monotonic() - scan.since
    if not todo and not scan.futures:
        scan.state = background.DONE
        return
    if scan.seconds > SCAN_BUDGET_S:
        scan.stop(background.TIMED_OUT)
        return
    for x, y in todo[: scan.room()]:
        scan.submit((x, y), scaling.compute_point, design, kind, x, y, budget)


def _scan_axes(kind: str) -> tuple[str, str]:
    if kind == scaling.WIDTH_RESOLUTION:
        return t("scaling.alpha"), t("scaling.resolution")
    return t("scaling.expansion"), t("scaling.depth")


def _suffix(kind: str, point) -> str:
    if kind == scaling.WIDTH_RESOLUTION:
        return f"α{point.x:g} {int(point.y)}px"
    return f"exp×{point.x:g} depth×{point.y:g}"


def scaling_search(result: Analysis) -> None:
    design = result.design
    budget = current_budget()
    st.caption(t("scaling.intro"))
    options = []
    if len(design.input_shape) == 3:
        options.append(scaling.WIDTH_RESOLUTION)
    if scaling.has_blocks(design):
        options.append(scaling.EXPANSION_DEPTH)
    if not options:
        st.info(t("scaling.images_only"))
        return
    kind = st.radio(
        t("scaling.kind"),
        options,
        format_func=labels(options, lambda o: t(f"scaling.{o}")),
        horizontal=True,
        key="scaling_kind",
    )
    scan = _scan(design, kind, budget)
    _advance(scan)
    if scan.state == background.RUNNING:
        background.live(SCAN, _advance, _progress)
    else:
        _scan_result(scan)


def _progress(scan: Work) -> None:
    """A running scan: progress, Cancel and the points so far."""
    design, kind, _ = scan.about
    total = len(scaling.scan_points(kind, design))
    cols = st.columns([4, 1], vertical_alignment="center")
    cols[0].progress(
        len(scan.results) / total,
        text=t("scaling.progress", done=len(scan.results), points=total, seconds=scan.seconds),
    )
    cols[1].button(t("scaling.cancel"), key="scaling_cancel", on_click=background.cancel_work, args=(SCAN,))
    _heatmaps(scan)


def _heatmaps(scan: Work) -> None:
    """MACs and peak memory over the grid; under a latency limit, the limited predicted
    latency beside them (what ranks the points then)."""
    design, kind, budget = scan.about
    grid = scaling.assemble(kind, design, scan.results)
    axes = _scan_axes(kind)
    rank = budget.ranking
    cols = st.columns(3 if rank.unit is metrics.Unit.MS else 2)
    with cols[0]:
        _heatmap(grid, kind, design, metrics.MACS, t("scaling.heat.macs"), *axes, key=f"heat_macs_{kind}")
    with cols[1]:
        _heatmap(grid, kind, design, metrics.PEAK, t("scaling.heat.peak"), *axes, key=f"heat_peak_{kind}")
    if len(cols) == 3:
        with cols[2]:
            _heatmap(grid, kind, design, rank, t(rank.label_key), *axes, key=f"heat_latency_{kind}")


def _scan_result(scan: Work) -> None:
    design, kind, budget = scan.about
    total = len(scaling.scan_points(kind, design))
    if scan.state == background.DONE:
        st.caption(t("scaling.seconds", points=total, ms=scan.seconds * 1000))
    else:
        key = "scaling.cancelled" if scan.state == background.CANCELLED else "scaling.timed_out"
        cols = st.columns([4, 1], vertical_alignment="center")
        cols[0].warning(t(key, done=len(scan.results), points=total, seconds=scan.seconds), icon=icons.WARNING)
        cols[1].button(t("scaling.continue"), key="scaling_continue", on_click=background.resume_work, args=(SCAN,))
    _heatmaps(scan)
    if not budget.active:
        st.info(t("scaling.need_budget"))
        return
    rank = budget.ranking  # the predicted latency under a latency limit, else MACs
    best = scaling.largest_fit(scaling.assemble(kind, design, scan.results), rank)
    if best is None:
        st.warning(t("scaling.none_fit"), icon=icons.WARNING)
        return
    scaled = scaling.variant(design, kind, best.x, best.y)
    scaled.name = f"{design.name} {_suffix(kind, best)}"
    axes = _scan_axes(kind)
    st.button(
        t(
            "scaling.apply",
            x=axes[0],
            xv=f"{best.x:g}",
            y=axes[1],
            yv=f"{best.y:g}",
            macs=metrics.MACS.show(best.value(metrics.MACS)),
        )
        + ("" if rank is metrics.MACS else t("scaling.apply_latency", ms=rank.show(best.value(rank)))),
        key=f"apply_scaled_{kind}",
        on_click=_add_scaled,
        args=(scaled,),
        type="primary",
    )
    from lightdesign.ui import sweep_view  # train the Pareto-optimal candidates

    sweep_view.panel(design, kind, list(scan.results.values()))
