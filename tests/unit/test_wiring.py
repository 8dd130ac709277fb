"""The canvas's gestures as edits (lightdesign.core.wiring): insert where a kind was dropped,
connect an output to an input (replacing it or merging with it), wrap a block in a residual add."""

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


def test_a_backward_connection_that_would_close_a_loop_is_refused_as_a_cycle():
    design = seed()
    pool1, pool2 = design.blocks[1], design.blocks[3]
    assert wiring.order_problem(design, pool2.id, pool1.id) == wiring.CYCLE
    with pytest.raises(DesignError, match=r"pool1 cannot read from pool2: .*would make a cycle"):
        wiring.connect(design, pool2.id, pool1.id)  # pool2 is computed from pool1 through conv2
    with pytest.raises(DesignError, match="cycle"):
        wiring.merge_into(design, "Add", pool2.id, pool1.id)


def test_a_later_block_off_the_path_is_refused_for_its_order_not_as_a_cycle():
    # two branches off conv1: pool1 (the chain) and a later side branch that reads conv1 only
    design = seed()
    conv1, pool1 = design.blocks[0], design.blocks[1]
    design, side = wiring.insert_after(design, "BatchNormalization", design.blocks[-1].id)
    design = wiring.connect(design, conv1.id, side)
    assert not wiring.feeds(design, side, pool1.id)
    assert wiring.order_problem(design, side, pool1.id) == wiring.LATER
    with pytest.raises(DesignError, match="comes after it: a block reads only from the blocks above it"):
        wiring.connect(design, side, pool1.id)
    assert wiring.order_problem(design, wiring.INPUT, pool1.id) is None
    assert wiring.order_problem(design, conv1.id, conv1.id) == wiring.SELF


def test_merge_into_branches_instead_of_replacing_the_input():
    """conv1 -> BN -> pool1; connecting conv1 to pool1 as an Add keeps BN on the path and adds
    conv1 beside it: both reach the model, nothing is left feeding nothing."""
    design = seed()
    conv1, pool1 = design.blocks[0], design.blocks[1]
    design, bn_id = wiring.insert_after(design, "BatchNormalization", conv1.id)
    out, add_id = wiring.merge_into(design, "Add", conv1.id, pool1.id)
    assert names(out)[:4] == ["conv1", "batch_normalization_1", "add_1", "pool1"]
    add = next(b for b in out.blocks if b.id == add_id)
    assert wiring.reads(out, add_id) == ["batch_normalization_1", "conv1"]
    assert add.input is None and wiring.reads(out, pool1.id) == ["add_1"]
    result = analyze(out)
    assert not result.errors and not result.dead_blocks
    assert result.params == analyze(design).params  # an Add holds no weights
    # Concatenate doubles the channels that reach pool1 (26x26x32 twice -> 26x26x64)
    out, cat_id = wiring.merge_into(design, "Concatenate", conv1.id, pool1.id)
    shapes = {row.name: row.shape for row in analyze(out).blocks}
    assert shapes["concatenate_1"] == (26, 26, 64)


def test_merge_into_a_block_reading_an_explicit_input_keeps_that_input():
    design = seed()
    conv1, conv2, pool2 = design.blocks[0], design.blocks[2], design.blocks[3]
    design = wiring.connect(design, conv1.id, conv2.id)  # conv2 reads conv1, skipping pool1
    out, merge_id = wiring.merge_into(design, "Concatenate", wiring.INPUT, conv2.id)
    merge = next(b for b in out.blocks if b.id == merge_id)
    assert wiring.reads(out, merge_id) == ["conv1", "input"]
    assert wiring.reads(out, conv2.id) == [merge.name]
    assert wiring.reads(out, pool2.id) == ["conv2"]
    with pytest.raises(DesignError, match="already reads from conv1"):
        wiring.merge_into(design, "Add", conv1.id, conv2.id)
    with pytest.raises(DesignError, match="takes one input"):
        wiring.merge_into(design, "Dropout", conv1.id, pool2.id)
