"""The Design page's editor frame (AppTest): the inspector shows the selected block's own
figures, the tabs under the editor run only their own content, and the first-run guide is
dismissed once for the workspace, across sessions opened with its ``?w=`` link."""

from lightdesign.analysis.network import analyze
from lightdesign.catalog import CATALOG
from lightdesign.core import edits
from lightdesign.core import format as fmt

from .conftest import new_app, open_tab, workspace


def check(at):
    assert not at.exception, at.exception
    return at


def open_session(workspace_id=None):
    at = new_app()
    if workspace_id:
        at.query_params["w"] = workspace_id
    at.run()
    return check(at)


def own_figures(at, name):
    """The inspector's line for block ``name`` of the current design, as the analysis has it."""
    result = analyze(workspace(at).design)
    row = next(r for r in result.blocks if r.name == name)
    return f"Output {fmt.shape(row.shape)} · {fmt.count(row.params)} params · {fmt.count(row.macs)} MACs"


def captions(at):
    return [c.value for c in at.caption]


def test_the_inspector_shows_the_selected_blocks_own_params_macs_and_shape(app):
    # The first block is selected at the start.
    assert own_figures(app, "conv1") == "Output 26×26×32 · 320 params · 194.7 K MACs"
    assert own_figures(app, "conv1") in captions(app)
    # Selecting another block (the keyboard's selectbox; a click on the canvas sets the same state)
    # shows that block's figures, not the first one's.
    conv2 = workspace(app).design.blocks[2]
    app.selectbox(key="stack_select").set_value(conv2.id).run()
    check(app)
    assert app.session_state["selected_block"] == conv2.id
    assert own_figures(app, "conv2") in captions(app)
    assert own_figures(app, "conv1") not in captions(app)
    assert any(s.key == f"form_{conv2.id}_filters" for s in app.number_input)
    # A change in the inspector updates its own figures at once.
    app.number_input(key=f"form_{conv2.id}_filters").set_value(32).run()
    check(app)
    assert own_figures(app, "conv2") == "Output 11×11×32 · 9.25 K params · 1.12 M MACs"
    assert own_figures(app, "conv2") in captions(app)


def test_a_block_with_no_weights_shows_zero_params_and_a_block_with_an_error_its_message(app):
    pool1 = workspace(app).design.blocks[1]
    app.session_state["selected_block"] = pool1.id
    app.run()
    assert own_figures(check(app), "pool1") == "Output 13×13×32 · 0 params · 0 MACs" in captions(app)
    # A pool larger than its 11×11 input: the error stands beside its field in the inspector.
    pool2 = workspace(app).design.blocks[3]
    app.session_state["selected_block"] = pool2.id
    workspace(app).apply(lambda d: edits.set_param(d, pool2.id, "pool_size", 20))
    app.run()
    errors = [e.value for e in check(app).error]
    assert any("pool2" in e for e in errors), errors
    assert any(s.key == f"form_{pool2.id}_pool_size" for s in app.number_input)


def tab_label(at, key):
    return CATALOG[key][at.session_state["lang"]]


def test_tabs_run_only_the_open_one(app):
    assert app.session_state["design_tab"] == tab_label(app, "tab.charts")  # the first tab is open
    charts = [c.proto.id for c in app.get("plotly_chart")]
    assert len(charts) == 1 and charts[0].endswith("cost_charts")
    assert not app.dataframe
    open_tab(app, "tab.table")
    assert not app.get("plotly_chart") and len(app.dataframe) == 1
    open_tab(app, "tab.memory")
    (chart,) = app.get("plotly_chart")
    assert chart.proto.id.endswith("memory_timeline") and not app.dataframe
    open_tab(app, "tab.drawing")
    assert not app.get("plotly_chart")
    assert any("graph TD" in c.value for c in app.code)  # the Mermaid text
    # The open tab is kept through an edit (the page reruns with it).
    app.button(key="duplicate_block").click().run()
    assert check(app).session_state["design_tab"] == tab_label(app, "tab.drawing")


def test_tabs_that_need_a_valid_design_say_so(app):
    conv1 = workspace(app).design.blocks[0]
    workspace(app).apply(lambda d: edits.set_param(d, conv1.id, "kernel_size", 29))
    app.run()
    needs_valid = CATALOG["tab.needs_valid"]["en"]
    for key in ("tab.charts", "tab.memory", "tab.table"):
        open_tab(app, key)
        assert [i.value for i in app.info] == [needs_valid], key


def test_the_first_run_guide_is_shown_until_dismissed_and_stays_dismissed_for_the_workspace():
    first = open_session()
    wid = workspace(first).id
    steps = [CATALOG[f"guide.step{i}"]["en"] for i in (1, 2, 3)]
    assert all(any(step in c for c in captions(first)) for step in steps)
    first.button(key="guide_dismiss").click().run()
    check(first)
    assert not any(b.key == "guide_dismiss" for b in first.button)
    assert not any(steps[0] in c for c in captions(first))
    # A new session with the same workspace link: still dismissed.
    second = open_session(wid)
    assert workspace(second).id == wid
    assert not any(b.key == "guide_dismiss" for b in second.button)
    assert not any(steps[0] in c for c in captions(second))
    # Another workspace (a new person) gets the guide.
    other = open_session()
    assert workspace(other).id != wid and any(b.key == "guide_dismiss" for b in other.button)
