"""Fit to a budget: the limits, the scaling search with its heatmaps, and the lighter
substitutes, each applied as an undoable edit or as a new workspace design."""

from __future__ import annotations

import time

import streamlit as st

from lightdesign import format as fmt
from lightdesign import metrics, scaling, suggestions
from lightdesign.analysis import Analysis
from lightdesign.budget import LIMIT_BY_KEY, LIMITS, Budget
from lightdesign.ui import actions, icons, state
from lightdesign.ui.i18n import labels, t


def current_budget() -> Budget:
    return Budget.saved(st.session_state[state.BUDGET], st.session_state[state.MIN_RESOLUTION] or None)


def _set_amount(key: str, widget: str) -> None:
    errors = st.session_state.setdefault(actions.FIELD_ERRORS, {})
    text = (st.session_state.get(widget) or "").strip()
    try:
        amount = fmt.parse_amount(text) if text else None
        limits = st.session_state[state.BUDGET]
        limits.pop(LIMIT_BY_KEY[key].name, None)  # a budget saved under the limit's short name
        limits[key] = amount
        errors.pop(("budget", key), None)
    except ValueError as exc:
        errors[("budget", key)] = str(exc)


def budget_inputs(result: Analysis) -> None:
    st.caption(t("budget.intro"))
    cols = st.columns(5)
    for column, limit in zip(cols, LIMITS, strict=False):
        widget = f"budget_{limit.name}"
        if widget not in st.session_state:
            value = current_budget().limits.get(limit.key)
            st.session_state[widget] = "" if not value else limit.show(value).replace(" ", "")
        column.text_input(
            t(f"budget.{limit.name}"),
            key=widget,
            on_change=_set_amount,
            args=(limit.key, widget),
            help=t("budget.amount.help"),
        )
        message = actions.field_error(("budget", limit.key))
        if message:
            column.error(message, icon=icons.ERROR)
    cols[4].number_input(t("budget.min_resolution"), 0, 4096, step=8, **state.persistent_widget(state.MIN_RESOLUTION))
    summary(result)


def summary(result: Analysis) -> None:
    budget = current_budget()
    if not budget.active:
        st.caption(t("budget.none"))
        return
    if result.errors:
        return
    over = [t(f"limit.{limit.name}") for limit, _, _, fits in budget.checks(result) if not fits]
    shape = result.design.input_shape
    if budget.min_resolution and (len(shape) != 3 or not budget.resolution_ok(min(shape[:2]))):
        over.append(t("budget.resolution_low", minimum=budget.min_resolution))
    if over:
        st.error(t("budget.over_list", items=", ".join(over)), icon=icons.ERROR)
    else:
        st.success(t("budget.fits_all"), icon=icons.OK)


def _heatmap(grid, metric: metrics.Metric, title: str, x_label: str, y_label: str, key: str) -> None:
    import plotly.graph_objects as go

    xs = [p.x for p in grid[0]]
    ys = [p.y for p in [row[0] for row in grid]]
    z = [[p.value(metric) if p.valid else None for p in row] for row in grid]
    text = [[metric.show(p.value(metric)) if p.valid else "–" for p in row] for row in grid]
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=[str(x) for x in xs],
            y=[str(y) for y in ys],
            text=text,
            texttemplate="%{text}",
            colorscale="Viridis",
            showscale=False,
            hovertemplate=f"{x_label} %{{x}}, {y_label} %{{y}}: %{{text}}<extra></extra>",
        )
    )
    for j, row in enumerate(grid):
        for i, point in enumerate(row):
            if point.fits:
                figure.add_shape(
                    type="rect", x0=i - 0.5, x1=i + 0.5, y0=j - 0.5, y1=j + 0.5, line=dict(color="#ff3030", width=3)
                )
    figure.update_layout(
        title=title, height=360, margin=dict(l=10, r=10, t=40, b=10), xaxis_title=x_label, yaxis_title=y_label
    )
    st.plotly_chart(figure, key=key)


def _add_scaled(design) -> None:
    name = state.workspace().add(design)
    st.session_state[state.SELECTED] = None
    state.flash("success", t("scaling.applied", name=name))


def scaling_search(result: Analysis) -> None:
    design = result.design
    budget = current_budget()
    st.caption(t("scaling.intro"))
    options = []
    if len(design.input_shape) == 3:
        options.append("width_resolution")
    if scaling.has_blocks(design):
        options.append("expansion_depth")
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
    start = time.perf_counter()
    if kind == "width_resolution":
        grid = scaling.width_resolution_grid(design, budget)
        axes = (t("scaling.alpha"), t("scaling.resolution"))

        def build(point):
            return scaling.width_and_resolution(design, point.x, int(point.y))

        def suffix(point):
            return f"α{point.x:g} {int(point.y)}px"
    else:
        grid = scaling.expansion_depth_grid(design, budget)
        axes = (t("scaling.expansion"), t("scaling.depth"))

        def build(point):
            return scaling.scale_depth(scaling.scale_expansion(design, point.x), point.y)

        def suffix(point):
            return f"exp×{point.x:g} depth×{point.y:g}"

    elapsed = time.perf_counter() - start
    st.caption(t("scaling.seconds", points=sum(len(r) for r in grid), ms=elapsed * 1000))
    cols = st.columns(2)
    with cols[0]:
        _heatmap(grid, metrics.MACS, t("scaling.heat.macs"), *axes, key=f"heat_macs_{kind}")
    with cols[1]:
        _heatmap(grid, metrics.PEAK, t("scaling.heat.peak"), *axes, key=f"heat_peak_{kind}")
    if not budget.active:
        st.info(t("scaling.need_budget"))
        return
    best = scaling.largest_fit(grid)
    if best is None:
        st.warning(t("scaling.none_fit"), icon=icons.WARNING)
        return
    scaled = build(best)
    scaled.name = f"{design.name} {suffix(best)}"
    st.button(
        t(
            "scaling.apply",
            x=axes[0],
            xv=f"{best.x:g}",
            y=axes[1],
            yv=f"{best.y:g}",
            macs=metrics.MACS.show(best.value(metrics.MACS)),
        ),
        key=f"apply_scaled_{kind}",
        on_click=_add_scaled,
        args=(scaled,),
        type="primary",
    )


def _apply_suggestion(rule: str, block_ids: tuple[str, ...]) -> None:
    def substitute(design):
        changed = suggestions.substitute(design, rule, block_ids)
        if changed is None:
            from lightdesign.design import DesignError

            raise DesignError(t("suggest.gone"))
        return changed

    actions.edit(substitute)


def lighter_substitutes(result: Analysis) -> None:
    st.caption(t("suggest.intro"))
    found = suggestions.suggest(result.design)
    if not found:
        st.caption(t("suggest.none"))
        return
    for number, suggestion in enumerate(found):
        cols = st.columns([5, 1], vertical_alignment="center")
        with cols[0]:
            st.markdown(f"**{t('suggest.' + suggestion.rule)}** — `{suggestion.detail}`")
            st.caption(
                t(
                    "suggest.saves",
                    params=metrics.PARAMS.show(suggestion.params_saved),
                    params_pct=metrics.share(suggestion.params_saved, metrics.PARAMS.read(result)),
                    macs=metrics.MACS.show(suggestion.macs_saved),
                    macs_pct=metrics.share(suggestion.macs_saved, metrics.MACS.read(result)),
                )
                + (" · " + t("suggest.theory", text=suggestion.theory) if suggestion.theory else "")
            )
        cols[1].button(
            t("suggest.apply"),
            key=f"suggest_{number}_{suggestion.rule}_{'_'.join(suggestion.block_ids)}",
            on_click=_apply_suggestion,
            args=suggestion.key,
        )
