"""Hostile text everywhere: text that is not valid Unicode is
refused where it enters; every page, walked with every text field set to hostile Unicode,
runs without an error; user text reaches the page as text, never as Markdown, LaTeX or
HTML (no image a browser would fetch, no link, no restyling); error details never reach
the browser."""

import io
import json
import re
import tomllib
from pathlib import Path

import numpy as np
import pytest

from lightdesign.core import presets, share
from lightdesign.ui.markup import md

from .conftest import new_app, open_tab, workspace

ROOT = Path(__file__).resolve().parents[2]
PIXEL = "http://127.0.0.1:9/pixel.png"
HOSTILE = [
    f"![t]({PIXEL})",
    "<img src=http://127.0.0.1:9/x.png> <a href='http://127.0.0.1:9'>link</a>",
    "$\\href{http://127.0.0.1:9}{x}$ :red[big] **bold** __init__",
    "\u202eevil\u202c zero\u200bwidth 👩\u200d👩\u200d👧 模型 𝕏",
    "e" + "\u0301" * 90,
    "# heading | a | b |",
]
# What each payload would become if it reached a renderer unescaped.
RAW = [
    re.compile(r"(?<!\\)!\[t\]"),
    re.compile(r"(?<!\\)<img"),
    re.compile(r"(?<!\\)<a href"),
    re.compile(r"(?<!\\)\$\\href"),
    re.compile(r"(?<!\\):red\["),
    re.compile(r"(?<![\\\w])\*\*bold"),
]
MARKDOWN_ELEMENTS = ("title", "header", "subheader", "markdown", "caption", "error", "warning", "info", "success")


def hostile_design(text: str) -> dict:
    data = json.loads(presets.build("seed_cnn").to_json())
    data["name"] = text[:100]
    data["description"] = text
    data["blocks"][2]["input"] = "![i](http://127.0.0.1:9/i.png)"  # a name that resolves to nothing
    return data


def unescaped(app) -> list[str]:
    """Texts of Markdown elements in which a payload would be rendered as markup."""
    found = []
    for kind in MARKDOWN_ELEMENTS:
        for element in app.get(kind):
            value = str(getattr(element, "value", "") or "")
            if any(pattern.search(value) for pattern in RAW):
                found.append(f"{kind}: {value[:200]}")
    for chart in app.get("plotly_chart"):
        spec = chart.proto.spec
        if "<a href" in spec or "<img" in spec:
            found.append(f"plotly_chart: {spec[:200]}")
    return found


def npz() -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, x_train=np.zeros((20, 8, 8), np.uint8), y_train=np.arange(20) % 2)
    return buffer.getvalue()


def test_a_lone_surrogate_is_refused_where_it_enters():
    """The text "\\ud800" in a description passed validation and crashed the Design and
    Export pages on every run (UnicodeEncodeError in the download button and the link)."""
    data = json.loads(presets.build("seed_cnn").to_json())
    data["description"] = "\ud800"
    text = json.dumps(data)  # JSON carries it as the escape \ud800
    app = new_app()
    app.run()
    app.file_uploader(key="design_upload").set_value(("s.json", text.encode(), "application/json")).run()
    assert not app.exception, app.exception
    assert [e.value for e in app.error if "lone surrogates" in e.value]
    assert workspace(app).names == ["seed_cnn"]
    token = share.encode(presets.build("seed_cnn"))
    raw = json.loads(__import__("zlib").decompress(__import__("base64").urlsafe_b64decode(token + "==")))
    raw["description"] = "\ud800"
    packed = __import__("zlib").compress(json.dumps(raw).encode())
    link = __import__("base64").urlsafe_b64encode(packed).decode().rstrip("=")
    linked = new_app()
    linked.query_params[share.QUERY_KEY] = link
    linked.run()
    assert not linked.exception, linked.exception
    assert [e.value for e in linked.error if "lone surrogates" in e.value]


def test_error_details_never_reach_the_browser():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_every_page_with_hostile_text_in_every_field(text):
    app = new_app()
    app.run()
    upload = json.dumps(hostile_design(text)).encode()
    app.file_uploader(key="design_upload").set_value((f"{text[:40]}.json", upload, "application/json")).run()
    assert not app.exception, app.exception
    app.text_input(key="ws_rename").set_value(text[:100]).run()
    name = workspace(app).current
    assert [t.value for t in app.title] == [f"Design · {md(name)}"], "the name is in the title, as text"
    app.text_input(key="global_shape").set_value(text).run()
    block = workspace(app).design.blocks[0]
    app.text_input(key=f"form_{block.id}_name").set_value(text[:64]).run()
    assert not app.exception, app.exception
    bad = []
    for tab in ("tab.charts", "tab.table", "tab.budget", "tab.scaling", "tab.suggestions", "tab.list", "tab.drawing"):
        open_tab(app, tab)
        if tab == "tab.budget":
            app.text_input(key="budget_macs").set_value(text).run()
        bad += unescaped(app)
    app.switch_page("pages/compare.py").run()
    assert not app.exception, app.exception
    bad += unescaped(app)
    app.switch_page("pages/train.py").run()
    app.selectbox(key="w_train_source").set_value("upload_npz").run()
    app.file_uploader(key="npz_file").set_value((f"{text[:40]}.npz", npz(), "application/octet-stream")).run()
    assert not app.exception, app.exception
    bad += unescaped(app)
    for page in ("pages/export.py", "pages/learn.py", "pages/design.py"):
        app.switch_page(page).run()
        assert not app.exception, (page, app.exception)
        bad += unescaped(app)
    assert not bad, bad
