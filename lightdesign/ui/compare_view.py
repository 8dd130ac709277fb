"""The Compare page's widgets: choice of designs, the ratio table, charts, graphs and diff."""

from __future__ import annotations

import streamlit as st

from lightdesign.analysis import metrics
from lightdesign.analysis.network import Analysis
from lightdesign.core import format as fmt
from lightdesign.core import presets
from lightdesign.core.design import Design
from lightdesign.explore.compare import comparison, diff, pareto_front, summarize
from lightdesign.jobs.messages import ExportResult
from lightdesign.output.render import to_dot
from lightdesign.ui import i18n, plots, state
from lightdesign.ui.graph_view import style_words
from lightdesign.ui.i18n import t
from lightdesign.ui.markup import html, md, message

CHOICE_KEY = "compare_choice"
PRESET_PREFIX = "preset: "
COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728")
# Figures shown as ratios to the first design, and the axes of the accuracy-against-cost chart.
RATIO_METRICS = (
    metrics.PARAMS,
    metrics.MACS,
    metrics.FLOPS,
    metrics.WEIGHTS_INT8,
    metrics.PEAK,
    metrics.PEAK_INT8,
    metrics.TRAINING,
    metrics.PREDICTED_FP32,
    metrics.PREDICTED_INT8,
)
LATENCY_AXES = (metrics.PREDICTED_FP32, metrics.PREDICTED_INT8)
COST_AXES = (metrics.MACS, *LATENCY_AXES, metrics.PARAMS, metrics.PEAK, metrics.WEIGHTS_INT8)
QUALITY_AXES = (metrics.ACCURACY, metrics.PARAMS, metrics.MACS, metrics.PEAK)


def _measured(name: str) -> dict | None:
    """Latencies of the design's latest export (kept with the design in the workspace)."""
    ws = state.workspace()
    if name not in ws.designs:  # a preset compared as it is
        return None
    exports = ws.entry_named(name).exports
    return ExportResult.from_dict(exports[-1]["result"]).latency_figures() if exports else None


def options() -> list[str]:
    ws = state.workspace()
    return [*ws.names, *(PRESET_PREFIX + p for p in presets.PRESETS)]


def default_choice() -> list[str]:
    """The current design and the first other one that differs from it (a copy, or a
    preset opened twice, would compare a design with itself); else a preset that differs."""
    ws = state.workspace()
    current = ws.design
    others = [n for n in ws.names if n != ws.current]
    for choice in [*others, PRESET_PREFIX + "mobilenet_v2", *(c for c in options() if c.startswith(PRESET_PREFIX))]:
        if diff(current, load(choice)[0]):
            return [ws.current, choice]
    return [ws.current]


def choose() -> list[str]:
    if CHOICE_KEY not in st.session_state:
        st.session_state[CHOICE_KEY] = default_choice()
    st.session_state[CHOICE_KEY] = [c for c in st.session_state[CHOICE_KEY] if c in options()]
    chosen = st.multiselect(
        t("compare.choose"),
        options(),
        max_selections=4,
        format_func=i18n.labels(options(), _label),
        **state.persistent_widget(CHOICE_KEY),
    )
    return chosen


def _label(choice: str) -> str:
    return t("compare.preset", name=choice[len(PRESET_PREFIX) :]) if choice.startswith(PRESET_PREFIX) else choice


def metric_label(metric: metrics.Metric) -> str:
    return t(metric.label_key)


def load(choice: str) -> tuple[Design, list[dict]]:
    ws = state.workspace()
    if choice.startswith(PRESET_PREFIX):
        return presets.build(choice[len(PRESET_PREFIX) :]), []
    return ws.designs[choice], ws.runs.get(choice, [])


def table(names: list[str], analyses: list[Analysis], runs: list[list[dict]]) -> None:
    import pandas as pd

    rows = comparison([summarize(a, r, _measured(n)) for n, a, r in zip(names, analyses, runs, strict=True)])
    cells, best = [], []
    for row in rows:
        line = {"metric": metric_label(row.metric)}
        for i, name in enumerate(names):
            value, ratio = row.values[i], row.ratios[i]
            text = row.metric.show(value)
            if value is not None and i > 0 and ratio is not None:
                text += f"  ({ratio:.2f}×)"
            line[_label(name)] = text
        cells.append(line)
        best.append(row.best)
    frame = pd.DataFrame(cells).set_index("metric")
    frame.index.name = t("compare.metric")

    def highlight(data):
        styles = pd.DataFrame("", index=data.index, columns=data.columns)
        for r, index in enumerate(best):
            if index is not None:
                styles.iloc[r, index] = "background-color: #d7f0dd; font-weight: 600"
        return styles

    st.dataframe(frame.style.apply(highlight, axis=None), key="compare_table", height="content")
    st.caption(t("compare.table_caption"))


def ratio_bars(names: list[str], analyses: list[Analysis]) -> None:
    import plotly.graph_objects as go

    summaries = [metrics.summary(a) for a in analyses]
    shown = [m for m in RATIO_METRICS if all(s[m.key] is not None for s in summaries)]  # latency: when predicted
    figure = go.Figure()
    for i, name in enumerate(names):
        ratios = [summaries[i][m.key] / summaries[0][m.key] if summaries[0][m.key] else 0 for m in shown]
        exact = [m.show(summaries[i][m.key]) for m in shown]
        figure.add_trace(
            go.Bar(
                name=html(_label(name)),
                x=[metric_label(m) for m in shown],
                y=ratios,
                customdata=exact,
                marker_color=COLORS[i % 4],
                hovertemplate="%{x}: %{customdata} (%{y:.2f}× "
                + t("compare.relative.hover")
                + ")<extra>"
                + html(_label(name))
                + "</extra>",
            )
        )
    figure.update_layout(
        barmode="group",
        height=340,
        yaxis_title=t("compare.relative.axis"),
        margin=dict(l=10, r=10, t=30, b=10),
    )
    plots.legend_above(figure)
    st.plotly_chart(figure, key="ratio_bars")


def profiles(names: list[str], analyses: list[Analysis]) -> None:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    figure = make_subplots(rows=1, cols=2, subplot_titles=(t("compare.depth.macs"), t("compare.depth.activation")))
    for i, (name, result) in enumerate(zip(names, analyses, strict=True)):
        depth = [100 * (b.index + 1) / max(len(result.blocks), 1) for b in result.blocks]
        labels = [b.name for b in result.blocks]
        for column, values in ((1, [b.macs for b in result.blocks]), (2, [b.output_bytes for b in result.blocks])):
            figure.add_trace(
                go.Scatter(
                    x=depth,
                    y=values,
                    mode="lines+markers",
                    name=html(_label(name)),
                    legendgroup=name,
                    showlegend=column == 1,
                    line=dict(color=COLORS[i % 4]),
                    text=[html(label) for label in labels],
                    hovertemplate="%{text}: %{y:,}<extra>" + html(_label(name)) + "</extra>",
                ),
                row=1,
                col=column,
            )
    figure.update_xaxes(title_text=t("compare.depth.axis"))
    figure.update_layout(height=340, margin=dict(l=10, r=10, t=30, b=10))
    plots.legend_above(figure, subplot_titles=True)
    st.plotly_chart(figure, key="profiles")


def timelines(names: list[str], analyses: list[Analysis]) -> None:
    """Live activation memory per layer of every chosen design, overlaid, each peak marked
    and named (fp32 of the unfused graph, or int8 as TFLite Micro runs it)."""
    import plotly.graph_objects as go

    precision = st.radio(
        t("compare.timeline.precision"),
        ["int8", "fp32"],
        horizontal=True,
        key="compare_timeline_precision",
        format_func={"int8": t("costs.timeline.int8"), "fp32": t("costs.timeline.fp32")}.get,
    )
    figure = go.Figure()
    for i, (name, result) in enumerate(zip(names, analyses, strict=True)):
        steps = result.timeline
        if not steps:
            continue
        values = [getattr(step, precision) for step in steps]
        layers = [step.name for step in steps]
        color = COLORS[i % 4]
        figure.add_trace(
            go.Scatter(
                x=list(range(len(steps))),
                y=values,
                mode="lines",
                line=dict(shape="hv", color=color),
                name=html(_label(name)),
                text=layers,
                hovertemplate="%{text}<br>%{y:,} B<extra>" + html(_label(name)) + "</extra>",
            )
        )
        peak_layer = result.peak_at if precision == "fp32" else result.peak_at_int8
        top = layers.index(peak_layer) if peak_layer in layers else max(range(len(values)), key=values.__getitem__)
        figure.add_trace(
            go.Scatter(
                x=[top],
                y=[values[top]],
                mode="markers+text",
                marker=dict(color=color, size=10, symbol="diamond"),
                text=[t("costs.timeline.peak", layer=layers[top], size=fmt.size(values[top]))],
                textposition="top center",
                textfont=dict(color=color, size=10),
                showlegend=False,
                hoverinfo="skip",
            )
        )
    figure.update_layout(
        height=360,
        margin=dict(l=10, r=10, t=30, b=10),
        xaxis_title=t("costs.timeline.x"),
        yaxis_title=t("costs.timeline.y"),
    )
    plots.legend_above(figure)
    st.plotly_chart(figure, key="compare_timelines")
    st.caption(t("compare.timeline.caption"))


def scatter() -> None:
    """Accuracy (or another metric) against cost for every design and run in the workspace,
    each point named by its design; the designs that have no point yet are named below."""
    import plotly.graph_objects as go

    ws = state.workspace()
    cols = st.columns(2)
    names = i18n.labels([m.key for m in (*COST_AXES, *QUALITY_AXES)], lambda k: metric_label(metrics.get(k)))
    x_key = cols[0].selectbox(t("compare.cost_axis"), [m.key for m in COST_AXES], key="scatter_x", format_func=names)
    y_key = cols[1].selectbox(
        t("compare.quality_axis"), [m.key for m in QUALITY_AXES], key="scatter_y", format_func=names
    )
    accuracy = y_key == metrics.ACCURACY.key
    points, designs, labels = [], [], []
    if accuracy:
        for name, run in ws.all_runs():
            figures = _run_figures(name, run)
            points.append((figures[x_key], figures[y_key]))
            designs.append(name)
            labels.append(t("compare.run_label", name=name, dataset=run["dataset"], epochs=run["epochs"]))
    else:
        for name in ws.names:
            summary = metrics.summary(state.analysis(ws.designs[name]))
            points.append((summary[x_key], summary[y_key]))
            designs.append(name)
            labels.append(name)
    unknown = [i for i, (x, y) in enumerate(points) if x is None or y is None]  # a latency not predicted
    if unknown:
        st.caption(message("compare.not_predicted", names=", ".join(sorted({designs[i] for i in unknown}))))
        kept = [i for i in range(len(points)) if i not in set(unknown)]
        points, designs, labels = [points[i] for i in kept], [designs[i] for i in kept], [labels[i] for i in kept]
    if not points:
        st.info(t("compare.no_runs"))
        return
    front = pareto_front(points) if accuracy else []
    figure = go.Figure(
        go.Scatter(
            x=[p[0] for p in points],
            y=[p[1] for p in points],
            mode="markers+text",
            text=[html(name) for name in point_names(designs, points)],
            textposition="top center",
            hovertext=[html(label) for label in labels],
            name=t("compare.runs"),
            marker=dict(size=10),
            hovertemplate="%{hovertext}<br>%{x:,} / %{y}<extra></extra>",
        )
    )
    if front:
        figure.add_trace(
            go.Scatter(
                x=[points[i][0] for i in front],
                y=[points[i][1] for i in front],
                mode="lines",
                name=t("compare.front"),
                line=dict(dash="dash", color="#d62728"),
            )
        )
    figure.update_layout(
        height=360,
        xaxis_title=metric_label(metrics.get(x_key)),
        yaxis_title=metric_label(metrics.get(y_key)),
        margin=dict(l=10, r=10, t=30, b=10),
    )
    # One run, or runs of nearly the same cost, would get ticks a millionth apart and an
    # accuracy axis running to 150%: the cost axis gets room around the points, the
    # accuracy axis is 0-100% (markers at 100% drawn whole).
    figure.update_xaxes(range=plots.padded_range([p[0] for p in points]))
    if accuracy:
        figure.update_yaxes(range=[0, 1], tickformat=".0%")
        figure.update_traces(cliponaxis=False)
    else:
        figure.update_yaxes(range=plots.padded_range([p[1] for p in points]))
    plots.legend_above(figure)
    st.plotly_chart(figure, key="pareto")
    if accuracy:
        missing_runs(ws.names, set(designs))


def _run_figures(name: str, run: dict) -> dict:
    """A run's figures as recorded when it trained; a latency not predicted then (trained
    before this machine was calibrated) is the design's prediction now, when the design is
    still the network it trained (the same MACs and params)."""
    figures = metrics.from_record(run)
    ws = state.workspace()
    if all(figures[m.key] is not None for m in LATENCY_AXES) or name not in ws.designs:
        return figures
    now = metrics.summary(state.analysis(ws.designs[name]))
    if all(now[m.key] == figures[m.key] for m in (metrics.MACS, metrics.PARAMS)):
        figures.update({m.key: now[m.key] for m in LATENCY_AXES if figures[m.key] is None})
    return figures


def latency_against_macs() -> None:
    """Every design of the workspace at its MACs and its predicted latency, named: designs
    of equal MACs at different heights are where MACs mislead about speed."""
    import plotly.graph_objects as go

    ws = state.workspace()
    results = [(name, state.analysis(ws.designs[name])) for name in ws.names]
    results = [(name, r) for name, r in results if not r.errors]
    known = [(name, r) for name, r in results if metrics.PREDICTED_FP32.read(r) is not None]
    if not known:
        note = next((r.latency.note(i18n.language()) for _, r in results if r.latency is not None), None)
        st.caption(message("compare.latency_unknown", note=note or ""))
        return
    figure = go.Figure()
    for metric, color in ((metrics.PREDICTED_FP32, COLORS[0]), (metrics.PREDICTED_INT8, COLORS[1])):
        figure.add_trace(
            go.Scatter(
                x=[metrics.MACS.read(r) for _, r in known],
                y=[metric.read(r) for _, r in known],
                mode="markers+text",
                text=[html(name) for name, _ in known],
                textposition="top center",
                name=metric_label(metric),
                marker=dict(size=10, color=color),
                hovertemplate="%{text}<br>%{x:,} MACs · %{y:.3f} ms<extra>" + metric_label(metric) + "</extra>",
            )
        )
    figure.update_layout(
        height=360,
        xaxis_title=metric_label(metrics.MACS),
        yaxis_title=t("compare.latency.axis"),
        margin=dict(l=10, r=10, t=30, b=10),
    )
    figure.update_xaxes(range=plots.padded_range([metrics.MACS.read(r) for _, r in known]))
    plots.legend_above(figure)
    st.plotly_chart(figure, key="latency_macs")
    rates = sorted((metrics.MACS.read(r) / metrics.PREDICTED_FP32.read(r), name) for name, r in known)
    caption = t("compare.latency.caption", machine=known[0][1].latency.machine)
    if len(rates) > 1:
        (slow, slow_name), (fast, fast_name) = rates[0], rates[-1]
        caption += " " + t(
            "compare.latency.spread",
            fast=fast_name,
            fast_rate=fmt.count(fast),
            slow=slow_name,
            slow_rate=fmt.count(slow),
        )
    st.caption(md(caption))


def point_names(designs: list[str], points: list[tuple[float, float]]) -> list[str]:
    """The name written beside each point: its design's, on the design's best point only (a
    design trained several times would write its name over itself)."""
    best: dict[str, int] = {}
    for i, (name, (_, value)) in enumerate(zip(designs, points, strict=True)):
        if name not in best or (value or 0) > (points[best[name]][1] or 0):
            best[name] = i
    shown = set(best.values())
    return [name if i in shown else "" for i, name in enumerate(designs)]


MISSING_NAMED = 6  # designs named in the note below the chart; the rest are counted


def missing_runs(names: list[str], plotted: set[str]) -> None:
    """Say which designs of the workspace the accuracy chart cannot show yet, and why."""
    missing = [name for name in names if name not in plotted]
    if not missing:
        return
    shown = ", ".join(missing[:MISSING_NAMED])
    if len(missing) > MISSING_NAMED:
        shown = t("compare.missing.more", names=shown, count=len(missing) - MISSING_NAMED)
    key = "compare.missing.front" if len(plotted) < 2 else "compare.missing"
    st.caption(message(key, names=shown))


def graphs(names: list[str], analyses: list[Analysis]) -> None:
    columns = st.columns(len(names))
    for column, name, result in zip(columns, names, analyses, strict=True):
        with column:
            st.markdown(
                message(
                    "compare.graph_head",
                    name=_label(name),
                    params=metrics.PARAMS.show(metrics.PARAMS.read(result)),
                    macs=metrics.MACS.show(metrics.MACS.read(result)),
                )
            )
            st.graphviz_chart(to_dot(result, words=style_words(article=False)), width="content")


def architecture_diff(names: list[str], designs: list[Design]) -> None:
    """Every chosen design against the first."""
    for name, design in zip(names[1:], designs[1:], strict=True):
        changes = diff(designs[0], design)
        st.markdown(message("compare.diff_head", a=_label(names[0]), b=_label(name), count=len(changes)))
        if not changes:
            st.caption(t("compare.same"))
        else:
            lines = [change.text.replace("−", "-", 1) for change in changes[:300]]
            st.code("\n".join(lines), language="diff")
