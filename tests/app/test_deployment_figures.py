"""Honest figures on the pages: a block that feeds nothing is named, marked and not counted; the
int8 microcontroller figures sit with the others; the memory timeline is drawn on the
Design page and overlaid on the Compare page."""

from lightdesign.core.design import Design, new_block
from lightdesign.ui import canvas

from .conftest import metric, open_tab, workspace


def _bypass() -> Design:
    return Design(
        "bypass",
        (16, 16, 3),
        10,
        [
            new_block("Conv2D", "a", filters=64),
            new_block("Conv2D", "b", input="input", filters=8),
            new_block("GlobalAveragePooling2D", "pool"),
            new_block("Dense", "out", units=10, activation="softmax"),
        ],
    )


def test_a_block_that_feeds_nothing_is_named_marked_and_not_counted(app):
    workspace(app).add(_bypass())
    app.run()
    assert not app.exception, app.exception
    assert any("Block 1 'a'" in w.value and "feeds nothing" in w.value for w in app.warning)
    assert metric(app, "Params").value == "314"
    assert any("Not counted (feeds nothing): a" in c.value for c in app.caption)
    data = canvas.graph_data(app.session_state["last_valid"][workspace(app).current_id])
    (dead,) = [b for b in data["blocks"] if b["name"] == "a"]
    assert dead["summary"].endswith("feeds nothing: not in the model")
    assert workspace(app).design.blocks[0].name == "a", "kept in the design"


def test_int8_figures_and_the_memory_timeline_on_the_design_page(app):
    assert metric(app, "MCU int8 arena").value == "26.4 KB"  # the seed CNN's 27,040 bytes
    assert "TensorFlow Lite Micro" in metric(app, "MCU int8 arena").help
    assert "engine" in metric(app, "MCU int8, in-place").help
    open_tab(app, "tab.memory")
    assert any("Memory timeline" in m.value for m in app.markdown)
    assert any("its arena for activations is 26.4 KB" in c.value for c in app.caption)


def test_compare_overlays_the_memory_timelines(app):
    app.switch_page("pages/compare.py").run()
    assert not app.exception, app.exception
    assert any(s.value == "Memory over the layers" for s in app.subheader)
    app.radio(key="compare_timeline_precision").set_value("fp32").run()
    assert not app.exception, app.exception
