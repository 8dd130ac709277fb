"""The canvas's gestures as the server applies them (lightdesign.ui.canvas.handle): each is
one undoable edit whose result, or refusal, is said in words on the canvas. The browser's
side (the drag, the menu) is in tests/e2e/test_editor_at_laptop_sizes.py."""

from lightdesign.analysis.network import analyze
from lightdesign.core import wiring
from lightdesign.ui import canvas, state


def design(session):
    return session[state.WORKSPACE].design


def ids(session) -> dict[str, str]:
    return {b.name: b.id for b in design(session).blocks}


def names(session) -> list[str]:
    return [b.name for b in design(session).blocks]


def gesture(session, **event) -> dict:
    canvas.handle(event)
    return session.pop(canvas.NOTICE)


def test_repeated_drops_onto_one_block_keep_their_order(session):
    conv1 = ids(session)["conv1"]
    said = gesture(session, type="drop", kind="BatchNormalization", after=conv1)
    assert said == {"level": "done", "text": "Added batch_normalization_1 (BatchNormalization) after conv1."}
    said = gesture(session, type="drop", kind="Dropout", after=conv1)
    assert said["text"] == "Added dropout_1 (Dropout) after batch_normalization_1."
    gesture(session, type="drop", kind="Activation", after=conv1)
    assert names(session)[:5] == ["conv1", "batch_normalization_1", "dropout_1", "activation_1", "pool1"]
    # onto another block: right after it, and a later drop onto conv1 starts a new run there
    gesture(session, type="drop", kind="Dropout", after=ids(session)["pool1"])
    gesture(session, type="drop", kind="Flatten", after=conv1)
    assert names(session)[:2] == ["conv1", "flatten_1"]


def test_repeated_drops_onto_the_input_keep_their_order(session):
    gesture(session, type="drop", kind="Dropout", after=None)
    said = gesture(session, type="drop", kind="BatchNormalization", after=None)
    assert said["text"] == "Added batch_normalization_1 (BatchNormalization) after dropout_1."
    assert names(session)[:3] == ["dropout_1", "batch_normalization_1", "conv1"]


def test_a_drop_onto_an_edge_says_between_which_blocks(session):
    pool2, flatten = ids(session)["pool2"], ids(session)["flatten"]
    said = gesture(session, type="drop", kind="Dropout", edge=[pool2, flatten, wiring.MAIN])
    assert said["text"] == "Added dropout_1 (Dropout) between pool2 and flatten."


def test_a_connection_as_an_add_makes_a_branch_and_says_so(session):
    gesture(session, type="drop", kind="BatchNormalization", after=ids(session)["conv1"])
    before = analyze(design(session)).params
    blocks = ids(session)
    said = gesture(session, type="connect", source=blocks["conv1"], target=blocks["pool1"], handle="in", how="add")
    assert said == {
        "level": "done",
        "text": "Added add_1 (Add): pool1 now reads batch_normalization_1 and conv1 merged, a branch.",
    }
    result = analyze(design(session))
    assert names(session)[:4] == ["conv1", "batch_normalization_1", "add_1", "pool1"]
    assert not result.errors and not result.dead_blocks and result.params == before
    assert session[state.SELECTED] == ids(session)["add_1"]
    gesture(session, type="undo")  # one undoable step
    assert "add_1" not in names(session)


def test_a_merge_whose_shapes_differ_is_refused_with_the_analysis_message(session):
    blocks = ids(session)
    before = design(session).to_json()
    said = gesture(session, type="connect", source=blocks["pool1"], target=blocks["pool2"], handle="in", how="add")
    assert said["level"] == "error"
    assert said["text"].startswith("Not applied: Block 4 'add_1' (Add): Add: the shapes")
    assert design(session).to_json() == before


def test_a_backward_connection_is_refused_as_a_cycle(session):
    blocks = ids(session)
    said = gesture(session, type="connect", source=blocks["pool2"], target=blocks["pool1"], handle="in")
    assert said == {
        "level": "error",
        "text": "Not applied: pool1 cannot read from pool2: pool2 is computed from pool1's output, so the "
        "connection would make a cycle. Connect a block above pool1 instead.",
    }


def test_replacing_an_input_names_the_block_left_feeding_nothing(session):
    gesture(session, type="drop", kind="ZeroPadding2D", after=ids(session)["conv2"])
    blocks = ids(session)
    said = gesture(session, type="connect", source=blocks["conv2"], target=blocks["pool2"], handle="in", how="replace")
    assert said["text"] == (
        "pool2 now reads from conv2 instead of zero_padding2d_1. zero_padding2d_1 now feed nothing and are left "
        "out of the model (delete them, or connect them again)."
    )
    said = gesture(session, type="connect", source=blocks["conv2"], target=blocks["pool2"], handle="in", how="replace")
    assert said == {"level": "info", "text": "pool2 already reads from conv2; nothing changed."}


def test_undo_and_redo_say_what_they_did_or_that_there_is_nothing(session):
    assert gesture(session, type="undo") == {"level": "info", "text": "Nothing to undo."}
    gesture(session, type="delete", block=ids(session)["flatten"])
    assert gesture(session, type="undo")["text"].startswith("Undone.")
    assert "flatten" in names(session)
    assert gesture(session, type="redo")["text"] == "Redone."
    assert gesture(session, type="redo") == {"level": "info", "text": "Nothing to redo."}


def test_an_event_naming_no_block_or_kind_of_the_design_is_refused_in_words(session):
    said = gesture(session, type="connect", source="nope", target=ids(session)["pool1"], handle="in", how="add")
    assert said["level"] == "error" and "there is no block with id 'nope'" in said["text"]
    said = gesture(session, type="drop", kind="Conv9D", after=None)
    assert said["level"] == "error" and "Conv9D" in said["text"]
    assert not session[state.MESSAGES]  # said on the canvas, not at the top of the page


def test_the_inspector_can_be_hidden_from_the_canvas(session):
    assert canvas.inspector_open()
    canvas.handle({"type": "inspector", "open": False})
    assert not canvas.inspector_open()
