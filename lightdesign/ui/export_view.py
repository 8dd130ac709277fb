"""The Export page's widgets: code and text downloads, the deployability check, model files
built in a worker, and measured latency beside the MACs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import streamlit as st

from lightdesign import deploy
from lightdesign import format as fmt
from lightdesign.analysis import Analysis
from lightdesign.codegen import generate, model_name
from lightdesign.design import DesignError
from lightdesign.jobs import JobError
from lightdesign.jobs.specs import WORK_ROOT, export_spec, new_work_dir
from lightdesign.render import to_dot, to_mermaid
from lightdesign.ui import compare_view, state
from lightdesign.ui.train_view import job_manager, session_id

JOB_KEY = "export_job_id"
FILE_LABELS = {"keras": ("Keras model (.keras)", "fp32"), "tflite_float32": ("TFLite float32", "fp32"),
               "tflite_int8": ("TFLite int8", "int8")}


def code_and_text(result: Analysis) -> None:
    design = result.design
    stem = model_name(design)
    tabs = st.tabs(["Keras code", "Design JSON", "Mermaid", "DOT", "Graph image"])
    with tabs[0]:
        source = generate(design)
        st.download_button("Download Keras code", source, file_name=f"{stem}.py", mime="text/x-python",
                            key="download_py", type="primary")
        st.code(source, language="python", line_numbers=True, height=420)
    with tabs[1]:
        text = design.to_json()
        st.download_button("Download design JSON", text, file_name=f"{stem}.json", mime="application/json",
                           key="download_design_json")
        st.code(text, language="json", height=300)
    with tabs[2]:
        mermaid = to_mermaid(result)
        st.download_button("Download Mermaid", mermaid, file_name=f"{stem}.mmd", key="download_mermaid")
        st.code(mermaid, language="text", height=300)
    dot = to_dot(result)
    with tabs[3]:
        st.download_button("Download DOT", dot, file_name=f"{stem}.dot", key="download_dot")
        st.code(dot, language="text", height=300)
    with tabs[4]:
        graph_images(dot, stem)


def render_with_dot(dot: str, image_format: str) -> bytes:
    done = subprocess.run(["dot", f"-T{image_format}"], input=dot.encode(), capture_output=True, timeout=30,
                          check=True)
    return done.stdout


def graph_images(dot: str, stem: str) -> None:
    if shutil.which("dot") is None:
        st.info("SVG and PNG need Graphviz's `dot` program on the server (Debian/Ubuntu: `apt-get install graphviz`; "
                "macOS: `brew install graphviz`). Meanwhile download the DOT text and render it with any Graphviz "
                "tool, or paste the Mermaid text into a Markdown document.")
        return
    cols = st.columns(2)
    try:
        cols[0].download_button("Download SVG", render_with_dot(dot, "svg"), file_name=f"{stem}.svg",
                                mime="image/svg+xml", key="download_svg")
        cols[1].download_button("Download PNG", render_with_dot(dot, "png"), file_name=f"{stem}.png",
                                mime="image/png", key="download_png")
    except (subprocess.SubprocessError, OSError) as exc:
        st.error(f"Graphviz could not draw the graph: {exc}", icon="⛔")


def deployability(result: Analysis) -> None:
    findings = deploy.check(result)
    if not findings:
        st.success("Every layer maps to TFLite built-in operators and can be fully int8-quantized.", icon="✅")
        return
    rows = [{"layer": f.layer, "block": f.block, "kind": f.kind, "TFLite built-ins": "no" if not f.builtin_ok else "yes",
             "int8": "no" if not f.int8_ok else "yes", "why": f.why} for f in findings]
    st.warning(f"{len(findings)} layer(s) will not export to a pure built-in int8 TFLite model:", icon="⚠️")
    st.dataframe(rows, hide_index=True, key="deploy_findings")


def _run_label(run: dict) -> str:
    return f"{run['dataset']}, {run['epochs']} epoch(s), {run['test_accuracy']:.1%} test accuracy"


def start_export(result: Analysis, run: dict | None, latency_runs: int) -> None:
    try:
        spec = export_spec(result.design, new_work_dir(), run, latency_runs)
        job = job_manager().submit(session_id(), "export", spec)
    except (DesignError, JobError, OSError) as exc:
        state.flash("error", f"The export did not start: {exc}")
        return
    st.session_state[JOB_KEY] = job.id


def model_files(result: Analysis) -> None:
    ws = state.workspace()
    runs = ws.runs.get(ws.current, [])
    choices = ["initial"] + [str(i) for i in range(len(runs))][::-1]
    cols = st.columns([3, 1], vertical_alignment="bottom")
    pick = cols[0].selectbox("Weights", choices, key="export_weights",
                             format_func=lambda c: "Initial (untrained) weights" if c == "initial"
                             else f"Trained: {_run_label(runs[int(c)])}")
    latency_runs = cols[1].number_input("Latency runs", 5, 500, 50, key="export_latency_runs")
    job = job_manager().get(st.session_state.get(JOB_KEY))
    busy = job is not None and job.active
    run = None if pick == "initial" else runs[int(pick)]
    st.button("Build model files and measure latency", key="start_export", type="primary", disabled=busy,
              on_click=start_export, args=(result, run, int(latency_runs)))
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
    status = job.latest("status")
    steps = ["Loading TensorFlow…", "Building the model…", "Measuring Keras latency…", "Converting to TFLite float32…",
             "Measuring TFLite float32 latency…", "Converting to TFLite int8…", "Measuring TFLite int8 latency…"]
    done = steps.index(status["message"]) + 1 if status and status["message"] in steps else 0
    st.progress(done / len(steps), text=status["message"] if status else "Waiting for a worker…")


def _safe_bytes(path: str) -> bytes | None:
    """Only files this app generated under its work folder are ever offered for download."""
    resolved = Path(path).resolve()
    if WORK_ROOT.resolve() not in resolved.parents or not resolved.is_file():
        return None
    return resolved.read_bytes()


def export_results(job, result: Analysis) -> None:
    if job.state != "finished":
        st.error(f"The export {job.state}: {job.message}", icon="⛔")
        return
    out = job.result
    design = result.design
    stem = model_name(design)
    st.caption(f"Built from {out['weights']}; int8 calibrated on {out['calibration']}.")
    rows = []
    for key, (label, precision) in FILE_LABELS.items():
        entry = out["files"].get(key, {})
        estimate = result.weight_bytes[precision]
        if "error" in entry:
            rows.append({"file": label, "size": "failed", "analysis estimate": fmt.size(estimate), "ratio": "",
                         "note": entry["error"]})
            continue
        rows.append({"file": label, "size": fmt.size(entry["bytes"]), "analysis estimate": fmt.size(estimate),
                     "ratio": f"{entry['bytes'] / estimate:.2f}×", "note": entry.get("note", "")})
    st.dataframe(rows, hide_index=True, key="export_sizes")
    cols = st.columns(3)
    names = {"keras": f"{stem}.keras", "tflite_float32": f"{stem}_float32.tflite", "tflite_int8": f"{stem}_int8.tflite"}
    for column, key in zip(cols, FILE_LABELS, strict=True):
        entry = out["files"].get(key, {})
        data = _safe_bytes(entry["path"]) if "path" in entry else None
        if data is not None:
            column.download_button(f"Download {FILE_LABELS[key][0]}", data, file_name=names[key],
                                   mime="application/octet-stream", key=f"download_{key}")
    latency = out["latency"]
    compare_view_measured = st.session_state.setdefault(compare_view.MEASURED, {})
    compare_view_measured[state.workspace().current] = latency
    st.markdown(f"**Latency on this server's CPU** (one image, median of {out['latency_runs']} after warm-up; "
                "TFLite with one thread)")
    table = []
    for key, label in (("keras_ms", "Keras"), ("tflite_float32_ms", "TFLite float32"), ("tflite_int8_ms", "TFLite int8")):
        if key in latency:
            table.append({"model": label, "latency": f"{latency[key]:.2f} ms", "MACs": fmt.count(result.macs),
                          "MACs per ms": fmt.count(result.macs / max(latency[key], 1e-9))})
    st.dataframe(table, hide_index=True, key="export_latency")
    st.caption("MACs predict time only roughly: memory traffic, depthwise layers and framework overhead matter too. "
               "Compare MACs per ms across designs on the Compare page.")
