"""Compare and Export pages through their widgets."""

import time

from lightdesign import presets
from lightdesign.analysis import analyze
from lightdesign.codegen import generate

from .conftest import workspace


def test_compare_two_presets_shows_both_columns_ratios_and_diff(app):
    app.switch_page("pages/compare.py").run()
    app.multiselect(key="w_compare_choice").set_value(["preset: mobilenet_v2", "preset: mobilenet_v3_small"]).run()
    assert not app.exception, app.exception
    frame = app.dataframe[0].value
    assert frame.columns.tolist() == ["preset: mobilenet_v2", "preset: mobilenet_v3_small"]
    assert frame.loc["Params", "preset: mobilenet_v2"] == "3.54 M"
    assert frame.loc["Params", "preset: mobilenet_v3_small"] == "2.55 M  (0.72×)"
    assert any("~ " in c.value or "+ " in c.value for c in app.code)


def test_compare_needs_two_designs_and_reports_broken_ones(app):
    app.switch_page("pages/compare.py").run()
    app.multiselect(key="w_compare_choice").set_value(["seed_cnn"]).run()
    assert any("at least two" in i.value for i in app.info)


def test_export_shows_the_code_and_offers_downloads(app):
    app.switch_page("pages/export.py").run()
    assert not app.exception, app.exception
    source = generate(presets.build("seed_cnn"))
    assert any(c.value.strip() == source.strip() for c in app.code)
    assert any("Every layer maps to TFLite built-in operators" in s.value for s in app.success)


def test_export_is_disabled_for_an_invalid_design(app):
    ws = workspace(app)
    conv2 = ws.design.blocks[2].id
    app.selectbox(key="stack_select").set_value(conv2).run()
    app.number_input(key=f"form_{conv2}_kernel_size").set_value(15).run()
    app.switch_page("pages/export.py").run()
    assert any(e.value.startswith("Exports are disabled while the design has errors") for e in app.error)
    assert not app.get("download_button")


def test_export_job_builds_files_and_measures_latency(app):
    app.switch_page("pages/export.py").run()
    app.number_input(key="export_latency_runs").set_value(5).run()
    app.button(key="start_export").click().run()
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        time.sleep(1)
        app.run()
        assert not app.exception, app.exception
        if len(app.dataframe) >= 2:  # file sizes and latency
            break
    sizes = app.dataframe[0].value
    assert list(sizes["file"]) == ["Keras model (.keras)", "TFLite float32", "TFLite int8"]
    ratio = float(sizes["ratio"][2].rstrip("×"))
    assert 0.9 <= ratio <= 1.1
    latency = app.dataframe[1].value
    assert list(latency["model"]) == ["Keras", "TFLite float32", "TFLite int8"]
    assert analyze(presets.build("seed_cnn")).macs > 0
