"""Design edits and the workspace's collection and undo/redo."""

import pytest

from lightdesign.analysis.network import analyze
from lightdesign.core import edits, presets
from lightdesign.core.design import DesignError
from lightdesign.core.workspace import MAX_DESIGNS, Workspace


def names(design):
    return [b.name for b in design.blocks]


def test_insert_move_duplicate_remove():
    design = presets.build("seed_cnn")
    design, new_id = edits.insert_block(design, "Dropout", 5)
    assert names(design)[5] == "dropout_1" and design.blocks[5].id == new_id
    design = edits.move_block(design, new_id, -1)
    assert names(design)[4] == "dropout_1"
    design, copy_id = edits.duplicate_block(design, new_id)
    assert names(design)[4:6] == ["dropout_1", "dropout_2"]
    design = edits.remove_block(edits.remove_block(design, new_id), copy_id)
    assert names(design) == names(presets.build("seed_cnn"))


def test_reorder_from_a_drag_and_drop_result():
    design = presets.build("seed_cnn")
    ids = [b.id for b in design.blocks]
    order = [ids[0], ("new", "BatchNormalization"), ids[2], ids[1], *ids[3:6]]  # last block dropped in the bin
    changed, added = edits.reorder(design, order)
    assert names(changed) == ["conv1", "batch_normalization_1", "conv2", "pool1", "pool2", "flatten", "dense"]
    assert changed.blocks[1].id == added[0] and added[0] not in ids


def test_set_param_validates_type_and_range():
    design = presets.build("seed_cnn")
    conv = design.blocks[0].id
    assert edits.set_param(design, conv, "filters", 16).blocks[0].params["filters"] == 16
    with pytest.raises(DesignError, match="conv1: filters=0 is not valid; use an integer from 1 to 16384"):
        edits.set_param(design, conv, "filters", 0)
    # A value valid on its own but not in context is kept; the analysis reports it.
    too_big = edits.set_param(design, conv, "kernel_size", 31)
    assert analyze(too_big).errors[0].field == "kernel_size"


def test_rename_updates_references():
    design = presets.build("mobilenet_v1")
    design, _ = edits.insert_block(design, "Add", 3)
    add = design.blocks[3]
    assert add.params["source"] == "block_1"
    design = edits.rename_block(design, design.blocks[1].id, "first_unit")
    assert design.blocks[3].params["source"] == "first_unit"
    with pytest.raises(DesignError, match="already used"):
        edits.rename_block(design, design.blocks[2].id, "first_unit")
    with pytest.raises(DesignError, match="is not valid"):
        edits.rename_block(design, design.blocks[2].id, "two words")


def test_classes_change_the_classifier_and_reshape():
    design = edits.set_num_classes(presets.build("mobilenet_v1"), 10)
    assert analyze(design).output_shape == (10,)
    assert not analyze(design).issues
    with pytest.raises(DesignError):
        edits.set_num_classes(design, 0)


def test_width_multiplier_rounds_to_multiples_of_8_and_keeps_the_classifier():
    design = edits.scale_width(presets.build("seed_cnn"), 0.5)
    assert [
        b.params.get("filters") or b.params.get("units") for b in design.blocks if b.kind in ("Conv2D", "Dense")
    ] == [16, 32, 64, 10]
    assert analyze(design).output_shape == (10,)
    scaled = analyze(edits.scale_width(presets.build("mobilenet_v2"), 0.75))
    assert scaled.params < analyze(presets.build("mobilenet_v2")).params and scaled.output_shape == (1000,)


def test_input_shape_edit():
    design = edits.set_input_shape(presets.build("seed_cnn"), [32, 32, 1])
    assert analyze(design).blocks[0].shape == (30, 30, 32)
    with pytest.raises(DesignError, match="input_shape"):
        edits.set_input_shape(design, [32, 0, 1])


def test_workspace_collection():
    ws = Workspace()
    assert ws.names == ["seed_cnn"]
    copy = ws.duplicate()
    assert copy == "seed_cnn (2)" and ws.current == copy
    ws.rename(copy, "variant")
    assert ws.names == ["seed_cnn", "variant"] and ws.current == "variant"
    with pytest.raises(DesignError, match="already a design called 'seed_cnn'"):
        ws.rename("variant", "seed_cnn")
    ws.switch("seed_cnn")
    ws.delete("variant")
    with pytest.raises(DesignError, match="at least one design"):
        ws.delete("seed_cnn")
    for _ in range(MAX_DESIGNS - 1):
        ws.duplicate()
    with pytest.raises(DesignError, match="at most"):
        ws.duplicate()


def test_undo_redo_and_failed_edits_leave_no_trace():
    ws = Workspace()
    before = ws.design.to_dict()
    ws.apply(lambda d: edits.insert_block(d, "Dropout")[0])
    ws.apply(lambda d: edits.set_num_classes(d, 3))
    with pytest.raises(DesignError):
        ws.apply(lambda d: edits.set_num_classes(d, -1))
    assert ws.design.num_classes == 3 and len(ws.history[ws.current].undo) == 2
    ws.undo()
    assert ws.design.num_classes == 10 and ws.can_redo
    ws.undo()
    assert ws.design.to_dict() == before and not ws.can_undo
    ws.undo()  # nothing left: no change
    ws.redo()
    ws.redo()
    assert ws.design.num_classes == 3 and names(ws.design)[-1] == "dropout_1"
    ws.apply(lambda d: edits.set_num_classes(d, 4))
    assert not ws.can_redo


def test_a_copy_of_a_numbered_name_counts_on_instead_of_nesting():
    ws = Workspace()
    design = presets.build("seed_cnn")
    assert ws.add(design) == "seed_cnn (2)"
    again = presets.build("seed_cnn")
    again.name = "seed_cnn (2)"  # re-uploading the design saved from the copy
    assert ws.add(again) == "seed_cnn (3)"


def test_an_unreadable_undo_step_is_dropped_with_a_message_instead_of_failing_every_click():
    """A step kept by an older release's archive import (not a design) is refused once, by
    name, and the steps under it still work."""
    ws = Workspace()
    ws.apply(lambda d: edits.set_num_classes(d, 3))
    ws.entry.undo.append("hello")  # the newest step is not a design
    ws.journal.clear()
    with pytest.raises(DesignError, match="the last undo step cannot be read and was dropped"):
        ws.undo()
    assert ws.journal[-1] == ("pop", ws.current_id, "undo")  # the store drops it too
    assert ws.design.num_classes == 3
    ws.undo()
    assert ws.design.num_classes == 10 and not ws.can_undo


def test_a_setting_is_journaled_by_its_name():
    ws = Workspace()
    ws.journal.clear()
    ws.set_setting("batch_size", 64)
    ws.set_setting("batch_size", 64)  # unchanged: nothing to write
    assert ws.journal == [("setting", "batch_size")]
    with pytest.raises(DesignError, match="1 to 64 characters"):
        ws.set_setting("x" * 65, 1)
