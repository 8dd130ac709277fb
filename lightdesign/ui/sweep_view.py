"""Train the candidates: under the scaling search's heatmaps, the Pareto-optimal designs
that fit the budget are trained briefly with the same data and settings, as a batch of
jobs wherever jobs run (this server or a Ray cluster). The accuracy-against-cost plot
fills in as they finish; the best design is added to the workspace on request.

The latest sweep of the workspace is kept as a workspace setting (``SWEEP``), written as
each candidate ends, with the server that runs it: after a restart it shows as
interrupted, as training runs do (``run_log``)."""

from __future__ import annotations

import streamlit as st

from lightdesign.analysis import metrics
from lightdesign.core.design import Design, DesignError
from lightdesign.data import adapt, sources
from lightdesign.jobs import JobError, liveness
from lightdesign.jobs.messages import JobState, TrainSettings
from lightdesign.jobs.specs import dataset_for_job, keras_dataset
from lightdesign.jobs.sweep import INTERRUPTED, MAX_CANDIDATES, RUNNING, Sweep, choose
from lightdesign.ui import icons, persist, state
from lightdesign.ui.budget_view import current_budget
from lightdesign.ui.i18n import labels, t
from lightdesign.ui.job_view import job_manager, state_text
from lightdesign.ui.markup import message

SWEEP = "sweep"  # workspace setting: the latest sweep's record
DEFAULT_CANDIDATES = 8


def figure(sweep: Sweep):
    """Test accuracy against predicted latency (MACs where it is not predicted): the
    finished candidates, their front, the best one."""
    import plotly.graph_objects as go

    points, cost = sweep.points(), sweep.cost()
    hover = "%{x:.3g} ms" if cost is metrics.PREDICTED_FP32 else "%{x:,} MACs"
    chart = go.Figure(
        go.Scatter(
            x=[m for _, m, _ in points],
            y=[a for _, _, a in points],
            mode="markers+text",
            text=[o.label for o, _, _ in points],
            textposition="top center",
            name=t("sweep.candidates"),
            marker=dict(size=10),
            hovertemplate=f"%{{text}}<br>{hover}, %{{y:.1%}}<extra></extra>",
        )
    )
    front = sweep.front()
    if len(front) > 1:
        chart.add_trace(
            go.Scatter(
                x=[o.figures.get(cost.key) for o in front],
                y=[o.accuracy for o in front],
                mode="lines",
                name=t("sweep.front"),
                line=dict(dash="dash", color="#d62728"),
            )
        )
    best = sweep.best()
    if best is not None:
        chart.add_trace(
            go.Scatter(
                x=[best.figures.get(cost.key)],
                y=[best.accuracy],
                mode="markers",
                name=t("sweep.best"),
                marker=dict(size=18, symbol="star", color="#ff7f0e"),
            )
        )
    chart.update_layout(
        height=360,
        xaxis_title=t(cost.label_key),
        yaxis_title=t("sweep.accuracy"),
        margin=dict(l=10, r=10, t=30, b=10),
    )
    chart.update_yaxes(tickformat=".0%")
    return chart


def _sources(design: Design) -> list[str]:
    """Datasets whose samples fit the design (images are adapted), with few enough classes."""
    shape = tuple(design.input_shape)
    keys = [
        key
        for key, (source, _) in sources.BUILTIN.items()
        if source.classes <= design.num_classes
        and (source.input_shape == shape or adapt.can_adapt(source.input_shape, shape))
    ]
    keys += [
        key
        for key, source in sources.KERAS_DATASETS.items()
        if source.classes <= design.num_classes and adapt.can_adapt(source.input_shape, shape)
    ]
    return keys


def _title(key: str) -> str:
    source = sources.BUILTIN[key][0] if key in sources.BUILTIN else sources.KERAS_DATASETS[key]
    return source.title


def _latest(design: Design) -> Sweep | None:
    record = state.workspace().settings.get(SWEEP)
    if not isinstance(record, dict) or record.get("base") != design.name:
        return None
    try:
        sweep = Sweep.restore(record)
    except (KeyError, TypeError, ValueError):
        return None
    if sweep.state == RUNNING and not _known(sweep) and not liveness.is_alive(sweep.server):
        sweep.interrupted()  # its server is gone (a restart): the candidates that had not finished
        _keep(sweep)
    return sweep


def _known(sweep: Sweep) -> bool:
    manager = job_manager()
    return any(manager.get(o.job) is not None for o in sweep.outcomes)


def _keep(sweep: Sweep) -> None:
    state.workspace().set_setting(SWEEP, sweep.record())


def _start(design: Design, kind: str, chosen, key: str, settings: TrainSettings) -> None:
    try:
        if key in sources.BUILTIN:
            data = sources.load_builtin(key)

            def dataset(work):
                return dataset_for_job(data, work)
        else:
            ref = keras_dataset(key)

            def dataset(work):
                return ref

        sweep = Sweep.start(
            job_manager(), design, kind, chosen, dataset, _title(key), settings, server=liveness.this_server()
        )
    except (DesignError, JobError, OSError) as exc:
        state.flash("error", t("sweep.not_started", error=exc))
        return
    _keep(sweep)
    persist.keep_files(state.workspace(), sweep.id, [o.work_dir for o in sweep.outcomes if o.work_dir])


def _stop(sweep_id: str) -> None:
    record = state.workspace().settings.get(SWEEP)
    if isinstance(record, dict) and record.get("id") == sweep_id:
        Sweep.restore(record).stop(job_manager())
        state.flash("info", t("sweep.stopping"))


def _add_best(sweep_id: str) -> None:
    record = state.workspace().settings.get(SWEEP)
    if not isinstance(record, dict) or record.get("id") != sweep_id:
        return
    sweep = Sweep.restore(record)
    best = sweep.best()
    if best is None:
        return
    ws = state.workspace()
    try:
        name = ws.add(sweep.design_of(best))
    except DesignError as exc:
        state.flash("error", str(exc))
        return
    ws.record_run(name, best.run)  # the candidate's training run, on Compare and Export
    state.flash("success", t("sweep.added", name=name, accuracy=best.accuracy))


def panel(design: Design, kind: str, points: list) -> None:
    """The sweep section under the scaling search's result (``points``: the scan's points)."""
    st.markdown(f"**{t('sweep.title')}**")
    sweep = _latest(design)
    if sweep is not None and sweep.state == RUNNING:
        _live()
        return
    if sweep is not None:
        _results(sweep)
    _form(design, kind, points)


def _form(design: Design, kind: str, points: list) -> None:
    rank = current_budget().ranking  # the predicted latency under a latency limit, else MACs
    front = choose(design, kind, points, MAX_CANDIDATES, rank)
    if not front:
        return
    st.caption(t("sweep.intro", count=len(front), where=job_manager().backend.describe()))
    offered = _sources(design)
    if not offered:
        st.info(t("sweep.no_data"))
        return
    cols = st.columns(4)
    key = cols[0].selectbox(t("sweep.data"), offered, format_func=labels(offered, _title), key="sweep_data")
    epochs = cols[1].number_input(t("sweep.epochs"), 1, 50, 2, key="sweep_epochs")
    count = cols[2].number_input(
        t("sweep.count"), 1, len(front), min(DEFAULT_CANDIDATES, len(front)), key=f"sweep_count_{len(front)}"
    )
    samples = cols[3].number_input(t("sweep.samples"), 100, 60_000, 2000, step=500, key="sweep_samples")
    chosen = choose(design, kind, points, int(count), rank)
    st.caption(", ".join(f"{c.label} ({_cost(c.figures)})" for c in chosen))
    settings = TrainSettings(
        epochs=int(epochs),
        batch_size=int(st.session_state.get(state.BATCH_SIZE) or 32),
        optimizer=st.session_state.get(state.OPTIMIZER) or "adam",
        max_samples=int(samples),
    )
    st.button(
        t("sweep.start", count=len(chosen)),
        key=f"sweep_start_{kind}",
        on_click=_start,
        args=(design, kind, chosen, key, settings),
    )


def _cost(figures: dict) -> str:
    """A candidate's MACs, and its predicted float32 latency where known."""
    latency = figures.get(metrics.PREDICTED_FP32.key)
    shown = metrics.MACS.show(figures.get(metrics.MACS.key))
    return shown if latency is None else f"{shown}, ≈ {metrics.PREDICTED_FP32.show(latency)}"


@st.fragment(run_every=1.0)
def _live() -> None:
    """A running sweep, refreshed every second: progress, plot, table and Stop."""
    record = state.workspace().settings.get(SWEEP)
    if not isinstance(record, dict):
        return
    sweep = Sweep.restore(record)
    if sweep.state != RUNNING:
        st.rerun()
    if sweep.refresh(job_manager()):
        _keep(sweep)
        state.save()
        if sweep.state != RUNNING:
            st.rerun()
    finished = sum(1 for o in sweep.outcomes if o.run is not None)
    cols = st.columns([4, 1], vertical_alignment="center")
    cols[0].progress(
        finished / max(1, len(sweep.outcomes)),
        text=t("sweep.progress", done=finished, count=len(sweep.outcomes), where=job_manager().backend.describe()),
    )
    cols[1].button(t("sweep.stop"), key="sweep_stop", on_click=_stop, args=(sweep.id,))
    _chart_and_table(sweep)


def _results(sweep: Sweep) -> None:
    if sweep.state == INTERRUPTED:
        st.warning(t("sweep.interrupted"), icon=icons.STOPPED)
    best = sweep.best()
    _chart_and_table(sweep)
    if best is not None:
        st.button(
            t("sweep.add_best", label=best.label, accuracy=best.accuracy),
            key=f"sweep_add_{sweep.id}",
            on_click=_add_best,
            args=(sweep.id,),
            type="primary",
        )


def _chart_and_table(sweep: Sweep) -> None:
    st.plotly_chart(figure(sweep), key=f"sweep_chart_{sweep.id}")
    rows = []
    for o in sweep.outcomes:
        status = state_text(JobState(o.state)) if o.state in set(JobState) else t("sweep.state_interrupted")
        rows.append(
            {
                t("sweep.col.candidate"): o.label,
                "MACs": metrics.MACS.show(o.macs),
                t("sweep.col.latency"): metrics.PREDICTED_FP32.show(o.figures.get(metrics.PREDICTED_FP32.key)),
                t("sweep.col.params"): metrics.PARAMS.show(o.figures.get(metrics.PARAMS.key)),
                t("sweep.col.accuracy"): f"{o.accuracy:.1%}" if o.accuracy is not None else "",
                t("sweep.col.state"): status
                + (f" ({o.epochs_done} / {sweep.settings.epochs})" if o.run is None else ""),
                t("sweep.col.message"): o.message,
            }
        )
    st.dataframe(rows, hide_index=True, key=f"sweep_table_{sweep.id}")
    st.caption(message("sweep.settings", dataset=sweep.dataset, epochs=sweep.settings.epochs))
