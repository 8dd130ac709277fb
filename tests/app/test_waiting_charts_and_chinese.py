"""What a person sees around jobs, charts and Chinese (AppTest): the export says its step and
the time left, the training charts have a legend each without repeated colours, Compare names
every point and every design missing from its chart and shows its whole table, and the
Chinese pages keep English out of metric labels, formulas and drawings."""

import re
from contextlib import contextmanager

from lightdesign.jobs.messages import Batch, Epoch, JobKind
from lightdesign.ui import export_view, job_view, train_charts

from .conftest import new_app, run_until, workspace
from .test_friction import compare_page, figure, one_run

WORD = re.compile(r"[A-Za-z]{3,}")


def check(at):
    assert not at.exception, at.exception
    return at


@contextmanager
def fake_exports():
    manager = job_view.job_manager()
    before = manager.kinds[JobKind.EXPORT]
    manager.kinds[JobKind.EXPORT] = "tests.fake_jobs:export"
    try:
        yield manager
    finally:
        manager.kinds[JobKind.EXPORT] = before


def progress_texts(at) -> list[str]:
    return [p.proto.text for p in at.get("progress")]


def test_an_export_says_its_step_and_the_time_left_then_learns_the_servers_speed():
    at = new_app()
    at.run()
    at.switch_page("pages/export.py").run()
    (expect,) = [c.value for c in check(at).caption if c.value.startswith("Building the files takes about")]
    assert "loading TensorFlow" in expect  # no warm worker in the tests: each job loads it
    before = len(export_view.export_times().finished)
    with fake_exports():
        at.number_input(key="export_latency_runs").set_value(40).run()  # the fake's stages take 0.4 s each
        at.button(key="start_export").click().run()
        run_until(at, lambda a: any(" left" in text for text in progress_texts(a)), timeout=60)
        (text,) = [t for t in progress_texts(at) if " left" in t]
        assert re.fullmatch(r"Step [1-8] of 8: .+… · \d+ s so far · about \d+ (s|min) left", text), text
        run_until(at, lambda a: any("Latency" in m.value or "latency" in m.value for m in a.markdown), timeout=60)
    assert len(export_view.export_times().finished) == before + 1


def test_the_training_charts_have_a_legend_each_without_repeated_colours():
    shown = []
    history = [
        Epoch(epoch=e, seconds=1.0, loss=1 / e, accuracy=0.5 + e / 10, val_loss=1.1 / e, val_accuracy=0.5)
        for e in (1, 2)
    ]
    batches = [
        Batch(epoch=e, epochs=2, batch=b, batches=4, loss=1.0 / (e + b), accuracy=0.5)
        for e in (1, 2)
        for b in range(1, 5)
    ]
    original = train_charts.st.plotly_chart
    train_charts.st.plotly_chart = lambda fig, **kw: shown.append(fig.to_plotly_json())
    try:
        train_charts.curves(history, batches)
    finally:
        train_charts.st.plotly_chart = original
    assert len(shown) == 2  # one chart per figure, each with its own legend
    for chart in shown:
        traces = chart["data"]
        names = [trace["name"] for trace in traces]
        colours = [trace["line"]["color"] for trace in traces]
        assert len(names) == 3 == len(set(names)) == len(set(colours)), (names, colours)
        assert chart["layout"]["showlegend"] is True
        batch, train, validation = traces
        assert list(batch["x"]) == [b.epochs_done for b in batches]
        assert list(train["x"]) == [0.5, 1.5] and list(validation["x"]) == [1, 2]  # epoch means mid-epoch


def test_compare_names_each_point_and_the_designs_still_missing_from_the_chart(app):
    app.button(key="ws_duplicate").click().run()  # "seed_cnn (2)": no run yet
    one_run(workspace(check(app)))
    compare_page(app)
    app.selectbox(key="scatter_y").set_value("test_accuracy").run()
    (trace, *_) = figure(check(app), "pareto")["data"]
    assert trace["mode"] == "markers+text" and trace["text"] == ["seed_cnn"]
    (missing,) = [c.value for c in app.caption if c.value.startswith("Not in the chart yet")]
    assert "seed_cnn (2)" in missing and "at least two designs" in missing


def test_compares_table_shows_every_row_without_its_own_scroll_box(app, monkeypatch):
    import streamlit

    heights = {}
    original = streamlit.dataframe

    def dataframe(data, *args, **kwargs):
        heights[kwargs.get("key")] = kwargs.get("height", "auto")
        return original(data, *args, **kwargs)

    monkeypatch.setattr(streamlit, "dataframe", dataframe)
    compare_page(app)
    table = app.dataframe[0]
    assert len(table.value) > 10  # more rows than a table of Streamlit's default height shows
    assert heights["compare_table"] == "content"


def chinese_app():
    at = new_app()
    at.query_params["lang"] = "zh"
    at.run()
    return check(at)


def test_chinese_metric_labels_are_not_bilingual_and_formulas_speak_chinese():
    at = chinese_app()
    labels = [m.label for m in at.metric]
    assert {"参数量", "可训练", "不可训练", "MACs", "FLOPs"} <= set(labels), labels
    terms = {"int", "MCU", "adam"}  # int8, the microcontroller, the optimizer's name
    english = [w for label in labels if re.search(r"[\u4e00-\u9fff]", label) for w in WORD.findall(label)]
    assert set(english) <= terms, labels
    at.switch_page("pages/learn.py").run()
    words = {
        w
        for latex in check(at).get("latex")
        for text in re.findall(r"\\text\{([^}]*)\}", latex.proto.body)
        for w in WORD.findall(text)
    }
    assert words <= {"MACs", "LSTM", "GRU", "Fire"}, words


def test_chinese_drawings_label_inputs_outputs_units_and_skips_in_chinese():
    at = chinese_app()
    at.switch_page("pages/compare.py").run()
    at.multiselect(key="w_compare_choice").set_value(["seed_cnn", "preset: mobilenet_v2"]).run()
    labels = " ".join(
        " ".join(re.findall(r'label="([^"]*)"', chart.proto.spec)) for chart in check(at).get("graphviz_chart")
    )
    assert "输入" in labels and "输出" in labels and "个单元" in labels
    assert not {"Input", "Output", "units", "skip"} & set(WORD.findall(labels))
