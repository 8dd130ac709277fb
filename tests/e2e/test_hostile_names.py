"""Hostile names in a real browser: a shared link whose design name,
description and a block's input are Markdown images, HTML and LaTeX pointing at a server
of ours makes no request leave the page, on any page; nor does an imported model whose
strings hold them, nor a link with them in every field of its blocks."""

import http.server
import re
import socket
import threading

import pytest

from lightdesign.core import presets, share
from tests.app.test_hostile_imports import hostile_link_design, hostile_model, payload

from .conftest import wait_idle


@pytest.fixture
def tracker():
    """A server on 127.0.0.1 that records every request a browser sends it."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # CamelCase: the http.server API
            hits.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{port}", hits
    httpd.shutdown()


def hostile_link(base: str, host: str) -> str:
    design = presets.build("seed_cnn")
    design.name = f"![t](http://{host}/name.png) :red[x] $x$"
    design.description = f"<img src=http://{host}/description.png> ![d](http://{host}/d.png)"
    design.blocks[2].input = f"![i](http://{host}/i.png)"
    return f"{base}/?{share.QUERY_KEY}={share.encode(design)}"


def test_hostile_names_make_no_request_leave_the_page(browser, server, tracker):
    host, hits = tracker
    context = browser.new_context(viewport={"width": 1500, "height": 1400})
    page = context.new_page()
    page.set_default_timeout(60_000)
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url) if host in request.url else None)
    try:
        page.goto(hostile_link(server, host))
        page.get_by_role("heading", name=re.compile(r"^Design · ")).wait_for()
        wait_idle(page)
        page.wait_for_timeout(500)
        title = page.get_by_role("heading", name=re.compile(r"^Design · ")).first.inner_text()
        for name in ("Compare", "Train", "Export", "Learn", "Design"):
            page.get_by_role("link", name=name).click()
            wait_idle(page)
            page.wait_for_timeout(500)
        images = page.locator(f'img[src*="{host}"]').count()
        links = page.locator(f'a[href*="{host}"]').count()
        shown_input = page.get_by_text("![i](http://", exact=False).count()
    finally:
        context.close()
    assert not sent and not hits, f"requests left the page: {sent} {hits}"
    assert images == 0 and links == 0
    assert title.startswith("Design · ![t](http://"), "the name is shown as text"
    assert shown_input, "the block's input is shown as text in its error"


def _walk(page) -> None:
    """Every tab of the Design page, then every page."""
    for tab in ("Memory timeline", "Per-layer table", "List", "Graphviz & Mermaid"):
        page.get_by_role("tab", name=tab).click()
        wait_idle(page)
    for name in ("Compare", "Train", "Export", "Learn", "Design"):
        page.get_by_role("link", name=name).click()
        wait_idle(page)
        page.wait_for_timeout(500)


def _left_the_page(page, host: str) -> tuple[int, int]:
    return page.locator(f'img[src*="{host}"]').count(), page.locator(f'a[href*="{host}"]').count()


def test_an_imported_model_and_its_link_make_no_request_leave_the_page(browser, server, tracker, tmp_path):
    """An opaque layer's reason quoted the file's Markdown (an image, a
    link to another site) and the Design page rendered it; a ``?design=`` link carries it too."""
    host, hits = tracker
    model = tmp_path / "hostile.json"
    model.write_bytes(hostile_model(payload(host)))
    context = browser.new_context(viewport={"width": 1500, "height": 1400})
    page = context.new_page()
    page.set_default_timeout(60_000)
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url) if host in request.url else None)
    try:
        page.goto(server)
        page.get_by_role("heading", name=re.compile(r"^Design · ")).wait_for()
        wait_idle(page)
        page.locator(".st-key-model_upload input[type=file]").set_input_files(str(model))
        shown = page.locator('[data-testid="stAlertContainer"]', has_text="cannot be expressed in LightDesign").first
        shown.wait_for(state="attached")  # in the sidebar's folded "save and share" section
        wait_idle(page)
        notice = shown.text_content()
        _walk(page)
        imported = _left_the_page(page, host)
        link = f"{server}/?{share.QUERY_KEY}={share.encode(hostile_link_design(payload(host)))}"
        page.goto(link)
        page.get_by_role("heading", name=re.compile(r"^Design · ")).wait_for()
        wait_idle(page)
        page.wait_for_timeout(500)
        _walk(page)
        linked = _left_the_page(page, host)
    finally:
        context.close()
    assert not sent and not hits, f"requests left the page: {sent} {hits}"
    assert imported == (0, 0) and linked == (0, 0)
    assert f"[Session expired - sign in again](http://{host}/p)" in notice, "the file's text is shown as text"
