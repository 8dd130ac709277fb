"""Budget colours, the scaling search, suggestions and the Learn page (AppTest)."""

import re

import pytest
from streamlit.proto.Metric_pb2 import Metric
from streamlit.testing.v1 import AppTest

from lightdesign.analysis import metrics
from lightdesign.analysis.network import analyze
from lightdesign.catalog import CATALOG
from lightdesign.core import presets
from lightdesign.explore import learn

from .conftest import metric, new_app, open_preset, open_tab, run_until, workspace


def test_budget_colours_the_figures(app):
    open_preset(app, "mobilenet_v2")
    open_tab(app, "tab.budget")
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
    open_tab(app, "tab.budget")
    app.text_input(key="budget_macs").set_value("100M").run()
    open_tab(app, "tab.scaling")
    app.toggle(key="w_show_scaling").set_value(True).run()
    # Small designs are scanned within the page run; on a busy machine the rest of the grid
    # comes from the background a moment later.
    run_until(app, lambda a: any(b.key == "apply_scaled_width_resolution" for b in a.button), timeout=120)
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
    open_tab(app, "tab.suggestions")
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


LEARN_SECTIONS = (
    "learn.flow",
    "learn.conv",
    "learn.act",
    "learn.pool",
    "learn.dense",
    "learn.sep",
    "learn.nets",
    "learn.latency",
    "learn.rnn",
    "learn.quant",
    "learn.use",
)


def learn_page(lang: str = "en"):
    app = new_app()
    app.query_params["lang"] = lang
    app.run()
    app.switch_page("pages/learn.py").run()
    assert not app.exception, app.exception
    return app


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_learn_section_renders_in_both_languages(lang):
    app = learn_page(lang)
    headings = [h.value for h in app.subheader]
    assert headings == [CATALOG[key][lang] for key in LEARN_SECTIONS]
    assert not app.session_state["i18n_missing"], sorted(app.session_state["i18n_missing"])
    # the article's own flow, drawn from the seed CNN and the text RNN in article style
    flows = [c.value for c in app.code if c.value.startswith("graph TD")]
    assert flows and "卷积层1" in flows[0] if lang == "zh" else "Convolutional layer 1" in flows[0]
    if lang == "zh":
        assert all(re.search("[\u4e00-\u9fff]", b.label) for b in app.button), [b.label for b in app.button]


def test_recurrent_calculator_shows_the_analysis_figures():
    app = learn_page()
    app.selectbox(key="learn_rnn_kind").set_value("GRU")
    app.number_input(key="learn_rnn_steps").set_value(50)
    app.number_input(key="learn_rnn_features").set_value(32)
    app.number_input(key="learn_rnn_units").set_value(16)
    app.toggle(key="learn_rnn_bidirectional").set_value(True).run()
    assert not app.exception, app.exception
    cost = learn.recurrent_cost("GRU", 50, 32, 16, True)
    assert metric(app, "Recurrent params").value == f"{cost['params']:,}" == f"{2 * 3 * (16 * 48 + 2 * 16):,}"
    assert metric(app, "Recurrent MACs").help == f"{cost['macs']:,}"
    assert metric(app, "Recurrent output").value == "32"
    # the int8 comparison: the LSTM preset cannot be int8, its Conv1D alternative can
    compare = next(d.value for d in app.dataframe if "int8 in TFLite" in d.value.columns)
    assert list(compare["int8 in TFLite"]) == ["no (LSTM)", "yes"]


def test_recurrent_buttons_open_the_rnn_and_its_conv1d_alternative():
    app = learn_page()
    app.button(key="learn_open_rnn_text_rnn").click().run()
    assert workspace(app).design.blocks[1].kind == "LSTM"
    app.switch_page("pages/learn.py").run()
    app.button(key="learn_open_rnn_alt_text_cnn").click().run()
    assert not app.exception, app.exception
    assert [b.kind for b in workspace(app).design.blocks] == ["Embedding", "Conv1D", "GlobalMaxPooling1D", "Dense"]


def test_dense_calculator_and_the_global_pooling_head():
    app = learn_page()
    assert metric(app, "Dense params").value == "204,928"
    app.number_input(key="learn_dense_in").set_value(64).run()
    assert metric(app, "Dense params").value == f"{64 * 128 + 128:,}"
    assert metric(app, "Seed CNN params").value == "225,034"
    assert metric(app, "With a global-pooling head").value == "28,426"
    assert any("204,928 of the network's 225,034 parameters (91%)" in m.value for m in app.markdown)
    app.button(key="learn_apply_global_pool").click().run()
    assert not app.exception, app.exception
    ws = workspace(app)
    assert ws.current == "seed_cnn_global_pool"
    assert [b.kind for b in ws.design.blocks][4] == "GlobalAveragePooling2D"
    assert analyze(ws.design).params == 28_426


def test_quantization_example_and_weight_memory():
    app = learn_page()
    per_channel = learn.quantize(learn.example_weights(0), "per_channel_symmetric")
    assert metric(app, "Largest error").value == f"{per_channel.max_error:.6f}"
    app.radio(key="learn_quant_scheme").set_value("per_tensor_affine").run()
    affine = learn.quantize(learn.example_weights(0), "per_tensor_affine")
    assert metric(app, "Largest error").value == f"{affine.max_error:.6f}"
    assert metric(app, "RMS error").value == f"{affine.rms_error:.6f}"
    current = analyze(workspace(app).design)
    for figure in (metrics.WEIGHTS_FP32, metrics.WEIGHTS_FP16, metrics.WEIGHTS_INT8):
        assert metric(app, CATALOG[figure.label_key]["en"]).value == figure.show(figure.read(current))
    assert current.weight_bytes["int8"] < current.weight_bytes["fp16"] < current.weight_bytes["fp32"]
    assert [link.proto.page for link in app.get("page_link")] == ["export"]


@pytest.mark.parametrize("scenario", learn.SCENARIOS, ids=lambda s: s.key)
def test_each_scenario_opens_its_preset_with_its_dataset_on_the_train_page(scenario):
    app = learn_page()
    app.button(key=f"learn_scenario_{scenario.key}").click().run()
    assert not app.exception, app.exception
    design = workspace(app).design
    assert design.to_dict()["blocks"] == scenario.design().to_dict()["blocks"]
    assert app.session_state["train_source"] == scenario.dataset
    assert app.selectbox(key="w_train_source").value == scenario.dataset
    assert app.title[0].value.startswith("Train")
    # the design fits the data: no offer to change the input shape or the classes
    assert not [b for b in app.button if b.key in ("fit_input", "fit_classes")]
    assert not app.button(key="start_training").disabled


def _graph_view_script():
    import streamlit as st

    from lightdesign.analysis.network import analyze
    from lightdesign.core import presets
    from lightdesign.ui import graph_view, state

    for key, value in ((state.EXPAND_ALL, False), (state.EXPANDED, []), (state.GRAPH_ARTICLE, False)):
        st.session_state.setdefault(key, value)
    graph_view.render(analyze(presets.build("seed_cnn")), None)


@pytest.mark.parametrize(("lang", "stages"), [("en", "Convolutional layer 1"), ("zh", "卷积层1")])
def test_the_design_graph_has_an_article_style(lang, stages):
    app = AppTest.from_function(_graph_view_script, default_timeout=60)
    app.session_state["lang"] = lang
    app.run()
    assert not app.exception, app.exception
    assert stages not in app.code[0].value
    app.toggle(key="w_graph_article_style").set_value(True).run()
    mermaid = app.code[0].value
    assert stages in mermaid and ("激活函数1" in mermaid) == (lang == "zh")
    assert stages in app.get("graphviz_chart")[0].proto.spec


def test_the_export_has_an_article_style(app):
    app.query_params["lang"] = "zh"
    app.session_state["lang"] = "zh"
    app.switch_page("pages/export.py").run()
    assert not app.exception, app.exception
    app.toggle(key="w_graph_article_style").set_value(True).run()
    texts = [c.value for c in app.code]
    mermaid = next(v for v in texts if v.startswith("graph TD"))
    dot = next(v for v in texts if v.startswith("digraph"))
    for stage in ("输入层", "卷积层1", "激活函数1", "池化层1", "全连接层", "输出层"):
        assert stage in mermaid and stage in dot


def test_every_open_button_of_the_learn_page_opens_its_preset():
    app = learn_page()
    keys = [b.key for b in app.button if b.key.startswith("learn_open_")]
    assert len(keys) == 9  # convolution, activations, pooling, separable, 3 networks, the RNN and its Conv1D
    for key in keys:
        name = next(n for n in presets.PRESETS if key.endswith(f"_{n}"))
        app.switch_page("pages/learn.py").run()
        app.button(key=key).click().run()
        assert not app.exception, (key, app.exception)
        assert app.title[0].value.startswith("Design"), key
        opened = workspace(app).design
        assert opened.to_dict()["blocks"] == presets.build(name).to_dict()["blocks"], key
