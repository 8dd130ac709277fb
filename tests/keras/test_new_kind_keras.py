"""The toy kind of tests/unit/test_new_kind.py, defined there alone, builds in Keras from the
generated code with the analysis's shapes and parameter counts, and its saved model imports back
as that kind."""

from lightdesign.core.registry import registered
from lightdesign.importers import import_bytes
from tests.unit.test_new_kind import ChannelScale, design_with

from .harness import assert_conforms, build


def test_a_new_kinds_generated_code_builds_with_the_analysis_counts(tmp_path):
    with registered(ChannelScale):
        design = design_with("ChannelScale")
        model = build(design)
        assert_conforms(design, model)
        path = tmp_path / "toy.keras"
        model.save(path)
        imported = import_bytes(path.read_bytes(), path.name)
    assert [b.kind for b in imported.design.blocks] == [b.kind for b in design.blocks]
