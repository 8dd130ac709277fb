"""Predicted latency on the pages: the pinned figure, the per-block table and the time per
layer on the Design page are the analysis's own numbers; an uncalibrated machine says "not
calibrated" beside the Calibrate button, which starts the calibration job."""

from __future__ import annotations

import pytest

from lightdesign.analysis import metrics
from lightdesign.analysis.network import analyze
from lightdesign.ui.markup import md
from tests.unit.test_latency import calibrate_synthetic

from .conftest import new_app, open_tab, run_until, workspace


@pytest.fixture
def uncalibrated(tmp_path, monkeypatch):
    monkeypatch.setenv("LIGHTDESIGN_WORK_DIR", str(tmp_path))


@pytest.fixture
def calibrated(tmp_path, monkeypatch):
    monkeypatch.setenv("LIGHTDESIGN_WORK_DIR", str(tmp_path))
    calibrate_synthetic()


def _started(at):
    at.run()
    assert not at.exception, at.exception
    return at


def _cost_table(app):
    (frame,) = [d.value for d in app.dataframe if "MAC share %" in d.value.columns]
    return frame


def test_the_pinned_figure_is_the_analysis_prediction(calibrated):
    app = _started(new_app())
    expected = analyze(workspace(app).design).latency
    assert expected.fp32_ms is not None
    shown = [m.value for m in app.markdown if ":material/speed:" in m.value]
    assert shown == [f":material/speed: {md(expected.figure('en'))}"]
    assert metrics.PREDICTED_FP32.show(expected.fp32_ms) in shown[0]
    assert not [b for b in app.button if b.key == "latency_calibrate"]


def test_an_uncalibrated_machine_says_so_beside_the_calibrate_button(uncalibrated):
    app = _started(new_app())
    assert not [m for m in app.markdown if ":material/speed:" in m.value], "no number from nowhere"
    assert any("Latency: not calibrated" in c.value for c in app.caption)
    (button,) = [b for b in app.button if b.key == "latency_calibrate"]
    assert button.label == "Calibrate"


def test_the_chinese_page_says_not_calibrated_in_chinese(uncalibrated):
    app = new_app()
    app.query_params["lang"] = "zh"
    _started(app)
    assert any("延迟：未校准" in c.value for c in app.caption)


def test_the_block_table_shows_each_blocks_predicted_time_and_share(calibrated):
    app = open_tab(_started(new_app()), "tab.table")
    result = analyze(workspace(app).design)
    frame = _cost_table(app)
    for position, block in enumerate(result.blocks):
        times = result.latency.blocks.get(block.index, {"fp32": 0.0, "int8": 0.0})
        assert frame["fp32 ms (predicted)"].iloc[position] == round(times["fp32"], 3)
        assert frame["int8 ms (predicted)"].iloc[position] == round(times["int8"], 3)
        assert frame["latency share %"].iloc[position] == round(100 * times["fp32"] / result.latency.fp32_ms, 2)
    assert frame["fp32 ms (predicted)"].sum() == pytest.approx(
        sum(t["fp32"] for i, t in result.latency.blocks.items() if i >= 0), abs=0.01
    )


def test_the_block_table_has_no_latency_columns_when_not_calibrated(uncalibrated):
    app = open_tab(_started(new_app()), "tab.table")
    assert "fp32 ms (predicted)" not in _cost_table(app).columns


def test_the_time_per_layer_sits_under_the_memory_timeline(calibrated):
    app = open_tab(_started(new_app()), "tab.memory")
    result = analyze(workspace(app).design)
    assert any("Time per layer (predicted)" in m.value for m in app.markdown)
    caption = metrics.PREDICTED_FP32.show(result.latency.fp32_ms)
    assert any(caption in c.value and f"{len(result.deployment.ops)} operations" in c.value for c in app.caption)


def test_the_calibrate_button_runs_the_calibration_job_for_one_thread(uncalibrated, monkeypatch):
    from lightdesign.jobs import manager
    from lightdesign.jobs.messages import JobKind, JobState
    from lightdesign.ui import latency_view

    monkeypatch.setitem(manager.JOB_KINDS, JobKind.LATENCY, "tests.fake_jobs:latency")
    latency_view.calibration_manager.clear()
    try:
        app = _started(new_app())
        app.button(key="latency_calibrate").click().run()
        assert not app.exception, app.exception
        job = latency_view.calibration()
        assert job is not None and job.kind == JobKind.LATENCY and job.spec.threads == 1
        run_until(app, lambda a: not latency_view.calibration().active)
        assert latency_view.calibration().state is JobState.FINISHED
    finally:
        latency_view.calibration_manager().shutdown()
        latency_view.calibration_manager.clear()
