"""Live costs: metrics, per-block charts and the per-layer table."""

from __future__ import annotations

import streamlit as st

from lightdesign import format as fmt
from lightdesign.analysis import OPTIMIZER_SLOTS, Analysis, training_memory
from lightdesign.ui import state
from lightdesign.ui.i18n import t

STALE_KEY = "stale_stats"


def _budget_delta(key: str, value: int) -> dict:
    """Delta text and colour of a figure against the session's budget (if it limits it)."""
    maximum = st.session_state.get(state.BUDGET, {}).get(key)
    if not maximum:
        return {}
    share = 100 * value / maximum
    if value > maximum:
        return {"delta": t("budget.over", pct=share - 100), "delta_color": "red", "delta_arrow": "up"}
    return {"delta": t("budget.fits", pct=share), "delta_color": "green", "delta_arrow": "off"}


def metrics(result: Analysis) -> None:
    """Headline figures, formatted for people, exact on hover, coloured against the budget."""
    w = result.weight_bytes
    training = training_memory(result, st.session_state[state.BATCH_SIZE], st.session_state[state.OPTIMIZER])
    row1 = st.columns(4)
    row1[0].metric(
        t("costs.params"),
        fmt.count(result.params),
        **_budget_delta("params", result.params),
        help=t(
            "costs.params.help",
            params=result.params,
            trainable=result.trainable,
            non_trainable=result.non_trainable,
            conventions=t("costs.conventions"),
        ),
    )
    row1[1].metric(
        t("costs.trainable"), fmt.count(result.trainable), help=t("costs.trainable.help", value=result.trainable)
    )
    row1[2].metric(
        t("costs.non_trainable"),
        fmt.count(result.non_trainable),
        help=t("costs.non_trainable.help", value=result.non_trainable),
    )
    row1[3].metric(
        t("costs.macs"),
        fmt.count(result.macs),
        **_budget_delta("macs", result.macs),
        help=t("costs.macs.help", value=result.macs),
    )
    row2 = st.columns(4)
    row2[0].metric(t("costs.flops"), fmt.count(result.flops), help=t("costs.flops.help", value=result.flops))
    row2[1].metric(
        t("costs.fp32"),
        fmt.size(w["fp32"]),
        help=t("costs.fp32.help", fp32=w["fp32"], fp16=w["fp16"], fp16_text=fmt.size(w["fp16"]), int8=w["int8"]),
    )
    row2[2].metric(
        t("costs.int8"),
        fmt.size(w["int8"]),
        **_budget_delta("int8", w["int8"]),
        help=t("costs.int8.help", value=w["int8"]),
    )
    row2[3].metric(
        t("costs.peak"),
        fmt.size(result.peak_activation_bytes),
        **_budget_delta("peak", result.peak_activation_bytes),
        help=t(
            "costs.peak.help",
            value=result.peak_activation_bytes,
            int8=result.peak_activation_bytes_int8,
            layer=result.peak_at,
        ),
    )
    st.caption(
        t(
            "costs.exact",
            params=result.params,
            trainable=result.trainable,
            non_trainable=result.non_trainable,
            macs=result.macs,
            flops=result.flops,
            output=fmt.shape(result.output_shape),
        )
    )
    row3 = st.columns([2, 1, 1])
    row3[0].metric(
        t("costs.training", batch=training.batch_size, optimizer=training.optimizer),
        fmt.size(training.total),
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
    row3[1].number_input(
        t("costs.batch"), min_value=1, max_value=4096, step=1, **state.persistent_widget(state.BATCH_SIZE)
    )
    row3[2].selectbox(t("costs.optimizer"), sorted(OPTIMIZER_SLOTS), **state.persistent_widget(state.OPTIMIZER))


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
    total_macs = result.macs or 1
    total_params = result.params or 1
    if per_layer:
        names = {b.index: b.name for b in result.blocks}
        rows = [
            {
                "index": i,
                "layer": r.name,
                "block": names.get(r.block, "input"),
                "kind": r.kind,
                "output": fmt.shape(r.shape),
                "params": r.params,
                "macs": r.macs,
                "mac_share": round(100 * r.macs / total_macs, 2),
                "activation": r.activation_bytes,
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
                "params": b.params,
                "param_share": round(100 * b.params / total_params, 2),
                "macs": b.macs,
                "mac_share": round(100 * b.macs / total_macs, 2),
                "activation": b.output_bytes,
            }
            for b in result.blocks
        ]
    frame = pd.DataFrame(rows).rename(columns=lambda c: t(f"col.{c}"))
    number = st.column_config.NumberColumn(format="localized")
    st.dataframe(
        frame,
        hide_index=True,
        key="cost_table",
        column_config={t("col.params"): number, t("col.macs"): number, t("col.activation"): number},
    )
