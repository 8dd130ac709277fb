"""Slow paths one person can trigger, on a 1,000-block design whose
every analysis takes about a second: the scaling scan and the suggestion search run in the
background with a time budget, partial results and Cancel, and are not redone on a rerun;
drawing is refused above a node limit with a message."""

import json

from lightdesign.core.design import Design, new_block
from lightdesign.ui import graph_view, scaling_view, suggestions_view

from .conftest import new_app, open_tab, workspace


def big_design() -> Design:
    """1,000 blocks: 998 inverted residual blocks expand to ~9,000 layers."""
    blocks = [new_block("inverted_residual", f"ir{i}", f"b{i}", filters=16) for i in range(998)]
    blocks += [new_block("GlobalAveragePooling2D", "gap", "g1"), new_block("Dense", "fc", "d1", units=10)]
    return Design("big", (32, 32, 16), 10, blocks)


def open_big(app):
    text = json.dumps(big_design().to_dict()).encode()
    app.file_uploader(key="design_upload").set_value(("big.json", text, "application/json")).run()
    assert not app.exception, app.exception
    assert workspace(app).current == "big" and len(workspace(app).design.blocks) == 1000
    return app


def test_the_scan_of_a_huge_design_runs_in_the_background_and_can_be_cancelled():
    app = new_app()
    app.run()
    open_big(app)
    open_tab(app, "tab.scaling")
    app.toggle(key="w_show_scaling").set_value(True).run()
    assert not app.exception, app.exception
    scan = app.session_state[scaling_view.SCAN]
    assert scan.state == "running", "the page run did not wait for 100 analyses"
    assert len(scan.results) < 100 and 0 < len(scan.futures) <= 2, "a few tasks at a time"
    assert any(b.key == "scaling_cancel" for b in app.button)
    app.button(key="scaling_cancel").click().run()
    scan = app.session_state[scaling_view.SCAN]
    assert scan.state == "cancelled" and not scan.futures
    (warning,) = [w.value for w in app.warning if w.value.startswith("Scan cancelled after")]
    assert f"after {len(scan.results)} of 100 designs" in warning
    done = dict(scan.results)
    app.run()  # a rerun redoes nothing
    assert app.session_state[scaling_view.SCAN].results == done
    assert app.session_state[scaling_view.SCAN] is scan


def test_the_suggestions_for_a_huge_design_come_from_the_background():
    app = new_app()
    app.run()
    open_big(app)
    open_tab(app, "tab.suggestions")
    app.toggle(key="w_show_suggestions").set_value(True).run()
    assert not app.exception, app.exception
    search = app.session_state[suggestions_view.SUGGESTIONS]
    assert search.state == "running" and not search.results and search.futures
    app.button(key="suggest_cancel").click().run()
    assert not app.session_state[suggestions_view.SUGGESTIONS].futures


def test_drawing_a_huge_expanded_design_is_refused_with_a_message():
    app = new_app()
    app.run()
    open_big(app)
    open_tab(app, "tab.drawing")
    app.toggle(key="w_graph_expand_all").set_value(True).run()
    assert not app.exception, app.exception
    (warning,) = [w.value for w in app.warning if "nodes; drawings are limited to" in w.value]
    assert warning.startswith("The drawing would have 8,98") and "limited to 1,500" in warning
    assert not app.get("graphviz_chart")
    app.toggle(key="w_graph_expand_all").set_value(False).run()
    assert app.get("graphviz_chart"), "collapsed, the design is drawn (1,002 nodes)"
    assert graph_view.drawn_nodes
