"""The Designer in a real browser: the List view's drag and drop, presets, the Graphviz
drawing's expansion, share links. The canvas editor's gestures are in test_editor.py."""

import re

from .conftest import exact_text, wait_for_app, wait_idle


def params_from(text: str) -> int:
    return int(re.search(r"Exact: ([\d,]+) params", text).group(1).replace(",", ""))


def drag(page, source, target) -> None:
    """Mouse down, a small nudge, stepped moves, mouse up: what dnd components need."""
    start = source.bounding_box()
    end = target.bounding_box()
    x0, y0 = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    x1, y1 = end["x"] + end["width"] / 2, end["y"] + end["height"] / 2
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x0 + 5, y0 + 5, steps=5)
    page.mouse.move(x1, y1, steps=25)
    page.wait_for_timeout(200)
    page.mouse.move(x1, y1 + 2, steps=2)
    page.mouse.up()


def sortable(page):
    return page.frame_locator('iframe[title*="sortable"]')


def open_tab(page, name: str) -> None:
    """Open one of the tabs under the editor (their content runs only when open)."""
    page.get_by_role("tab", name=name).click()
    wait_idle(page)


def test_drag_a_conv2d_from_the_palette_into_the_stack(page):
    before = params_from(exact_text(page))
    open_tab(page, "List")
    frame = sortable(page)
    source = frame.get_by_text("+ Conv2D", exact=True)
    target = frame.get_by_text("3. conv2 · Conv2D", exact=True)
    drag(page, source, target)
    page.wait_for_function(
        "before => { const t = [...document.querySelectorAll('p, div')].map(e => e.innerText)"
        ".find(s => s && s.startsWith('Exact:')); return t && !t.includes(before); }",
        arg=f"{before:,} params",
    )
    wait_idle(page)
    after = params_from(exact_text(page))
    assert after != before
    assert sortable(page).get_by_text(re.compile(r"\d\. conv2d_1 · Conv2D")).count() == 1


def open_preset(page, title: str) -> None:
    # the panel is open in the sidebar
    page.get_by_label("Preset", exact=True).click()  # the selectbox
    page.get_by_role("option", name=title, exact=True).click()
    wait_idle(page)
    page.get_by_role("button", name="Open preset as a new design").click()
    page.get_by_role("heading", name=re.compile("Design · mobilenet")).wait_for()
    wait_idle(page)


def test_pick_mobilenet_v2_and_read_its_params(page):
    open_preset(page, "MobileNet V2")
    assert "Exact: 3,538,984 params (3,504,872 trainable, 34,112 non-trainable)" in exact_text(page)


def test_expand_a_block_in_the_graph(page):
    open_preset(page, "MobileNet V2")
    open_tab(page, "Graphviz & Mermaid")
    graph = page.locator('[data-testid="stGraphVizChart"] svg')
    assert graph.get_by_text("block_2_depthwise").count() == 0
    page.get_by_text("Expand all blocks").click()
    wait_idle(page)
    page.locator('[data-testid="stGraphVizChart"] svg').get_by_text("block_2_depthwise", exact=True).wait_for()


def test_copy_link_round_trip_in_a_fresh_page(page, browser):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    open_preset(page, "MobileNet V2")
    page.get_by_text("Save and share").click()
    page.get_by_role("button", name="Copy link").click()
    page.get_by_text("Link copied to the clipboard").wait_for()
    wait_idle(page)
    link = page.locator('[data-testid="stCode"]').filter(has_text="design=").inner_text().strip()
    assert "?design=" in link
    assert page.evaluate("() => navigator.clipboard.readText()") == link  # copied, as it says
    fresh_context = browser.new_context(viewport={"width": 1500, "height": 1400})
    fresh = fresh_context.new_page()
    fresh.goto(link)
    wait_for_app(fresh)
    fresh.get_by_role("heading", name="Design · mobilenet_v2_1_224").wait_for()
    assert "Exact: 3,538,984 params" in exact_text(fresh)
    fresh_context.close()
