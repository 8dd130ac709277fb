"""Limits that edits bypassed: every edit path keeps the block limit,
every computed size is checked against the field limits, and formatting never overflows."""

import pytest

from lightdesign.analysis.network import analyze
from lightdesign.cli.commands import main
from lightdesign.core import edits, presets
from lightdesign.core import format as fmt
from lightdesign.core.design import MAX_BLOCKS, Design, DesignError, new_block
from lightdesign.core.workspace import Workspace
from lightdesign.explore import scaling
from lightdesign.explore.budget import Budget


def concatenations(count: int) -> Design:
    """Each Concatenate joins the previous output with itself: channels double every block."""
    blocks = [
        new_block("Concatenate", f"cat{i}", f"c{i}", source="input" if i == 0 else f"cat{i - 1}") for i in range(count)
    ]
    return Design("cats", (4096, 4096, 16384), 10, blocks)


@pytest.mark.parametrize("count", [6, 997])
def test_concatenated_channels_are_checked_against_the_channel_limit(count):
    """6 concatenations crashed the per-layer table, 997 the pages and `analyze`."""
    result = analyze(concatenations(count))
    (error,) = result.errors[:1]
    assert error.text == (
        "Block 1 'cat0' (Concatenate): Concatenate would produce channels = 32,768 (output (4096, 4096, 32768)); "
        "at most 16,384 are allowed"
    )


def test_padding_past_the_resolution_limit_is_an_error():
    blocks = [new_block("ZeroPadding2D", f"pad{i}", f"p{i}", top=64, bottom=64) for i in range(100)]
    result = analyze(Design("pads", (4000, 64, 3), 10, blocks))
    assert result.errors and result.errors[0].text == (
        "Block 1 'pad0' (ZeroPadding2D): ZeroPadding2D would produce height = 4,128 (output (4128, 66, 3)); "
        "at most 4,096 are allowed"
    )


def test_reshape_past_the_sequence_limit_is_an_error():
    blocks = [new_block("Reshape", "long", "r1", target_shape=[65536, 1])]
    result = analyze(Design("long", (256, 256, 1), 10, blocks))
    assert result.errors and "steps = 65,536" in result.errors[0].text and "at most 16,384" in result.errors[0].text


def test_analyze_on_the_command_line_reports_instead_of_crashing(tmp_path, capsys):
    path = tmp_path / "cats.json"
    path.write_text(concatenations(997).to_json())
    assert main(["analyze", str(path)]) == 1
    assert "at most 16,384 are allowed" in capsys.readouterr().err


def full(kind: str = "Dense") -> Design:
    blocks = [new_block(kind, f"layer{i}", f"b{i}", units=10) for i in range(MAX_BLOCKS)]
    return Design("full", (8,), 10, blocks)


def test_duplicate_insert_and_reorder_keep_the_block_limit():
    design = full()
    message = "the design would have 1,001 blocks; at most 1,000 are allowed (its file and link would be refused)"
    with pytest.raises(DesignError, match=r"1,001 blocks"):
        edits.duplicate_block(design, "b0")
    with pytest.raises(DesignError) as caught:
        edits.insert_block(design, "Dense", 3)
    assert str(caught.value) == message
    with pytest.raises(DesignError, match=r"1,001 blocks"):
        edits.reorder(design, [b.id for b in design.blocks] + [("new", "Dense")])


def test_every_workspace_edit_keeps_the_block_limit():
    ws = Workspace([full()])
    before = ws.design.to_json()
    with pytest.raises(DesignError):
        ws.apply(lambda d: Design(d.name, d.input_shape, d.num_classes, d.blocks + d.blocks[:5]))
    assert ws.design.to_json() == before
    with pytest.raises(DesignError):
        ws.add(Design("big", (8,), 10, full().blocks + [new_block("Dense", "extra", "bx", units=10)]))


def test_depth_scaling_past_the_block_limit_is_an_invalid_point_not_a_design():
    blocks = [new_block("inverted_residual", f"ir{i}", f"b{i}", filters=16) for i in range(800)]
    design = Design("deep", (32, 32, 16), 10, blocks)
    with pytest.raises(DesignError, match="depth x1.5 would make 1,200 blocks; at most 1,000"):
        scaling.scale_depth(design, 1.5)
    point = scaling.compute_point(design, scaling.EXPANSION_DEPTH, 1.0, 1.5, Budget({}))
    assert not point.valid and not point.fits


def test_formatting_never_overflows():
    assert fmt.count(2**1100) == "∞"
    assert fmt.count(10**300) == "1.00e+300"
    assert fmt.size(2**1100) == "∞"
    assert fmt.cell(2**70) == float(2**70) and fmt.cell(2**62) == 2**62
    assert fmt.count(3_538_984) == "3.54 M" and fmt.size(14_155_936) == "13.5 MB"


def test_the_presets_still_build_at_both_ends_of_the_width_range():
    for name, preset in presets.PRESETS.items():
        if not preset.alphas:
            continue
        for alpha in preset.alphas if preset.fixed_alphas else (edits.MIN_WIDTH, edits.MAX_WIDTH):
            result = analyze(presets.build(name, alpha=alpha))
            assert not result.errors, (name, alpha, result.errors[0].text)
