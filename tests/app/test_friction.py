"""Friction a new user met (AppTest): the seed CNN names its tutorial, the design
uploader states its real limit, Compare starts with two different designs and diffs every
design against the first, the accuracy scatter has sensible axes, legends sit clear of the
axis titles."""

import json

import pytest

from lightdesign.core import presets
from lightdesign.core.design import MAX_JSON_BYTES
from lightdesign.ui import plots

from .conftest import new_app, workspace

TUTORIAL = "轻量级网络设计原理与代码实战案例讲解"


def check(at):
    assert not at.exception, at.exception
    return at


def figure(at, key):
    (chart,) = [c for c in at.get("plotly_chart") if c.proto.id.endswith(key)]
    return json.loads(chart.proto.spec)


def test_the_seed_cnn_names_its_source_tutorial_in_both_languages(app):
    assert app.selectbox(key="preset_name").value == "seed_cnn"
    (about,) = [c.value for c in app.sidebar.caption if TUTORIAL in c.value]
    assert "section 5.2" in about
    assert TUTORIAL in presets.build("seed_cnn").description and "5.2" in presets.build("seed_cnn").description
    app.session_state["lang"] = "zh"
    app.run()
    assert any(TUTORIAL in c.value and "5.2" in c.value for c in check(app).sidebar.caption)
    # Another preset has no such line.
    app.selectbox(key="preset_name").set_value("mobilenet_v2").run()
    assert not any(TUTORIAL in c.value for c in check(app).sidebar.caption)


def test_the_design_uploader_states_the_real_limit_and_refuses_a_larger_file(app):
    (uploader,) = [u for u in app.get("file_uploader") if u.proto.id.endswith("design_upload")]
    assert (
        uploader.proto.label
        == f"Open a design JSON (at most {MAX_JSON_BYTES // 1024} KB)"
        == ("Open a design JSON (at most 512 KB)")
    )
    # Streamlit's own limit is whole MB (its drop area would say "1MB per file"): that line is hidden.
    styles = [h.proto.body for h in app.get("html")]
    assert any(".st-key-design_upload" in s and "stFileUploaderDropzoneInstructions" in s for s in styles)
    design = presets.build("seed_cnn")
    design.description = "x" * (MAX_JSON_BYTES + 100)  # valid JSON, over 512 KB, under 1 MB
    content = design.to_json().encode()
    assert MAX_JSON_BYTES < len(content) < 1024 * 1024
    app.file_uploader(key="design_upload").set_value(("big.json", content, "application/json")).run()
    assert workspace(check(app)).names == ["seed_cnn"]
    (error,) = [e.value for e in app.error]
    assert error.startswith("Could not open 'big.json': the file is ") and "the limit is 524,288 bytes" in error


def compare_page(at):
    at.switch_page("pages/compare.py").run()
    return check(at)


def test_compare_starts_with_two_different_designs(app):
    assert compare_page(app).multiselect(key="w_compare_choice").value == ["seed_cnn", "preset: mobilenet_v2"]


def test_compare_skips_an_identical_copy_for_a_different_design():
    at = new_app()
    at.run()
    at.button(key="ws_duplicate").click().run()  # "seed_cnn (2)", the same blocks, now current
    ws = workspace(check(at))
    assert ws.names == ["seed_cnn", "seed_cnn (2)"] and ws.current == "seed_cnn (2)"
    chosen = compare_page(at).multiselect(key="w_compare_choice").value
    assert chosen == ["seed_cnn (2)", "preset: mobilenet_v2"], chosen
    assert not any("same blocks and settings" in c.value for c in at.caption)


def test_the_diff_covers_every_design_against_the_first(app):
    compare_page(app)
    choice = ["seed_cnn", "preset: mobilenet_v2", "preset: seed_cnn", "preset: mobilenet_v3_small"]
    app.multiselect(key="w_compare_choice").set_value(choice).run()
    heads = [m.value for m in check(app).markdown if m.value.startswith("From **")]
    assert (
        heads
        == [
            heads[0],
            "From **seed_cnn** to **preset: seed_cnn**: 0 change(s)",
            heads[2],
        ]
        and len(heads) == 3
    )
    assert heads[0].startswith("From **seed_cnn** to **preset: mobilenet_v2**:")
    assert heads[2].startswith("From **seed_cnn** to **preset: mobilenet_v3_small**:")
    assert any("same blocks and settings" in c.value for c in app.caption)


def one_run(ws):
    from lightdesign.analysis import metrics
    from lightdesign.analysis.network import analyze

    summary = metrics.summary(analyze(ws.design))
    ws.record_run("seed_cnn", {"state": "finished", "dataset": "digits", "epochs": 2, **summary})  # a new id
    ws.entry_named("seed_cnn").runs[-1]["test_accuracy"] = 0.9231


def test_the_accuracy_scatter_with_one_run_has_sensible_axes(app):
    one_run(workspace(app))
    compare_page(app)
    layout = figure(app, "pareto")["layout"]
    macs = 2_631_040
    low, high = layout["xaxis"]["range"]
    assert low < 0.95 * macs and high > 1.05 * macs and low >= 0  # not a millionth apart
    assert layout["yaxis"]["range"] == [0, 1] and layout["yaxis"]["tickformat"] == ".0%"
    assert layout["legend"]["yanchor"] == "bottom" and layout["legend"]["y"] >= 1


def test_padded_range():
    assert plots.padded_range([3_662_080]) == pytest.approx([3_662_080 * 0.9, 3_662_080 * 1.1])
    assert plots.padded_range([]) is None and plots.padded_range([None]) is None
    low, high = plots.padded_range([100, 1_000])
    assert low == 0 and high == 1_100  # room of 10% of the largest; never below zero
    assert plots.padded_range([0, 0])[0] == 0


def above(layout, subplot_titles=False):
    legend = layout["legend"]
    return (
        legend["orientation"] == "h" and legend["yanchor"] == "bottom" and legend["y"] >= (1.1 if subplot_titles else 1)
    )


def test_legends_sit_above_the_plots_clear_of_the_axis_titles(app, monkeypatch):
    from lightdesign.jobs.messages import Epoch
    from lightdesign.ui import train_charts

    from .conftest import open_tab

    open_tab(app, "tab.memory")
    assert above(figure(app, "memory_timeline")["layout"])
    compare_page(app)
    for key, titles in (("ratio_bars", False), ("profiles", True), ("compare_timelines", False)):
        assert above(figure(app, key)["layout"], titles), key
    shown = []
    monkeypatch.setattr(train_charts.st, "plotly_chart", lambda fig, **kw: shown.append(fig))
    history = [Epoch(epoch=1, seconds=1.0, loss=0.5, accuracy=0.8, val_loss=0.6, val_accuracy=0.7)]
    train_charts.curves(history, [])
    assert len(shown) == 2 and all(above(f.to_plotly_json()["layout"]) for f in shown)
