"""Predicted latency on the pages: the pinned figure, the per-block table and the time per
layer on the Design page are the analysis's own numbers; an uncalibrated machine says "not
calibrated" beside the Calibrate button, which starts the calibration job."""

from __future__ import annotations

import json
import re

import pytest

from lightdesign.analysis import metrics
from lightdesign.analysis.network import analyze
from lightdesign.core import presets
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


def test_the_layer_table_shows_each_layers_predicted_time(calibrated):
    app = open_tab(_started(new_app()), "tab.table")
    app.toggle(key="table_per_layer").set_value(True).run()
    assert not app.exception, app.exception
    result = analyze(workspace(app).design)
    frame = _cost_table(app)
    shown = dict(zip(frame["layer"], frame["fp32 ms (predicted)"], strict=True))
    assert result.latency.layers, "the seed CNN's layers are predicted"
    for layer, times in result.latency.layers.items():
        assert shown[layer] == round(times["fp32"], 3)


def test_the_block_table_has_no_latency_columns_when_not_calibrated(uncalibrated):
    app = open_tab(_started(new_app()), "tab.table")
    assert "fp32 ms (predicted)" not in _cost_table(app).columns


def test_the_time_per_layer_sits_under_the_memory_timeline(calibrated):
    app = open_tab(_started(new_app()), "tab.memory")
    result = analyze(workspace(app).design)
    assert any("Time per layer (predicted)" in m.value for m in app.markdown)
    caption = metrics.PREDICTED_FP32.show(result.latency.fp32_ms)
    assert any(caption in c.value and f"{len(result.deployment.ops)} operations" in c.value for c in app.caption)


@pytest.fixture
def fake_calibrations(monkeypatch):
    """The server's calibration manager, fresh, running the stand-in job of ``tests.fake_jobs``
    the test names (call the fixture's value with it first); shut down afterwards."""
    from lightdesign.jobs import manager
    from lightdesign.jobs.messages import JobKind
    from lightdesign.ui import latency_view

    def running(fake: str) -> None:
        monkeypatch.setitem(manager.JOB_KINDS, JobKind.LATENCY, f"tests.fake_jobs:{fake}")
        latency_view.calibration_manager.clear()

    yield running
    latency_view.calibration_manager().shutdown()
    latency_view.calibration_manager.clear()


def _calibrated_unwatched(spec) -> None:
    """Run a calibration job to its end with no page open (no fragment sees it end)."""
    from lightdesign.jobs.messages import JobKind
    from lightdesign.ui import latency_view

    from ..waiting import wait_until

    job = latency_view.calibration_manager().submit(latency_view.OWNER, JobKind.LATENCY, spec)
    wait_until(lambda: not job.active, timeout=60)
    assert job.result is not None, job.message


def test_the_calibrate_button_runs_the_calibration_job_for_one_thread(uncalibrated, fake_calibrations):
    from lightdesign.jobs.messages import JobKind, JobState
    from lightdesign.ui import latency_view

    fake_calibrations("latency")
    app = _started(new_app())
    app.button(key="latency_calibrate").click().run()
    assert not app.exception, app.exception
    job = latency_view.calibration()
    assert job is not None and job.kind == JobKind.LATENCY and job.spec.threads == 1
    run_until(app, lambda a: not latency_view.calibration().active)
    assert latency_view.calibration().state is JobState.FINISHED


def test_a_calibration_nobody_watched_end_has_its_measurements_kept_by_the_next_page(uncalibrated, fake_calibrations):
    from lightdesign.jobs.messages import LatencySpec, Measurement
    from lightdesign.ui import latency_view, persist

    fake_calibrations("latency")
    probe = Measurement(
        design=presets.build("seed_cnn").to_dict(), machine="a-machine", threads=1, fp32_ms=1.5, int8_ms=0.5
    )
    _calibrated_unwatched(LatencySpec(measurements=(probe,)))
    assert [m.fp32_ms for m in latency_view.calibration().result.measurements] == [1.5]
    _started(new_app())
    kept = persist.store().measurements("a-machine", 1)
    assert [(m["fp32_ms"], m["int8_ms"]) for m in kept] == [(1.5, 0.5)]
    _started(new_app())  # a second page kept nothing twice
    assert len(persist.store().measurements("a-machine", 1)) == 1


def test_a_calibration_timed_on_a_busy_machine_says_so_under_the_pinned_figure(calibrated, fake_calibrations):
    from lightdesign.jobs.messages import LatencySpec

    fake_calibrations("busy_latency")
    app = _started(new_app())
    assert not [c for c in app.caption if "was busy" in c.value]
    _calibrated_unwatched(LatencySpec())
    app = _started(new_app())
    (said,) = [c.value for c in app.caption if "was busy" in c.value]
    assert "load average 999.0" in said and "Calibrate again when it is quiet" in said
    # the job's machine moved 2.5x, the calibration in use (kept since) did not: the page follows the kept one
    assert not [c for c in app.caption if "speed moved" in c.value]


def test_a_calibration_kept_from_an_unsteady_machine_says_so_without_a_job(uncalibrated):
    calibrate_synthetic(spread=1.1)
    app = _started(new_app())
    assert not [c for c in app.caption if "speed moved" in c.value]
    calibrate_synthetic(spread=1.6)  # as `lightdesign calibrate` on a cloud VM sharing its host leaves it
    app = _started(new_app())
    (said,) = [c.value for c in app.caption if "speed moved" in c.value]
    assert "took 1.6x as long at its slow moments" in said


def _latency_limit(app, fraction: float) -> float:
    """Set a float32 latency limit of ``fraction`` of the current design's prediction (in
    microseconds, as a person may write it); the limit in milliseconds."""
    limit = round(analyze(workspace(app).design).latency.fp32_ms * fraction * 1000) / 1000
    open_tab(app, "tab.budget")
    app.text_input(key="budget_latency").set_value(f"{limit * 1000:.0f}us").run()
    assert not app.exception, app.exception
    return limit


def test_a_latency_limit_is_entered_as_a_time_and_checked(calibrated):
    app = _started(new_app())
    _latency_limit(app, 0.5)
    assert any(e.value == "Over budget: predicted latency fp32." for e in app.error)
    app.text_input(key="budget_latency").set_value("soon").run()
    assert any("'soon' is not a time" in e.value for e in app.error)


def test_the_pinned_figure_says_its_share_of_the_latency_limit(calibrated):
    app = _started(new_app())
    expected = analyze(workspace(app).design).latency
    limit = _latency_limit(app, 0.5)
    (shown,) = [m.value for m in app.markdown if ":material/speed:" in m.value]
    over = 100 * expected.fp32_ms / limit - 100
    assert shown == f":material/speed: {md(expected.figure('en'))} · :red[fp32 +{over:.0f}% over budget]"


def test_an_uncalibrated_machine_cannot_meet_a_latency_limit_and_says_why(uncalibrated):
    app = open_tab(_started(new_app()), "tab.budget")
    app.text_input(key="budget_latency").set_value("5ms").run()
    assert any(e.value == "Over budget: predicted latency fp32." for e in app.error)
    assert any("cannot be met while the latency is not predicted: not calibrated" in c.value for c in app.caption)


def test_under_a_latency_limit_the_scan_applies_the_slowest_design_that_fits(calibrated):
    from lightdesign.explore import scaling
    from lightdesign.explore.budget import Budget

    app = _started(new_app())
    design = workspace(app).design
    limit = _latency_limit(app, 0.6)
    open_tab(app, "tab.scaling")
    app.toggle(key="w_show_scaling").set_value(True).run()
    run_until(app, lambda a: any(b.key == "apply_scaled_width_resolution" for b in a.button), timeout=120)
    grid = scaling.width_resolution_grid(design, Budget({metrics.PREDICTED_FP32.key: limit}))
    best = scaling.largest_fit(grid, metrics.PREDICTED_FP32)
    label = app.button(key="apply_scaled_width_resolution").label
    assert f"= {best.x:g}," in label and f"= {best.y:g}:" in label
    assert label.endswith(f" · ≈ {metrics.PREDICTED_FP32.show(best.value(metrics.PREDICTED_FP32))} predicted")
    assert any("Predicted latency fp32" in chart.proto.spec for chart in app.get("plotly_chart"))
    # the sweep's candidates, spread over the predicted latency, say it beside their MACs
    assert any(re.search(r"px \([^)]*, ≈ [0-9.]+ ms\)", c.value) for c in app.caption)


def test_under_a_latency_limit_the_substitutes_come_by_the_time_they_save(calibrated):
    from lightdesign.explore import suggestions

    app = _started(new_app())
    design = workspace(app).design
    _latency_limit(app, 2.0)
    open_tab(app, "tab.suggestions")
    app.toggle(key="w_show_suggestions").set_value(True).run()
    assert not app.exception, app.exception
    assert any("A latency limit is set" in c.value for c in app.caption)
    expected, _ = suggestions.suggest_within(design, None, metrics.PREDICTED_FP32)
    assert expected, "the seed CNN has substitutes that save time"
    shown = [b.key for b in app.button if b.key.startswith("suggest_") and b.key != "suggest_cancel"]
    assert shown == [f"suggest_{n}_{s.rule}_{'_'.join(s.block_ids)}" for n, s in enumerate(expected)]
    faster = [c.value for c in app.caption if "faster (fp32, predicted)" in c.value]
    assert f"≈ {metrics.PREDICTED_FP32.show(expected[0].latency_saved_ms)} faster" in faster[0]


def _figure(at, key):
    (chart,) = [c for c in at.get("plotly_chart") if c.proto.id.endswith(key)]
    return json.loads(chart.proto.spec)


def _compare_page(at):
    at.switch_page("pages/compare.py").run()
    assert not at.exception, at.exception
    return at


def test_compare_lists_each_designs_predicted_latency(calibrated):
    app = _compare_page(_started(new_app()))
    frame = next(d.value for d in app.dataframe if "seed_cnn" in d.value.columns)
    for column, design in (
        ("seed_cnn", presets.build("seed_cnn")),
        ("preset: mobilenet_v2", presets.build("mobilenet_v2")),
    ):
        latency = analyze(design).latency
        assert frame.loc["Predicted latency fp32", column].split("  (")[0] == metrics.PREDICTED_FP32.show(
            latency.fp32_ms
        )
        assert frame.loc["Predicted latency int8", column].split("  (")[0] == metrics.PREDICTED_INT8.show(
            latency.int8_ms
        )


def test_latency_against_macs_has_one_named_point_per_design(calibrated):
    app = _started(new_app())
    ws = workspace(app)
    small = presets.build("mobilenet_v2", resolution=96)
    ws.add(small)
    _compare_page(app)
    traces = {trace["name"]: trace for trace in _figure(app, "latency_macs")["data"]}
    fp32 = traces["Predicted latency fp32"]
    results = [analyze(ws.designs[name]) for name in ws.names]
    assert fp32["text"] == list(ws.names)
    assert fp32["x"] == [r.macs for r in results]
    assert fp32["y"] == pytest.approx([r.latency.fp32_ms for r in results])
    assert traces["Predicted latency int8"]["y"] == pytest.approx([r.latency.int8_ms for r in results])


def test_accuracy_against_predicted_latency_has_its_pareto_front(calibrated):
    app = _started(new_app())
    ws = workspace(app)
    ws.add(presets.build("mobilenet_v2", resolution=96))
    for name, accuracy in (("seed_cnn", 0.9), (ws.names[1], 0.95)):
        figures = metrics.summary(analyze(ws.designs[name]))
        figures[metrics.PREDICTED_FP32.key] = None  # trained before this machine was calibrated
        ws.record_run(name, {"state": "finished", "dataset": "digits", "epochs": 1, **figures})
        ws.entry_named(name).runs[-1]["test_accuracy"] = accuracy
    _compare_page(app)
    app.selectbox(key="scatter_x").set_value(metrics.PREDICTED_FP32.key).run()
    assert not app.exception, app.exception
    data = _figure(app, "pareto")["data"]
    points = data[0]
    expected = [analyze(ws.designs[name]).latency.fp32_ms for name in ("seed_cnn", ws.names[1])]
    assert sorted(points["x"]) == pytest.approx(sorted(expected))
    assert len(data) == 2 and data[1]["name"] == "Pareto front"


def _learn_page(at):
    at.switch_page("pages/learn.py").run()
    assert not at.exception, at.exception
    return at


def test_the_learn_page_shows_two_presets_of_equal_macs_predicted_here(calibrated):
    from lightdesign.explore import learn

    app = _learn_page(_started(new_app()))
    pair = learn.equal_macs(*learn.EQUAL_MACS_PAIRS[0])
    assert any(s.value == "Why MACs and latency disagree" for s in app.subheader)
    (frame,) = [d.value for d in app.dataframe if "Predicted latency fp32" in d.value.columns]
    assert frame["MACs"].tolist() == [metrics.MACS.show(pair.first.macs), metrics.MACS.show(pair.second.macs)]
    assert frame["Predicted latency fp32"].tolist() == [
        metrics.PREDICTED_FP32.show(r.latency.fp32_ms) for r in (pair.first, pair.second)
    ]
    assert any(f"takes {pair.latency_ratio:.2f}× the time" in c.value for c in app.caption)


def test_the_learn_page_says_not_calibrated_with_the_button(uncalibrated):
    app = _learn_page(_started(new_app()))
    assert any(s.value == "Why MACs and latency disagree" for s in app.subheader)
    assert any("Latency: not calibrated" in c.value for c in app.caption)
    assert [b.label for b in app.button if b.key == "learn_latency_calibrate"] == ["Calibrate"]


def test_the_export_sets_the_prediction_and_its_error_beside_each_measured_tflite_model(calibrated):
    from lightdesign.jobs.messages import JobKind
    from lightdesign.ui import job_view

    manager = job_view.job_manager()
    before = manager.kinds[JobKind.EXPORT]
    manager.kinds[JobKind.EXPORT] = "tests.fake_jobs:export"  # measures 1.00 ms for every model
    try:
        app = _started(new_app())
        latency = analyze(workspace(app).design).latency
        app.switch_page("pages/export.py").run()
        app.number_input(key="export_latency_runs").set_value(5).run()
        app.button(key="start_export").click().run()
        run_until(app, lambda a: any("predicted" in d.value.columns for d in a.dataframe), timeout=120)
    finally:
        manager.kinds[JobKind.EXPORT] = before
    (frame,) = [d.value for d in app.dataframe if "predicted" in d.value.columns]
    assert list(frame["model"]) == ["Keras", "TFLite float32", "TFLite int8"]
    assert list(frame["predicted"]) == [
        "",
        metrics.PREDICTED_FP32.show(latency.fp32_ms),
        metrics.PREDICTED_INT8.show(latency.int8_ms),
    ]
    assert list(frame["prediction error"]) == [
        "",
        f"{100 * (latency.fp32_ms - 1.0):+.1f}%",
        f"{100 * (latency.int8_ms - 1.0):+.1f}%",
    ]


def test_the_design_page_speaks_chinese_about_latency(calibrated):
    app = new_app()
    app.query_params["lang"] = "zh"
    _started(app)
    expected = analyze(workspace(app).design).latency
    assert [m.value for m in app.markdown if ":material/speed:" in m.value] == [
        f":material/speed: {md(expected.figure('zh'))}"
    ]
    assert "线程" in expected.figure("zh")
    for tab in ("tab.table", "tab.memory"):
        open_tab(app, tab)
    assert any("每层时间（预测）" in m.value for m in app.markdown)
    assert not app.session_state["i18n_missing"], sorted(app.session_state["i18n_missing"])


def test_the_compare_and_learn_pages_speak_chinese_about_latency(calibrated):
    app = new_app()
    app.query_params["lang"] = "zh"
    _started(app)
    workspace(app).add(presets.build("mobilenet_v2", resolution=96))
    _compare_page(app)
    assert any(s.value == "延迟与 MACs" for s in app.subheader)
    _learn_page(app)
    assert any(s.value == "为什么 MACs 与延迟不一致" for s in app.subheader)
    assert any("的耗时是" in c.value for c in app.caption)
    assert not app.session_state["i18n_missing"], sorted(app.session_state["i18n_missing"])
