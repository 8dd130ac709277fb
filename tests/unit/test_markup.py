"""User text on the page as text: what ``md`` and ``code`` make of
hostile text renders, by a CommonMark renderer (markdown-it), as that very text: no link,
no image, no HTML, nothing but the characters given."""

import html

import pytest
from markdown_it import MarkdownIt

from lightdesign.ui.markup import code, md

HOSTILE = [
    "LeakyRelu",
    "![t](http://127.0.0.1:9/x.png) [Session expired - sign in again](http://127.0.0.1:9/p)",
    "<img src=http://127.0.0.1:9/y.png> <a href='http://127.0.0.1:9/a'>a</a> &amp; &#x41;",
    "`tick` ``two`` ends with `",
    "`starts with a backtick",
    "line\nbreak\rand\u2028more",
    "# heading",
    "1. item",
    "<http://127.0.0.1:9/auto> http://127.0.0.1:9/bare",
    "**bold** __init__ _x_ ~~gone~~ \\backslash",
]
RENDER = MarkdownIt("commonmark")


def shown(text: str) -> str:
    """How the page shows ``text``: line breaks as spaces, as HTML text."""
    for mark in "\n\r\u2028":
        text = text.replace(mark, " ")
    return html.escape(text, quote=False)


@pytest.mark.parametrize("text", HOSTILE)
def test_code_shows_the_text_in_a_code_span(text):
    assert RENDER.renderInline(code(text)) == f"<code>{shown(text)}</code>"


@pytest.mark.parametrize("text", HOSTILE)
def test_md_shows_the_text_itself(text):
    assert RENDER.render(md(text)).strip() == f"<p>{shown(text)}</p>"
