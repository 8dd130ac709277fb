"""The Design page's pinned figures say which totals leave out what an imported layer no
kind expresses costs: the figure is marked, a caption names the layers, a warning gives each
one's reason."""

from lightdesign.core.design import Design, new_block

from .conftest import metric, workspace


def test_figures_that_leave_out_an_opaque_layer_are_marked_on_the_design_page(app):
    einsum = dict(op="Einsum", output_shape=[16, 16, 8], reason="the operator Einsum has no LightDesign kind")
    design = Design(
        "imported",
        (16, 16, 3),
        10,
        [
            new_block("Conv2D", "conv", filters=8),
            new_block("Opaque", "mix", **einsum),
            new_block("GlobalAveragePooling2D", "pool"),
            new_block("Dense", "out", units=10, activation="softmax"),
        ],
    )
    workspace(app).add(design)
    app.run()
    assert not app.exception, app.exception
    assert metric(app, "MACs").value.endswith(" *")
    assert not metric(app, "Params").value.endswith("*")
    assert any("Incomplete" in c.value and "mix" in c.value for c in app.caption)
    assert any("Block 2 'mix'" in w.value and "Einsum" in w.value for w in app.warning)
