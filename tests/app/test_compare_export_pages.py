"""Compare and Export pages through their widgets."""

import pytest

from lightdesign.analysis.network import analyze
from lightdesign.core import format as fmt
from lightdesign.core import presets
from lightdesign.output.codegen import generate

from .conftest import new_app, run_until, workspace


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


def export_tables(app) -> dict[str, object]:
    """The export's file-size and latency tables, by their first column's name."""
    frames = {d.value.columns[0]: d.value for d in app.dataframe}
    return {name: frames[name] for name in ("file", "model") if name in frames}


def export_errors(app) -> list[str]:
    return [e.value for e in app.error if e.value.startswith("The export")]


@pytest.mark.keras  # exports in a TensorFlow worker
def test_export_job_builds_files_and_measures_latency(app):
    app.switch_page("pages/export.py").run()
    app.number_input(key="export_latency_runs").set_value(5).run()
    app.button(key="start_export").click().run()
    run_until(app, lambda a: len(export_tables(a)) == 2 or export_errors(a), timeout=240)
    assert not export_errors(app), f"the export job failed: {export_errors(app)}"

    sizes = export_tables(app)["file"]
    assert list(sizes["file"]) == ["Keras model (.keras)", "TFLite float32", "TFLite int8"]
    ratio = float(sizes["ratio"][2].rstrip("×"))
    assert 0.9 <= ratio <= 1.1, f"the int8 file is {ratio}× the int8 weights estimate, expected within 10%"

    latency = export_tables(app)["model"]
    assert list(latency["model"]) == ["Keras", "TFLite float32", "TFLite int8"]
    milliseconds = [float(text.removesuffix(" ms")) for text in latency["latency"]]
    assert all(ms > 0 for ms in milliseconds), f"every model's latency is measured: {milliseconds}"
    macs = analyze(presets.build("seed_cnn")).macs
    assert list(latency["MACs"]) == [fmt.count(macs)] * 3, "the latency table sets each model beside the design's MACs"

    downloads = {b.label for b in app.get("download_button")}
    for file in ("Keras model (.keras)", "TFLite float32", "TFLite int8"):
        assert any(file in label for label in downloads), f"no download of {file} among {sorted(downloads)}"
    # The export is kept with its design in the store: a new session on the same workspace
    # link has it, with the latencies the Compare page shows, and its files are owned by it.
    again = new_app()
    again.query_params["w"] = workspace(app).id
    again.run()
    (kept,) = workspace(again).entry.exports
    assert f"{kept['result']['latency_ms']['tflite_int8']:.2f} ms" == latency["latency"][2]
    from lightdesign.store import open_store

    owners = [owner for _, owner, size in open_store().files_of(workspace(app).id) if size > 0]
    assert kept["id"] in owners, "the export's folder is deleted with the workspace"
