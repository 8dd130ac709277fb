"""Live costs: metrics, per-block charts and the per-layer table."""

from __future__ import annotations

import streamlit as st

from lightdesign.analysis.metrics import (
    ANALYSIS,
    FLOPS,
    MACS,
    NON_TRAINABLE,
    PARAMS,
    PEAK,
    PEAK_INT8,
    PEAK_INT8_IN_PLACE,
    TRAINABLE,
    TRAINING,
    WEIGHTS_FP16,
    WEIGHTS_FP32,
    WEIGHTS_INT8,
    Metric,
    share,
    summary,
)
from lightdesign.analysis.network import OPTIMIZER_SLOTS, Analysis, training_memory
from lightdesign.core import format as fmt
from lightdesign.ui import budget_view, fit_view, latency_view, plots, state
from lightdesign.ui.i18n import t
from lightdesign.ui.markup import html, message

STALE_KEY = "stale_stats"


def _budget_delta(key: str, value: int) -> dict:
    """Delta text and colour of a figure against the session's budget (if it limits it)."""
    maximum = budget_view.current_budget().limits.get(key)
    if not maximum:
        return {}
    percent = share(value, maximum)
    if value > maximum:
        return {"delta": t("budget.over", pct=percent - 100), "delta_color": "red", "delta_arrow": "up"}
    return {"delta": t("budget.fits", pct=percent), "delta_color": "green", "delta_arrow": "off"}


def metrics(result: Analysis) -> None:
    """Headline figures in one compact row (the rest under "All figures"), formatted for
    people, exact on hover, coloured against the budget; the exact counts on the line below."""
    figures = summary(result)

    def figure(column, metric: Metric, help_text: str) -> None:
        value = figures[metric.key]
        shown = metric.show(value) + (" *" if metric.key in result.unknown else "")  # incomplete: see the caption
        column.metric(t(metric.label_key), shown, **_budget_delta(metric.key, value), help=help_text)

    params, macs, flops = figures[PARAMS.key], figures[MACS.key], figures[FLOPS.key]
    trainable, non_trainable = figures[TRAINABLE.key], figures[NON_TRAINABLE.key]
    fp32, fp16, int8 = figures[WEIGHTS_FP32.key], figures[WEIGHTS_FP16.key], figures[WEIGHTS_INT8.key]
    peak = figures[PEAK.key]
    conventions = t("costs.conventions")
    plan = result.deployment
    rough = "" if plan is None or plan.supported else t("costs.peak_int8.rough")
    row = st.columns([1, 1, 1, 1, 1.1, 1.1, 1.6, 0.9, 1.3], gap="small", vertical_alignment="bottom")
    figure(
        row[0],
        PARAMS,
        t(
            "costs.params.help",
            params=params,
            trainable=trainable,
            non_trainable=non_trainable,
            conventions=conventions,
        ),
    )
    figure(row[1], MACS, t("costs.macs.help", value=macs))
    figure(row[2], FLOPS, t("costs.flops.help", value=flops))
    figure(row[3], WEIGHTS_INT8, t("costs.int8.help", value=int8))
    figure(row[4], PEAK, t("costs.peak.help", value=peak, int8=figures[PEAK_INT8.key], layer=result.peak_at))
    figure(
        row[5],
        PEAK_INT8,
        t("costs.peak_int8.help", value=figures[PEAK_INT8.key], layer=result.peak_at_int8) + rough,
    )
    _training(result, row[6])
    with row[7].popover(t("costs.more")):
        figure(st, TRAINABLE, t("costs.trainable.help", value=trainable))
        figure(st, NON_TRAINABLE, t("costs.non_trainable.help", value=non_trainable))
        figure(
            st, WEIGHTS_FP32, t("costs.fp32.help", fp32=fp32, fp16=fp16, fp16_text=WEIGHTS_FP16.show(fp16), int8=int8)
        )
        figure(
            st,
            PEAK_INT8_IN_PLACE,
            t("costs.in_place.help", value=figures[PEAK_INT8_IN_PLACE.key], layer=result.peak_at_int8_in_place),
        )
        # The training figure follows the batch size and optimizer chosen here, not the analysis default.
        st.number_input(
            t("costs.batch"), min_value=1, max_value=4096, step=1, **state.persistent_widget(state.BATCH_SIZE)
        )
        st.selectbox(t("costs.optimizer"), sorted(OPTIMIZER_SLOTS), **state.persistent_widget(state.OPTIMIZER))
    fit_view.figure(result, row[8])
    latency_view.pinned(result)
    st.caption(
        t(
            "costs.exact",
            params=params,
            trainable=trainable,
            non_trainable=non_trainable,
            macs=macs,
            flops=flops,
            output=fmt.shape(result.output_shape),
        )
    )
    if result.dead_blocks:
        names = ", ".join(result.design.blocks[i].name for i in result.dead_blocks)
        st.caption(message("costs.dead", names=names))
    incomplete(result)


def incomplete(result: Analysis) -> None:
    """Which figures (marked *) leave out costs nobody knows: imported layers no kind expresses."""
    if not result.unknown:
        return
    labels = ", ".join(t(metric.label_key) for metric in ANALYSIS if metric.key in result.unknown)
    names = sorted({name for found in result.unknown.values() for name in found})
    shown = ", ".join(names[:6]) + (f" … +{len(names) - 6}" if len(names) > 6 else "")
    st.caption(message("costs.incomplete", figures=labels, count=len(names), names=shown))


def _training(result: Analysis, column) -> None:
    training = training_memory(result, st.session_state[state.BATCH_SIZE], st.session_state[state.OPTIMIZER])
    column.metric(
        t("costs.training", batch=training.batch_size, optimizer=training.optimizer),
        TRAINING.show(training.total),
        help=t(
            "costs.training.help",
            total=training.total,
            weights=training.weights,
            gradients=training.gradients,
            slots=training.optimizer_slots,
            activations=training.activations,
            inputs=training.input_batch,
        ),
    )


def timeline(result: Analysis, key: str = "memory_timeline") -> None:
    """Live activation memory per layer in execution order, fp32 and int8 deployment,
    each peak marked and named: where to look when the network must fit in RAM."""
    import plotly.graph_objects as go

    steps = result.timeline
    if len(steps) < 2:
        return
    layers = [s.name for s in steps]
    names = [html(name) for name in layers]  # layer names are user text: literal in Plotly's labels
    figure = go.Figure()
    for label, values, peak_layer, color in (
        (t("costs.timeline.fp32"), [s.fp32 for s in steps], result.peak_at, "#4c78a8"),
        (t("costs.timeline.int8"), [s.int8 for s in steps], result.peak_at_int8, "#f58518"),
    ):
        figure.add_trace(
            go.Scatter(
                x=list(range(len(steps))),
                y=values,
                mode="lines+markers",
                line=dict(shape="hv", color=color),
                marker=dict(size=4),
                name=label,
                text=names,
                hovertemplate="%{text}<br>%{y:,} B<extra>" + label + "</extra>",
            )
        )
        top = layers.index(peak_layer) if peak_layer in layers else max(range(len(values)), key=values.__getitem__)
        figure.add_annotation(
            x=top,
            y=values[top],
            text=t("costs.timeline.peak", layer=names[top], size=fmt.size(values[top])),
            showarrow=True,
            arrowcolor=color,
            font=dict(color=color, size=11),
            bgcolor="rgba(255,255,255,0.8)",
        )
    figure.update_layout(
        height=320,
        margin=dict(l=10, r=10, t=30, b=10),
        xaxis_title=t("costs.timeline.x"),
        yaxis_title=t("costs.timeline.y"),
    )
    plots.legend_above(figure)
    if len(steps) <= 40:  # few enough to name every layer on the axis
        figure.update_xaxes(tickmode="array", tickvals=list(range(len(steps))), ticktext=names, tickangle=-45)
    st.markdown(f"**{t('costs.timeline.title')}**")
    st.plotly_chart(figure, key=key)
    st.caption(t("costs.timeline.caption", arena=fmt.size(PEAK_INT8.read(result))))
    latency_view.layer_times(result)


def stale(result: Analysis) -> None:
    """The last valid figures, greyed, while the design has errors."""
    st.markdown(f"<style>.st-key-{STALE_KEY} {{opacity: 0.45; filter: grayscale(1);}}</style>", unsafe_allow_html=True)
    with st.container(key=STALE_KEY):
        st.caption(t("costs.stale"))
        metrics(result)


def charts(result: Analysis) -> None:
    """MACs, params and activation size per block; the most expensive block highlighted."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    blocks = result.blocks
    if not blocks:
        return
    names = [f"{b.index + 1}. {b.name}" for b in blocks]
    series = [
        (t("costs.chart.macs"), [b.macs for b in blocks], t("costs.unit.macs")),
        (t("costs.chart.params"), [b.params for b in blocks], t("costs.unit.params")),
        (t("costs.chart.activation"), [b.output_bytes for b in blocks], t("costs.unit.bytes")),
    ]
    figure = make_subplots(
        rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.06, subplot_titles=[title for title, _, _ in series]
    )
    for row, (title, values, unit) in enumerate(series, start=1):
        top = max(range(len(values)), key=values.__getitem__)
        colors = ["#d62728" if i == top else "#4c78a8" for i in range(len(values))]
        figure.add_trace(
            go.Bar(
                x=names,
                y=values,
                marker_color=colors,
                name=title,
                hovertemplate=f"%{{x}}<br>%{{y:,}} {unit}<extra></extra>",
            ),
            row=row,
            col=1,
        )
    figure.update_layout(height=560, showlegend=False, margin=dict(l=10, r=10, t=30, b=10))
    figure.update_xaxes(tickangle=-45, tickfont=dict(size=9))
    st.plotly_chart(figure, key="cost_charts")


def table(result: Analysis) -> None:
    """Per-block or per-layer table with shares of the totals; sortable."""
    import pandas as pd

    per_layer = st.toggle(t("costs.per_layer"), key="table_per_layer")
    total_macs, total_params = MACS.read(result), PARAMS.read(result)
    if per_layer:
        names = {b.index: b.name for b in result.blocks}
        rows = [
            {
                "index": i,
                "layer": r.name,
                "block": names.get(r.block, "input"),
                "kind": r.kind,
                "output": fmt.shape(r.shape),
                "params": fmt.cell(r.params),
                "macs": fmt.cell(r.macs),
                "mac_share": round(share(r.macs, total_macs), 2),
                "activation": fmt.cell(r.activation_bytes),
            }
            for i, r in enumerate(result.rows)
        ]
    else:
        rows = [
            {
                "index": b.index + 1,
                "block": b.name,
                "kind": b.kind,
                "output": fmt.shape(b.shape),
                "params": fmt.cell(b.params),
                "param_share": round(share(b.params, total_params), 2),
                "macs": fmt.cell(b.macs),
                "mac_share": round(share(b.macs, total_macs), 2),
                "activation": fmt.cell(b.output_bytes),
            }
            for b in result.blocks
        ]
    frame = latency_view.with_latency(pd.DataFrame(rows).rename(columns=lambda c: t(f"col.{c}")), result, per_layer)
    number = st.column_config.NumberColumn(format="localized")
    st.dataframe(
        frame,
        hide_index=True,
        key="cost_table",
        column_config={t("col.params"): number, t("col.macs"): number, t("col.activation"): number},
    )
