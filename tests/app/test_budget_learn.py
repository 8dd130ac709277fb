"""Budget colours, the scaling search, suggestions and the Learn page (AppTest)."""

from streamlit.proto.Metric_pb2 import Metric

from lightdesign import presets
from lightdesign.analysis import analyze

from .conftest import metric, workspace


def open_preset(app, name):
    app.selectbox(key="preset_name").set_value(name).run()
    app.button(key="open_preset").click().run()
    assert not app.exception, app.exception


def test_budget_colours_the_figures(app):
    open_preset(app, "mobilenet_v2")
    app.text_input(key="budget_macs").set_value("200M").run()
    app.text_input(key="budget_params").set_value("4M").run()
    macs = metric(app, "MACs")
    assert macs.delta == "+50% over budget"  # 300.8 M of 200 M, in red
    assert macs.proto.color == Metric.MetricColor.RED
    params = metric(app, "Params")
    assert params.delta == "88% of budget"  # 3.54 M of 4 M: within, in green
    assert params.proto.color == Metric.MetricColor.GREEN
    assert any(e.value == "Over budget: MACs." for e in app.error)
    app.text_input(key="budget_macs").set_value("a lot").run()
    assert any("'a lot' is not an amount" in e.value for e in app.error)


def test_apply_the_largest_design_that_fits(app):
    open_preset(app, "mobilenet_v2")
    app.text_input(key="budget_macs").set_value("100M").run()
    app.toggle(key="w_show_scaling").set_value(True).run()
    button = next(b for b in app.button if b.key == "apply_scaled_width_resolution")
    assert button.label.startswith("Apply the largest design that fits")
    before = set(workspace(app).names)
    button.click().run()
    ws = workspace(app)
    (added,) = set(ws.names) - before
    assert ws.current == added
    result = analyze(ws.design)
    assert result.macs <= 100_000_000 and not result.errors
    assert metric(app, "MACs").delta.endswith("of budget")


def test_apply_and_undo_a_suggestion(app):
    app.toggle(key="w_show_suggestions").set_value(True).run()
    ws = workspace(app)
    before = analyze(ws.design)
    key = next(b.key for b in app.button if b.key.startswith("suggest_") and "global_pool" in b.key)
    app.button(key=key).click().run()
    after = analyze(ws.design)
    assert [b.kind for b in ws.design.blocks][4] == "GlobalAveragePooling2D"
    assert after.params == before.params - (1600 - 64) * 128
    app.button(key="undo").click().run()
    assert analyze(workspace(app).design).params == before.params == 225_034


def test_learn_page_calculators(app):
    app.switch_page("pages/learn.py").run()
    assert not app.exception, app.exception
    assert metric(app, "Output size").value == "26×26×32"
    app.slider(key="learn_k").set_value(5).run()
    app.slider(key="learn_p").set_value(2).run()
    assert metric(app, "Output size").value == "28×28×32"
    assert metric(app, "Params (with bias)").value == f"{5 * 5 * 1 * 32 + 32:,}"
    ratio = float(metric(app, "Ratio (exact = 1/N + 1/K²)").value)
    assert abs(ratio - (1 / 512 + 1 / 9)) < 1e-4
    app.button(key="learn_open_nets_shufflenet_v2").click().run()
    assert workspace(app).current == presets.build("shufflenet_v2").name
