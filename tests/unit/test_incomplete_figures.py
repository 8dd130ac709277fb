"""Totals that leave out costs nobody knows say so: an imported layer that no kind expresses
(an opaque block) is a warning with its reason, the figures it leaves out are listed
(``Analysis.unknown``, ``incomplete`` in the JSON), ``check`` exits with status 2 when a
budgeted figure is one of them, and a shape the file did not give leaves every figure made
of shapes unknown from there on."""

import json

from lightdesign.analysis.network import analyze
from lightdesign.cli.commands import main
from lightdesign.core.design import Design, new_block
from lightdesign.importers import import_bytes
from tests.importers.onnx_models import Graph


def _with_opaque_layers(path=None) -> bytes:
    """A conv with a 3x1 kernel (opaque: not square, its MACs counted from the file) and an
    Einsum (opaque: no kind, nothing known of its MACs), on 1x3x32x32."""
    g = Graph()
    x = g.node("Conv", ["x", g.init("rect.w", (8, 3, 3, 1))], "rect", kernel_shape=[3, 1], pads=[1, 0, 1, 0])
    x = g.node("Einsum", [x], "mix", equation="bchw->bchw")
    g.node("GlobalAveragePool", [x], "gap")
    data = g.model()
    if path is not None:
        path.write_bytes(data)
    return data


def test_opaque_layers_are_warnings_and_the_figures_they_leave_out_are_listed():
    figures = analyze(import_bytes(_with_opaque_layers(), "m.onnx").design)
    assert figures.macs == 32 * 32 * 8 * 3 * 3  # the 3x1 conv's, counted from its weights
    assert figures.unknown["macs"] == ["mix"]
    assert figures.unknown["flops"] == ["rect", "mix"]
    assert figures.unknown["peak_activation_bytes_int8"] == ["rect", "mix"]
    assert "params" not in figures.unknown and "peak_activation_bytes" not in figures.unknown
    assert figures.incomplete
    warned = {w.name: w.message for w in figures.warnings if w.kind == "Opaque"}
    assert set(warned) == {"rect", "mix"}
    assert "Einsum" in warned["mix"] and "no LightDesign kind" in warned["mix"]
    assert "leave out its MACs, FLOPs and int8 arena" in warned["mix"]
    assert "leave out its FLOPs and int8 arena" in warned["rect"] and "not square" in warned["rect"]


def test_an_opaque_layer_without_a_shape_leaves_every_figure_made_of_shapes_unknown():
    guess = dict(op="Resize", output_shape=[8, 8, 4], macs_known=True, shape_known=False, reason="a resize")
    design = Design(
        "guessed",
        (8, 8, 4),
        10,
        [new_block("Opaque", "resize", **guess), new_block("Conv2D", "after", filters=8, kernel_size=3)],
    )
    figures = analyze(design)
    for key in ("macs", "flops", "peak_activation_bytes", "training_bytes"):
        assert figures.unknown[key] == ["resize"], key
    assert "params" not in figures.unknown
    (warning,) = [w for w in figures.warnings if w.kind == "Opaque"]
    assert "every figure after it is unknown" in warning.message


def test_a_design_without_opaque_layers_is_complete(capsys):
    assert main(["analyze", "--preset", "mobilenet_v2", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["incomplete"] is False and data["unknown"] == {}


def test_analyze_json_and_table_say_which_figures_are_incomplete(tmp_path, capsys):
    _with_opaque_layers(tmp_path / "m.onnx")
    assert main(["analyze", str(tmp_path / "m.onnx"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["incomplete"] is True
    assert data["unknown"]["macs"] == ["mix"]
    assert {w["name"] for w in data["warnings"] if w["kind"] == "Opaque"} == {"rect", "mix"}
    assert main(["analyze", str(tmp_path / "m.onnx")]) == 0
    assert "incomplete: MACs leaves out 1 layer(s): mix" in capsys.readouterr().out


def test_check_exits_2_when_a_budgeted_figure_is_incomplete(tmp_path, capsys):
    _with_opaque_layers(tmp_path / "m.onnx")
    assert main(["check", str(tmp_path / "m.onnx"), "--max-macs", "10M"]) == 2
    out, err = capsys.readouterr()
    assert "??" in out
    assert "cannot check MACs" in err and "(mix)" in err
    # params are complete: that budget is checked as usual
    assert main(["check", str(tmp_path / "m.onnx"), "--max-params", "1M"]) == 0
    assert "within budget" in capsys.readouterr().out
