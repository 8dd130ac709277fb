"""The Design page's editor in a real browser: every canvas gesture is one undoable edit,
an invalid connection is refused with the analysis's message, the figures stay in view.

The seed CNN is the starting design: conv1 -> pool1 -> conv2 -> pool2 -> flatten -> dense
-> predictions.
"""

import json
import re

from playwright.sync_api import expect

from .conftest import exact_text, wait_for_app, wait_idle

MAC_SHIFT = 9


def node(page, name: str):
    """A block's node on the canvas."""
    return page.locator(f'.react-flow__node:has(.ld-block[data-name="{name}"])')


def names_on_canvas(page) -> list[str]:
    """The blocks on the canvas, top to bottom, once it has drawn them. A locator: it
    pierces the component's shadow root as ``wait_for_block`` does."""
    blocks = page.locator(".ld-block[data-name]")
    blocks.first.wait_for(state="attached")
    return blocks.evaluate_all("els => els.map(e => e.dataset.name)")


def inspector_title(page, text: str):
    return page.locator(".st-key-ld_inspector").get_by_text(re.compile(text)).first


def wait_for_block(page, name: str, present: bool = True) -> None:
    """Wait until the canvas shows (or no longer shows) block ``name``. Locators pierce the
    component's shadow root; ``document.querySelector`` would not."""
    page.locator(f'.ld-block[data-name="{name}"]').wait_for(state="attached" if present else "detached")
    wait_idle(page)


def params(page) -> int:
    return int(re.search(r"Exact: ([\d,]+) params", exact_text(page)).group(1).replace(",", ""))


def drag_mouse(page, source, target) -> None:
    """Mouse down, a small nudge, stepped moves, mouse up (React Flow's connection drag)."""
    start, end = source.bounding_box(), target.bounding_box()
    x0, y0 = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    x1, y1 = end["x"] + end["width"] / 2, end["y"] + end["height"] / 2
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x0 + 4, y0 + 4, steps=3)
    page.mouse.move(x1, y1, steps=15)
    page.mouse.move(x1, y1 + 1, steps=2)
    page.mouse.up()


def select(page, name: str, position: int, button: str = "left") -> None:
    """Click (or right-click) block ``name`` and wait until the run that click started has
    come back: the inspector shows the block and the canvas draws it selected from the
    server's data. Streamlit shows its status widget only some time into a run, so an
    idle-looking page is no sign that the run is over; these are."""
    node(page, name).click(button=button)
    inspector_title(page, rf"^{position}\. {re.escape(name)}\b").wait_for()
    node(page, name).locator(".ld-block.ld-selected").wait_for()
    wait_idle(page)


def next_frame(page) -> None:
    """Wait until the browser has drawn a frame (after a scroll, before a screenshot)."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def dismiss_guide(page) -> None:
    button = page.get_by_role("button", name="Got it")
    if button.count():
        button.click()
        page.locator(".st-key-ld_guide").wait_for(state="detached")
        wait_idle(page)


def test_click_a_node_shows_it_in_the_inspector(page):
    select(page, "pool1", 2)
    assert "ld-selected" in node(page, "pool1").locator(".ld-block").get_attribute("class")
    # its own figures beside the form
    assert "Output 13×13×32" in page.locator(".st-key-ld_inspector").inner_text()


def test_the_canvas_bundle_is_loaded_once_not_resent_with_every_rerun(browser, server):
    """The 0.5 MB bundle is a file Streamlit serves; a rerun sends the canvas's data only."""
    from lightdesign.ui.canvas import BUNDLE

    context = browser.new_context(viewport={"width": 1500, "height": 1400})
    page = context.new_page()
    page.set_default_timeout(60_000)
    received: list[int] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda frame: received.append(len(frame))))
    served: list[str] = []
    page.on("response", lambda r: served.append(r.headers.get("content-type", "")) if BUNDLE.name in r.url else None)
    try:
        page.goto(server)
        wait_for_app(page)
        assert served and "javascript" in served[0]  # fetched once, as a script
        received.clear()
        select(page, "pool1", 2)
        assert 0 < sum(received) < BUNDLE.stat().st_size / 4, sum(received)
        assert len(served) == 1  # not fetched again
    finally:
        context.close()


def test_a_canvas_that_cannot_load_says_so(browser, server):
    from lightdesign.ui.canvas import BUNDLE

    context = browser.new_context(viewport={"width": 1500, "height": 1400})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.route(re.compile(re.escape(BUNDLE.name)), lambda route: route.fulfill(status=404, body="gone"))
    try:
        page.goto(server)
        page.get_by_text("The canvas could not be loaded; reload the page").wait_for(state="attached")
        assert page.get_by_text("Exact:").first.is_visible()  # the rest of the page works
    finally:
        context.close()


def test_drop_a_kind_from_the_palette_onto_a_node_and_onto_an_edge(page):
    before = params(page)
    page.locator('.ld-kind[data-kind="BatchNormalization"]').drag_to(node(page, "conv1"))
    wait_for_block(page, "batch_normalization_1")
    assert names_on_canvas(page)[:3] == ["conv1", "batch_normalization_1", "pool1"]
    inspector_title(page, r"^2\. batch_normalization_1").wait_for()  # the new block is selected
    assert params(page) == before + 4 * 32  # gamma, beta, moving mean and variance of 32 channels
    # onto the edge pool2 -> flatten (its label is the shape it carries), in view after "Fit"
    page.locator('.ld-toolbar [data-action="fit"]').click()
    edge = page.locator(".react-flow__edge").filter(has_text="5×5×64").first
    page.locator('.ld-kind[data-kind="Dropout"]').drag_to(edge)
    wait_for_block(page, "dropout_1")
    order = names_on_canvas(page)
    assert order.index("dropout_1") == order.index("pool2") + 1 == order.index("flatten") - 1
    # each drop is one undo step
    page.get_by_role("button", name="↶ Undo").click()
    wait_for_block(page, "dropout_1", present=False)
    assert "batch_normalization_1" in names_on_canvas(page)


def test_connect_replaces_the_input_when_chosen_and_a_cycle_is_refused(page):
    dismiss_guide(page)
    # refused at once (no choices offered): pool1 reading from pool2 would be a cycle
    drag_mouse(
        page,
        node(page, "pool2").locator(".react-flow__handle.source"),
        node(page, "pool1").locator(".react-flow__handle.target"),
    )
    page.get_by_text(re.compile(r"Not applied: pool1 cannot read from pool2: .* would make a cycle")).first.wait_for()
    wait_for_block(page, "pool2")
    ws_names = names_on_canvas(page)
    assert ws_names[:4] == ["conv1", "pool1", "conv2", "pool2"]
    # applied: pool2 reads from pool1 (a branch around conv2 and a ZeroPadding2D)
    page.locator('.ld-kind[data-kind="ZeroPadding2D"]').drag_to(node(page, "conv2"))
    wait_for_block(page, "zero_padding2d_1")
    before = params(page)
    drag_mouse(
        page,
        node(page, "pool1").locator(".react-flow__handle.source"),
        node(page, "pool2").locator(".react-flow__handle.target"),
    )
    page.locator('[data-action="connect-replace"]').click()  # of add / concatenate / replace
    # pool2 now reads pool1 (13x13x32 -> 6x6x32): the flatten and dense shrink
    page.wait_for_function(
        "before => { const t = [...document.querySelectorAll('p')].map(e => e.innerText)"
        ".find(s => s && s.startsWith('Exact:')); return t && !t.includes(before); }",
        arg=f"{before:,} params",
    )
    wait_idle(page)
    assert params(page) < before
    # the new branch edge: the canvas redraws after the figures, so wait for its second edge
    expect(page.locator(".react-flow__edge").filter(has_text="13×13×32").nth(1)).to_be_attached(timeout=20_000)


def test_drop_onto_a_shortcut_edge_inserts_on_the_shortcut(page):
    dismiss_guide(page)
    page.locator('.ld-kind[data-kind="BatchNormalization"]').drag_to(node(page, "conv1"))
    wait_for_block(page, "batch_normalization_1")
    select(page, "batch_normalization_1", 2, button="right")
    page.locator('.ld-menu [data-action="wrap"]').click()
    wait_for_block(page, "add_1")
    before = params(page)
    # the shortcut conv1 -> add_1 arrives on the merge's side handle (drawn as .ld-second)
    shortcut = page.locator(".react-flow__edge.ld-second")
    expect(shortcut).to_have_count(1)
    page.locator('.ld-toolbar [data-action="fit"]').click()
    # onto its label (the shape it carries): the path itself is a hairline
    page.locator('.ld-kind[data-kind="Dropout"]').drag_to(shortcut.locator(".react-flow__edge-textwrapper"))
    wait_for_block(page, "dropout_1")
    assert names_on_canvas(page)[:4] == ["conv1", "batch_normalization_1", "dropout_1", "add_1"]
    assert params(page) == before  # a Dropout holds no weights and the shapes are unchanged
    # add_1 still adds batch_normalization_1 (its main input) and now dropout_1 (the shortcut)
    select(page, "add_1", 4)
    inspector = page.locator(".st-key-ld_inspector")
    assert inspector.get_by_role("combobox", name="merge with").input_value() == "dropout_1"
    assert inspector.get_by_role("combobox", name="Reads from").input_value() == "batch_normalization_1"
    expect(page.locator(".react-flow__edge.ld-second")).to_have_count(1)  # one shortcut, now from dropout_1


def test_delete_key_and_keyboard_undo_redo(page):
    dismiss_guide(page)
    select(page, "flatten", 5)
    page.keyboard.press("Delete")
    wait_for_block(page, "flatten", present=False)
    page.keyboard.press("Control+z")
    wait_for_block(page, "flatten")
    page.keyboard.press("Control+Shift+z")
    wait_for_block(page, "flatten", present=False)
    page.keyboard.press("Control+z")
    wait_for_block(page, "flatten")


def test_context_menu_duplicate_and_a_refused_residual(page):
    dismiss_guide(page)
    select(page, "conv2", 3, button="right")
    page.locator('.ld-menu [data-action="duplicate"]').click()
    wait_for_block(page, "conv2d_1")
    assert names_on_canvas(page)[2:4] == ["conv2", "conv2d_1"]
    inspector_title(page, r"^4\. conv2d_1").wait_for()  # the copy is selected
    wait_idle(page)
    # conv2 changes the shape, so adding its input to its output cannot work: refused
    select(page, "conv2", 3, button="right")
    page.locator('.ld-menu [data-action="wrap"]').click()
    page.get_by_text(re.compile(r"Not applied: .*add_1")).first.wait_for()
    wait_idle(page)
    assert "add_1" not in names_on_canvas(page)


def test_a_block_with_an_error_is_red_with_the_error_on_hover(page):
    dismiss_guide(page)
    select(page, "conv2", 3)
    field = page.locator(".st-key-ld_inspector").get_by_role("spinbutton", name="kernel size")
    field.fill("15")
    field.press("Enter")
    page.locator(".ld-block.ld-error").first.wait_for()
    wait_idle(page)
    block = node(page, "conv2").locator(".ld-block")
    assert "ld-error" in block.get_attribute("class")
    assert "kernel_size=15 is larger than its input" in block.get_attribute("title")


def test_the_figures_stay_visible_with_the_inspector_open_at_1440x900(browser, server, tmp_path):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(server)
    wait_for_app(page)
    dismiss_guide(page)
    select(page, "conv1", 1)
    # scroll the inspector's own form and the page: the figures stay pinned in view
    filters = page.locator(".st-key-ld_inspector").get_by_role("spinbutton", name="filters")
    filters.scroll_into_view_if_needed()
    page.mouse.move(5, 450)
    page.locator('[data-testid="stMain"]').evaluate("e => e.scrollBy(0, 400)")
    next_frame(page)
    page.screenshot(path=str(tmp_path / "editor_1440x900.png"))
    for locator in (
        page.get_by_text("Exact:").first,
        page.locator('[data-testid="stMetric"]').first,
        filters,
    ):
        box = locator.bounding_box()
        assert box and 0 <= box["y"] and box["y"] + box["height"] <= 900, box
    context.close()


def test_a_long_design_opens_on_its_first_blocks_at_a_readable_size(browser, server):
    from lightdesign.core import share
    from lightdesign.core.design import Design, new_block

    design = Design("long_chain", (32, 32, 3), 10, [])
    for i in range(120):
        block = new_block("Conv2D", f"c{i}", f"b{i + 1}")
        block.params.update(filters=8, padding="same")
        design.blocks.append(block)
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(f"{server}/?{share.QUERY_KEY}={share.encode(design)}")
        first = node(page, "c0")
        first.wait_for()  # drawn: only the nodes in view are in the DOM at this size
        wait_idle(page)
        assert first.bounding_box()["height"] >= 24  # readable, not a 120-node column a few px tall
        assert node(page, "c60").count() == 0  # the middle is out of view until Fit
        page.locator('.ld-toolbar [data-action="fit"]').click()
        node(page, "c60").wait_for(state="attached")  # Fit zooms out to the whole chain (down to 10%)
    finally:
        context.close()


def test_first_run_guide_is_dismissed_and_remembered(page):
    guide = page.locator(".st-key-ld_guide")
    guide.wait_for()
    assert "Three steps" in guide.inner_text()
    page.get_by_role("button", name="Got it").click()
    guide.wait_for(state="detached")
    wait_idle(page)
    page.reload()  # the same workspace (?w=): the dismissal was saved with it
    wait_for_app(page)  # the canvas comes after the guide's place in the script
    assert page.locator(".st-key-ld_guide").count() == 0


def test_the_sidebar_follows_what_a_canvas_gesture_changed(page):
    """A gesture reruns only the editor (a fragment): the sidebar's download still gives
    the edited design, and an undone input shape shows in the sidebar's field again."""
    dismiss_guide(page)
    page.locator('.ld-kind[data-kind="BatchNormalization"]').drag_to(node(page, "conv1"))
    wait_for_block(page, "batch_normalization_1")
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Save and share").click()
    with page.expect_download() as download:
        sidebar.get_by_role("button", name="Download design JSON").click()
    saved = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert [b["name"] for b in saved["blocks"]][:2] == ["conv1", "batch_normalization_1"]
    # an input shape set in the sidebar, undone on the canvas: the sidebar shows it undone
    sidebar.get_by_text("Input shape, classes and width").click()
    shape = sidebar.get_by_role("textbox", name="Input shape", exact=True)
    assert shape.input_value() == "28, 28, 1"
    shape.fill("32, 32, 1")
    shape.press("Enter")
    expect(shape).to_have_value("32, 32, 1")
    wait_idle(page)
    page.locator('.ld-toolbar [data-action="undo"]').click()
    expect(shape).to_have_value("28, 28, 1", timeout=20_000)
