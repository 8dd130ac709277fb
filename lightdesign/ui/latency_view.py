"""Predicted latency on the Design page: the pinned figure (or "not calibrated" with the
Calibrate button and the calibration's progress), each block's and layer's predicted time
in the cost table, and the time per layer beside the memory timeline. The figures are the
analysis's own (``Analysis.latency``): nothing here predicts anything again."""

from __future__ import annotations

import os

import streamlit as st

from lightdesign.analysis import latency_model, metrics
from lightdesign.analysis.latency import Latency
from lightdesign.analysis.network import Analysis
from lightdesign.jobs import Job, JobError, JobManager
from lightdesign.jobs.messages import (
    Failed,
    JobKind,
    LatencySpec,
    Measurement,
    Stopped,
    busy_caution,
    unsteady_caution,
)
from lightdesign.ui import budget_view, icons, persist, plots
from lightdesign.ui.i18n import language, t
from lightdesign.ui.job_view import stage_share, stage_text
from lightdesign.ui.markup import html, md, message

OWNER = "server:latency"  # one calibration per server, whichever session started it
NOT_CALIBRATED = "latency.note.not_calibrated"
CALIBRATION_S = LatencySpec.seconds  # the job's CPU seconds timing single operations (the command's default)
CALIBRATION_MODELS = 3
CALIBRATION_ERROR = "latency_calibration_error"  # why the session's last Calibrate click started nothing


@st.cache_resource
def calibration_manager() -> JobManager:
    """The calibration's own manager: it runs on this machine (the machine it describes),
    never on a Ray node, one at a time, without warm workers."""
    from lightdesign.jobs.backends import LocalBackend

    return JobManager(max_running=1, backend=LocalBackend(), warm_workers=0)


@st.cache_resource
def _kept_calibrations() -> set[str]:
    """The calibration jobs whose whole-model measurements the store already has."""
    return set()


def calibration() -> Job | None:
    """The server's newest calibration job (running or ended), None before any."""
    return calibration_manager().latest_for(OWNER, JobKind.LATENCY)


def start_calibration() -> None:
    """Start the calibration job for one thread with the measurements the store keeps for
    this machine (a button's callback); a calibration already running is left to finish."""
    machine = latency_model.this_machine(1)
    db = persist.store()
    kept = [Measurement.from_dict(m) for m in db.measurements(machine.key, 1)] if db is not None else []
    spec = LatencySpec(threads=1, seconds=CALIBRATION_S, models=CALIBRATION_MODELS, measurements=tuple(kept))
    try:
        calibration_manager().submit(OWNER, JobKind.LATENCY, spec)
    except JobError as exc:
        st.session_state[CALIBRATION_ERROR] = str(exc)


def stop_calibration(job_id: str) -> None:
    try:
        calibration_manager().stop(job_id)
    except JobError:
        pass  # it ended meanwhile


def _cautions(job: Job | None, threads: int) -> list[tuple[str, dict]]:
    """What to say about how the calibration in use was timed: whether its machine's speed
    moved (kept in the calibration, however it was made), and whether the server's last
    calibration job timed its whole models on a busy machine."""
    load = job.result.load if job is not None and job.result is not None else 0.0
    model, _ = latency_model.current(threads)
    spread = model.calibration.spread if model is not None else 1.0
    return busy_caution(load, os.cpu_count() or 1) + unsteady_caution(spread)


def pinned(result: Analysis) -> None:
    """The pinned figure ("≈ 4.12 ms fp32 · 1.90 ms int8 · 1 thread · <CPU>"), or why there
    is none: "not calibrated" with the Calibrate button (or the running calibration)."""
    job = calibration()
    _keep_measurements(job)  # whichever page renders first after it ended: no page need watch it end
    latency = result.latency
    if latency is not None and latency.fp32_ms is not None:
        shown = f":material/speed: {md(latency.figure(language()))}" + _against_budget(latency)
        st.markdown(shown, help=t("latency.pinned.help"))
        for key, values in _cautions(job, latency.threads):
            st.caption(f":orange[{t(key, **values)}]")
        return
    if latency is None:
        return
    if latency.note_key != NOT_CALIBRATED:  # an LSTM, an operation without a predictor: no button helps
        st.caption(f":material/speed: {md(latency.note(language()))}")
        return
    not_calibrated(latency, "latency_calibrate")


def _against_budget(latency: Latency) -> str:
    """Each limited precision's share of its latency limit, red when over ("" without a limit)."""
    limits = budget_view.current_budget().limits
    parts = []
    for metric, precision in ((metrics.PREDICTED_FP32, "fp32"), (metrics.PREDICTED_INT8, "int8")):
        maximum, value = limits.get(metric.key), latency.ms(precision)
        if not maximum or value is None:
            continue
        percent = metrics.share(value, maximum)
        if value > maximum:
            parts.append(f":red[{precision} {t('budget.over', pct=percent - 100)}]")
        else:
            parts.append(f":green[{precision} {t('budget.fits', pct=percent)}]")
    return "".join(f" · {part}" for part in parts)


def not_calibrated(latency: Latency, key: str) -> None:
    """Say "not calibrated" beside the Calibrate button (widget ``key``), or show the running calibration."""
    job = calibration()
    if job is not None and job.active:
        _calibrating()
        return
    cols = st.columns([4, 1], vertical_alignment="center")
    cols[0].caption(message("latency.not_calibrated", machine=latency.machine, threads=latency.threads))
    cols[1].button(t("latency.calibrate"), key=key, on_click=start_calibration, icon=":material/speed:")
    refused = st.session_state.pop(CALIBRATION_ERROR, None)
    if refused:
        st.error(message("latency.calibrate_refused", error=refused), icon=icons.ERROR)
    if job is not None and job.result is None:
        _ended_without_result(job)


def _ended_without_result(job: Job) -> None:
    end = job.end
    reason = end.message if isinstance(end, Failed | Stopped) else job.message
    key = "latency.calibration_stopped" if isinstance(end, Stopped) else "latency.calibration_failed"
    st.warning(message(key, message=reason or job.state.value), icon=icons.WARNING)


@st.fragment(run_every=1.0)
def _calibrating() -> None:
    """The running calibration's stage and progress; the page reruns when it has ended
    (the analysis then predicts with the new calibration)."""
    job = calibration()
    if job is None or not job.active:
        _keep_measurements(job)
        st.rerun()
    cols = st.columns([4, 1], vertical_alignment="center")
    done = stage_share(job)
    stage = stage_text(job) or t("latency.calibration_queued")
    cols[0].progress(done, text=t("latency.calibrating", stage=stage))
    cols[1].button(
        t("latency.calibration_stop"), key="latency_calibration_stop", on_click=stop_calibration, args=(job.id,)
    )


def _keep_measurements(job: Job | None) -> None:
    """Keep the whole models a finished calibration timed in the store (once per job), as
    ``lightdesign calibrate`` does: a later calibration is refined with them."""
    kept = _kept_calibrations()
    if job is None or job.result is None or job.id in kept:
        return
    kept.add(job.id)
    for measurement in job.result.measurements:
        persist.keep_measurement(measurement)


def with_latency(frame, result: Analysis, per_layer: bool):
    """The cost table with each row's predicted milliseconds (fp32, int8) and its share of
    the float32 figure; the frame unchanged when the design's latency is not predicted."""
    latency = result.latency
    if latency is None or latency.fp32_ms is None:
        return frame
    if per_layer:
        times = [latency.layers.get(row.name) for row in result.rows]
    else:
        times = [latency.blocks.get(block.index, {"fp32": 0.0, "int8": 0.0}) for block in result.blocks]
    fp32 = [None if time is None else round(time["fp32"], 3) for time in times]
    frame[t("col.latency_fp32")] = fp32
    frame[t("col.latency_share")] = [
        None if time is None else round(metrics.share(time["fp32"], latency.fp32_ms), 2) for time in times
    ]
    frame[t("col.latency_int8")] = [None if time is None else round(time["int8"], 3) for time in times]
    return frame


def layer_times(result: Analysis, key: str = "latency_timeline") -> None:
    """Predicted time per layer in execution order, fp32 and int8, the slowest named: the
    memory timeline's sibling (where the time goes rather than the memory)."""
    import plotly.graph_objects as go

    latency = result.latency
    st.markdown(f"**{t('latency.timeline.title')}**")
    if latency is None or latency.fp32_ms is None:
        if latency is not None:
            st.caption(md(latency.note(language())))
        return
    layers = list(latency.layers)
    if not layers:
        return
    names = [html(name) for name in layers]
    figure = go.Figure()
    for precision, label, color in (
        ("fp32", t("latency.timeline.fp32"), "#4c78a8"),
        ("int8", t("latency.timeline.int8"), "#f58518"),
    ):
        values = [latency.layers[name][precision] for name in layers]
        figure.add_trace(
            go.Bar(
                x=list(range(len(layers))),
                y=values,
                marker_color=color,
                name=label,
                text=names,
                hovertemplate="%{text}<br>%{y:.3f} ms<extra>" + label + "</extra>",
            )
        )
    slowest = max(range(len(layers)), key=lambda i: latency.layers[layers[i]]["fp32"])
    figure.add_annotation(
        x=slowest,
        y=latency.layers[layers[slowest]]["fp32"],
        text=t("latency.timeline.slowest", layer=names[slowest], ms=latency.layers[layers[slowest]]["fp32"]),
        showarrow=True,
        font=dict(size=11),
        bgcolor="rgba(255,255,255,0.8)",
    )
    figure.update_layout(
        barmode="group",
        height=320,
        margin=dict(l=10, r=10, t=30, b=10),
        xaxis_title=t("costs.timeline.x"),
        yaxis_title=t("latency.timeline.y"),
    )
    plots.legend_above(figure)
    if len(layers) <= 40:
        figure.update_xaxes(tickmode="array", tickvals=list(range(len(layers))), ticktext=names, tickangle=-45)
    st.plotly_chart(figure, key=key)
    st.caption(
        t(
            "latency.timeline.caption",
            fp32=metrics.PREDICTED_FP32.show(latency.fp32_ms),
            int8=metrics.PREDICTED_INT8.show(latency.int8_ms),
            operations=len(result.deployment.ops) if result.deployment else 0,
        )
    )
