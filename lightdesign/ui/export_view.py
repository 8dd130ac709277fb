"""The Export page's widgets: code and text downloads, the deployability check, model files
built in a worker, and measured latency beside the MACs."""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

from lightdesign.analysis import metrics, support
from lightdesign.analysis.network import Analysis
from lightdesign.core import format as fmt
from lightdesign.core.design import DesignError
from lightdesign.core.workspace import new_id
from lightdesign.jobs import Job, JobError, export_timing, policy
from lightdesign.jobs.messages import (
    EXPORT_STAGES,
    ExportedFile,
    ExportResult,
    JobKind,
    JobState,
    ModelFormat,
    RunRecord,
    Stage,
    Status,
)
from lightdesign.jobs.specs import WORK_ROOT, export_spec, new_work_dir
from lightdesign.output.codegen import generate, model_name
from lightdesign.output.render import to_dot, to_image, to_mermaid
from lightdesign.store import disk
from lightdesign.ui import file_weights, graph_view, icons, mcu_export_view, persist, state
from lightdesign.ui.i18n import labels, language, t
from lightdesign.ui.job_view import adopt, job_manager, message_text, session_id, stage_text, state_text
from lightdesign.ui.markup import md, message

JOB_KEY = "export_job_id"
KEPT_EXPORTS = "export_kept_jobs"  # export jobs already kept with their design
# Each model file's size is set beside the weights estimate of its precision.
FILE_ESTIMATE = {
    ModelFormat.KERAS: metrics.WEIGHTS_FP32,
    ModelFormat.TFLITE_FLOAT32: metrics.WEIGHTS_FP32,
    ModelFormat.TFLITE_INT8: metrics.WEIGHTS_INT8,
}
FILE_NAMES = {  # the download's name after the design's
    ModelFormat.KERAS: "{stem}.keras",
    ModelFormat.TFLITE_FLOAT32: "{stem}_float32.tflite",
    ModelFormat.TFLITE_INT8: "{stem}_int8.tflite",
}
PREDICTED = {  # the prediction each measured TFLite model answers to
    ModelFormat.TFLITE_FLOAT32: metrics.PREDICTED_FP32,
    ModelFormat.TFLITE_INT8: metrics.PREDICTED_INT8,
}
LATENCY_LABELS = {
    ModelFormat.KERAS: "Keras",
    ModelFormat.TFLITE_FLOAT32: "TFLite float32",
    ModelFormat.TFLITE_INT8: "TFLite int8",
}


def code_and_text(result: Analysis) -> None:
    design = result.design
    stem = model_name(design)
    article = st.toggle(
        t("article.style"), help=t("article.style.export_help"), **state.persistent_widget(state.GRAPH_ARTICLE)
    )
    words = graph_view.style_words(True) if article else None
    tabs = st.tabs(
        [
            t("export.tab.code"),
            t("export.tab.json"),
            t("export.tab.mermaid"),
            t("export.tab.dot"),
            t("export.tab.image"),
        ]
    )
    with tabs[0]:
        try:
            source = generate(design)
        except DesignError as exc:  # imported layers that have no Keras form: the page says which
            st.warning(md(str(exc)), icon=icons.WARNING)
        else:
            st.download_button(
                t("export.download.code"),
                source,
                file_name=f"{stem}.py",
                mime="text/x-python",
                key="download_py",
                type="primary",
            )
            from lightdesign.output.train_script import generate_train  # the training script that scales

            st.download_button(
                t("export.download.train"),
                generate_train(design),
                file_name="train.py",
                mime="text/x-python",
                key="download_train_py",
                help=t("export.train.help"),
            )
            st.code(source, language="python", line_numbers=True, height=420)
    with tabs[1]:
        text = design.to_json()
        st.download_button(
            t("export.download.json"),
            text,
            file_name=f"{stem}.json",
            mime="application/json",
            key="download_design_json",
        )
        st.code(text, language="json", height=300)
    with tabs[2]:
        mermaid = to_mermaid(result, words=words, article=article)
        st.download_button(t("export.download.mermaid"), mermaid, file_name=f"{stem}.mmd", key="download_mermaid")
        st.code(mermaid, language="text", height=300)
    dot = to_dot(result, words=words, article=article)
    with tabs[3]:
        st.download_button(t("export.download.dot"), dot, file_name=f"{stem}.dot", key="download_dot")
        st.code(dot, language="text", height=300)
    with tabs[4]:
        graph_images(dot, stem)


def render_with_dot(dot: str, image_format: str) -> bytes:
    return to_image(dot, image_format)


def graph_images(dot: str, stem: str) -> None:
    if shutil.which("dot") is None:
        st.info(t("export.no_dot"))
        return
    cols = st.columns(2)
    try:
        cols[0].download_button(
            t("export.download.svg"),
            render_with_dot(dot, "svg"),
            file_name=f"{stem}.svg",
            mime="image/svg+xml",
            key="download_svg",
        )
        cols[1].download_button(
            t("export.download.png"),
            render_with_dot(dot, "png"),
            file_name=f"{stem}.png",
            mime="image/png",
            key="download_png",
        )
    except (subprocess.SubprocessError, OSError) as exc:
        st.error(message("export.dot_failed", error=exc), icon=icons.ERROR)


def deployability(result: Analysis) -> None:
    findings = support.check(result)
    if not findings:
        st.success(t("deploy.ok"), icon=icons.OK)
        return
    rows = [
        {
            t("col.layer"): f.layer,
            t("col.block"): f.block,
            t("col.kind"): f.kind,
            t("col.builtin"): t("yes") if f.builtin_ok else t("no"),
            t("col.int8"): t("yes") if f.int8_ok else t("no"),
            t("col.why"): t(f.reason),
        }
        for f in findings
    ]
    st.warning(t("deploy.found", count=len(findings)), icon=icons.WARNING)
    st.dataframe(rows, hide_index=True, key="deploy_findings")


def _run_label(run: RunRecord) -> str:
    return t("export.trained", dataset=run.dataset, epochs=run.epochs, accuracy=run.test_accuracy)


def _choice_label(choice: str, runs: list[RunRecord], lent) -> str:
    if choice == "initial":
        return t("export.initial")
    if choice == "file":
        return t("export.file_weights.choice", file=lent.file)
    return _run_label(runs[int(choice)])


def start_export(result: Analysis, run: RunRecord | None, latency_runs: int, weights=None) -> None:
    """Start the export of the trained ``run``, else of an imported file's ``weights``, else of initial weights."""
    ws = state.workspace()
    estimate = policy.export_estimate(result, policy.available_memory_bytes())
    refusal = (
        t("est.export_refuse", need=fmt.size(estimate.memory_bytes), free=fmt.size(estimate.free_bytes))
        if estimate.refused
        else disk.prepare(persist.store(), ws.id, estimate.disk_bytes, WORK_ROOT)
    )
    if refusal:
        state.flash("error", t("export.not_started", error=refusal))
        return
    try:
        spec = export_spec(result.design, new_work_dir(), run, latency_runs, weights, persist.owned_files(ws))
        job = job_manager().submit(session_id(), JobKind.EXPORT, spec, design_id=ws.current_id)
    except (DesignError, JobError, OSError) as exc:
        state.flash("error", t("export.not_started", error=exc))
        return
    st.session_state[JOB_KEY] = job.id
    export_times().expected[job.id] = expected_seconds(result, latency_runs, speed=1.0)


@dataclass
class ExportTimes:
    """What this server learnt of its export speed: each running export's expected stage
    seconds (at the assumed speed), and the finished ones' (expected, actual) seconds."""

    expected: dict[str, dict[Stage, float]] = field(default_factory=dict)
    finished: list[tuple[float, float]] = field(default_factory=list)


@st.cache_resource
def export_times() -> ExportTimes:
    """Shared by every session: the machine's speed is the same for all of them."""
    return ExportTimes()


def expected_seconds(result: Analysis, latency_runs: int, speed: float | None = None) -> dict[Stage, float]:
    """Each stage's expected seconds for exporting ``result``'s design on this server."""
    return export_timing.stage_seconds(
        len(result.graph.nodes),
        result.flops,
        latency_runs,
        job_manager().tensorflow_ready(),
        export_timing.server_speed(export_times().finished) if speed is None else speed,
    )


def _learn_speed(job: Job) -> None:
    """Keep a finished export's time beside what was expected of it (TensorFlow's loading left out)."""
    times = export_times()
    expected = times.expected.pop(job.id, None)
    started = next((e.at for e in job.all(Status) if e.stage is Stage.BUILDING_MODEL), None)
    if expected and started and job.state is JobState.FINISHED and job.end is not None:
        times.finished.append((sum(expected.values()) - expected[Stage.LOADING_TENSORFLOW], job.end.at - started))


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"


def memory_check(result: Analysis) -> bool:
    """The export's memory estimate against what a worker may use; False (with the reason
    shown) when the export must not start."""
    estimate = policy.export_estimate(result, policy.available_memory_bytes())
    if estimate.refused:
        st.error(
            t("est.export_refuse", need=fmt.size(estimate.memory_bytes), free=fmt.size(estimate.free_bytes)),
            icon=icons.ERROR,
        )
    return not estimate.refused


def model_files(result: Analysis) -> None:
    ws = state.workspace()
    runs = [RunRecord.from_dict(run) for run in ws.runs.get(ws.current, [])]
    # The latest run of this design first (the default), then an imported file's weights,
    # initial weights last. The key names the latest run, so a new run makes the choice
    # default to it again.
    lent = file_weights.lent(result.design)
    imported = ["file"] if lent is not None and lent.source is not None else []
    choices = [str(i) for i in range(len(runs))][::-1] + imported + ["initial"]
    cols = st.columns([3, 1], vertical_alignment="bottom")
    pick = cols[0].selectbox(
        t("export.weights"),
        choices,
        key=f"export_weights_{ws.current_id}_{runs[-1].id if runs else 'none'}_{len(imported)}",
        format_func=labels(choices, lambda c: _choice_label(c, runs, lent)),
    )
    latency_runs = cols[1].number_input(t("export.latency_runs"), 5, 500, 50, key="export_latency_runs")
    job = adopt(JOB_KEY, JobKind.EXPORT)
    busy = job is not None and job.active
    run = None if pick in ("initial", "file") else runs[int(pick)]
    if pick == "file" or (pick == "initial" and lent is not None and lent.source is None):
        file_weights.notice("export", lent)  # which layers keep the file's weights, or why none do
    fits = memory_check(result)
    st.button(
        t("export.start"),
        key="start_export",
        type="primary",
        disabled=busy or not fits,
        on_click=start_export,
        args=(result, run, int(latency_runs), lent.source if pick == "file" else None),
    )
    if not busy:
        expected = expected_seconds(result, int(latency_runs))
        ready = expected[Stage.LOADING_TENSORFLOW] == 0
        st.caption(
            t(
                "export.expect.ready" if ready else "export.expect.cold",
                time=_duration(sum(expected.values())),
                tensorflow=_duration(expected[Stage.LOADING_TENSORFLOW]),
            )
        )
    if job is None:
        return
    if job.active:
        export_progress()
    else:
        export_results(job, result)


@st.fragment(run_every=1.0)
def export_progress() -> None:
    job = job_manager().get(st.session_state.get(JOB_KEY))
    if job is None:
        return
    if not job.active:
        st.rerun()
    status = job.latest(Status)
    if status is None or status.stage not in EXPORT_STAGES:
        st.progress(0.0, text=t("export.waiting"))
        return
    step = EXPORT_STAGES.index(status.stage) + 1
    expected = export_times().expected.get(job.id)
    now = time.time()
    text = t(
        "export.step",
        step=step,
        steps=len(EXPORT_STAGES),
        stage=stage_text(job),
        elapsed=_duration(now - job.events[0].at),
    )
    if expected is not None:
        speed = export_timing.server_speed(export_times().finished)
        left = speed * export_timing.remaining(expected, status.stage, (now - status.at) / speed)
        text = t("export.step.left", step=text, left=_duration(left))
    st.progress((step - 1) / len(EXPORT_STAGES), text=text)


def _safe_bytes(path: str) -> bytes | None:
    """Only files this app generated under its work folder are ever offered for download."""
    resolved = Path(path).resolve()
    if WORK_ROOT.resolve() not in resolved.parents or not resolved.is_file():
        return None
    return resolved.read_bytes()


def _keep(job: Job, out: ExportResult) -> None:
    """Keep the export with its design (once per job), with the files it owns."""
    kept = st.session_state.setdefault(KEPT_EXPORTS, [])
    if job.id in kept:
        return
    kept.append(job.id)
    if job.spec.design:  # every latency measurement is kept: the latency model is refined with them
        persist.keep_measurement(out.measurement(job.spec.design))
    record = {"id": new_id(), "job": job.id, "finished": time.time(), "result": out.to_dict()}
    if job.design_id is not None:
        state.workspace().record_export_to(job.design_id, record)
    else:
        state.workspace().record_export(job.spec.design_name, record)
    persist.keep_files(state.workspace(), record["id"], [job.spec.work_dir])  # the job's folder: its model files


def export_results(job: Job, result: Analysis) -> None:
    if job.id in export_times().expected:
        _learn_speed(job)
    if job.state is not JobState.FINISHED:
        st.error(message("export.failed", state=state_text(job.state), message=message_text(job)), icon=icons.ERROR)
        return
    out: ExportResult = job.result
    stem = model_name(result.design)
    st.caption(message("export.built_from", weights=out.weights, calibration=out.calibration))
    rows = []
    for file_format, metric in FILE_ESTIMATE.items():
        entry = out.files.get(file_format)
        estimate = metric.read(result)
        written = entry is not None and not entry.error
        rows.append(
            {
                "file": t(f"file.{file_format}"),
                "size": fmt.size(entry.bytes) if written else t("export.failed_cell"),
                "estimate": fmt.size(estimate),
                "ratio": f"{entry.bytes / estimate:.2f}×" if written else "",
                "note": file_note(entry),
            }
        )
    st.dataframe([{t(f"col.{k}"): v for k, v in row.items()} for row in rows], hide_index=True, key="export_sizes")
    cols = st.columns(len(FILE_NAMES))
    for column, (file_format, name) in zip(cols, FILE_NAMES.items(), strict=True):
        entry = out.files.get(file_format)
        data = _safe_bytes(entry.path) if entry and entry.path else None
        if data is not None:
            column.download_button(
                t("export.download_file", file=t(f"file.{file_format}")),
                data,
                file_name=name.format(stem=stem),
                mime="application/octet-stream",
                key=f"download_{file_format}",
            )
    _keep(job, out)
    st.markdown(t("export.latency_head", runs=out.latency_runs))
    macs = metrics.MACS.read(result)
    table = [
        {
            t("col.model"): label,
            t("col.latency"): f"{out.latency_ms[file_format]:.2f} ms",
            **predicted_beside(result, file_format, out.latency_ms[file_format]),
            t("col.macs"): metrics.MACS.show(macs),
            t("col.macs_per_ms"): fmt.count(macs / max(out.latency_ms[file_format], 1e-9)),
        }
        for file_format, label in LATENCY_LABELS.items()
        if file_format in out.latency_ms
    ]
    st.dataframe(table, hide_index=True, key="export_latency")
    st.caption(t("export.latency_caption"))
    if result.latency is not None and result.latency.fp32_ms is None:
        st.caption(message("export.predicted_unknown", note=result.latency.note(language())))
    micro_arena(out, result)
    mcu_export_view.measured_fit(out, result)
    mcu_export_view.operators(out, result)
    mcu_export_view.bundle(out, stem, _safe_bytes)


def predicted_beside(result: Analysis, file_format: ModelFormat, measured_ms: float) -> dict[str, str]:
    """The analysis's predicted latency of a TFLite model and its error against the measured
    one, in %, as cells ("" for the Keras model and where not predicted)."""
    metric = PREDICTED.get(file_format)
    predicted = metric.read(result) if metric is not None else None
    if predicted is None:
        return {t("col.predicted"): "", t("col.prediction_error"): ""}
    return {
        t("col.predicted"): metric.show(predicted),
        t("col.prediction_error"): f"{100 * (predicted - measured_ms) / max(measured_ms, 1e-9):+.1f}%",
    }


def file_note(entry: ExportedFile | None) -> str:
    """What the file table says beside a file: why it is missing, or what is special about it."""
    if entry is None:
        return ""
    if entry.error:
        return entry.error
    notes = [entry.note] if entry.note else []
    notes += [t("export.widened", was=was, now=now) for was, now in entry.widened_scales]
    return "; ".join(notes)


def micro_arena(out: ExportResult, result: Analysis) -> None:
    """The int8 model's TensorFlow Lite Micro arena as the real interpreter allocated it,
    beside the analysis's estimate of its activation part."""
    st.markdown(t("export.arena_head"))
    arena = out.arena
    if arena is None:
        st.caption(t("export.arena_none"))
        return
    if arena.error:
        st.caption(message("export.arena_error", error=arena.error, estimate=metrics.PEAK_INT8.show(arena.estimate)))
        return
    rows = [
        {
            t("col.figure"): t("export.arena.activations"),
            t("col.measured"): f"{arena.head:,} B",
            t("col.estimate"): f"{arena.estimate:,} B",
            t("col.ratio"): f"{arena.ratio:.3f}×" if arena.ratio else "",
        },
        {
            t("col.figure"): t("export.arena.persistent"),
            t("col.measured"): f"{arena.tail:,} B",
            t("col.estimate"): "",
            t("col.ratio"): "",
        },
        {
            t("col.figure"): t("export.arena.total"),
            t("col.measured"): f"{arena.total:,} B",
            t("col.estimate"): "",
            t("col.ratio"): "",
        },
    ]
    st.dataframe(rows, hide_index=True, key="export_arena")
    in_place = metrics.PEAK_INT8_IN_PLACE.read(result)
    st.caption(t("export.arena_caption", in_place=metrics.PEAK_INT8_IN_PLACE.show(in_place)))
