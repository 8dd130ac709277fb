"""The block form: one widget per field type, chosen by the field's class."""

import pytest

from lightdesign.core import fields as F
from lightdesign.core import kinds
from lightdesign.ui import form

from .conftest import workspace


def test_every_field_type_has_a_widget():
    concrete = {c for c in vars(F).values() if isinstance(c, type) and issubclass(c, F.Field) and c is not F.Field}
    assert concrete <= set(form.WIDGETS), concrete - set(form.WIDGETS)
    for kind in kinds.names():
        for spec in kinds.get(kind).fields:
            form.widget_for(spec)


def test_a_field_type_without_a_widget_is_named():
    class Odd(F.Field):
        pass

    with pytest.raises(TypeError, match="no form widget for Odd"):
        form.widget_for(Odd("odd", 0))


def test_integer_lists_are_edited_as_text():
    widget = form.WIDGETS[F.IntsField]
    assert widget.shown([28, -1]) == "28, -1"
    assert widget.parse("[28, -1]") == [28, -1]
    with pytest.raises(ValueError, match="is not a list of integers"):
        widget.parse("28, x")


def test_each_field_type_is_edited_through_its_widget(app):
    """Add a Reshape (integer list) and an Add (reference), then edit both in the form."""
    ws = workspace(app)
    for kind in ("Reshape", "Add"):
        app.selectbox(key="stack_add_kind").set_value(kind).run()
        app.button(key="add_block").click().run()
    add, reshape = ws.design.blocks[2], ws.design.blocks[1]
    assert (reshape.kind, add.kind) == ("Reshape", "Add")

    app.selectbox(key="stack_select").set_value(reshape.id).run()
    app.text_input(key=f"form_{reshape.id}_target_shape").set_value("26, 26, 32").run()
    assert not app.exception, app.exception
    assert ws.design.blocks[1].params["target_shape"] == [26, 26, 32]

    app.selectbox(key="stack_select").set_value(add.id).run()
    source = app.selectbox(key=f"form_{add.id}_source")
    assert source.options == ["input", "conv1", reshape.name]
    source.set_value("conv1").run()
    assert not app.exception, app.exception
    assert ws.design.blocks[2].params["source"] == "conv1"
