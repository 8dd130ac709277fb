"""What a new person meets in the first hour (AppTest): a value out of range says what is
valid beside the field, a refused rename says why under its box, the sidebar's preset box
shows the current design's preset, the Train page picks the design."""

import pytest

from lightdesign.core import presets
from lightdesign.ui import presets_panel

from .conftest import new_app, workspace


def check(at):
    assert not at.exception, at.exception
    return at


def errors(at) -> list[str]:
    return [e.value for e in at.error]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "-5 is not allowed for filters: use a whole number from 1 to 16,384. The design keeps 32."),
        ("zh", "不能为 -5：请使用 1 到 16,384 之间的整数。设计保持为 32。"),
    ],
)
def test_a_number_out_of_range_is_refused_beside_the_field_saying_what_is_valid(app, lang, expected):
    app.radio(key="w_lang").set_value(lang).run()
    ws = workspace(app)
    conv1 = ws.design.blocks[0].id
    before = ws.design.to_json()
    app.number_input(key=f"form_{conv1}_filters").set_value(-5).run()
    assert any(expected in e for e in errors(check(app)))
    assert ws.design.to_json() == before and not ws.can_undo  # the design did not change
    assert app.number_input(key=f"form_{conv1}_filters").value == 32  # the field shows what the design keeps
    app.number_input(key=f"form_{conv1}_filters").set_value(100_000).run()
    assert any("100000" in e and "16,384" in e for e in errors(check(app)))
    app.number_input(key=f"form_{conv1}_filters").set_value(16).run()  # a valid value clears the message
    assert ws.design.blocks[0].params["filters"] == 16 and not errors(check(app))


def test_a_float_out_of_range_names_its_range():
    at = new_app()
    at.run()
    at.selectbox(key="stack_add_kind").set_value("Dropout").run()
    at.button(key="add_block").click().run()
    dropout = workspace(at).design.blocks[1]
    at.number_input(key=f"form_{dropout.id}_rate").set_value(1.5).run()
    assert any("use a number from 0 to 0.95" in e for e in errors(check(at))), errors(at)
    assert workspace(at).design.blocks[1].params["rate"] == dropout.params["rate"]


def test_a_refused_rename_says_why_under_the_rename_box(app):
    app.button(key="ws_duplicate").click().run()
    app.text_input(key="ws_rename").set_value("seed_cnn").run()  # taken by the first design
    sidebar_errors = [e.value for e in app.sidebar.error]
    assert any("there is already a design called 'seed_cnn'" in e for e in sidebar_errors)
    assert not any("already a design" in e.value for e in app.main.error)
    app.text_input(key="ws_rename").set_value("wider").run()
    assert workspace(check(app)).current == "wider" and not app.sidebar.error


def test_the_preset_box_shows_the_preset_of_the_current_design(app):
    assert app.selectbox(key="preset_name").value == "seed_cnn"
    app.selectbox(key="preset_name").set_value("mobilenet_v2").run()
    app.button(key="open_preset").click().run()
    assert app.selectbox(key="preset_name").value == "mobilenet_v2"
    app.selectbox(key="ws_switch").set_value("seed_cnn").run()
    assert check(app).selectbox(key="preset_name").value == "seed_cnn"
    # picked but not opened: it stays picked while the same design is current
    app.selectbox(key="preset_name").set_value("ghostnet").run()
    app.number_input(key="global_classes").set_value(5).run()
    assert check(app).selectbox(key="preset_name").value == "ghostnet"
    # a blank design came from no preset: the box says so and offers none to open
    app.button(key="ws_new").click().run()
    assert check(app).selectbox(key="preset_name").value is None
    assert not any(b.key == "open_preset" for b in app.button)


def test_the_origin_of_a_design_is_the_longest_preset_its_name_starts_with():
    for name in presets.PRESETS:
        assert presets_panel.origin(presets.build(name).name) == name
    assert presets_panel.origin("mobilenet_v3_small_1_224 (2)") == "mobilenet_v3_small"
    assert presets_panel.origin("untitled") is None
    assert presets_panel.origin("seed_cnnx") is None


def test_the_train_page_picks_the_design_it_trains(app):
    app.button(key="ws_duplicate").click().run()
    app.text_input(key="ws_rename").set_value("other").run()
    app.switch_page("pages/train.py").run()
    assert check(app).title[0].value == "Train · other"
    picker = app.sidebar.selectbox(key="ws_switch")
    assert picker.options == ["seed_cnn", "other"]
    picker.set_value("seed_cnn").run()
    assert check(app).title[0].value == "Train · seed_cnn"
    assert workspace(app).current == "seed_cnn"
