"""Live costs: metrics, per-block charts and the per-layer table."""

from __future__ import annotations

import streamlit as st

from lightdesign import format as fmt
from lightdesign.analysis import OPTIMIZER_SLOTS, Analysis, training_memory
from lightdesign.ui import state

STALE_KEY = "stale_stats"
_CONVENTIONS = (
    "Params follow Keras (trainable + BatchNorm statistics). MACs are multiply-accumulates of "
    "convolutions, dense and recurrent layers (the papers' Mult-Adds). FLOPs follow TensorFlow's profiler. "
    "Peak memory is the largest set of live activations at batch 1."
)


def metrics(result: Analysis) -> None:
    """Headline figures, formatted for people, exact on hover."""
    w = result.weight_bytes
    training = training_memory(result, st.session_state[state.BATCH_SIZE], st.session_state[state.OPTIMIZER])
    row1 = st.columns(4)
    row1[0].metric("Params", fmt.count(result.params),
                   help=f"{result.params:,} parameters: {result.trainable:,} trainable + "
                        f"{result.non_trainable:,} non-trainable. {_CONVENTIONS}")
    row1[1].metric("Trainable", fmt.count(result.trainable), help=f"{result.trainable:,} trainable parameters")
    row1[2].metric("Non-trainable", fmt.count(result.non_trainable),
                   help=f"{result.non_trainable:,} non-trainable parameters (BatchNorm moving statistics)")
    row1[3].metric("MACs", fmt.count(result.macs), help=f"{result.macs:,} multiply-accumulates per image")
    row2 = st.columns(4)
    row2[0].metric("FLOPs", fmt.count(result.flops), help=f"{result.flops:,} floating-point operations (TF profiler convention)")
    row2[1].metric("Weights fp32", fmt.size(w["fp32"]),
                   help=f"fp32 {w['fp32']:,} B · fp16 {w['fp16']:,} B ({fmt.size(w['fp16'])}) · int8 {w['int8']:,} B")
    row2[2].metric("Weights int8", fmt.size(w["int8"]),
                   help=f"{w['int8']:,} bytes as a fully quantized TFLite model (BatchNorm folded)")
    row2[3].metric("Peak activations", fmt.size(result.peak_activation_bytes),
                   help=f"{result.peak_activation_bytes:,} bytes at batch 1 in fp32 "
                        f"({result.peak_activation_bytes_int8:,} in int8), reached at layer {result.peak_at}")
    st.caption(f"Exact: {result.params:,} params ({result.trainable:,} trainable, {result.non_trainable:,} "
               f"non-trainable) · {result.macs:,} MACs · {result.flops:,} FLOPs · output {fmt.shape(result.output_shape)}")
    row3 = st.columns([2, 1, 1])
    row3[0].metric(f"Training memory · batch {training.batch_size} · {training.optimizer}", fmt.size(training.total),
                   help=f"{training.total:,} bytes: weights {training.weights:,} + gradients {training.gradients:,} + "
                        f"optimizer {training.optimizer_slots:,} + activations {training.activations:,} + "
                        f"input batch {training.input_batch:,}")
    row3[1].number_input("Batch size", min_value=1, max_value=4096, step=1, **state.persistent_widget(state.BATCH_SIZE))
    row3[2].selectbox("Optimizer", sorted(OPTIMIZER_SLOTS), **state.persistent_widget(state.OPTIMIZER))


def stale(result: Analysis) -> None:
    """The last valid figures, greyed, while the design has errors."""
    st.markdown(f"<style>.st-key-{STALE_KEY} {{opacity: 0.45; filter: grayscale(1);}}</style>",
                unsafe_allow_html=True)
    with st.container(key=STALE_KEY):
        st.caption("Last valid figures (the design has errors now):")
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
        ("MACs", [b.macs for b in blocks], "MACs"),
        ("Params", [b.params for b in blocks], "params"),
        ("Activation size (bytes)", [b.output_bytes for b in blocks], "bytes"),
    ]
    figure = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.06,
                           subplot_titles=[title for title, _, _ in series])
    for row, (title, values, unit) in enumerate(series, start=1):
        top = max(range(len(values)), key=values.__getitem__)
        colors = ["#d62728" if i == top else "#4c78a8" for i in range(len(values))]
        figure.add_trace(go.Bar(x=names, y=values, marker_color=colors, name=title,
                                hovertemplate=f"%{{x}}<br>%{{y:,}} {unit}<extra></extra>"), row=row, col=1)
    figure.update_layout(height=560, showlegend=False, margin=dict(l=10, r=10, t=30, b=10))
    figure.update_xaxes(tickangle=-45, tickfont=dict(size=9))
    st.plotly_chart(figure, key="cost_charts")


def table(result: Analysis) -> None:
    """Per-block or per-layer table with shares of the totals; sortable."""
    import pandas as pd

    per_layer = st.toggle("One row per layer (expand composite blocks)", key="table_per_layer")
    total_macs = result.macs or 1
    total_params = result.params or 1
    if per_layer:
        names = {b.index: b.name for b in result.blocks}
        rows = [{"#": i, "layer": r.name, "block": names.get(r.block, "input"), "kind": r.kind,
                 "output": fmt.shape(r.shape), "params": r.params, "MACs": r.macs,
                 "MAC share %": round(100 * r.macs / total_macs, 2), "activation bytes": r.activation_bytes}
                for i, r in enumerate(result.rows)]
    else:
        rows = [{"#": b.index + 1, "block": b.name, "kind": b.kind, "output": fmt.shape(b.shape), "params": b.params,
                 "param share %": round(100 * b.params / total_params, 2), "MACs": b.macs,
                 "MAC share %": round(100 * b.macs / total_macs, 2), "activation bytes": b.output_bytes}
                for b in result.blocks]
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="cost_table",
                 column_config={"params": st.column_config.NumberColumn(format="localized"),
                                "MACs": st.column_config.NumberColumn(format="localized"),
                                "activation bytes": st.column_config.NumberColumn(format="localized")})
