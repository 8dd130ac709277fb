"""The Design page driven through its widgets (AppTest)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lightdesign.analysis.network import analyze
from lightdesign.core import presets
from lightdesign.core.format import count

from .conftest import metric, new_app, workspace

ROOT = Path(__file__).resolve().parents[2]


def check(at):
    assert not at.exception, at.exception
    return at


def params_text(at):
    return metric(at, "Params").value


def test_starts_with_the_seed_cnn_and_its_figures(app):
    assert workspace(app).names == ["seed_cnn"]
    assert params_text(app) == count(225_034)
    assert "225,034 parameters" in metric(app, "Params").help
    assert metric(app, "MACs").value == "2.63 M"


@pytest.mark.parametrize("name", list(presets.PRESETS))
def test_open_each_preset(app, name):
    app.selectbox(key="preset_name").set_value(name).run()
    check(app).button(key="open_preset").click().run()
    check(app)
    ws = workspace(app)
    assert ws.current.startswith(presets.build(name).name)
    expected = analyze(presets.build(name))
    assert params_text(app) == count(expected.params)
    assert f"{expected.params:,} parameters" in metric(app, "Params").help


def test_preset_options_are_applied(app):
    app.selectbox(key="preset_name").set_value("mobilenet_v2").run()
    app.selectbox(key="preset_alpha_mobilenet_v2").set_value(0.5).run()
    app.number_input(key="preset_resolution_mobilenet_v2").set_value(128).run()
    app.number_input(key="preset_classes_mobilenet_v2").set_value(10).run()
    app.button(key="open_preset").click().run()
    expected = analyze(presets.build("mobilenet_v2", alpha=0.5, resolution=128, classes=10))
    assert f"{expected.params:,} parameters" in metric(check(app), "Params").help


def test_add_edit_reorder_delete_through_the_widgets(app):
    ws = workspace(app)
    # add a Dropout after the selected (first) block
    app.selectbox(key="stack_add_kind").set_value("BatchNormalization").run()
    app.button(key="add_block").click().run()
    assert [b.kind for b in ws.design.blocks][:2] == ["Conv2D", "BatchNormalization"]
    new_id = ws.design.blocks[1].id
    assert app.session_state["selected_block"] == new_id
    assert "225,034" not in metric(check(app), "Params").help  # BN added 64 + 64 params
    assert f"{225_034 + 128:,} parameters" in metric(app, "Params").help
    # edit: the conv's filters
    conv_id = ws.design.blocks[0].id
    app.selectbox(key="stack_select").set_value(conv_id).run()
    app.number_input(key=f"form_{conv_id}_filters").set_value(16).run()
    expected = analyze(ws.design).params
    assert ws.design.blocks[0].params["filters"] == 16
    assert f"{expected:,} parameters" in metric(check(app), "Params").help
    # reorder: move the BN down, then delete it
    app.selectbox(key="stack_select").set_value(new_id).run()
    app.button(key="move_down").click().run()
    assert [b.id for b in ws.design.blocks].index(new_id) == 2
    app.button(key="delete_block").click().run()
    assert new_id not in [b.id for b in check(app).session_state["workspace"].design.blocks]


def test_invalid_value_shows_the_error_beside_the_field_and_keeps_the_workspace(app):
    ws = workspace(app)
    conv2 = ws.design.blocks[2].id
    app.selectbox(key="stack_select").set_value(conv2).run()
    app.number_input(key=f"form_{conv2}_kernel_size").set_value(15).run()
    check(app)
    errors = [e.value for e in app.error]
    assert any("kernel_size=15 is larger than its input of size 13" in e for e in errors)
    assert ws.design.blocks[2].params["kernel_size"] == 15  # kept, flagged, undoable
    # the last valid figures stay visible (greyed) instead of vanishing
    assert params_text(app) == count(225_034)
    assert any("Last valid figures" in c.value for c in app.caption)
    app.button(key="undo").click().run()
    assert ws.design.blocks[2].params["kernel_size"] == 3 and not check(app).error


def test_refused_value_is_reported_beside_the_field(app):
    ws = workspace(app)
    conv1 = ws.design.blocks[0].id
    app.text_input(key=f"form_{conv1}_name").set_value("bad name").run()
    assert any("'bad name' is not valid" in e.value for e in check(app).error)
    assert ws.design.blocks[0].name == "conv1"


def test_undo_redo(app):
    ws = workspace(app)
    app.selectbox(key="stack_add_kind").set_value("Dropout").run()
    app.button(key="add_block").click().run()
    app.button(key="add_block").click().run()
    assert len(ws.design.blocks) == 9
    app.button(key="undo").click().run()
    app.button(key="undo").click().run()
    assert len(ws.design.blocks) == 7
    app.button(key="redo").click().run()
    assert len(check(app).session_state["workspace"].design.blocks) == 8


def test_global_knobs(app):
    ws = workspace(app)
    app.number_input(key="global_classes").set_value(5).run()
    assert ws.design.num_classes == 5 and analyze(ws.design).output_shape == (5,)
    app.text_input(key="global_shape").set_value("32, 32, 1").run()
    assert ws.design.input_shape == (32, 32, 1)
    app.text_input(key="global_shape").set_value("32, zero").run()
    assert any("is not a shape" in e.value for e in check(app).error)
    app.number_input(key="global_alpha").set_value(0.5).run()
    app.button(key="apply_width").click().run()
    assert ws.design.blocks[0].params["filters"] == 16


def test_json_upload_good_and_broken(app):
    good = presets.build("mobilenet_v3_small").to_json().encode()
    app.file_uploader(key="design_upload").set_value(("mine.json", good, "application/json")).run()
    ws = workspace(check(app))
    assert ws.current == "mobilenet_v3_small_1_224" and len(ws.names) == 2
    assert any("Opened 'mine.json'" in s.value for s in app.success)
    broken = json.dumps(
        {
            "format_version": 1,
            "name": "x",
            "input_shape": [8, 8, 3],
            "num_classes": 2,
            "blocks": [{"kind": "Conv9D", "name": "c"}],
        }
    ).encode()
    app.file_uploader(key="design_upload").set_value(("broken.json", broken, "application/json")).run()
    assert len(ws.names) == 2
    errors = [e.value for e in check(app).error]
    assert errors == [
        "Could not open 'broken.json': block 1: unknown layer kind 'Conv9D'; valid kinds: "
        + errors[0].split("valid kinds: ")[1]
    ]
    assert errors[0].endswith("Your workspace is unchanged.")


def test_workspace_create_duplicate_rename_delete_switch(app):
    ws = workspace(app)
    app.button(key="ws_duplicate").click().run()
    assert ws.names == ["seed_cnn", "seed_cnn (2)"] and ws.current == "seed_cnn (2)"
    app.text_input(key="ws_rename").set_value("wider").run()
    assert ws.current == "wider"
    app.selectbox(key="ws_switch").set_value("seed_cnn").run()
    assert ws.current == "seed_cnn"
    app.button(key="ws_new").click().run()
    assert ws.current == "untitled" and ws.design.blocks == []
    app.button(key="ws_delete").click().run()
    assert ws.names == ["seed_cnn", "wider"]
    assert not check(app).exception


def test_share_link_round_trip_and_a_broken_link():
    first = new_app()
    first.run()
    first.selectbox(key="preset_name").set_value("shufflenet_v2").run()
    first.button(key="open_preset").click().run()
    first.button(key="make_link").click().run()
    url = first.session_state["share_url"]
    token = url.split("design=")[1]
    fresh = new_app()
    fresh.query_params["design"] = token
    fresh.run()
    ws = workspace(check(fresh))
    assert ws.names == ["seed_cnn", "shufflenet_v2_1_224"] and ws.current == "shufflenet_v2_1_224"
    broken = new_app()
    broken.query_params["design"] = token[: len(token) // 2]
    broken.run()
    assert workspace(check(broken)).names == ["seed_cnn"]
    assert [e.value for e in broken.error][0].startswith("Could not open the shared design: the link is damaged")


def test_page_switches_keep_state(app):
    app.button(key="ws_duplicate").click().run()
    for page in ("pages/compare.py", "pages/train.py", "pages/export.py", "pages/learn.py", "pages/design.py"):
        app.switch_page(page).run()
        check(app)
    assert workspace(app).names == ["seed_cnn", "seed_cnn (2)"]


TF_PROBE = """
import sys
from tests.app.conftest import new_app
at = new_app()
at.run()
for page in ("pages/compare.py", "pages/train.py", "pages/export.py", "pages/learn.py", "pages/design.py"):
    at.switch_page(page).run()
assert not at.exception, at.exception
print(sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras")))
"""


def test_the_app_process_never_imports_tensorflow():
    # A fresh process: this test run may have imported TensorFlow for the keras tests.
    done = subprocess.run([sys.executable, "-c", TF_PROBE], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
