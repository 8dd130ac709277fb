"""The Design page's model import: a good file becomes a new design (folded), opaque blocks
are listed with their reasons, and a hostile file gets one line, never a traceback."""

from __future__ import annotations

import pytest

from tests.app.conftest import new_app, workspace

from . import onnx_models
from .test_import_unit import HOSTILE


@pytest.fixture
def app():
    at = new_app()
    at.run()
    assert not at.exception, at.exception
    return at


def upload(app, name, data):
    app.file_uploader(key="model_upload").set_value((name, data, "application/octet-stream")).run()
    assert not app.exception, app.exception
    return app


def test_importing_a_model_adds_a_design_and_lists_its_opaque_blocks(app):
    ws = workspace(app)
    count = len(ws.names)
    g = onnx_models.Graph((1, 4, 8, 8))
    g.node("LeakyRelu", [g.conv("x", 4, 4, name="c1")], "leaky", alpha=0.1)
    upload(app, "odd.onnx", g.model())
    assert len(ws.names) == count + 1
    assert [b.kind for b in ws.design.blocks] == ["Conv2D", "Opaque"]
    assert any("Imported 'odd.onnx' (onnx)" in s.value for s in app.success)
    warnings = [w.value for w in app.warning]
    assert any("1 imported layer(s) cannot be expressed" in w and "`LeakyRelu`" in w for w in warnings)


PAGE_CASES = {
    **{case: HOSTILE[case] for case in ("truncated zip", "zip bomb", "external link", "truncated protobuf")},
    # the uploader only takes model suffixes
    "not a model": (b"hello, I am a text file", "notes.tflite", "the file is named .tflite but is not a .tflite model"),
}


@pytest.mark.parametrize("case", sorted(PAGE_CASES))
def test_a_hostile_model_file_gets_one_line_and_changes_nothing(app, case):
    ws = workspace(app)
    names = list(ws.names)
    data, name, message = PAGE_CASES[case]
    upload(app, name, data() if callable(data) else data)
    assert ws.names == names
    errors = [e.value for e in app.error]
    assert len(errors) == 1 and errors[0].startswith(f"Could not import {name!r}: ") and message in errors[0]
    assert errors[0].endswith("Your workspace is unchanged.")
