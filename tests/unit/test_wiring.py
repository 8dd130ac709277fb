"""The canvas's gestures as edits (lightdesign.core.wiring): insert where a kind was dropped,
connect an output to an input, wrap a block in a residual add."""

import pytest

from lightdesign.analysis.network import analyze
from lightdesign.core import presets, wiring
from lightdesign.core.design import DesignError


def seed():
    return presets.build("seed_cnn")


def names(design):
    return [b.name for b in design.blocks]


def test_insert_after_a_block_and_at_the_top():
    design = seed()
    out, new_id = wiring.insert_after(design, "BatchNormalization", design.blocks[0].id)
    assert names(out)[:2] == ["conv1", "batch_normalization_1"] and out.blocks[1].id == new_id
    out, _ = wiring.insert_after(design, "Dropout", None)
    assert out.blocks[0].kind == "Dropout"
    assert names(design)[0] == "conv1"  # the original is untouched


def test_insert_on_a_main_edge_reads_from_its_source():
    design = seed()
    conv1, pool1 = design.blocks[0], design.blocks[1]
    out, new_id = wiring.insert_on_edge(design, "BatchNormalization", conv1.id, pool1.id)
    assert names(out)[:3] == ["conv1", "batch_normalization_1", "pool1"]
    assert out.blocks[1].input is None and out.blocks[2].input is None
    assert not analyze(out).errors


def test_insert_on_the_output_edge_appends():
    design = seed()
    out, _ = wiring.insert_on_edge(design, "Dropout", design.blocks[-1].id, wiring.OUTPUT)
    assert out.blocks[-1].kind == "Dropout"


def test_insert_on_a_skip_edge_keeps_both_inputs_of_the_merge():
    design = seed()
    conv1 = design.blocks[0]
    design, add_id = wiring.wrap_in_residual(design, design.blocks[2].id)  # conv2 changes the shape
    # wrap refuses nothing itself: the analysis flags the mismatch, the canvas refuses it
    assert analyze(design).errors
    design = seed()
    design, bn_id = wiring.insert_after(design, "BatchNormalization", conv1.id)
    design, add_id = wiring.wrap_in_residual(design, bn_id)
    assert not analyze(design).errors
    add = next(b for b in design.blocks if b.id == add_id)
    assert add.params["source"] == "conv1"
    out, new_id = wiring.insert_on_edge(design, "Dropout", conv1.id, add_id, wiring.SOURCE)
    new = next(b for b in out.blocks if b.id == new_id)
    add = next(b for b in out.blocks if b.id == add_id)
    assert new.input == "conv1" and add.params["source"] == new.name
    assert add.input == "batch_normalization_1"  # its main input is still the block above
    assert not analyze(out).errors


def test_connect_sets_the_input_or_the_merge_source():
    design = seed()
    conv1, pool2 = design.blocks[0], design.blocks[3]
    out = wiring.connect(design, conv1.id, pool2.id)
    assert out.blocks[3].input == "conv1"
    # connecting the block right above is the default: no explicit input
    assert wiring.connect(out, design.blocks[2].id, pool2.id).blocks[3].input is None
    assert wiring.connect(design, wiring.INPUT, conv1.id).blocks[0].input is None
    with pytest.raises(DesignError, match="one input only"):
        wiring.connect(design, conv1.id, pool2.id, wiring.SOURCE)
    with pytest.raises(DesignError):
        wiring.connect(design, conv1.id, conv1.id)


def test_a_backward_connection_is_flagged_by_the_analysis():
    design = seed()
    out = wiring.connect(design, design.blocks[3].id, design.blocks[1].id)  # pool2 -> pool1: a cycle
    assert any("is not an earlier block" in e.message for e in analyze(out).errors)
