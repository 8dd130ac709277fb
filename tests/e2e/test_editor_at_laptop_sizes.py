"""The Design page at the sizes of a laptop's window (1440x900 and 1280x720) in Chromium:
the save status and the workspace link are visible, the canvas takes most of the width
with readable text on its nodes, a refused value says why in view, a connection onto a used
input makes a branch, Ctrl+Z undoes a palette drop wherever the focus is, and MobileNetV2's
edge labels do not overlap."""

import re

import pytest
from playwright.sync_api import expect

from lightdesign.core import presets, share

from .conftest import wait_for_app, wait_idle
from .test_editor import dismiss_guide, drag_mouse, names_on_canvas, node, params, wait_for_block

SIZES = [(1440, 900), (1280, 720)]


@pytest.fixture(params=SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def laptop(request, browser, server):
    width, height = request.param
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(server)
    wait_for_app(page)
    yield page
    context.close()


def open_mobilenet_v2(page) -> None:
    """Open MobileNetV2 through a share link, in the page's workspace (its ``?w=``)."""
    page.goto(f"{page.url}&{share.QUERY_KEY}={share.encode(presets.build('mobilenet_v2'))}")
    page.get_by_role("heading", name="Design · mobilenet_v2_1_224").wait_for()
    node(page, "block_16").wait_for(state="attached")
    wait_idle(page)


def in_view(page, locator) -> bool:
    box = locator.bounding_box()
    viewport = page.viewport_size
    return bool(box) and 0 <= box["y"] and box["y"] + box["height"] <= viewport["height"] and box["x"] >= 0


# The element drawn at the centre of an element is the element itself (or what it holds):
# nothing covers it.
UNCOVERED = """el => { const r = el.getBoundingClientRect();
  const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
  return el === hit || el.contains(hit); }"""


def test_the_save_status_and_the_workspace_link_are_visible(laptop):
    page = laptop
    saved = page.locator('[data-testid="stCaptionContainer"]').filter(has_text="Saved").first
    link = page.get_by_role("button", name="Workspace link")
    for element in (saved, link):
        assert in_view(page, element) and element.evaluate(UNCOVERED), element
    dismiss_guide(page)  # the page reflows without the guide: still uncovered
    for element in (saved, link):
        assert in_view(page, element) and element.evaluate(UNCOVERED), element
    link.click()
    expect(page.get_by_role("dialog", name="Workspace link")).to_contain_text("?w=")


TEXT_SIZES = """nodes => nodes.flatMap(n => [...n.querySelectorAll(
  '.ld-node-name, .ld-node-sub, .ld-io-label, .ld-io-shape, .ld-badge')]
  .filter(e => e.offsetHeight > 0 && e.textContent.trim())
  .map(e => parseFloat(getComputedStyle(e).fontSize) * e.getBoundingClientRect().height / e.offsetHeight))"""

CONTENT_WIDTH = """() => { const main = document.querySelector('[data-testid=stMainBlockContainer]');
  const style = getComputedStyle(main);
  return main.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight); }"""


@pytest.mark.parametrize("design", ["seed_cnn", "mobilenet_v2"])
def test_the_canvas_takes_most_of_the_width_with_readable_node_text(laptop, design):
    page = laptop
    dismiss_guide(page)
    if design == "mobilenet_v2":
        open_mobilenet_v2(page)
    canvas = page.locator(".ld-canvas").bounding_box()
    assert canvas["width"] >= 0.6 * page.evaluate(CONTENT_WIDTH), canvas
    assert canvas["y"] < page.viewport_size["height"] / 2  # it starts in the upper half of the window
    sizes = page.locator(".ld-canvas .react-flow__node").evaluate_all(TEXT_SIZES)
    assert len(sizes) >= 10 and min(sizes) >= 11, sorted(sizes)[:5]
    # the palette's hide button gives the drawing the palette's room too
    page.locator('[data-action="hide-palette"]').click()
    expect(page.locator(".ld-palette")).to_have_count(0)
    page.locator('[data-action="show-palette"]').click()
    expect(page.locator(".ld-palette")).to_have_count(1)


def test_the_inspector_can_be_hidden_to_give_the_canvas_the_whole_width(laptop):
    page = laptop
    narrow = page.locator(".ld-canvas").bounding_box()["width"]
    page.locator('[data-action="inspector"]').click()
    page.locator(".st-key-ld_inspector").wait_for(state="detached")
    page.wait_for_function(
        "narrow => { const c = document.querySelector('[data-testid=stBidiComponentIsolated]');"
        " const e = c && c.shadowRoot.querySelector('.ld-canvas'); return e && e.clientWidth > narrow + 150; }",
        arg=narrow,
    )
    wait_idle(page)
    assert page.locator(".ld-canvas").bounding_box()["width"] >= 0.9 * page.evaluate(CONTENT_WIDTH)
    page.locator('[data-action="inspector"]').click()
    page.locator(".st-key-ld_inspector").wait_for()


@pytest.mark.parametrize("field", ["filters", "groups"])
def test_a_negative_value_shows_its_message_beside_the_field_in_view(laptop, field):
    page = laptop
    dismiss_guide(page)
    before = params(page)
    inspector = page.locator(".st-key-ld_inspector")
    box = inspector.get_by_role("spinbutton", name=field, exact=True)
    box.scroll_into_view_if_needed()
    box.fill("-5")
    box.press("Enter")
    message = inspector.get_by_text(re.compile(rf"-5 is not allowed for {field}: use a whole number from 1 to"))
    message.wait_for()
    wait_idle(page)
    page.wait_for_timeout(300)  # the message is scrolled into view two frames after it is drawn
    within = message.evaluate(
        """el => { const r = el.getBoundingClientRect();
          const box = el.closest('.st-key-ld_inspector').getBoundingClientRect();
          return r.top >= box.top && r.bottom <= box.bottom; }"""
    )
    assert within and in_view(page, message) and message.evaluate(UNCOVERED)
    assert params(page) == before  # the design kept its value


def test_a_connection_onto_a_used_input_offers_a_branch(laptop):
    page = laptop
    dismiss_guide(page)
    page.locator('.ld-kind[data-kind="BatchNormalization"]').drag_to(node(page, "conv1"))
    wait_for_block(page, "batch_normalization_1")
    before = params(page)
    conv1 = node(page, "conv1").locator(".ld-block").get_attribute("data-block")
    drag_mouse(
        page,
        node(page, "conv1").locator(".react-flow__handle.source"),
        node(page, "pool1").locator(".react-flow__handle.target"),
    )
    menu = page.get_by_test_id("ld-connect-menu")
    expect(menu).to_contain_text("Connect conv1 to pool1")
    assert in_view(page, menu)
    menu.locator('[data-action="connect-add"]').click()
    wait_for_block(page, "add_1")
    notice = page.get_by_test_id("ld-notice")
    expect(notice).to_have_text("Added add_1 (Add): pool1 now reads batch_normalization_1 and conv1 merged, a branch.")
    assert in_view(page, notice)
    assert names_on_canvas(page)[:4] == ["conv1", "batch_normalization_1", "add_1", "pool1"]
    # conv1 now feeds two blocks (the branch), and nothing is left feeding nothing
    expect(page.locator(f'.react-flow__edge[aria-label^="Edge from b:{conv1} to "]')).to_have_count(2)
    assert params(page) == before  # an Add holds no weights
    assert "feeds nothing" not in page.locator(".ld-canvas").inner_text()


def test_ctrl_z_undoes_a_palette_drop_without_a_click_on_the_canvas(laptop):
    page = laptop
    dismiss_guide(page)
    page.locator('.ld-kind[data-kind="BatchNormalization"]').drag_to(node(page, "conv1"))
    wait_for_block(page, "batch_normalization_1")
    expect(page.get_by_test_id("ld-notice")).to_have_text(
        "Added batch_normalization_1 (BatchNormalization) after conv1."
    )
    page.keyboard.press("Control+z")
    wait_for_block(page, "batch_normalization_1", present=False)
    expect(page.get_by_test_id("ld-notice")).to_contain_text("Undone.")
    page.keyboard.press("Control+Shift+z")
    wait_for_block(page, "batch_normalization_1")
    # typing in a text field keeps its own undo: the design is not touched
    search = page.locator(".ld-search")
    search.fill("conv")
    search.press("Control+z")
    page.wait_for_timeout(1000)
    wait_idle(page)
    assert "batch_normalization_1" in names_on_canvas(page)


OVERLAPS = """boxes => { const out = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height)
      out.push([a.text, b.text]);
  }
  return out; }"""

LABELS = """els => els.map(e => { const r = e.getBoundingClientRect();
  return { x: r.x, y: r.y, width: r.width, height: r.height, text: e.textContent }; })"""


def label_overlaps(page) -> list:
    """Pairs of edge labels (and titles of expanded blocks' frames) drawn over each other."""
    labels = page.locator(".ld-canvas .react-flow__edge-textwrapper").evaluate_all(LABELS)
    titles = page.locator(".ld-canvas .ld-frame-title").evaluate_all(LABELS)
    assert labels
    return page.evaluate(OVERLAPS, labels + titles)


def test_mobilenet_v2_edge_labels_do_not_overlap(laptop):
    page = laptop
    open_mobilenet_v2(page)
    assert label_overlaps(page) == []
    # a block's inner shortcut is a badge on the block, not a second label on its edge
    assert "skip" not in page.locator(".ld-canvas .react-flow__edges").inner_text()
    expect(node(page, "block_2").locator(".ld-badge")).to_have_text("+ residual")
    # the input's shape sits clear of its connector dot
    shape = node_io(page, "input").locator(".ld-io-shape").bounding_box()
    dot = node_io(page, "input").locator(".react-flow__handle").bounding_box()
    assert shape["y"] + shape["height"] <= dot["y"], (shape, dot)
    page.locator('.ld-toolbar [data-action="fit"]').click()
    next_frames(page)
    assert label_overlaps(page) == []
    page.locator('.ld-toolbar [data-action="expand-all"]').click()
    page.locator(".ld-layer").first.wait_for()
    page.locator('.ld-toolbar [data-action="fit"]').click()
    next_frames(page)
    assert label_overlaps(page) == []


def node_io(page, which: str):
    return page.locator(f'.react-flow__node:has(.ld-io[data-io="{which}"])')


def next_frames(page) -> None:
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
