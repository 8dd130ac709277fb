"""Text from model files and share links is shown as text: an opaque
layer's reason quoted the file (a Keras ``activation`` of ``![t](http://host/x.png) [Session
expired - sign in again](http://host/p)``) and the Design page rendered it as Markdown, an
image every visitor's browser fetched and a link to another site; a ``?design=`` link carries
the same blocks. Every page and tab is walked with hostile text in every string of an
imported model, then in every text field of every block of a shared link."""

import json
import re

from lightdesign.core import kinds, share
from lightdesign.core.design import from_dict
from lightdesign.importers import import_bytes

from .conftest import new_app, open_tab, workspace
from .test_hostile_text import MARKDOWN_ELEMENTS, RAW


def payload(host: str = "127.0.0.1:9") -> str:
    """Markdown, HTML and LaTeX that would fetch from ``host`` or link to it if rendered."""
    url = f"http://{host}"
    return (
        f"![t]({url}/x.png) [Session expired - sign in again]({url}/p) <img src={url}/y.png> "
        f"<a href='{url}/a'>a</a> :red[big] **bold** $\\href{{{url}}}{{x}}$"
    )


PAYLOAD = payload()
# a Markdown link that would be rendered (its opening bracket not escaped)
LINK = re.compile(r"(?<!\\)\[Session expired")
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).*?(?<!`)\1(?!`)")
TABS = (
    "tab.charts",
    "tab.memory",
    "tab.table",
    "tab.budget",
    "tab.scaling",
    "tab.suggestions",
    "tab.list",
    "tab.drawing",
)
PAGES = ("pages/compare.py", "pages/train.py", "pages/export.py", "pages/learn.py", "pages/design.py")


def _layer(cls: str, name: str, inputs: list[str], **config) -> dict:
    nodes = [[[i, 0, 0, {}] for i in inputs]] if inputs else []
    return {"class_name": cls, "name": name, "config": {"name": name, **config}, "inbound_nodes": nodes}


def hostile_model(text: str = PAYLOAD) -> bytes:
    """A Keras functional model whose every string the importer reads holds ``text``: the
    model's name, a layer's name, an activation, an unknown class with its module and
    registered name."""
    custom = _layer(text[:50], text, ["act"])
    custom["module"] = text
    custom["registered_name"] = text
    layers = [
        _layer("InputLayer", "in", [], batch_input_shape=[None, 16, 16, 3]),
        _layer("Conv2D", "c1", ["in"], filters=8, kernel_size=[3, 3], padding="same", activation=text),
        _layer("Activation", "act", ["c1"], activation=text),
        custom,
        _layer("GlobalAveragePooling2D", "gap", [text]),
        _layer("Dense", "fc", ["gap"], units=4, activation="softmax"),
    ]
    config = {"name": text, "layers": layers, "input_layers": [["in", 0, 0]], "output_layers": [["fc", 0, 0]]}
    return json.dumps({"class_name": "Model", "config": config}).encode()


def rendered(app) -> list[str]:
    """Texts of Markdown elements in which the payload would be rendered as markup (inline
    code spans left out: nothing inside one is)."""
    found = []
    for kind in MARKDOWN_ELEMENTS:
        for element in app.get(kind):
            value = CODE_SPAN.sub("", str(getattr(element, "value", "") or ""))
            if LINK.search(value) or any(pattern.search(value) for pattern in RAW):
                found.append(f"{kind}: {value[:300]}")
    for chart in app.get("plotly_chart"):
        if "<a href" in chart.proto.spec or "<img" in chart.proto.spec:
            found.append(f"plotly_chart: {chart.proto.spec[:300]}")
    return found


def walk(app) -> list[str]:
    """Every tab of the Design page and every page; what each rendered as markup."""
    found = []
    for tab in TABS:
        open_tab(app, tab)
        found += [f"{tab}: {text}" for text in rendered(app)]
    for page in PAGES:
        app.switch_page(page).run()
        assert not app.exception, (page, app.exception)
        found += [f"{page}: {text}" for text in rendered(app)]
    return found


def test_an_imported_model_with_hostile_strings_is_shown_as_text():
    app = new_app()
    app.run()
    upload = (f"{PAYLOAD[:40]}.json", hostile_model(), "application/json")
    app.file_uploader(key="model_upload").set_value(upload).run()
    assert not app.exception, app.exception
    design = workspace(app).design
    opaque = [b for b in design.blocks if b.kind.startswith("Opaque")]
    assert len(opaque) >= 2 and all("![t](" in b.params["reason"] for b in opaque), "the file's text reached the design"
    assert not rendered(app) and not walk(app)


def hostile_link_design(text: str = PAYLOAD):
    """The imported design with ``text`` in every text field of every block, its name and
    its description."""
    data = import_bytes(hostile_model(text), "m.json").design.to_dict()
    data["name"] = text[:100]
    data["description"] = text
    filled = 0
    for block in data["blocks"]:
        for spec in kinds.get(block["kind"]).fields:
            if spec.__class__.__name__ == "TextField":
                block["params"][spec.name] = text[: spec.max_length]
                filled += 1
    assert filled >= 4
    return from_dict(data)


def test_a_share_link_with_hostile_text_in_every_field_is_shown_as_text():
    design = hostile_link_design()
    app = new_app()
    app.query_params[share.QUERY_KEY] = share.encode(design)
    app.run()
    assert not app.exception, app.exception
    assert workspace(app).design.blocks == design.blocks, "the link opened the design it holds"
    assert not rendered(app) and not walk(app)
