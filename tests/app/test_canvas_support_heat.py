"""What the canvas and the inspector say of a block beyond its shape: the operators TFLite
Micro's int8 kernels cannot run (with the alternative), and the latency heat map."""

from lightdesign.analysis import support
from lightdesign.analysis.latency import Latency
from lightdesign.analysis.network import analyze
from lightdesign.catalog import CATALOG
from lightdesign.core import presets
from lightdesign.ui import canvas, latency_heat, ops_view, state

from .conftest import workspace


def badges(drawing, tone):
    return {b["name"]: badge for b in drawing["blocks"] for badge in b["badges"] if badge["tone"] == tone}


def test_blocks_tflite_micro_cannot_run_carry_a_badge_with_the_alternative(session):
    result = analyze(presets.build("text_rnn"))
    expected = {layer.block: layer for layer in support.unsupported_operators(result)}
    assert set(expected) == {"embedding", "lstm"}
    found = badges(canvas.graph_data(result), ops_view.TONE)
    assert set(found) == set(expected)
    for block, layer in expected.items():
        assert found[block]["text"] == "no int8 kernel"
        for op in layer.no_micro_kernel:
            assert op in found[block]["title"]
        assert CATALOG[layer.alternative]["en"] in found[block]["title"]


def test_a_design_tflite_micro_runs_whole_has_no_such_badge(session):
    result = analyze(presets.build("seed_cnn"))
    assert not support.unsupported_operators(result)
    assert not badges(canvas.graph_data(result), ops_view.TONE)


def test_the_heat_map_colours_blocks_by_their_share_of_the_predicted_time(session):
    result = analyze(presets.build("seed_cnn"))
    times = {0: 6.0, 1: 3.0, 2: 1.0}
    predicted = Latency(10.0, 5.0, 1, "test CPU", blocks={i: {"fp32": ms, "int8": ms / 2} for i, ms in times.items()})
    result.latency = predicted
    before = {b["name"]: b["color"] for b in canvas.graph_data(result)["blocks"]}
    canvas.handle({"type": "heat", "on": True})
    assert canvas.heat_on()
    drawing = canvas.graph_data(result)
    blocks = drawing["blocks"]
    assert blocks[0]["color"] == "#{:02x}{:02x}{:02x}".format(*latency_heat.HOT), "the slowest block is the hottest"
    shares = badges(drawing, latency_heat.TONE)
    assert [shares[blocks[i]["name"]]["text"] for i in times] == ["60%", "30%", "10%"]
    assert blocks[2]["color"] != blocks[1]["color"] != blocks[0]["color"]
    for block in blocks[len(times) :]:  # no prediction for the block: its category's colour
        assert block["color"] == before[block["name"]]
    canvas.handle({"type": "heat", "on": False})
    assert {b["name"]: b["color"] for b in canvas.graph_data(result)["blocks"]} == before


def test_the_heat_map_says_why_it_shows_nothing_when_not_calibrated(session):
    result = analyze(presets.build("seed_cnn"))
    assert result.latency.fp32_ms is None, "the tests' work folder has no calibration"
    before = [b["color"] for b in canvas.graph_data(result)["blocks"]]
    canvas.handle({"type": "heat", "on": True})
    data = canvas.canvas_data(result, None, "key")
    assert data["heat"] is True
    assert data["notice"] == {"level": "info", "text": f"No latency heat map: {result.latency.note()}"}
    assert "not calibrated" in data["notice"]["text"]
    assert [b["color"] for b in data["blocks"]] == before
    assert not badges(data, latency_heat.TONE)


def test_the_colour_scale_runs_from_cool_to_hot():
    assert latency_heat.colour(0.0, 0.5) == "#fff5f0"
    assert latency_heat.colour(0.5, 0.5) == "#cb181d"
    assert latency_heat.shares(None) == {}


def test_the_inspector_names_what_tflite_micro_cannot_run_and_the_alternative(app):
    app.selectbox(key="preset_name").set_value("text_rnn").run()
    app.button(key="open_preset").click().run()
    lstm = next(b.id for b in workspace(app).design.blocks if b.name == "lstm")
    app.session_state[state.SELECTED] = lstm
    app.run()
    assert not app.exception, app.exception
    (note,) = [w.value for w in app.warning if "cannot run this block in int8" in w.value]
    assert "LSTM" in note
    assert CATALOG["deploy.alt.recurrent"]["en"] in note
