"""Hostile names in a real browser: a shared link whose design name,
description and a block's input are Markdown images, HTML and LaTeX pointing at a server
of ours makes no request leave the page, on any page."""

import http.server
import re
import socket
import threading

import pytest

from lightdesign.core import presets, share

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
