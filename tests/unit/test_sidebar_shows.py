"""What the Design page's sidebar shows, which decides whether an editor (fragment) run must
rerun the whole page: every change the sidebar draws must change it, and an edit the sidebar
does not draw must not (else every gesture would rerun the whole page)."""

from lightdesign.core import edits
from lightdesign.core.design import Design, new_block
from lightdesign.core.workspace import Workspace
from lightdesign.ui.state import sidebar_shows


def imported() -> Workspace:
    conv = new_block("Conv2D", "conv", "b1")
    opaque = new_block("Opaque", "custom", "b2")
    opaque.params.update(op="MyLayer", output_shape=[26, 26, 8], reason="not a Keras layer")
    head = new_block("Dense", "head", "b3")
    return Workspace([Design("imported", (28, 28, 1), 10, [conv, opaque, head])])


def changed(edit) -> bool:
    ws = imported()
    before = sidebar_shows(ws, "en")
    ws.apply(edit)
    return sidebar_shows(ws, "en") != before


def test_what_the_sidebar_draws_changes_it():
    assert changed(lambda d: edits.insert_block(d, "Dropout", 1)[0])  # the opaque block is now 3rd
    assert changed(lambda d: edits.move_block(d, "b2", -1))
    assert changed(lambda d: edits.set_param(d, "b2", "reason", "another reason"))
    assert changed(lambda d: edits.set_param(d, "b2", "op", "OtherLayer"))
    assert changed(lambda d: edits.set_input_shape(d, [32, 32, 1]))
    assert changed(lambda d: edits.set_num_classes(d, 5))
    ws = imported()
    assert sidebar_shows(ws, "en") != sidebar_shows(ws, "zh")
    before = sidebar_shows(ws, "en")
    ws.add(Design("second", (28, 28, 1), 10, []), switch=False)
    assert sidebar_shows(ws, "en") != before


def test_an_edit_the_sidebar_does_not_draw_leaves_it():
    assert not changed(lambda d: edits.set_param(d, "b1", "filters", 64))
    assert not changed(lambda d: edits.insert_block(d, "Dropout", 3)[0])  # below the opaque block
